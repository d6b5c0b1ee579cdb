package server

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestEmbedTemplatePicker: outside the window, each value of a template
// is labelled from the template (the words around its placeholder, the
// example it was submitted with), and the preview holds the header, the
// body with a slot per value (showing the example until the recruiter
// types), the footer and the buttons.
func TestEmbedTemplatePicker(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(25 * time.Hour)
	body := "Hoi {{1}}, je gesprek over {{2}} is op {{3}}."
	if err := f.db.SaveTemplate(context.Background(), &recrubo.MessageTemplate{TenantID: f.tenant.ID, Name: "afspraak", Language: "nl",
		Category: recrubo.CategoryUtility, Status: recrubo.TemplateApproved, Body: body, Variables: 4,
		Components: []recrubo.TemplateComponent{
			{Type: recrubo.ComponentHeader, Format: "text", Text: "Afspraak bij {{1}}", Examples: []string{"Bouw BV"}},
			{Type: recrubo.ComponentBody, Text: body, Examples: []string{"Sanne", "Heftruckchauffeur"}},
			{Type: recrubo.ComponentFooter, Text: "Antwoord STOP om je af te melden"},
			{Type: recrubo.ComponentButtons, Buttons: []recrubo.TemplateButton{{Type: "quick_reply", Text: "Ja"}, {Type: "quick_reply", Text: "Nee"}}},
		}}); err != nil {
		t.Fatal(err)
	}
	_, doc := f.page(f.candidateURL("nl"))
	form := doc.Find(`form[data-form="send-template"]`)
	fs := form.Find(`fieldset[data-template="afspraak|nl"]`)
	if fs.Length() != 1 {
		t.Fatalf("no values for the template: %s", form.Text())
	}
	text := func(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }
	want := [][3]string{ // label, hint, placeholder
		{"“Afspraak bij …”", "bijvoorbeeld: Bouw BV", "Bouw BV"},
		{"“Hoi …, je”", "bijvoorbeeld: Sanne", "Sanne"},
		{"“…, je gesprek over … is op”", "bijvoorbeeld: Heftruckchauffeur", "Heftruckchauffeur"},
		{"“over … is op ….”", "waarde 4, in de tekst", ""},
	}
	labels := fs.Find("label.var")
	if labels.Length() != len(want) {
		t.Fatalf("%d values, want %d", labels.Length(), len(want))
	}
	labels.Each(func(i int, l *goquery.Selection) {
		got := [3]string{text(l.Find(".var-label")), text(l.Find(".var-hint")), l.Find("input").AttrOr("placeholder", "")}
		if got != want[i] {
			t.Errorf("value %d labelled %q, want %q", i+1, got, want[i])
		}
	})
	// The first template offered shows; the others wait hidden.
	if first := form.Find("option").First().AttrOr("value", ""); form.Find(`fieldset[data-template]:not([hidden])`).AttrOr("data-template", "") != first {
		t.Errorf("the fields shown are not those of the first template, %s", first)
	}
	pv := form.Find(`[data-preview="afspraak|nl"]`)
	msg := text(pv.Find(".preview-header")) + "\n" + text(pv.Find(".preview-body"))
	if msg != "Afspraak bij Bouw BV\nHoi Sanne, je gesprek over Heftruckchauffeur is op {{4}}." {
		t.Errorf("preview before typing = %q", msg)
	}
	if n := pv.Find(".slot[data-slot]").Length(); n != 4 {
		t.Errorf("%d slots in the preview, want 4", n)
	}
	buttons := pv.Find(".preview-buttons li").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if got := text(pv.Find(".preview-footer")) + "|" + strings.Join(buttons, "|"); got != "Antwoord STOP om je af te melden|Ja|Nee" {
		t.Errorf("preview footer and buttons = %q", got)
	}
}

// TestUnsendableTemplatesCounted: the note on templates that cannot be
// sent counts them in a sentence that fits the number.
func TestUnsendableTemplatesCounted(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(25 * time.Hour)
	summary := func() (string, int) {
		_, doc := f.page(f.candidateURL("nl"))
		d := doc.Find("details.unavailable")
		return strings.TrimSpace(d.Find("summary").Text()), d.Find("li").Length()
	}
	base, _ := summary()
	for i, name := range []string{"afgekeurd_een", "afgekeurd_twee"} {
		if err := f.db.SaveTemplate(context.Background(), &recrubo.MessageTemplate{TenantID: f.tenant.ID, Name: name, Language: "nl",
			Category: recrubo.CategoryMarketing, Status: recrubo.TemplateRejected, Body: "Hoi"}); err != nil {
			t.Fatal(err)
		}
		f.srv.invalidatePages(f.tenant.ID)
		got, n := summary()
		want := map[int]string{1: "1 sjabloon kan nu niet verstuurd worden"}[n]
		if want == "" {
			want = strconv.Itoa(n) + " sjablonen kunnen nu niet verstuurd worden"
		}
		if got != want || (base == "" && n != i+1) {
			t.Errorf("after %d rejected templates: %q with %d items, want %q", i+1, got, n, want)
		}
	}
}
