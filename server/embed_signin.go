package server

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/templates"
)

// Sign-in through the tenant's Carerix realm. A framed page that needs a
// sign-in is answered with the sign-in page; its script makes the state,
// nonce and PKCE verifier, opens the realm's authorize endpoint in a
// top-level popup (first-party to the realm, so a recruiter signed in to
// Carerix comes straight back), receives the code from our callback page
// by postMessage restricted to our own origin, and exchanges it here for
// a session token. Then it loads the page by POST with that token. No
// cookie is set or read on our side.

// proofQueryKeys are the query parameters that carry a proof; they never
// follow a navigation inside the frame.
var proofQueryKeys = []string{"rh", "u", "uh", "dk"}

// pageWithoutProof is the request's path and query without the proof:
// where the page loads itself by POST with a session token.
func pageWithoutProof(c *fiber.Ctx) string {
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		q = url.Values{}
	}
	for _, k := range proofQueryKeys {
		q.Del(k)
	}
	if len(q) == 0 {
		return c.Path()
	}
	return c.Path() + "?" + q.Encode()
}

// storageKey names the tenant's sign-in sessions in the frame's session
// storage, where the browser keeps them (partitioned per Carerix site), so
// records opened in the same tab need no second sign-in; the page adds
// the Carerix user the template names.
func storageKey(t *recrubo.Tenant) string { return "recrubo-session:" + t.ID }

// renderSignIn answers a page load that needs a sign-in with the sign-in
// page, in the language the URL names.
func (s *Server) renderSignIn(c *fiber.Ctx, kind recrubo.EmbedKind) error {
	ctx := c.UserContext()
	t, err := s.deps.Embeds.Data.TenantBySlug(ctx, c.Params("slug"))
	if err != nil {
		return err
	}
	if s.deps.Embeds.SignIn == nil {
		return recrubo.E(recrubo.EUNAVAILABLE, "embed.error.signin_unavailable")
	}
	start, err := s.deps.Embeds.SignIn.Start(ctx, t)
	if err != nil {
		return err
	}
	lang := recrubo.NormalizeLang(c.Query("lang"))
	if c.Query("lang") == "" {
		lang = recrubo.NormalizeLang(t.Language)
	}
	p := s.newEmbedPage(lang, t)
	title := p.t("embed.signin.title")
	return s.renderPage(c, fiber.StatusOK, "signin", p.lang, title, templates.Values{
		"heading": title, "text": p.t("embed.signin.text"), "button": p.t("embed.signin.button"),
		"authURL": start.AuthURL, "clientID": start.ClientID, "redirectURI": start.RedirectURI, "scope": start.Scope,
		"exchangeURL": "/embed/" + url.PathEscape(t.Slug) + "/signin", "pagePath": pageWithoutProof(c),
		"kind": string(kind), "record": strings.Clone(c.Params("id")), "lang": p.lang, "storageKey": storageKey(t),
		"userHint":    strings.Clone(c.Query("u")),
		"waitingText": p.t("embed.signin.waiting"), "failedText": p.t("embed.signin.failed"),
		"popupBlockedText": p.t("embed.signin.popup_blocked"),
	}, pageSecurity{FrameOrigins: t.FrameOrigins})
}

// signInRequest is what the sign-in page posts after the realm sent the
// popup back.
type signInRequest struct {
	Code     string `json:"code" validate:"required,max=4096"`
	Verifier string `json:"verifier" validate:"required,min=43,max=128"`
	Nonce    string `json:"nonce" validate:"required,max=256"`
	Kind     string `json:"kind" validate:"required,oneof=candidate vacancy dashboard"`
	Record   string `json:"record" validate:"max=128"`
	Lang     string `json:"lang" validate:"max=16"`
}

// handleSignIn serves POST /embed/{slug}/signin: it redeems the realm's
// code with the page's PKCE verifier, verifies the ID token against the
// page's nonce, finds the Carerix user it names (active), and answers a
// session token for the page. Every refusal is the same 403.
func (s *Server) handleSignIn(c *fiber.Ctx) error {
	var req signInRequest
	if err := c.BodyParser(&req); err != nil {
		return recrubo.E(recrubo.EINVALID, "error.bad_request")
	}
	c.Locals(embedLangKey{}, recrubo.NormalizeLang(req.Lang))
	if err := recrubo.Validate(&req); err != nil {
		return err
	}
	kind := recrubo.EmbedKind(req.Kind)
	if (kind == recrubo.EmbedDashboard) != (req.Record == "") {
		return recrubo.E(recrubo.EINVALID, "error.bad_request")
	}
	if s.deps.Embeds.SignIn == nil {
		return recrubo.E(recrubo.EUNAVAILABLE, "embed.error.signin_unavailable")
	}
	ctx := c.UserContext()
	t, err := s.deps.Embeds.Data.TenantBySlug(ctx, c.Params("slug"))
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND || recrubo.ErrorCode(err) == recrubo.EINVALID {
		return recrubo.E(recrubo.EFORBIDDEN, "error.forbidden")
	}
	if err != nil {
		return err
	}
	id, err := s.deps.Embeds.SignIn.Exchange(ctx, t, req.Code, req.Verifier, req.Nonce)
	if err != nil {
		return err
	}
	v, err := s.deps.Embeds.Auth.SignIn(ctx, t, id, kind, req.Record, req.Lang)
	if err != nil {
		return err
	}
	token, exp, err := embed.IssueToken(v, s.deps.Now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"token": token, "expires": exp.Unix()})
}

// handleSignInCallback serves GET /signin/callback, where the realm sends
// the popup back: a page whose script hands the code and state to the
// framed page that opened it (by postMessage to our own origin only) and
// closes. It is never framed and sends no referrer, since its URL holds
// the code.
func (s *Server) handleSignInCallback(c *fiber.Ctx) error {
	lang := recrubo.NormalizeLang(c.Get(fiber.HeaderAcceptLanguage))
	c.Set("Referrer-Policy", "no-referrer")
	title := s.deps.Catalog.T(lang, "embed.signin.title")
	return s.renderPage(c, fiber.StatusOK, "signin_callback", lang, title, templates.Values{
		"heading": title, "doneText": s.deps.Catalog.T(lang, "embed.signin.done"),
	}, pageSecurity{})
}
