package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// withVacancyFilter makes the fixture's tenant sync only open vacancies,
// named by export code, with the statuses stored as sync leaves them.
func (f *embedFixture) withVacancyFilter(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	f.tenant.Filters.VacancyStatuses = []string{"VAC_OPEN"}
	if err := f.db.UpdateTenant(ctx, f.tenant); err != nil {
		t.Fatal(err)
	}
	var nodes []*recrubo.StatusNode
	for _, n := range f.emu.DataNodes(carerixemu.NodeTypeVacancyStatus) {
		nodes = append(nodes, &recrubo.StatusNode{TenantID: f.tenant.ID, Kind: recrubo.StatusVacancy, ID: n.ID, Value: n.Value, ExportCode: n.ExportCode})
	}
	if err := f.db.ReplaceStatusNodes(ctx, f.tenant.ID, recrubo.StatusVacancy, nodes); err != nil {
		t.Fatal(err)
	}
}

// TestEmbedVacancyOutOfScope: a vacancy outside the status filter shows
// its title from Carerix, its status and the synced statuses, and zero
// figures, in Dutch and English.
func TestEmbedVacancyOutOfScope(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	f.withVacancyFilter(t)
	v, err := f.emu.CreateVacancy(context.Background(), carerixemu.VacancyFields{JobTitle: carerixemu.Str("Chauffeur CE <Tilburg>"),
		Status: carerixemu.Str("Vervuld")})
	if err != nil {
		t.Fatal(err)
	}
	f.vac = v
	for lang, want := range map[string][3]string{
		"nl": {"Gesprekken voor Chauffeur CE <Tilburg>", "Chauffeur CE <Tilburg> wordt niet gesynchroniseerd.",
			"De vacature heeft de status Vervuld. Alleen vacatures met een van de gesynchroniseerde statussen staan in het dashboard: Open."},
		"en": {"Conversations for Chauffeur CE <Tilburg>", "Chauffeur CE <Tilburg> is not synced.",
			"The vacancy's status is Vervuld. Only vacancies with one of the synced statuses are in the dashboard: Open."},
	} {
		_, doc := f.page(f.vacancyURL(lang))
		if got := doc.Find("h1").Text(); got != want[0] {
			t.Errorf("%s: heading = %q, want %q", lang, got, want[0])
		}
		notice := doc.Find(".notice.warning")
		if got := notice.Find("strong").Text(); got != want[1] {
			t.Errorf("%s: notice heading = %q, want %q", lang, got, want[1])
		}
		if got := notice.Find("span").Text(); !strings.HasPrefix(got, want[2]) {
			t.Errorf("%s: notice = %q, want it to start %q", lang, got, want[2])
		}
		if got := doc.Find(".tile .tile-value").First().Text(); got != "0" {
			t.Errorf("%s: open tile = %q, want 0", lang, got)
		}
	}
	// Carerix does not know it (any more): its number stands in.
	f.vac.ID, f.vac.StableHash = "99999", "x"
	if resp, _ := f.do(f.framed(f.vacancyURL("nl"))); resp.StatusCode != 403 {
		t.Errorf("a vacancy Carerix does not have = %d, want 403", resp.StatusCode)
	}
}

