package server

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func TestEmbedInboxPage(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			f.startConversation(time.Hour)
			resp, doc := f.page(f.candidateURL("nl"))

			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.HasSuffix(csp, "; frame-ancestors "+f.tenant.FrameOrigins[0]) {
				t.Errorf("CSP = %q, want frame-ancestors of the tenant only", csp)
			}
			if resp.Header.Get("X-Frame-Options") != "" {
				t.Errorf("X-Frame-Options = %q on a framed page", resp.Header.Get("X-Frame-Options"))
			}
			if resp.Header.Get("Set-Cookie") != "" {
				t.Error("an embedded page sets a cookie")
			}
			if got := doc.Find("html").AttrOr("lang", ""); got != "nl" {
				t.Errorf("lang = %q", got)
			}
			want := map[string]string{
				".candidate-name":                              "Sanne van Dijk",
				".candidate-panel .matches .vacancy":           "Heftruckchauffeur",
				".candidate-panel .matches .stage":             "Voorgesteld",
				".thread .message.status-failed .failure span": "Niet afgeleverd: WhatsApp kon het bericht niet afleveren: het nummer gebruikt misschien geen WhatsApp, of de kandidaat heeft de nieuwste voorwaarden van WhatsApp niet geaccepteerd. Controleer het nummer of bel de kandidaat. (131026)",
				".thread .media-failed":                        "🖼 Foto kwam binnen voordat bestanden werden bewaard; vraag de kandidaat het opnieuw te sturen.",
			}
			for sel, text := range want {
				if got := strings.TrimSpace(doc.Find(sel).First().Text()); got != text {
					t.Errorf("%s = %q, want %q", sel, got, text)
				}
			}
			facts := doc.Find(".candidate-panel .facts dd").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
			if strings.Join(facts, "|") != "+31 6 12345678|sanne@example.nl|Actief|Eva de Boer" {
				t.Errorf("candidate facts = %q", facts)
			}
			if n := doc.Find(".thread .message").Length(); n != 4 {
				t.Errorf("%d messages, want 4", n)
			}
			// 13:30 UTC is 14:30 in Amsterdam in November.
			if got := doc.Find(".thread .message.inbound time").First().Text(); got != "24 november 2026 om 14:30" {
				t.Errorf("inbound time = %q", got)
			}
			if doc.Find(`.thread .message.outbound .sender`).First().Text() != "Eva de Boer" {
				t.Error("outbound sender is not the recruiter's name")
			}
			if doc.Find(`[data-action="retry"]`).Length() != 1 {
				t.Error("no retry button on the failed message")
			}
			if doc.Find(`form[data-form="send"] textarea[name="body"]`).Length() != 1 || doc.Find(`[data-form="send-template"]`).Length() != 0 {
				t.Error("inside the 24-hour window the composer must be free text")
			}
			opts := doc.Find(`select[data-action="assign"] option`)
			if opts.Length() != 3 {
				t.Errorf("assign options = %d, want unassigned + 2 recruiters", opts.Length())
			}
			if doc.Find(`[data-panel="list"] .list-item`).Length() != 0 {
				t.Error("the 'mine' list shows a conversation not assigned to the viewer")
			}
			if s := doc.Find(`script[type="module"]`); s.AttrOr("nonce", "") == "" || !strings.Contains(csp, "'nonce-"+s.AttrOr("nonce", "")+"'") {
				t.Error("page script carries no nonce matching the CSP")
			}
		})
	}
}

func TestEmbedInboxComposerOutsideWindow(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(25 * time.Hour)
	_, doc := f.page(f.candidateURL("en"))
	form := doc.Find(`form[data-form="send-template"]`)
	if form.Length() != 1 || doc.Find(`form[data-form="send"]`).Length() != 0 {
		t.Fatal("outside the window the composer must be the template picker")
	}
	if !strings.Contains(form.Find(".notice").Text(), "24-hour window is closed") {
		t.Errorf("banner = %q", form.Find(".notice").Text())
	}
	opt := form.Find(`select[name="template"] option`)
	if opt.AttrOr("value", "") != "vacature_update|nl" || opt.AttrOr("data-vars", "") != "2" || opt.Text() != "vacature_update (nl)" {
		t.Errorf("template option = %q %q %q", opt.AttrOr("value", ""), opt.AttrOr("data-vars", ""), opt.Text())
	}
}

