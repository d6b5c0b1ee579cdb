package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// postPage loads target inside the frame by POST with a session token,
// as the page's script navigates.
func (f *embedFixture) postPage(target, token string) int {
	f.t.Helper()
	resp, _ := f.do(f.navigation(target, token))
	return resp.StatusCode
}

// navigation is a navigation inside the frame, as the page script makes
// it: a POST of the session token to target.
func (f *embedFixture) navigation(target, token string) *http.Request {
	req := httptest.NewRequest("POST", target, strings.NewReader(url.Values{"session": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Dest", "iframe")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return req
}

// navigate follows a link inside the frame with token, requires 200 and
// parses the page.
func (f *embedFixture) navigate(target, token string) *goquery.Document {
	f.t.Helper()
	resp, body := f.do(f.navigation(target, token))
	if resp.StatusCode != 200 {
		f.t.Fatalf("POST %s = %d: %.300s", target, resp.StatusCode, body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	return doc
}

// TestRecordProofOpensThatRecordOnly: the proof a candidate's template
// writes, and the session it buys, open that candidate's inbox and
// nothing else: not the conversation list, not the tenant-wide
// dashboard, not another candidate.
func TestRecordProofOpensThatRecordOnly(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	_, doc := f.page(f.candidateURL("nl"))
	token := pageToken(t, doc)
	if code := f.postPage("/embed/acme/candidate/"+f.cand.ID+"?lang=nl", token); code != 200 {
		t.Errorf("the record's own inbox by its session: %d, want 200", code)
	}
	for _, target := range []string{"/embed/acme/conversations?view=mine", "/embed/acme/dashboard", "/embed/acme/candidate/999",
		"/embed/acme/vacancy/" + f.vac.ID} {
		if code := f.postPage(target, token); code != 403 {
			t.Errorf("POST %s with a record's session = %d, want 403", target, code)
		}
	}
	// The URL's user half (u, uh) without the page key opens no
	// tenant-wide page.
	proof := url.Values{"u": {f.viewer.ID}, "uh": {f.viewer.StableHash}, "rh": {f.cand.StableHash}}.Encode()
	for _, target := range []string{"/embed/acme/conversations?view=all&" + proof, "/embed/acme/dashboard?" + proof} {
		if resp, _ := f.do(f.framed(target)); resp.StatusCode != 403 {
			t.Errorf("GET %s = %d, want 403", target, resp.StatusCode)
		}
	}
	// A page key with a wrong user proof is no better.
	forged := url.Values{"u": {f.viewer.ID}, "uh": {"forged"}, "dk": {f.pageKey()}}.Encode()
	if resp, _ := f.do(f.framed("/embed/acme/dashboard?" + forged)); resp.StatusCode != 403 {
		t.Errorf("dashboard with the page key and a forged user hash = %d, want 403", resp.StatusCode)
	}
}

// TestRecruiterSeesTheirOwnList: a recruiter (no administrator or
// manager role) with a valid tenant-wide proof opens their own list but
// neither the tenant's dashboard nor everyone's conversations; a manager
// opens both.
func TestRecruiterSeesTheirOwnList(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	jan := url.Values{"u": {f.other.ID}, "uh": {f.other.StableHash}, "dk": {f.pageKey()}, "lang": {"nl"}}.Encode()
	for target, want := range map[string]int{
		"/embed/acme/conversations?view=mine&" + jan:    200,
		"/embed/acme/conversations?view=all&" + jan:     403,
		"/embed/acme/dashboard?" + jan:                  403,
		f.dashboardURL("nl"):                            200,
		f.conversationsURL(url.Values{"view": {"all"}}): 200,
	} {
		if resp, body := f.do(f.framed(target)); resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d: %.200s", target, resp.StatusCode, want, body)
		}
	}
}

// TestRefusalsTakeTheSameTime: an unknown tenant and a wrong proof take
// at least the refusal floor, so the answer's time does not tell which.
// (A lower bound on the server's own delay, not a measure of speed.)
func TestRefusalsTakeTheSameTime(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	const floor = 250 * time.Millisecond
	f.srv.deps.Embeds.RefusalFloor = floor
	for name, target := range map[string]string{
		"unknown tenant": "/embed/nobody/candidate/1?rh=x&u=1&uh=y",
		"wrong proof":    "/embed/acme/candidate/" + f.cand.ID + "?rh=forged&u=" + f.viewer.ID + "&uh=" + f.viewer.StableHash,
	} {
		start := time.Now()
		resp, _ := f.do(f.framed(target))
		if took := time.Since(start); resp.StatusCode != 403 || took < floor {
			t.Errorf("%s: %d after %v, want 403 after at least %v", name, resp.StatusCode, took, floor)
		}
	}
}

// TestSignInRefusesMalformedRequests: the exchange checks its body
// before any realm is asked.
func TestSignInRefusesMalformedRequests(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	for name, body := range map[string]string{
		"not JSON":          `code=1`,
		"short verifier":    `{"code":"c","verifier":"short","nonce":"n","kind":"candidate","record":"1"}`,
		"unknown kind":      `{"code":"c","verifier":"` + strings.Repeat("v", 50) + `","nonce":"n","kind":"admin","record":"1"}`,
		"record without id": `{"code":"c","verifier":"` + strings.Repeat("v", 50) + `","nonce":"n","kind":"candidate"}`,
	} {
		req := httptest.NewRequest("POST", "/embed/acme/signin", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, out := f.do(req)
		if resp.StatusCode != 400 || !strings.Contains(out, `"error"`) {
			t.Errorf("%s: %d %s, want a 400 JSON error", name, resp.StatusCode, out)
		}
	}
}