// TestEmbedCandidateOutOfScopeKeepsItsConversation: a candidate moved out
// of scope keeps the conversation's name and history; the inbox says the
// candidate is no longer synced and what can still be done.
func TestEmbedCandidateOutOfScopeKeepsItsConversation(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			f.startConversation(time.Hour)
			for i := range 8 { // 12 messages in all
				f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: fmt.Sprintf("bericht %d", i), Status: recrubo.StatusReceived,
					CreatedAt: f.now.Add(-time.Hour + time.Duration(i+2)*time.Second), ProviderID: fmt.Sprintf("wamid.more.%d", i)})
			}
			ctx := context.Background()
			if _, err := f.emu.SetEmployeeStatus(ctx, f.cand.ID, "Geplaatst"); err != nil {
				t.Fatal(err)
			}
			e, err := f.emu.Employee(f.cand.ID)
			if err != nil {
				t.Fatal(err)
			}
			f.cand = e
			if _, err := f.db.RemoveCandidate(ctx, f.tenant.ID, e.ID, e.ModificationDate); err != nil { // as sync does
				t.Fatal(err)
			}
			_, doc := f.page(f.candidateURL("nl"))
			if got := doc.Find(".conversation .notice strong").Text(); got != "Sanne van Dijk wordt niet meer gesynchroniseerd." {
				t.Errorf("notice = %q", got)
			}
			if got := doc.Find(".conversation .notice span").Text(); !strings.Contains(got, "(Actief, Nieuw)") || !strings.Contains(got, "lezen, toewijzen en sluiten") {
				t.Errorf("notice text = %q", got)
			}
			if n := doc.Find(".thread .message").Length(); n != 12 {
				t.Errorf("the inbox shows %d of the conversation's 12 messages", n)
			}
			if doc.Find(".composer").Length() != 0 || doc.Find(`[data-action="state"]`).Length() != 1 {
				t.Errorf("composer %d (want none), toolbar %d (want it)", doc.Find(".composer").Length(), doc.Find(`[data-action="state"]`).Length())
			}
			if got := doc.Find(".candidate-panel .candidate-name").Text(); got != "Sanne van Dijk" {
				t.Errorf("candidate panel name = %q", got)
			}
			if got := doc.Find("title").Text(); !strings.HasPrefix(got, "Sanne van Dijk · ") {
				t.Errorf("title = %q", got)
			}
			token := pageToken(t, doc)
			listToken := f.listToken()
			for _, q := range []string{"view=all", "view=all&q=sanne", "view=all&q=van+dijk", "view=all&q=0612345678"} {
				resp, body := f.api("GET", "/embed/acme/api/conversations?"+q, listToken, "")
				list, _ := goquery.NewDocumentFromReader(strings.NewReader("<ul>" + body + "</ul>"))
				if resp.StatusCode != 200 || list.Find(".list-item .name").Text() != "Sanne van Dijk" ||
					list.Find(".list-item .sync-note").Text() != "niet meer gesynchroniseerd" {
					t.Errorf("list %s = %d: name %q, note %q", q, resp.StatusCode, list.Find(".list-item .name").Text(), list.Find(".list-item .sync-note").Text())
				}
			}
			// Closing it works; it is still the candidate's conversation.
			if resp, body := f.api("POST", "/embed/acme/api/candidate/"+f.cand.ID+"/state", token, `{"state":"closed"}`); resp.StatusCode != 200 {
				t.Errorf("closing = %d %s", resp.StatusCode, body)
			}
		})
	}
}

// TestEmbedReplyReadsTheConversation: answering marks what came before
// read, in the list and on the dashboard.
func TestEmbedReplyReadsTheConversation(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			f.startConversation(time.Hour)
			ctx := context.Background()
			if err := f.db.MarkRead(ctx, f.tenant.ID, f.conv.ID, f.other.ID, f.now); err != nil { // someone else read it
				t.Fatal(err)
			}
			f.conv.AssigneeID = f.viewer.ID
			if err := f.db.SaveConversation(ctx, f.conv); err != nil {
				t.Fatal(err)
			}
			f.promote()
			_, doc := f.page(f.candidateURL("nl"))
			token := pageToken(t, doc)
			listToken := f.listToken()
			unreadRows := func() int {
				t.Helper()
				resp, body := f.api("GET", "/embed/acme/api/conversations?view=mine&unread=1", listToken, "")
				if resp.StatusCode != 200 {
					t.Fatalf("list = %d %s", resp.StatusCode, body)
				}
				return strings.Count(body, `class="list-item unread"`)
			}
			tile := func(u carerixemu.User, label string) string {
				t.Helper()
				_, d := f.page("/embed/acme/dashboard?" + url.Values{"u": {u.ID}, "uh": {u.StableHash}, "dk": {f.pageKey()}, "lang": {"nl"}}.Encode())
				return d.Find(".tile").FilterFunction(func(_ int, s *goquery.Selection) bool {
					return s.Find(".tile-label").Text() == label
				}).Find(".tile-value").Text()
			}
			if unreadRows() != 1 || tile(f.viewer, "Ongelezen") != "1" || tile(f.other, "Ongelezen") != "1" {
				t.Fatalf("before the reply: %d unread rows, tiles %s and %s; want 1 everywhere", unreadRows(), tile(f.viewer, "Ongelezen"), tile(f.other, "Ongelezen"))
			}
			if got := tile(f.other, "Ongelezen voor mij"); got != "0" {
				t.Errorf("unread for a colleague it is not assigned to = %s, want 0", got)
			}
			if resp, body := f.api("POST", "/embed/acme/api/candidate/"+f.cand.ID+"/send", token, `{"body":"Top, ik bel je zo."}`); resp.StatusCode != 200 {
				t.Fatalf("send = %d %s", resp.StatusCode, body)
			}
			if n := unreadRows(); n != 0 {
				t.Errorf("after the reply %d unread rows, want 0", n)
			}
			for _, u := range []carerixemu.User{f.viewer, f.other} {
				if got := tile(u, "Ongelezen"); got != "0" {
					t.Errorf("after the reply %s sees %s unread, want 0", u.UserName, got)
				}
			}
			if got := tile(f.viewer, "Ongelezen voor mij"); got != "0" {
				t.Errorf("after the reply unread for me = %s, want 0", got)
			}
		})
	}
}

