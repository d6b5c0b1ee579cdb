package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// randomPKCE returns a random value fit for a PKCE verifier, a state or a
// nonce.
func randomPKCE(t testing.TB) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// realmSignIn signs u in through the tenant's realm as the sign-in popup
// does (authorization code with PKCE, the realm's login form with u's
// password) and exchanges the code at our sign-in endpoint for a session
// of the page kind and record.
func (f *embedFixture) realmSignIn(u carerixemu.User, kind, record string) string {
	f.t.Helper()
	verifier, state, nonce := randomPKCE(f.t), randomPKCE(f.t), randomPKCE(f.t)
	sum := sha256.Sum256([]byte(verifier))
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	authorize := embed.Issuer(f.tenant) + "/protocol/openid-connect/auth?" + url.Values{
		"client_id": {f.tenant.Embed.SignInClientID}, "redirect_uri": {"http://127.0.0.1:1" + embed.CallbackPath},
		"response_type": {"code"}, "scope": {"openid"}, "state": {state}, "nonce": {nonce},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}.Encode()
	resp, err := browser.Get(authorize)
	if err != nil {
		f.t.Fatal(err)
	}
	login, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	action := regexp.MustCompile(`<form id="kc-form-login" method="post" action="([^"]+)"`).FindStringSubmatch(string(login))
	tab := regexp.MustCompile(`name="tab_id" value="([^"]*)"`).FindStringSubmatch(string(login))
	if action == nil || tab == nil {
		f.t.Fatalf("the realm's login form: %d\n%s", resp.StatusCode, login)
	}
	target, _ := resp.Request.URL.Parse(html.UnescapeString(action[1]))
	resp, err = browser.PostForm(target.String(), url.Values{"tab_id": {tab[1]}, "username": {u.UserName}, "password": {carerixemu.DefaultUserPassword}})
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || back.Query().Get("code") == "" || back.Query().Get("state") != state {
		f.t.Fatalf("the realm sent the popup back to %q (%d)", resp.Header.Get("Location"), resp.StatusCode)
	}
	body, _ := json.Marshal(map[string]string{"code": back.Query().Get("code"), "verifier": verifier, "nonce": nonce,
		"kind": kind, "record": record, "lang": "nl"})
	r, out := f.api("POST", "/embed/acme/signin", "", string(body))
	var got struct {
		Token string `json:"token"`
	}
	if r.StatusCode != 200 || json.Unmarshal([]byte(out), &got) != nil || got.Token == "" {
		f.t.Fatalf("exchanging the code: %d %s", r.StatusCode, out)
	}
	return got.Token
}

// session is the viewer's session for a page, proved as the tenant's
// Carerix allows: the URL proof where the API gives stableHash, else the
// sign-in.
func (f *embedFixture) session(kind, record string) string {
	f.t.Helper()
	if f.emu.Profile() != carerixemu.ProfileDocs {
		return f.realmSignIn(f.viewer, kind, record)
	}
	if kind == "dashboard" {
		return f.listToken()
	}
	_, doc := f.page(f.candidateURL("nl"))
	return pageToken(f.t, doc)
}

// TestEmbedsOnEachProfile runs the framed pages against both forms of
// Carerix: as documented, where the templates' URLs carry stableHash
// proofs, and as real tenants show it, without stableHash, where the
// viewer signs in through the realm. Either way the inbox's session opens
// that record's thread and no other, and the manager's dashboard and
// conversation list open on their own proof.
func TestEmbedsOnEachProfile(t *testing.T) {
	for _, p := range []carerixemu.Profile{carerixemu.ProfileDocs, carerixemu.ProfileObserved} {
		t.Run(string(p), func(t *testing.T) {
			f := newEmbedFixtureOn(t, storetest.SQLite, p)
			f.startConversation(time.Hour)
			if p == carerixemu.ProfileObserved {
				// Nothing to prove with in the URL: the frame asks for
				// the sign-in and shows nothing of the record.
				resp, body := f.do(f.framed("/embed/acme/candidate/" + f.cand.ID + "?u=" + f.viewer.ID + "&lang=nl"))
				if resp.StatusCode != 200 || !strings.Contains(body, "Aanmelden met Carerix") || strings.Contains(body, "Ja, graag!") {
					t.Fatalf("the framed inbox without a proof: %d\n%.400s", resp.StatusCode, body)
				}
			}

			token := f.session("candidate", f.cand.ID)
			doc := f.navigate("/embed/acme/candidate/"+f.cand.ID+"?lang=nl", token)
			if name := strings.TrimSpace(doc.Find(".candidate-name").Text()); name != "Sanne van Dijk" {
				t.Errorf("the inbox shows %q, want Sanne van Dijk", name)
			}
			if !strings.Contains(doc.Find(".thread").Text(), "Ja, graag!") {
				t.Error("the inbox does not show the conversation")
			}
			thread := "/embed/acme/api/candidate/" + f.cand.ID + "/thread"
			if resp, body := f.api("GET", thread, token, ""); resp.StatusCode != 200 || !strings.Contains(body, "Ja, graag!") {
				t.Errorf("the thread by the inbox's session: %d %.200s", resp.StatusCode, body)
			}
			if resp, _ := f.api("GET", "/embed/acme/api/candidate/999/thread", token, ""); resp.StatusCode != http.StatusForbidden {
				t.Errorf("another record's thread by the inbox's session: %d, want 403", resp.StatusCode)
			}
			// A record's URL proof opens that record only; a sign-in
			// proves the viewer, whose role opens the dashboard too.
			wantDash := http.StatusForbidden
			if p == carerixemu.ProfileObserved {
				wantDash = http.StatusOK
			}
			if code := f.postPage("/embed/acme/dashboard", token); code != wantDash {
				t.Errorf("the dashboard by the inbox's session: %d, want %d", code, wantDash)
			}

			dash := f.session("dashboard", "")
			if doc := f.navigate("/embed/acme/dashboard?lang=nl", dash); doc.Find("svg.chart-trend").Length() == 0 {
				t.Error("the manager's dashboard has no chart")
			}
			if resp, body := f.api("GET", "/embed/acme/api/conversations?view=all", dash, ""); resp.StatusCode != 200 || !strings.Contains(body, "Ja, graag!") {
				t.Errorf("all conversations for the manager: %d %.200s", resp.StatusCode, body)
			}
		})
	}
}
