package server

import (
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/templates"
)

func embedAuthOn(data *store.Cached) (*embed.Authenticator, error) {
	return embed.New(embed.Config{Mirror: data, Fetcher: &embed.CarerixFetcher{}})
}

// htmlTemplateInbox is the inbox page (layout, thread, toolbar, composer,
// candidate panel) written for html/template, for comparison only.
const htmlTemplateInbox = `<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>{{.Title}}</title>
<link rel="stylesheet" href="/static/app.css">
<script type="module" src="/static/app.js" nonce="{{.Nonce}}"></script>
</head>
<body>
<main class="page">
<div class="embed inbox" data-embed="inbox">
<script type="application/json" id="embed-data">{"token": "{{.Token}}", "threadURL": "{{.ThreadURL}}"}</script>
<div class="inbox-grid">
<section class="card conversation" aria-label="{{.T.chat}}">
<form class="toolbar" data-form="assign">
  <label>{{.T.assign}} <select name="assignee" data-action="assign">
{{range .Recruiters}}<option value="{{.ID}}"{{if .Selected}} selected{{end}}>{{.Name}}</option>
{{end}}  </select></label>
</form>
  <ol class="thread" id="thread" aria-live="polite">
{{range .Messages}}    <li class="message {{.Direction}} status-{{.Status}}" data-id="{{.ID}}">
      <div class="bubble"><p class="text">{{.Body}}</p></div>
      <div class="meta small"><span class="sender">{{.Sender}}</span> · <time datetime="{{.ISO}}">{{.Time}}</time> · <span class="delivery">{{.StatusText}}</span></div>
{{if .Failed}}      <div class="failure small" role="alert"><span>{{.Reason}}</span> <button type="button" data-action="retry" data-message="{{.ID}}">{{$.T.retry}}</button></div>
{{end}}    </li>
{{end}}  </ol>
<form class="composer" data-form="send">
  <textarea id="composer-body" name="body" rows="3" maxlength="4096" required placeholder="{{.T.placeholder}}"></textarea>
  <button type="submit" class="button primary">{{.T.send}}</button>
</form>
</section>
<aside class="card candidate-panel">
<h2 class="candidate-name">{{.Name}}</h2>
<dl class="facts"><dt>{{.T.phone}}</dt><dd><a href="tel:{{.Phone}}">{{.Phone}}</a></dd><dt>{{.T.email}}</dt><dd>{{.Email}}</dd></dl>
<ul class="matches">{{range .Matches}}<li><span class="vacancy">{{.Title}}</span> <span class="stage">{{.Stage}}</span></li>{{end}}</ul>
</aside>
</div>
</div>
</main>
</body>
</html>`

type htMessage struct {
	ID, Direction, Status, Body, Sender, ISO, Time, StatusText, Reason string
	Failed                                                             bool
}

type htOption struct {
	ID, Name string
	Selected bool
}

type htMatch struct{ Title, Stage string }

// htmlTemplateData builds the html/template data from the same loaded
// inbox and catalog.
func htmlTemplateData(s *Server, t *recrubo.Tenant, d *inboxData) map[string]any {
	lang := "nl"
	cat := s.deps.Catalog
	tr := map[string]string{}
	for _, k := range []string{"chat", "assign", "retry", "placeholder", "send", "phone", "email"} {
		tr[k] = cat.T(lang, "embed."+k)
	}
	names := recruiterNames(d.Recruiters)
	loc := t.Location()
	var msgs []htMessage
	for _, m := range d.Messages {
		msgs = append(msgs, htMessage{ID: m.ID, Direction: string(m.Direction), Status: string(m.Status), Body: m.Body,
			Sender: names[m.SenderID], ISO: m.CreatedAt.UTC().Format(time.RFC3339), Time: templates.FormatDateTime(lang, m.CreatedAt, loc),
			StatusText: cat.T(lang, "embed.status_"+string(m.Status)), Failed: m.Status == recrubo.StatusFailed, Reason: m.FailReason})
	}
	var opts []htOption
	for _, r := range d.Recruiters {
		opts = append(opts, htOption{ID: r.ID, Name: r.FullName(), Selected: d.Conv != nil && r.ID == d.Conv.AssigneeID})
	}
	var matches []htMatch
	for _, m := range d.Matches {
		title := m.VacancyID
		if v := d.Vacancies[m.VacancyID]; v != nil {
			title = v.Title
		}
		matches = append(matches, htMatch{Title: title, Stage: m.Stage})
	}
	return map[string]any{"Lang": lang, "Title": d.Candidate.FullName(), "Nonce": "n", "Token": "t", "ThreadURL": "/embed/acme/api/x",
		"T": tr, "Recruiters": opts, "Messages": msgs, "Name": d.Candidate.FullName(), "Phone": d.Candidate.PhoneE164,
		"Email": d.Candidate.Email, "Matches": matches}
}