func TestEmbedInboxEmptyStates(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	ctx := context.Background()
	sanne := f.cand

	// In Carerix but not in the mirror (status out of scope).
	e, err := f.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Piet"), LastName: carerixemu.Str("Bakker"),
		MobileNumber: carerixemu.Str("0687654321")})
	if err != nil {
		t.Fatal(err)
	}
	f.cand = e
	_, doc := f.page(f.candidateURL("nl"))
	notice := doc.Find(".conversation .notice").Text()
	if !strings.Contains(notice, "niet gesynchroniseerd") || !strings.Contains(notice, "Actief, Nieuw") {
		t.Errorf("not-synced notice = %q", notice)
	}
	if doc.Find(".composer").Length() != 0 {
		t.Error("composer shown for a candidate that is not synced")
	}
	// What the page says is possible: no "start the conversation below"
	// without a composer below.
	if got := doc.Find(".thread").Text(); strings.Contains(got, "Begin hieronder") || !strings.Contains(got, "Nog geen berichten.") {
		t.Errorf("empty thread of a candidate that is not synced = %q", strings.TrimSpace(got))
	}

	// Synced without a usable phone.
	e, err = f.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Kees"), LastName: carerixemu.Str("Zonder"), Status: carerixemu.Str("Actief")})
	if err != nil {
		t.Fatal(err)
	}
	f.cand = e
	f.syncCandidate(e)
	_, doc = f.page(f.candidateURL("en"))
	if got := doc.Find(".conversation .notice strong").Text(); got != "No usable mobile number." || doc.Find(".composer").Length() != 0 {
		t.Errorf("no-phone state = %q, composer %d", got, doc.Find(".composer").Length())
	}

	// Opted out.
	f.cand = sanne
	c, err := f.db.Candidate(ctx, f.tenant.ID, sanne.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.SaveConsent(ctx, &recrubo.Consent{TenantID: f.tenant.ID, Phone: c.PhoneE164, OptedOut: true, Source: "stop-keyword", At: f.now}); err != nil {
		t.Fatal(err)
	}
	_, doc = f.page(f.candidateURL("en"))
	if got := doc.Find(".conversation .notice.error strong").Text(); got != "Opted out." || doc.Find(".composer").Length() != 0 {
		t.Errorf("opted-out state = %q, composer %d", got, doc.Find(".composer").Length())
	}
}

