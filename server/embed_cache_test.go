package server

import (
	"regexp"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestEmbedPageCache serves the inbox from the page cache: every response
// has its own nonce and token, actions show at once, the store's changes
// and the TTL drop stale pages.
func TestEmbedPageCache(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	clock := f.now
	pages := NewEmbedPageCache(30*time.Second, func() time.Time { return clock })
	f.srv.deps.Embeds.Pages = pages

	load := func() (string, string) {
		resp, body := f.do(f.framed(f.candidateURL("nl")))
		if resp.StatusCode != 200 {
			t.Fatalf("inbox = %d %s", resp.StatusCode, body)
		}
		return resp.Header.Get("Content-Security-Policy"), body
	}
	csp1, first := load()
	csp2, second := load()
	nonce := regexp.MustCompile(`nonce="([^"]+)"`)
	n1, n2 := nonce.FindStringSubmatch(first)[1], nonce.FindStringSubmatch(second)[1]
	if n1 == n2 || !strings.Contains(csp1, "'nonce-"+n1+"'") || !strings.Contains(csp2, "'nonce-"+n2+"'") {
		t.Errorf("cached responses share a nonce or disagree with their CSP: %s %s", n1, n2)
	}
	if strings.Contains(second, nonceMarker) || strings.Contains(second, tokenMarker) {
		t.Fatal("a marker reached the browser")
	}
	_, doc := f.page(f.candidateURL("nl"))
	token := pageToken(t, doc)
	if resp, _ := f.api("GET", "/embed/acme/api/candidate/"+f.cand.ID+"/thread", token, ""); resp.StatusCode != 200 {
		t.Errorf("the token of a cached page = %d", resp.StatusCode)
	}

	// A write that bypasses this server is served stale until its change
	// arrives (the store's feed calls Invalidate).
	f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: "Nieuw bericht", Status: recrubo.StatusReceived, CreatedAt: f.now, ProviderID: "wamid.c1"})
	if _, body := load(); strings.Contains(body, "Nieuw bericht") {
		t.Fatal("the page was not cached")
	}
	pages.Invalidate(recrubo.Change{TenantID: f.tenant.ID, Kind: "message"})
	if _, body := load(); !strings.Contains(body, "Nieuw bericht") {
		t.Error("a change of the tenant did not drop its pages")
	}
	pages.Invalidate(recrubo.Change{TenantID: "another-tenant"})
	f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: "Tweede", Status: recrubo.StatusReceived, CreatedAt: f.now, ProviderID: "wamid.c2"})
	if _, body := load(); strings.Contains(body, "Tweede") {
		t.Error("another tenant's change dropped this tenant's pages")
	}

	// An action through this server shows at once.
	if resp, _ := f.api("POST", "/embed/acme/api/candidate/"+f.cand.ID+"/state", token, `{"state":"closed"}`); resp.StatusCode != 200 {
		t.Fatal("close failed")
	}
	if _, body := load(); !strings.Contains(body, `data-state="open"`) {
		t.Error("the page still offers to close a closed conversation")
	}

	// The TTL bounds everything else.
	f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: "Derde", Status: recrubo.StatusReceived, CreatedAt: f.now, ProviderID: "wamid.c3"})
	clock = clock.Add(31 * time.Second)
	if _, body := load(); !strings.Contains(body, "Derde") {
		t.Error("an expired page was served")
	}
	// Another viewer or language is another page.
	if _, body := f.do(f.framed(f.candidateURL("en"))); !strings.Contains(body, `lang="en"`) {
		t.Error("the English page came from the Dutch cache entry")
	}
}
