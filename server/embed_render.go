package server

import (
	"fmt"
	"net/url"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/templates"
)

// embedPage carries what every embedded page's render needs.
type embedPage struct {
	s      *Server
	lang   string
	tenant *recrubo.Tenant
	err    error // the first render error; later renders are skipped
	// extras are the shown thread's files and reactions; nil elsewhere.
	extras *threadExtras
}

func (s *Server) newEmbedPage(lang string, t *recrubo.Tenant) *embedPage {
	return &embedPage{s: s, lang: templates.NormalizeLang(lang), tenant: t}
}

// t translates key.
func (p *embedPage) t(key string, args ...any) string {
	return p.s.deps.Catalog.T(p.lang, key, args...)
}

// tn translates a message about n things: key + "_one" when n is 1 and
// the catalog has that form, else key; n fills the text's first verb.
func (p *embedPage) tn(key string, n int) string {
	if n == 1 {
		if _, ok := p.s.deps.Catalog.Lookup(p.lang, key+"_one"); ok {
			return p.t(key+"_one", n)
		}
	}
	return p.t(key, n)
}

// partial renders a partial, remembering the first error.
func (p *embedPage) partial(name string, v templates.Values) templates.HTML {
	if p.err != nil {
		return templates.HTML{}
	}
	h, err := p.s.deps.Templates.RenderHTML(name, v)
	if err != nil {
		p.err = fmt.Errorf("rendering %s: %w", name, err)
	}
	return h
}

// apiBase is the prefix of the page's API routes.
func apiBase(t *recrubo.Tenant) string { return "/embed/" + url.PathEscape(t.Slug) + "/api" }

// sessionValues returns the values every embedded page's JSON block
// reads, with a fresh session token for v, or tokenMarker when v is nil
// (the token is filled in per response).
func (p *embedPage) sessionValues(v *recrubo.EmbedViewer) (templates.Values, error) {
	token := tokenMarker
	if v != nil {
		var err error
		if token, _, err = embed.IssueToken(v, p.s.deps.Now()); err != nil {
			return nil, err
		}
	}
	base := apiBase(p.tenant)
	return templates.Values{
		"token":            token,
		"refreshURL":       base + "/token",
		"listURL":          base + "/conversations",
		"actionFailedText": p.t("embed.action_failed"),
		"expiredText":      p.t("embed.expired"),
	}, nil
}

// option renders one <option>.
func (p *embedPage) option(value, label, vars string, selected bool) templates.HTML {
	name := "embed_option"
	if selected {
		name = "embed_option_selected"
	}
	return p.partial(name, templates.Values{"value": value, "label": label, "vars": vars})
}

// notice renders a banner of kind info, warning or error.
func (p *embedPage) notice(kind, heading, text string) templates.HTML {
	return p.partial("embed_notice", templates.Values{"kind": kind, "heading": heading, "text": text})
}