func TestEmbedProofTampering(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	ctx := context.Background()
	// Another tenant with its own Carerix (which has a candidate and a
	// user with the same ids), framed from the same origin, so only the
	// proof tells them apart.
	globexCx := carerixemu.StartTest(t, carerixemu.Options{Tenant: "globex", Now: func() time.Time { return f.now }})
	for _, name := range []string{"g1", "g2"} {
		if _, err := globexCx.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str(name)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := globexCx.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("G")}); err != nil {
		t.Fatal(err)
	}
	other := *f.tenant
	other.ID, other.Slug, other.DisplayName = "", "globex", "Globex"
	other.Carerix.APIBaseURL, other.Carerix.IdentityBaseURL, other.Carerix.Realm = globexCx.URL(), globexCx.URL(), "globex"
	if err := f.db.CreateTenant(ctx, &other); err != nil {
		t.Fatal(err)
	}
	second, err := f.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Tweede"), Status: carerixemu.Str("Actief")})
	if err != nil {
		t.Fatal(err)
	}
	f.syncCandidate(second)

	good := f.candidateURL("nl")
	if resp, _ := f.do(f.framed(good)); resp.StatusCode != 200 {
		t.Fatalf("the untampered URL = %d", resp.StatusCode)
	}
	tamper := func(mut func(path string, q url.Values) string) string {
		u, _ := url.Parse(good)
		q := u.Query()
		p := mut(u.Path, q)
		return p + "?" + q.Encode()
	}
	cases := map[string]string{
		"unknown tenant":       tamper(func(p string, _ url.Values) string { return strings.Replace(p, "/acme/", "/nope/", 1) }),
		"other tenant":         tamper(func(p string, _ url.Values) string { return strings.Replace(p, "/acme/", "/globex/", 1) }),
		"other record":         tamper(func(p string, _ url.Values) string { return strings.TrimSuffix(p, f.cand.ID) + second.ID }),
		"unknown record":       tamper(func(p string, _ url.Values) string { return strings.TrimSuffix(p, f.cand.ID) + "99999" }),
		"record hash":          tamper(func(p string, q url.Values) string { q.Set("rh", strings.Repeat("0", 64)); return p }),
		"record hash missing":  tamper(func(p string, q url.Values) string { q.Del("rh"); return p }),
		"record hash of other": tamper(func(p string, q url.Values) string { q.Set("rh", second.StableHash); return p }),
		"user":                 tamper(func(p string, q url.Values) string { q.Set("u", f.other.ID); return p }),
		"unknown user":         tamper(func(p string, q url.Values) string { q.Set("u", "424242"); return p }),
		"user hash":            tamper(func(p string, q url.Values) string { q.Set("uh", "x"+f.viewer.StableHash[1:]); return p }),
		"user hash missing":    tamper(func(p string, q url.Values) string { q.Del("uh"); return p }),
		"user hash of record":  tamper(func(p string, q url.Values) string { q.Set("uh", f.cand.StableHash); return p }),
		"oversized hash":       tamper(func(p string, q url.Values) string { q.Set("rh", strings.Repeat("a", 300)); return p }),
		"vacancy as candidate": tamper(func(p string, q url.Values) string {
			q.Set("rh", f.vac.StableHash)
			return strings.TrimSuffix(p, f.cand.ID) + f.vac.ID
		}),
	}
	for name, target := range cases {
		resp, body := f.do(f.framed(target))
		if resp.StatusCode != 403 {
			t.Errorf("%s: %s = %d, want 403", name, target, resp.StatusCode)
		}
		if strings.Contains(body, "Sanne") || strings.Contains(body, "hash") || strings.Contains(body, "token") {
			t.Errorf("%s: the refusal tells too much: %s", name, body)
		}
		// Every refusal is the same error page, whatever failed.
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if n := doc.Find("main *").Length(); n != 10 {
			t.Errorf("%s: the refusal has %d elements, want the error card's 10", name, n)
		}
		card := doc.Find("main .card.error")
		card.Find("code").Remove() // the request id
		if got := strings.Join(strings.Fields(card.Text()), " "); got != "Er is iets misgegaan 403 Je hebt geen toegang tot deze pagina. Wat je kunt doen "+
			"Open de pagina opnieuw vanuit Carerix: bij de kandidaat, de vacature of op de startpagina. "+
			"Hoor je wel toegang te hebben, vraag dan je Carerix-beheerder je rollen te controleren. Aanvraag-ID:" {
			t.Errorf("%s: the refusal reads %q", name, got)
		}
	}

	// Fetch metadata and the embedding page.
	f.refusesFraming(good, "")
	// A navigation inside the frame (a period link, a reload) comes from
	// our own page.
	req := f.framed(good)
	req.Header.Set("Referer", "http://"+req.Host+"/embed/acme/dashboard?days=7")
	if resp, _ := f.do(req); resp.StatusCode != 200 {
		t.Errorf("navigated inside the frame (own referrer) = %d, want 200", resp.StatusCode)
	}
	req = f.framed(good)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Del("Referer")
	if resp, _ := f.do(req); resp.StatusCode != 200 {
		t.Errorf("navigated inside the frame (same-origin fetch) = %d, want 200", resp.StatusCode)
	}
	req = f.framed(good)
	req.Header.Del("Sec-Fetch-Dest")
	req.Header.Del("Referer")
	if resp, _ := f.do(req); resp.StatusCode != 200 {
		t.Errorf("without fetch metadata or referrer = %d, want 200 (the proof decides)", resp.StatusCode)
	}

	// The record changes in Carerix: its new hash works before sync, the
	// leaked old URL stops working.
	changed, err := f.emu.UpdateEmployee(ctx, f.cand.ID, carerixemu.EmployeeFields{City: carerixemu.Str("Zwolle")})
	if err != nil {
		t.Fatal(err)
	}
	old := good
	f.cand = changed
	if resp, body := f.do(f.framed(f.candidateURL("nl"))); resp.StatusCode != 200 {
		t.Errorf("the new hash, confirmed by Carerix = %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do(f.framed(old)); resp.StatusCode != 403 {
		t.Errorf("the old URL after the record changed = %d, want 403", resp.StatusCode)
	}
}

