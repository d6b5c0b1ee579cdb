package cxscript_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/cxscript"
)

// inboxTemplate is the kind of document template a partner installs to
// embed its page for the current candidate and user.
const inboxTemplate = `<!DOCTYPE html>
<html lang=nl>
<head><meta charset="utf-8"><title>Inbox</title></head>
<body style="margin:0">
<cx:let name="base" value="https://carerix.recrubo.app/embed/inbox"/>
<cx:let name="u" expand="1" value="${base}?tenant=${utilities.userDefaults.Customer.urlEncoded}&amp;employee=${activity.toEmployee.employeeID.urlEncoded}&amp;user=${activity.owner.userID.urlEncoded}&amp;name=${activity.toEmployee.lastName.urlEncoded}"/>
<cx:if condition="userRoles = 'Recruiter' or userRoles = 'Admin'">
<cx:element tag="iframe">
  <cx:parameter name="src" value="$u"/>
  <cx:parameter name="title" value="Inbox &amp; WhatsApp"/>
  <cx:parameter name="style" value="width:100%;height:800px;border:0"/>
</cx:element>
</cx:if>
<cx:else><p class=denied>Geen toegang&nbsp;tot de inbox.</p></cx:else>
</body>
</html>`

func TestRealisticIframeTemplate(t *testing.T) {
	res := render(t, inboxTemplate, "Recruiter")
	if !strings.HasPrefix(res.HTML, "<!DOCTYPE html>\n<html lang=nl>\n<head><meta charset=\"utf-8\"><title>Inbox</title></head>") {
		t.Errorf("HTML prologue changed:\n%s", res.HTML)
	}
	if len(res.Unresolved) != 0 {
		t.Errorf("unresolved paths: %v", res.Unresolved)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(res.HTML))
	if err != nil {
		t.Fatal(err)
	}
	frame := doc.Find("body iframe")
	if frame.Length() != 1 {
		t.Fatalf("want one iframe, got %d in:\n%s", frame.Length(), res.HTML)
	}
	wantSrc := "https://carerix.recrubo.app/embed/inbox?tenant=acme&employee=42&user=7&name=van%20der%20Berg%20%26%20Co%2F%3F"
	if src, _ := frame.Attr("src"); src != wantSrc {
		t.Errorf("src = %q\nwant %q", src, wantSrc)
	}
	if title, _ := frame.Attr("title"); title != "Inbox & WhatsApp" {
		t.Errorf("title = %q", title)
	}
	if doc.Find("p.denied").Length() != 0 {
		t.Error("denied message shown to a recruiter")
	}

	denied := render(t, inboxTemplate, "Finance")
	doc, err = goquery.NewDocumentFromReader(strings.NewReader(denied.HTML))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Find("iframe").Length() != 0 {
		t.Error("iframe shown to a user without a permitted role")
	}
	if got := doc.Find("p.denied").Text(); got != "Geen toegang\u00a0tot de inbox." {
		t.Errorf("denied text = %q", got)
	}
}

// BenchmarkRenderInboxTemplate measures parsing plus executing a
// realistic embedding template.
func BenchmarkRenderInboxTemplate(b *testing.B) {
	roles := []string{"Recruiter"}
	for b.Loop() {
		if _, err := cxscript.Render(inboxTemplate, resolver, roles); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExecuteParsedTemplate measures executing a pre-parsed template.
func BenchmarkExecuteParsedTemplate(b *testing.B) {
	tpl, err := cxscript.Parse(inboxTemplate)
	if err != nil {
		b.Fatal(err)
	}
	opts := cxscript.Options{UserRoles: []string{"Recruiter"}}
	for b.Loop() {
		if _, err := tpl.Execute(resolver, opts); err != nil {
			b.Fatal(err)
		}
	}
}
