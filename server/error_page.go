package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/templates"
)

// errorStep is one thing the reader of an error page can do next; a
// command, when set, is shown as code after the text.
type errorStep struct {
	text, command string
}

// nextStepKeys are the catalog keys of what to do after an error of each
// code on an embedded page, most likely first.
var nextStepKeys = map[recrubo.Code][]string{
	recrubo.EINVALID:      {"error.next.reopen"},
	recrubo.EUNAUTHORIZED: {"error.next.reload_session"},
	recrubo.EFORBIDDEN:    {"error.next.reopen", "error.next.ask_admin"},
	recrubo.ENOTFOUND:     {"error.next.reopen"},
	recrubo.ECONFLICT:     {"error.next.reload"},
	recrubo.ETOOLARGE:     {"error.next.smaller"},
	recrubo.ERATELIMITED:  {"error.next.wait_minute"},
	recrubo.EUNAVAILABLE:  {"error.next.wait_minutes", "error.next.support"},
	recrubo.EINTERNAL:     {"error.next.reload", "error.next.support"},
}

// nextSteps are the steps an error page of code suggests, in lang.
func (s *Server) nextSteps(lang string, code recrubo.Code) []errorStep {
	keys, ok := nextStepKeys[code]
	if !ok {
		keys = nextStepKeys[recrubo.EINTERNAL]
	}
	steps := make([]errorStep, len(keys))
	for i, k := range keys {
		steps[i] = errorStep{text: s.deps.Catalog.T(lang, k)}
	}
	return steps
}

// errorPageView is what an error page says: what happened (message) and what
// to do next (steps).
type errorPageView struct {
	status    int
	lang      string
	heading   string
	message   string
	steps     []errorStep
	requestID string
}

// renderErrorPage answers with the error page of e.
func (s *Server) renderErrorPage(c *fiber.Ctx, e errorPageView, sec pageSecurity) error {
	cat, reg := s.deps.Catalog, s.deps.Templates
	items := make([]templates.HTML, 0, len(e.steps))
	for _, st := range e.steps {
		name, v := "error_step", templates.Values{"text": st.text}
		if st.command != "" {
			name, v["command"] = "error_step_command", st.command
		}
		h, err := reg.RenderHTML(name, v)
		if err != nil {
			return err
		}
		items = append(items, h)
	}
	next, err := reg.RenderHTML("error_next", templates.Values{"items": templates.Join(items)})
	if err != nil {
		return err
	}
	return s.renderPage(c, e.status, "error", e.lang, e.heading, templates.Values{
		"heading": e.heading, "status": e.status, "message": e.message,
		"nextHeading": cat.T(e.lang, "error.next_heading"), "next": next,
		"requestIDLabel": cat.T(e.lang, "common.request_id"), "requestID": e.requestID,
	}, sec)
}

// renderDeadVerifyLink answers a verify link that does not open (expired,
// replaced by a newer one, cut short or mistyped) with a page that says
// so and how to get a new one: the same page whatever the cause, so it
// tells nothing about the token. It speaks the language the URL asks
// for, else that of the tenant whose key signed the link (only a link
// Recrubo issued has one), else the browser's.
func (s *Server) renderDeadVerifyLink(c *fiber.Ctx, token string) error {
	lang := c.Query("lang")
	slug := "<slug>"
	if d, ok := s.deps.Verify.Links.(verifyLinkSigner); ok {
		if t := d.Signer(c.UserContext(), token); t != nil {
			slug = t.Slug
			if lang == "" {
				lang = t.Language
			}
		}
	}
	if lang == "" {
		lang = c.Get(fiber.HeaderAcceptLanguage)
	}
	lang = templates.NormalizeLang(lang)
	cat := s.deps.Catalog
	c.Response().ResetBody()
	return s.renderErrorPage(c, errorPageView{
		status: fiber.StatusForbidden, lang: lang, heading: cat.T(lang, "verify.dead.heading"),
		message: cat.T(lang, "verify.dead.text"),
		steps: []errorStep{
			{text: cat.T(lang, "verify.dead.copy_whole")},
			{text: cat.T(lang, "verify.dead.ask")},
			{text: cat.T(lang, "verify.dead.operator"), command: "recrubo-carerix tenant verify-link --tenant " + slug},
			{text: cat.T(lang, "verify.dead.provision"), command: "recrubo-carerix provision --tenant " + slug},
		},
		requestID: requestIDOf(c),
	}, pageSecurity{})
}

// verifyLinkSigner names the tenant whose key signed a verify link that
// no longer opens (verify.Links).
type verifyLinkSigner interface {
	Signer(ctx context.Context, token string) *recrubo.Tenant
}