func TestEmbedTokenTampering(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	_, doc := f.page(f.candidateURL("nl"))
	token := pageToken(t, doc)
	thread := "/embed/acme/api/candidate/" + f.cand.ID + "/thread"
	if resp, _ := f.api("GET", thread, token, ""); resp.StatusCode != 200 {
		t.Fatalf("thread with the page's token = %d", resp.StatusCode)
	}
	_, dash := f.page(f.dashboardURL("nl"))
	dashToken := pageToken(t, dash)

	parts := strings.Split(token, ".")
	flip := func(s string) string {
		b := []byte(s)
		if b[5] == 'A' {
			b[5] = 'B'
		} else {
			b[5] = 'A'
		}
		return string(b)
	}
	none := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
	cases := []struct {
		name, method, target, token string
		want                        int
	}{
		{"no token", "GET", thread, "", 401},
		{"garbage", "GET", thread, "not-a-token", 401},
		{"signature", "GET", thread, parts[0] + "." + parts[1] + "." + flip(parts[2]), 401},
		{"claims", "GET", thread, parts[0] + "." + flip(parts[1]) + "." + parts[2], 401},
		{"alg none", "GET", thread, none, 401},
		{"other tenant", "GET", strings.Replace(thread, "/acme/", "/globex/", 1), token, 401},
		{"other record", "GET", strings.Replace(thread, "/candidate/"+f.cand.ID+"/", "/candidate/99999/", 1), token, 403},
		{"dashboard token on a candidate", "GET", thread, dashToken, 403},
		{"dashboard token sends", "POST", "/embed/acme/api/candidate/" + f.cand.ID + "/send", dashToken, 403},
	}
	for _, c := range cases {
		body := ""
		if c.method == "POST" {
			body = `{"body":"hi"}`
		}
		if resp, b := f.api(c.method, c.target, c.token, body); resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d: %s", c.name, resp.StatusCode, c.want, b)
		}
	}

	// A token from another tenant's key.
	f2 := newEmbedFixture(t, storetest.SQLite)
	_, doc2 := f2.page(f2.candidateURL("nl"))
	if resp, _ := f.api("GET", thread, pageToken(t, doc2), ""); resp.StatusCode != 401 {
		t.Errorf("a token signed for another deployment's tenant = %d, want 401", resp.StatusCode)
	}

	// Expiry, and refresh before it.
	resp, body := f.api("POST", "/embed/acme/api/token", token, "")
	if resp.StatusCode != 200 || !strings.Contains(body, `"token"`) {
		t.Fatalf("refresh = %d %s", resp.StatusCode, body)
	}
	later := newEmbedServer(t, f.db, f.now.Add(16*time.Minute))
	f.srv, f.now = later, f.now.Add(16*time.Minute)
	if resp, _ := f.api("GET", thread, token, ""); resp.StatusCode != 401 {
		t.Errorf("expired token = %d, want 401", resp.StatusCode)
	}
	if resp, _ := f.api("POST", "/embed/acme/api/token", token, ""); resp.StatusCode != 401 {
		t.Errorf("refreshing an expired token = %d, want 401", resp.StatusCode)
	}
}

