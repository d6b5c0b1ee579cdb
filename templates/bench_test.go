package templates_test

import (
	"bytes"
	htmltemplate "html/template"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/templates"
)

// The inbox benchmark renders a realistic conversation page of 50 messages
// with this package and, for comparison, the same markup with html/template.
// Both include building the per-request data, as a handler would.

const benchLayout = `<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<title>{{title}}</title>
<link rel="stylesheet" href="{{stylesheetURL}}">
<script type="module" src="{{scriptURL}}" nonce="{{nonce}}"></script>
</head>
<body>
<main class="page">
{{raw:content}}
</main>
</body>
</html>
`

const benchMessage = `<li class="message {{direction}}" id="m-{{id}}" data-status="{{status}}">
  <div class="bubble">
    <p class="author">{{author}}</p>
    <p class="text">{{text}}</p>
    <a class="attachment" href="{{attachmentURL}}">{{attachmentName}}</a>
    <time datetime="{{iso}}" title="{{fullTime}}">{{time}}</time>
  </div>
</li>
`

const benchPage = `<header class="page-header"><h1>{{candidateName}}</h1><a href="{{profileURL}}">{{profileLabel}}</a></header>
<ol class="messages">
{{raw:messages}}</ol>
<form action="/inbox/{{conversationID}}/send" method="post">
<input type="hidden" name="csrf" value="{{csrf}}">
<textarea name="text" placeholder="{{placeholder}}"></textarea>
<button>{{sendLabel}}</button>
</form>
<script type="application/json" id="inbox-data">{"conversation": "{{conversationID}}", "lang": "{{lang}}"}</script>
`

const benchStdTemplate = `<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{.StylesheetURL}}">
<script type="module" src="{{.ScriptURL}}" nonce="{{.Nonce}}"></script>
</head>
<body>
<main class="page">
<header class="page-header"><h1>{{.CandidateName}}</h1><a href="{{.ProfileURL}}">{{.ProfileLabel}}</a></header>
<ol class="messages">
{{range .Messages}}<li class="message {{.Direction}}" id="m-{{.ID}}" data-status="{{.Status}}">
  <div class="bubble">
    <p class="author">{{.Author}}</p>
    <p class="text">{{.Text}}</p>
    <a class="attachment" href="{{.AttachmentURL}}">{{.AttachmentName}}</a>
    <time datetime="{{.ISO}}" title="{{.FullTime}}">{{.Time}}</time>
  </div>
</li>
{{end}}</ol>
<form action="/inbox/{{.ConversationID}}/send" method="post">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<textarea name="text" placeholder="{{.Placeholder}}"></textarea>
<button>{{.SendLabel}}</button>
</form>
<script type="application/json" id="inbox-data">{"conversation": "{{.ConversationID}}", "lang": "{{.Lang}}"}</script>
</main>
</body>
</html>
`

type benchMsg struct {
	ID                              int
	Direction, Status, Author, Text string
	AttachmentURL, AttachmentName   string
	ISO, FullTime, Time             string
}

type benchInbox struct {
	Lang, Title, StylesheetURL, ScriptURL, Nonce string
	CandidateName, ProfileURL, ProfileLabel      string
	ConversationID, CSRF, Placeholder, SendLabel string
	Messages                                     []benchMsg
}

func benchMessages() []benchMsg {
	texts := []string{
		"Goedemorgen! Bent u nog beschikbaar voor de functie van logistiek medewerker in Tilburg?",
		"Ja, dat ben ik. Kan ik volgende week dinsdag om 10:00 langskomen voor een gesprek?",
		`Prima, ik heb u ingepland. Neem uw ID & "VOG" mee; het adres staat in de bijlage <zie pdf>.`,
		"Top, tot dan 👍",
	}
	start := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	msgs := make([]benchMsg, 50)
	for i := range msgs {
		at := start.Add(time.Duration(i) * 7 * time.Minute)
		dir, author := "inbound", "Sanne Jansen"
		if i%2 == 1 {
			dir, author = "outbound", "Recruiter Mark O'Brien"
		}
		msgs[i] = benchMsg{
			ID: 1000 + i, Direction: dir, Status: "delivered", Author: author, Text: texts[i%len(texts)],
			AttachmentURL: "https://files.example.com/a/" + strconv.Itoa(i) + "?sig=ab&x=1", AttachmentName: "bijlage-" + strconv.Itoa(i) + ".pdf",
			ISO: at.Format(time.RFC3339), FullTime: templates.FormatDateTime("nl", at, nil), Time: at.Format("15:04"),
		}
	}
	return msgs
}

