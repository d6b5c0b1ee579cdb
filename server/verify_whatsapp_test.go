package server

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/verify"
)

type fixedLinks struct{ t *recrubo.Tenant }

func (l fixedLinks) Check(context.Context, string) (*recrubo.Tenant, error) { return l.t, nil }

// fixedChecks is a verify checklist whose last run had res.
type fixedChecks struct{ res *verify.Result }

func (c fixedChecks) Last(context.Context, *recrubo.Tenant) (*verify.Record, error) {
	return &verify.Record{Result: c.res, By: "admin", At: c.res.Items[0].At}, nil
}

func (c fixedChecks) Run(context.Context, *recrubo.Tenant, string) (*verify.Record, time.Duration, error) {
	return &verify.Record{Result: c.res, By: "admin", At: c.res.Items[0].At}, 0, nil
}

// TestVerifyPageShowsTheWhatsAppRow renders the WhatsApp row's outcomes in
// both languages, with times in the tenant's zone.
func TestVerifyPageShowsTheWhatsAppRow(t *testing.T) {
	tpl, cat, assets, err := LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 13, 30, 0, 0, time.UTC)
	tn := &recrubo.Tenant{Slug: "acme", DisplayName: "Acme", TimeZone: "Europe/Amsterdam", Language: "nl"}
	res := &verify.Result{Items: []verify.Item{
		{ID: verify.CheckWhatsApp, OK: true, Reason: "ok", At: at, Args: []string{"31201234567", "Acme Uitzendbureau", "4", at.Format(time.RFC3339)}},
		{ID: verify.CheckWhatsApp, Reason: "reported", At: at, Args: []string{"131031", "Business Account locked", at.Format(time.RFC3339)}},
		{ID: verify.CheckWhatsApp, Reason: "not_connected"},
	}}
	srv, err := New(Config{BodyLimit: 1 << 20}, Deps{Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Templates: tpl, Catalog: cat, Assets: assets, Verify: VerifyDeps{Links: fixedLinks{tn}, Checks: fixedChecks{res}}})
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string][]string{
		"en": {"31201234567 (Acme Uitzendbureau) is connected", "4 templates are synced", "the last on 24 November 2026 at 14:30 CET",
			"WhatsApp reported a problem with the number: 131031 Business Account locked (on 24 November 2026 at 14:30 CET)", "Times are in the time zone Europe/Amsterdam.",
			"No WhatsApp number is connected.", "tenant whatsapp connect"},
		"nl": {"31201234567 (Acme Uitzendbureau) is gekoppeld", "WhatsApp meldde een probleem met het nummer: 131031",
			"(op 24 november 2026 om 14:30 CET)",
			"Er is geen WhatsApp-nummer gekoppeld."},
	} {
		resp, err := srv.app.Test(httptest.NewRequest("GET", "/verify/token?lang="+lang, nil), 5000)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		page := strings.ReplaceAll(string(b), "&#39;", "'")
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s page lacks %q", lang, w)
			}
		}
		if strings.Count(page, `data-check="whatsapp"`) != 3 {
			t.Errorf("%s page has %d WhatsApp rows, want 3", lang, strings.Count(page, `data-check="whatsapp"`))
		}
	}
}