func TestEmbedActions(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			f.startConversation(time.Hour)
			_, doc := f.page(f.candidateURL("en"))
			token := pageToken(t, doc)
			base := "/embed/acme/api/candidate/" + f.cand.ID
			ctx := context.Background()

			resp, body := f.api("POST", base+"/send", token, `{"body":"Kun je morgen om 10:00 <b>langskomen</b>?"}`)
			if resp.StatusCode != 200 || !strings.Contains(body, "Kun je morgen om 10:00 &lt;b&gt;langskomen&lt;/b&gt;?") || !strings.Contains(body, "status-queued") {
				t.Fatalf("send = %d %s", resp.StatusCode, body)
			}
			msgs, _ := f.db.Messages(ctx, f.tenant.ID, f.conv.ID, 10)
			last := msgs[len(msgs)-1]
			if last.SenderID != f.viewer.ID || last.Status != recrubo.StatusQueued || last.Direction != recrubo.Outbound {
				t.Errorf("stored message = %+v", last)
			}

			bad := map[string]string{
				"empty":        `{"body":"   "}`,
				"too long":     `{"body":"` + strings.Repeat("x", 4097) + `"}`,
				"both":         `{"body":"a","template":"vacature_update|nl"}`,
				"bad template": `{"template":"vacature_update"}`,
				"unknown":      `{"body":"a","to":"+31600000000"}`,
				"not json":     `body=a`,
			}
			for name, b := range bad {
				if resp, out := f.api("POST", base+"/send", token, b); resp.StatusCode != 400 {
					t.Errorf("send %s = %d %s", name, resp.StatusCode, out)
				}
			}
			if n, _ := f.db.Messages(ctx, f.tenant.ID, f.conv.ID, 100); len(n) != len(msgs) {
				t.Errorf("refused sends stored messages: %d, want %d", len(n), len(msgs))
			}

			var failed *recrubo.Message
			for _, m := range msgs {
				if m.Status == recrubo.StatusFailed {
					failed = m
				}
			}
			if resp, body := f.api("POST", base+"/messages/"+failed.ID+"/retry", token, "{}"); resp.StatusCode != 200 {
				t.Fatalf("retry = %d %s", resp.StatusCode, body)
			}
			if m, _ := f.db.Message(ctx, f.tenant.ID, failed.ID); m.Status != recrubo.StatusQueued || m.SendAttempt != 2 {
				t.Errorf("retried message = %s attempt %d", m.Status, m.SendAttempt)
			}
			if resp, _ := f.api("POST", base+"/messages/nope/retry", token, "{}"); resp.StatusCode != 404 {
				t.Errorf("retry of an unknown message = %d", resp.StatusCode)
			}

			// The reply above read what came before it; the candidate
			// writes again.
			if n, _ := f.db.Unread(ctx, f.tenant.ID, f.conv.ID, f.viewer.ID); n != 0 {
				t.Errorf("unread after the recruiter's reply = %d, want 0", n)
			}
			f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: "Prima", Status: recrubo.StatusReceived,
				CreatedAt: f.now.Add(time.Minute), ProviderID: "wamid.after-reply"})
			if n, _ := f.db.Unread(ctx, f.tenant.ID, f.conv.ID, f.viewer.ID); n != 1 {
				t.Fatalf("unread after the candidate wrote again = %d, want 1", n)
			}
			f.now = f.now.Add(2 * time.Minute) // the recruiter reads it a little later
			f.srv = newEmbedServer(t, f.db, f.now)
			if resp, _ := f.api("POST", base+"/read", token, "{}"); resp.StatusCode != 200 {
				t.Errorf("mark read = %d", resp.StatusCode)
			}
			if n, _ := f.db.Unread(ctx, f.tenant.ID, f.conv.ID, f.viewer.ID); n != 0 {
				t.Errorf("unread after mark read = %d", n)
			}

			if resp, _ := f.api("POST", base+"/assign", token, `{"assignee":"`+f.other.ID+`"}`); resp.StatusCode != 200 {
				t.Errorf("assign = %d", resp.StatusCode)
			}
			if c, _ := f.db.Conversation(ctx, f.tenant.ID, f.conv.ID); c.AssigneeID != f.other.ID {
				t.Errorf("assignee = %q", c.AssigneeID)
			}
			if resp, _ := f.api("POST", base+"/assign", token, `{"assignee":"424242"}`); resp.StatusCode != 400 {
				t.Errorf("assign to an unknown recruiter = %d", resp.StatusCode)
			}
			if resp, _ := f.api("POST", base+"/state", token, `{"state":"closed"}`); resp.StatusCode != 200 || resp.Header.Get("X-Conversation-State") != "closed" {
				t.Errorf("close = %d, state header %q", resp.StatusCode, resp.Header.Get("X-Conversation-State"))
			}
			if c, _ := f.db.Conversation(ctx, f.tenant.ID, f.conv.ID); c.State != recrubo.ConversationClosed {
				t.Errorf("state = %q", c.State)
			}
			if resp, _ := f.api("POST", base+"/state", token, `{"state":"archived"}`); resp.StatusCode != 400 {
				t.Errorf("unknown state = %d", resp.StatusCode)
			}
			if resp, _ := f.api("POST", base+"/state", token, `{"state":"open"}`); resp.StatusCode != 200 || resp.Header.Get("X-Conversation-State") != "open" {
				t.Errorf("reopen = %d, state header %q", resp.StatusCode, resp.Header.Get("X-Conversation-State"))
			}
			if c, _ := f.db.Conversation(ctx, f.tenant.ID, f.conv.ID); c.State != recrubo.ConversationOpen {
				t.Errorf("state after reopening = %q", c.State)
			}
		})
	}
}

