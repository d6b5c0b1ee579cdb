package server

import (
	"context"
	"strings"
	"testing"

	"time"

	"github.com/PuerkitoBio/goquery"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func TestVacancyBroadcastPage(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	ctx := context.Background()
	land, err := f.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Vera"), LastName: carerixemu.Str("Vast"),
		PhoneNumber: carerixemu.Str("020-1234567"), Status: carerixemu.Str("Actief")})
	if err != nil {
		t.Fatal(err)
	}
	f.syncCandidate(land)
	if _, err := f.db.UpsertMatch(ctx, &recrubo.Match{TenantID: f.tenant.ID, ID: "m2", CandidateID: land.ID, VacancyID: f.vac.ID,
		Stage: "Voorgesteld", ModifiedAt: f.now}); err != nil {
		t.Fatal(err)
	}

	// The vacancy page links to the broadcast page; the link carries no
	// proof and is followed with the page's session.
	_, doc := f.page(f.vacancyURL("en"))
	link := doc.Find(`a[href*="/broadcast?"]`)
	href := link.AttrOr("href", "")
	if _, nav := link.Attr("data-nav"); !strings.HasPrefix(href, "/embed/acme/vacancy/"+f.vac.ID+"/broadcast?") ||
		strings.Contains(href, "rh=") || strings.Contains(href, "uh=") || !nav {
		t.Fatalf("broadcast link = %q (data-nav %v)", href, nav)
	}
	doc = f.navigate(href, pageToken(t, doc))
	if got := doc.Find("h1").Text(); got != "Send a template to the candidates of Heftruckchauffeur" {
		t.Errorf("heading = %q", got)
	}
	if got := doc.Find(`select[name="template"] option`).AttrOr("value", ""); got != "vacature_update|nl" {
		t.Errorf("template option = %q", got)
	}
	vars := doc.Find(`[data-form="broadcast"] [data-var]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("value", "") })
	if strings.Join(vars, ",") != "{first_name},{vacancy}" {
		t.Errorf("default values = %v", vars)
	}
	rows := doc.Find(".results tbody tr").Map(cells)
	if strings.Join(rows, "|") != "Sanne van Dijk waiting|Vera Vast skipped: no usable mobile number" {
		t.Errorf("recipients = %q", rows)
	}
	token := pageToken(t, doc)
	key := doc.Find(`[data-form="broadcast"] input[name="key"]`).AttrOr("value", "")

	start := `{"template":"vacature_update|nl","vars":["{first_name}","{vacancy}"],"key":"` + key + `"}`
	base := "/embed/acme/api/vacancy/" + f.vac.ID + "/broadcasts"
	resp, body := f.api("POST", base, token, start)
	if resp.StatusCode != 200 || resp.Header.Get("X-Broadcast-State") != "running" {
		t.Fatalf("start = %d %s", resp.StatusCode, body)
	}
	first, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	id := first.Find("[data-broadcast]").AttrOr("data-broadcast", "")
	if resp, body := f.api("POST", base, token, start); resp.StatusCode != 200 || !strings.Contains(body, `data-broadcast="`+id+`"`) {
		t.Errorf("sending the form twice made another broadcast: %d %s", resp.StatusCode, body)
	}
	bs, err := f.db.VacancyBroadcasts(ctx, f.tenant.ID, f.vac.ID, 10)
	if err != nil || len(bs) != 1 {
		t.Fatalf("broadcasts = %v %v", bs, err)
	}

	// The job hands the messages out; the progress shows each candidate.
	svc := messaging.New(messaging.Config{Store: f.db, Now: func() time.Time { return f.now }})
	if err := svc.HandleBroadcast(ctx, messaging.BroadcastJob{TenantID: f.tenant.ID, BroadcastID: id}); err != nil {
		t.Fatal(err)
	}
	resp, body = f.api("GET", base+"/"+id, token, "")
	if resp.StatusCode != 200 || resp.Header.Get("X-Broadcast-State") != "done" {
		t.Fatalf("progress = %d %s", resp.StatusCode, body)
	}
	prog, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	rows = prog.Find(".results tbody tr").Map(cells)
	if strings.Join(rows, "|") != "Sanne van Dijk being sent|Vera Vast skipped: no usable mobile number" {
		t.Errorf("results = %q", rows)
	}

	// A candidate page's token does not reach the vacancy's broadcasts.
	_, cdoc := f.page(f.candidateURL("en"))
	if resp, _ := f.api("GET", base+"/"+id, pageToken(t, cdoc), ""); resp.StatusCode != 403 {
		t.Errorf("a candidate token read a broadcast: %d", resp.StatusCode)
	}
}

// cells is a table row's cells' text, joined by spaces.
func cells(_ int, s *goquery.Selection) string {
	return strings.Join(s.Find("td").Map(func(_ int, c *goquery.Selection) string { return strings.TrimSpace(c.Text()) }), " ")
}

// startOnlyRealm starts sign-ins; the test never comes back from one.
type startOnlyRealm struct{}

func (startOnlyRealm) Start(context.Context, *recrubo.Tenant) (*embed.SignInStart, error) {
	return &embed.SignInStart{AuthURL: "https://id.example/auth", ClientID: "recrubo-inbox",
		RedirectURI: "https://recrubo.example/embed/callback", Scope: "openid"}, nil
}

func (startOnlyRealm) Exchange(context.Context, *recrubo.Tenant, string, string, string) (*embed.Identity, error) {
	return nil, recrubo.Errorf(recrubo.EUNAUTHORIZED, "No sign-in.")
}

// TestBroadcastPageAsksForASignIn: a tenant whose pages need a sign-in
// gets the sign-in page on the broadcast page too, as on every page.
func TestBroadcastPageAsksForASignIn(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.tenant.Embed.SignInClientID = "recrubo-inbox"
	if err := f.db.UpdateTenant(context.Background(), f.tenant); err != nil {
		t.Fatal(err)
	}
	f.srv.deps.Embeds.SignIn = startOnlyRealm{}
	resp, body := f.do(f.framed("/embed/acme/vacancy/" + f.vac.ID + "/broadcast?lang=en"))
	if resp.StatusCode != 200 || !strings.Contains(body, `data-action="signin"`) {
		t.Errorf("broadcast page without a proof = %d: %.300s", resp.StatusCode, body)
	}
}