func benchInboxData(msgs []benchMsg) benchInbox {
	return benchInbox{
		Lang: "nl", Title: "Inbox – Sanne Jansen", StylesheetURL: "/static/app.0123abcd.css", ScriptURL: "/static/app.4567ef01.js",
		Nonce: "bm9uY2Utdjk4", CandidateName: "Sanne Jansen", ProfileURL: "https://example.carerix.com/cx/candidate?id=42&t=1",
		ProfileLabel: "Profiel", ConversationID: "c-8f3a", CSRF: "tok<&>", Placeholder: "Typ een bericht…", SendLabel: "Versturen",
		Messages: msgs,
	}
}

// renderInboxFast renders the page with this package, building Values per
// message as a handler would.
func renderInboxFast(r *templates.Registry, buf *bytes.Buffer, d benchInbox) error {
	items := make([]templates.HTML, len(d.Messages))
	for i, m := range d.Messages {
		h, err := r.RenderHTML("message", templates.Values{
			"id": m.ID, "direction": m.Direction, "status": m.Status, "author": m.Author, "text": m.Text,
			"attachmentURL": m.AttachmentURL, "attachmentName": m.AttachmentName,
			"iso": m.ISO, "fullTime": m.FullTime, "time": m.Time,
		})
		if err != nil {
			return err
		}
		items[i] = h
	}
	v := templates.Layout{Lang: d.Lang, Title: d.Title, StylesheetURL: d.StylesheetURL, ScriptURL: d.ScriptURL, Nonce: d.Nonce}.Values()
	v["candidateName"], v["profileURL"], v["profileLabel"] = d.CandidateName, d.ProfileURL, d.ProfileLabel
	v["conversationID"], v["csrf"], v["placeholder"], v["sendLabel"] = d.ConversationID, d.CSRF, d.Placeholder, d.SendLabel
	v["messages"] = templates.Join(items)
	return r.Render(buf, "inbox", v)
}

func benchRegistry(b testing.TB) *templates.Registry {
	return newRegistry(b, map[string]string{
		"partials/layout.html":  benchLayout,
		"partials/message.html": benchMessage,
		"pages/inbox.html":      benchPage,
	})
}

// TestInboxBenchmarkPagesMatch keeps the two benchmark templates honest:
// after removing whitespace, both engines must produce the same page.
func TestInboxBenchmarkPagesMatch(t *testing.T) {
	r := benchRegistry(t)
	std := htmltemplate.Must(htmltemplate.New("inbox").Parse(benchStdTemplate))
	d := benchInboxData(benchMessages())
	var fast, slow bytes.Buffer
	if err := renderInboxFast(r, &fast, d); err != nil {
		t.Fatal(err)
	}
	if err := std.Execute(&slow, d); err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	doc1, doc2 := parseHTML(t, fast.String()), parseHTML(t, slow.String())
	if skeleton(doc1) != skeleton(doc2) {
		t.Fatalf("pages differ in structure:\n%s\n---\n%s", fast.String(), slow.String())
	}
	if a, b := norm(textOf(doc1)), norm(textOf(doc2)); a != b {
		t.Errorf("pages differ in text:\n%s\n---\n%s", a, b)
	}
	if n := strings.Count(fast.String(), `class="message `); n != 50 {
		t.Errorf("%d messages rendered, want 50", n)
	}
}

func BenchmarkInboxPage(b *testing.B) {
	msgs := benchMessages()
	b.Run("fasttemplate", func(b *testing.B) {
		r := benchRegistry(b)
		var buf bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			if err := renderInboxFast(r, &buf, benchInboxData(msgs)); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(buf.Len()))
	})
	b.Run("html-template", func(b *testing.B) {
		std := htmltemplate.Must(htmltemplate.New("inbox").Parse(benchStdTemplate))
		var buf bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			if err := std.Execute(&buf, benchInboxData(msgs)); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(buf.Len()))
	})
}

// BenchmarkRenderHTML measures one partial render with string values, the
// engine's inner loop.
func BenchmarkRenderHTML(b *testing.B) {
	r := benchRegistry(b)
	m := benchMessages()[2]
	v := templates.Values{
		"id": m.ID, "direction": m.Direction, "status": m.Status, "author": m.Author, "text": m.Text,
		"attachmentURL": m.AttachmentURL, "attachmentName": m.AttachmentName,
		"iso": m.ISO, "fullTime": m.FullTime, "time": m.Time,
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.RenderHTML("message", v); err != nil {
			b.Fatal(err)
		}
	}
}