func TestEmbedThreadPolling(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	_, doc := f.page(f.candidateURL("nl"))
	token := pageToken(t, doc)
	etag := doc.Find("#thread").AttrOr("data-etag", "")
	thread := "/embed/acme/api/candidate/" + f.cand.ID + "/thread"
	req := f.apiRequest("GET", thread, token)
	req.Header.Set("If-None-Match", etag)
	if resp, _ := f.do(req); resp.StatusCode != 304 {
		t.Fatalf("unchanged thread = %d, want 304", resp.StatusCode)
	}
	f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: "Ik kan morgen <om 10>!", Status: recrubo.StatusReceived,
		CreatedAt: f.now, ProviderID: "wamid.new"})
	req = f.apiRequest("GET", thread, token)
	req.Header.Set("If-None-Match", etag)
	resp, body := f.do(req)
	if resp.StatusCode != 200 || !strings.Contains(body, "Ik kan morgen &lt;om 10&gt;!") || resp.Header.Get("ETag") == etag {
		t.Fatalf("thread after an inbound message = %d %s", resp.StatusCode, body)
	}
}

func (f *embedFixture) apiRequest(method, target, token string) *httpRequest {
	req := newRequest(method, target)
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

func TestEmbedConversationList(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			f.startConversation(time.Hour)
			// The inbox's token, proved by the record's URL, opens that
			// record only: not the list.
			_, doc := f.page(f.candidateURL("en"))
			inboxToken := pageToken(t, doc)
			if resp, _ := f.api("GET", "/embed/acme/api/conversations?view=mine", inboxToken, ""); resp.StatusCode != 403 {
				t.Errorf("the list with a record's token = %d, want 403", resp.StatusCode)
			}
			if doc.Find(".list-item").Length() != 0 {
				t.Error("the inbox's list tab shows conversations to a viewer proved by the record's URL")
			}
			// The list page's own proof (its template's page key) opens it.
			_, doc = f.page(f.conversationsURL(url.Values{"view": {"mine"}}))
			token := pageToken(t, doc)
			list := func(q string) *goquery.Document {
				resp, body := f.api("GET", "/embed/acme/api/conversations?"+q, token, "")
				if resp.StatusCode != 200 {
					t.Fatalf("list %s = %d %s", q, resp.StatusCode, body)
				}
				d, _ := goquery.NewDocumentFromReader(strings.NewReader("<ul>" + body + "</ul>"))
				return d
			}
			rows := func(d *goquery.Document) int { return d.Find(".list-item").Length() }
			if n := rows(list("view=all")); n != 1 {
				t.Errorf("all = %d rows", n)
			}
			if n := rows(list("view=unassigned")); n != 1 {
				t.Errorf("unassigned = %d rows", n)
			}
			if n := rows(list("view=mine")); n != 0 {
				t.Errorf("mine = %d rows", n)
			}
			d := list("view=all&unread=1")
			// The badge reads "Ongelezen: 2" to a screen reader, shows 2.
			if rows(d) != 1 || d.Find(".list-item .badge").Text() != "Ongelezen: 2" || d.Find(".list-item .name").Text() != "Sanne van Dijk" {
				t.Errorf("unread row = %q badge %q", d.Find(".list-item .name").Text(), d.Find(".badge").Text())
			}
			if n := rows(list("view=all&q=sanne")); n != 1 {
				t.Errorf("search by name = %d rows", n)
			}
			if n := rows(list("view=all&q=612345678")); n != 1 {
				t.Errorf("search by phone = %d rows", n)
			}
			if n := rows(list("view=all&q=nobody")); n != 0 {
				t.Errorf("search without match = %d rows", n)
			}
			if resp, _ := f.api("GET", "/embed/acme/api/conversations?view=everything", token, ""); resp.StatusCode != 400 {
				t.Errorf("unknown view = %d", resp.StatusCode)
			}
			if resp, _ := f.api("POST", "/embed/acme/api/candidate/"+f.cand.ID+"/read", token, "{}"); resp.StatusCode != 403 {
				t.Errorf("the list's token acted on a candidate: %d, want 403", resp.StatusCode)
			}
			if resp, _ := f.api("POST", "/embed/acme/api/candidate/"+f.cand.ID+"/read", inboxToken, "{}"); resp.StatusCode != 200 {
				t.Fatal("mark read failed")
			}
			if n := rows(list("view=all&unread=1")); n != 0 {
				t.Errorf("unread after reading = %d rows", n)
			}
			if d := list("view=all"); rows(d) != 1 || d.Find(".badge").Length() != 0 {
				t.Errorf("a read conversation shows an unread badge: %d rows, %d badges", rows(d), d.Find(".badge").Length())
			}
			// The full list page works from its own proof.
			_, page := f.page(f.conversationsURL(url.Values{"view": {"all"}}))
			if page.Find(".list-item").Length() != 1 {
				t.Error("conversations page shows no row")
			}
		})
	}
}

