package server

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/templates"
)

// statusByCode is the one table that maps domain error codes to HTTP statuses.
var statusByCode = map[recrubo.Code]int{
	recrubo.EINVALID:      fiber.StatusBadRequest,
	recrubo.EUNAUTHORIZED: fiber.StatusUnauthorized,
	recrubo.EFORBIDDEN:    fiber.StatusForbidden,
	recrubo.ENOTFOUND:     fiber.StatusNotFound,
	recrubo.ECONFLICT:     fiber.StatusConflict,
	recrubo.ETOOLARGE:     fiber.StatusRequestEntityTooLarge,
	recrubo.ERATELIMITED:  fiber.StatusTooManyRequests,
	recrubo.EUNAVAILABLE:  fiber.StatusServiceUnavailable,
	recrubo.EINTERNAL:     fiber.StatusInternalServerError,
}

// translateError returns what a user reading lang is told of err: the
// catalog's text of its key, else its English message in English and its
// code's general message in other languages (templates.Catalog.Error).
func (s *Server) translateError(lang string, err error) string {
	return s.deps.Catalog.Error(lang, err)
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error     string               `json:"error"`
	Code      recrubo.Code         `json:"code"`
	Fields    []recrubo.FieldError `json:"fields,omitempty"`
	RequestID string               `json:"request_id,omitempty"`
}

// handleError is Fiber's ErrorHandler: it picks the status, logs internal
// errors with their detail, and answers with a safe message only. A page
// framed in Carerix gets the error page in the viewer's language (JSON
// would show as nothing); the API of those pages answers JSON in the
// session's language; every other route answers JSON in English.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, err := classify(err)
	code := recrubo.ErrorCode(err)
	rid := requestIDOf(c)
	if status >= 500 {
		s.log.ErrorContext(c.UserContext(), "request failed",
			slog.String("request_id", rid), slog.String("method", methodOf(c)),
			slog.String("route", routeOf(c)), slog.Int("status", status), slog.Any("error", err))
	}
	if status == fiber.StatusTooManyRequests || status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	lang := templates.LangEN
	switch embedAreaOf(c) {
	case embedPageArea:
		perr := s.renderEmbedError(c, status, err, rid)
		if perr == nil {
			return nil
		}
		s.log.ErrorContext(c.UserContext(), "rendering the error page",
			slog.String("request_id", rid), slog.Any("error", perr))
		c.Response().ResetBody()
	case embedAPIArea:
		lang = embedSessionLang(c)
	}
	body := errorBody{Error: s.translateError(lang, err), Code: code, Fields: recrubo.ErrorFields(err), RequestID: rid}
	c.Status(status)
	return c.JSON(body)
}

// embedArea tells the routes of the embedded pages apart.
type embedArea int

const (
	notEmbedArea  embedArea = iota
	embedPageArea           // a page Carerix frames (GET, or POST with a session token; the verify page's button)
	embedAPIArea            // the pages' API, authenticated by session token
)

// embedAreaOf returns the area of the route c matched.
func embedAreaOf(c *fiber.Ctx) embedArea {
	r := c.Route()
	if r == nil {
		return notEmbedArea
	}
	rest, ok := strings.CutPrefix(r.Path, embedPrefix+"/")
	switch {
	case !ok:
		return notEmbedArea
	case rest == "api" || strings.HasPrefix(rest, "api/") || rest == "signin":
		return embedAPIArea
	case c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead, c.Method() == fiber.MethodPost:
		// A POST is a page loaded with its session token, or the verify
		// page's button: both answer with a page.
		return embedPageArea
	}
	return notEmbedArea
}

// embedSessionLang returns the language of the request's session token:
// of its verified claims, or, when it was refused, the language it names
// anyway; "" without a token.
func embedSessionLang(c *fiber.Ctx) string {
	if ses, ok := c.Locals(embedSessionKey{}).(*embedSession); ok && ses != nil {
		return ses.Claims.Lang
	}
	lang, _ := c.Locals(embedLangKey{}).(string)
	return lang
}

// renderEmbedError answers a failed load of an embedded page with the
// error page, in the language the URL asks for (the tenant's when it asks
// none, English when the tenant is unknown too). When the URL's tenant
// exists, its Carerix origins may frame the page, so the recruiter reads
// it in place of the browser's "refused to connect": the page holds
// nothing but the message and the request id, and every refused proof
// has the same message. (That the tenant exists shows anyway: only a
// known tenant's proofs are checked against Carerix.)
func (s *Server) renderEmbedError(c *fiber.Ctx, status int, err error, rid string) error {
	cat := s.deps.Catalog
	var tenant *recrubo.Tenant
	if d := s.deps.Embeds.Data; d != nil {
		if t, err := d.TenantBySlug(c.UserContext(), c.Params("slug")); err == nil {
			tenant = t
		}
	}
	lang := c.Query("lang")
	if lang == "" && tenant != nil {
		lang = tenant.Language
	}
	lang = templates.NormalizeLang(lang)
	var sec pageSecurity
	if tenant != nil {
		sec.FrameOrigins = tenant.FrameOrigins
	}
	c.Response().ResetBody() // whatever the failed handler wrote
	return s.renderErrorPage(c, errorPageView{status: status, lang: lang, heading: cat.T(lang, "error.heading"),
		message: s.translateError(lang, err), steps: s.nextSteps(lang, recrubo.ErrorCode(err)), requestID: rid}, sec)
}

// classify returns the status of err and err as the application error
// it answers with: Fiber's own errors (no route, a wrong method, a body
// over the limit) become ours; an error of unknown code is internal.
func classify(err error) (int, error) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch {
		case fe.Code == fiber.StatusRequestEntityTooLarge:
			return fe.Code, recrubo.WrapE(recrubo.ETOOLARGE, err, "error.too_large")
		case fe.Code == fiber.StatusNotFound:
			return fe.Code, recrubo.WrapE(recrubo.ENOTFOUND, err, "error.not_found")
		case fe.Code == fiber.StatusMethodNotAllowed:
			return fe.Code, recrubo.WrapE(recrubo.EINVALID, err, "error.method_not_allowed")
		case fe.Code >= 500:
			return fiber.StatusInternalServerError, recrubo.WrapE(recrubo.EINTERNAL, err, "error.internal")
		}
		return fe.Code, recrubo.WrapError(recrubo.EINVALID, err, "%s", fe.Message)
	}
	status, ok := statusByCode[recrubo.ErrorCode(err)]
	if !ok {
		return fiber.StatusInternalServerError, recrubo.WrapE(recrubo.EINTERNAL, err, "error.internal")
	}
	return status, err
}