// TestEmbedSearchAsTyped: the list finds a conversation by the number
// written the Dutch way and by names typed without their special letters.
func TestEmbedSearchAsTyped(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			ctx := context.Background()
			for i, c := range []*recrubo.Candidate{
				{ID: "k1", FirstName: "Ayşe", LastName: "Yılmaz", PhoneE164: "+31638964311"},
				{ID: "k2", FirstName: "Ruud", LastName: "Ĳzerman", PhoneE164: "+31135330297"},
			} {
				c.TenantID, c.ModifiedAt = f.tenant.ID, f.now
				if _, err := f.db.UpsertCandidate(ctx, c); err != nil {
					t.Fatal(err)
				}
				if err := f.db.SaveConversation(ctx, &recrubo.Conversation{TenantID: f.tenant.ID, Channel: recrubo.ChannelWhatsApp,
					Phone: c.PhoneE164, CandidateID: c.ID, LastMessageAt: f.now.Add(-time.Duration(i) * time.Hour)}); err != nil {
					t.Fatal(err)
				}
			}
			token := f.listToken()
			for q, want := range map[string]string{
				"0638964311": "Ayşe Yılmaz", "06-38964311": "Ayşe Yılmaz", "06 38 96 43 11": "Ayşe Yılmaz",
				"Yilmaz": "Ayşe Yılmaz", "IJzerman": "Ruud Ĳzerman", "013 533 0297": "Ruud Ĳzerman",
			} {
				resp, body := f.api("GET", "/embed/acme/api/conversations?"+url.Values{"view": {"all"}, "q": {q}}.Encode(), token, "")
				list, _ := goquery.NewDocumentFromReader(strings.NewReader("<ul>" + body + "</ul>"))
				if got := list.Find(".list-item .name").Text(); resp.StatusCode != 200 || got != want {
					t.Errorf("search %q = %d %q, want %q", q, resp.StatusCode, got, want)
				}
			}
			resp, body := f.api("GET", "/embed/acme/api/conversations?view=all&q=0638964311", token, "")
			if resp.StatusCode != 200 || !strings.Contains(body, "+31 6 38964311") {
				t.Errorf("the row shows the number unformatted: %s", body)
			}
		})
	}
}

// TestEmbedUnsyncedMatches: the candidate panel counts the candidate's
// matches in Carerix whose vacancy is not synced, rather than saying
// there are none.
func TestEmbedUnsyncedMatches(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	ctx := context.Background()
	f.withVacancyFilter(t)
	// In Carerix: a match with the synced vacancy and three with vacancies
	// outside the filter.
	match := func(e carerixemu.Employee, v carerixemu.Vacancy) {
		t.Helper()
		if _, err := f.emu.CreateMatch(ctx, carerixemu.MatchFields{Employee: carerixemu.Str(e.ID), Vacancy: carerixemu.Str(v.ID)}); err != nil {
			t.Fatal(err)
		}
	}
	match(f.cand, f.vac)
	var closed []carerixemu.Vacancy
	for _, st := range []string{"Vervuld", "Gesloten", "In behandeling"} {
		v, err := f.emu.CreateVacancy(ctx, carerixemu.VacancyFields{JobTitle: carerixemu.Str("Elders"), Status: carerixemu.Str(st)})
		if err != nil {
			t.Fatal(err)
		}
		closed = append(closed, v)
		match(f.cand, v)
	}
	_, doc := f.page(f.candidateURL("nl"))
	items := doc.Find(".candidate-panel .matches li").Map(func(_ int, s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") })
	if want := []string{"Heftruckchauffeur Bouw BV Voorgesteld", "3 matches met vacatures die niet gesynchroniseerd worden"}; strings.Join(items, "|") != strings.Join(want, "|") {
		t.Errorf("matches = %q, want %q", items, want)
	}
	// A candidate whose only match is with such a vacancy: not "none".
	e, err := f.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Piet"), LastName: carerixemu.Str("Bakker"),
		MobileNumber: carerixemu.Str("0687654321"), Status: carerixemu.Str("Actief")})
	if err != nil {
		t.Fatal(err)
	}
	f.syncCandidate(e)
	match(e, closed[0])
	f.cand = e
	_, doc = f.page(f.candidateURL("en"))
	if got := strings.TrimSpace(doc.Find(".candidate-panel .matches").Text()); got != "1 match with a vacancy that is not synced" {
		t.Errorf("matches = %q", got)
	}
}