func TestEmbedDashboard(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			f.startConversation(time.Hour)
			resp, doc := f.page(f.dashboardURL("nl") + "&days=7")
			if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors "+f.tenant.FrameOrigins[0]) {
				t.Error("dashboard not framable by the tenant")
			}
			tiles := map[string]string{}
			doc.Find(".tile").Each(func(_ int, s *goquery.Selection) { tiles[s.Find(".tile-label").Text()] = s.Find(".tile-value").Text() })
			want := map[string]string{"Open": "1", "Ongelezen": "1", "Wacht op antwoord": "1", "Benaderd": "1",
				"Responspercentage": "100 %", "Mislukt": "1", "Mediane reactietijd kandidaten": "2,0 u"}
			for k, v := range want {
				if tiles[k] != v {
					t.Errorf("tile %s = %q, want %q (all: %v)", k, tiles[k], v, tiles)
				}
			}
			if doc.Find("svg.chart-trend polyline.series").Length() != 2 || doc.Find(".chart-bars rect.bar").Length() != 1 {
				t.Error("charts missing")
			}
			if got := doc.Find(".chart-bars .bar-label").Text(); got != "Heftruckchauffeur" || doc.Find(".chart-bars .bar-label").AttrOr("title", "") != got {
				t.Errorf("bar label = %q", got)
			}
			if got := doc.Find("table.costs tfoot td").Last().Text(); got != "€ 0,05" {
				t.Errorf("total cost = %q", got)
			}
			if got := doc.Find(".period.active").Text(); got != "7 dagen" {
				t.Errorf("active period = %q", got)
			}
			// Period links carry no proof: the page's script follows them
			// by POST with the session token.
			if a := doc.Find(".period").Last(); !strings.Contains(a.AttrOr("href", ""), "days=90") ||
				strings.Contains(a.AttrOr("href", ""), "u=") || strings.Contains(a.AttrOr("href", ""), "uh=") || !a.Is("[data-nav]") {
				t.Errorf("period link = %q", a.AttrOr("href", ""))
			}
			if resp, _ := f.do(f.framed(f.dashboardURL("nl") + "&days=12")); resp.StatusCode != 400 {
				t.Errorf("days=12 = %d", resp.StatusCode)
			}
			_, vdoc := f.page(f.vacancyURL("en"))
			if got := vdoc.Find("h1").Text(); got != "Conversations for Heftruckchauffeur" {
				t.Errorf("vacancy heading = %q", got)
			}
			if got := vdoc.Find("table.costs tfoot td").Last().Text(); got != "€0.05" {
				t.Errorf("english total cost = %q", got)
			}
			rate := vdoc.Find(".tile").FilterFunction(func(_ int, s *goquery.Selection) bool {
				return s.Find(".tile-label").Text() == "Response rate"
			}).Find(".tile-value").Text()
			if rate != "100%" {
				t.Errorf("english response rate = %q, want 100%%", rate)
			}
			if got := vdoc.Find("table.figures tbody td").Eq(5).Text(); got != "100%" {
				t.Errorf("english response rate in the table = %q, want 100%%", got)
			}
		})
	}
}

// TestEmbedLanguageAsCarerixWritesIt: templates write the user's language
// as Carerix holds it ("Dutch", "nl_NL", "English"); the page speaks it,
// with English for anything else.
func TestEmbedLanguageAsCarerixWritesIt(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	for lang, want := range map[string]string{"Dutch": "nl", "Nederlands": "nl", "nl_NL": "nl", "English": "en", "Klingon": "en", "": "nl"} {
		_, doc := f.page(f.candidateURL(lang))
		if got := doc.Find("html").AttrOr("lang", ""); got != want {
			t.Errorf("lang=%q: page lang = %q, want %q", lang, got, want)
		}
		if want == "nl" && doc.Find(`[data-tab="chat"]`).Text() != "Deze kandidaat" {
			t.Errorf("lang=%q: tab = %q, want it in Dutch", lang, doc.Find(`[data-tab="chat"]`).Text())
		}
	}
}
