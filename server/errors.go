package server

import (
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"time"

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

// messageByCode is each code's general catalog message, what a user
// reading another language than English sees when the error's own
// message is not in userMessages.
var messageByCode = map[recrubo.Code]string{
	recrubo.EINVALID:      "error.bad_request",
	recrubo.EUNAUTHORIZED: "error.unauthorized",
	recrubo.EFORBIDDEN:    "error.forbidden",
	recrubo.ENOTFOUND:     "error.not_found",
	recrubo.ECONFLICT:     "error.conflict",
	recrubo.ETOOLARGE:     "error.too_large",
	recrubo.ERATELIMITED:  "error.rate_limited",
	recrubo.EUNAVAILABLE:  "error.unavailable",
	recrubo.EINTERNAL:     "error.internal",
}

// userMessage is one entry of userMessages: the English messages pattern
// matches (whole) are the catalog message key, whose verbs pattern's
// groups fill in order.
type userMessage struct {
	pattern *regexp.Regexp
	key     string
}

func message(pattern, key string) userMessage {
	return userMessage{pattern: regexp.MustCompile(`^(?s:` + pattern + `)$`), key: key}
}

// userMessages translates the user-safe messages the embedded pages and
// their API answer with: this server's own, and those of the packages
// behind them (embed, messaging, the store) that a recruiter can meet.
// Every message an embed handler writes must be here (a test checks).
var userMessages = []userMessage{
	// classify
	message(`Request body too large\.`, "error.too_large"),
	message(`Page not found\.`, "error.not_found"),
	message(`Method not allowed\.`, "error.method_not_allowed"),
	message(`Internal error\.`, "error.internal"),
	// Authentication of pages and sessions.
	message(`Sign in with your Carerix account to open this page\.`, "embed.error.signin_required"),
	message(`Sign-in through Carerix is not set up for this tenant\.`, "embed.error.signin_unavailable"),
	message(`Too many requests; try again in a minute\.`, "error.rate_limited"),
	message(`Only administrators and managers see every conversation\.`, "embed.error.privileged_only"),
	message(`This page is for administrators and managers; open Recrubo on a candidate or a vacancy\.`, "embed.error.privileged_dashboard"),
	message(`You do not have access to this page\.`, "error.forbidden"),
	message(`This page can only be opened inside Carerix\.`, "embed.error.inside_carerix"),
	message(`Your session has expired\. Reload the page\.`, "embed.expired"),
	message(`Your session has ended\. Reload the page\.`, "embed.error.session_ended"),
	message(`Carerix cannot be reached right now\.`, "embed.error.carerix_unavailable"),
	// An outage of the store (package store).
	message(`The database is unavailable; try again shortly\.`, "error.unavailable"),
	// Pages and lists.
	message(`The period must be 7, 30 or 90 days\.`, "embed.error.period"),
	message(`The view must be mine, unassigned or all\.`, "embed.error.view"),
	message(`The search is too long\.`, "embed.error.search_too_long"),
	// Actions.
	message(`Send JSON\.`, "error.bad_request"),
	message(`The request is not valid JSON\.`, "error.bad_request"),
	message(`Send either a message or a template, not both\.`, "embed.error.message_or_template"),
	message(`Choose a template\.`, "embed.error.choose_template"),
	message(`A template has at most (\d+) variables\.`, "embed.error.too_many_vars"),
	message(`A template variable is too long\.`, "embed.error.var_too_long"),
	message(`Write a message first\.`, "embed.error.write_first"),
	message(`The message is longer than (\d+) characters\.`, "embed.error.message_too_long"),
	message(`Messaging is not available right now\.`, "embed.error.messaging_unavailable"),
	message(`No such message\.`, "embed.error.no_message"),
	message(`Message ".*" does not exist\.`, "embed.error.no_message"),
	message(`Choose a recruiter from the list\.`, "embed.error.choose_recruiter"),
	message(`The state must be open or closed\.`, "embed.error.state"),
	message(`There is no conversation with this candidate yet\.`, "embed.error.no_conversation"),
	message(`Candidate ".*" is not in the mirror\.`, "embed.error.not_synced"),
	// Refusals of package messaging.
	message(`The message cannot be sent\.`, "embed.error.cannot_send"),
	message(`The candidate has not written in the last 24 hours: this message needs a template\.`, "embed.error.window_closed"),
	message(`The candidate opted out of WhatsApp messages .* on (\d{4}-\d{2}-\d{2})\.`, "embed.error.opted_out"),
	message(`Template ".*" \(.*\) is .*, not approved\.`, "embed.error.template_unavailable"),
	message(`There is no template ".*" in language ".*"\.`, "embed.error.template_unavailable"),
	message(`Template ".*" needs (\d+) values, got (\d+)\.`, "embed.error.template_values"),
	message(`Value (\d+) of template ".*" is empty\.`, "embed.error.value_empty"),
	message(`.* has no usable phone number for WhatsApp\.`, "embed.error.no_phone"),
	message(`WhatsApp is not connected for .*\.`, "embed.error.whatsapp_not_connected"),
	message(`The WhatsApp settings of .* are not usable\.`, "embed.error.whatsapp_not_connected"),
	message(`Only a failed message can be sent again\.`, "embed.error.retry_failed_only"),
	// Files, mobile numbers and templates of WhatsApp.
	message(`The caption is longer than (\d+) characters\.`, "whatsapp.msg.caption_too_long"),
	message(`Choose a file to send\.`, "whatsapp.msg.choose_file"),
	message(`The file is not available\.`, "whatsapp.msg.file_unavailable"),
	message(`The file could not be read\.`, "whatsapp.msg.file_unreadable"),
	message(`No such file\.`, "whatsapp.msg.no_file"),
	message(`.* has no usable mobile number for WhatsApp\.`, "whatsapp.msg.no_mobile"),
	message(`Template ".*" \(.*\) needs a file or a link value the inbox cannot send\.`, "whatsapp.msg.template_not_sendable"),
	message(`Message ".*" has no file\.`, "whatsapp.msg.no_file"),
	message(`Reload the page and send again\.`, "whatsapp.msg.reload"),
	message(`No such broadcast\.`, "whatsapp.msg.no_broadcast"),
	message(`Broadcast ".*" does not exist\.`, "whatsapp.msg.no_broadcast"),
	message(`Vacancy ".*" is not in the mirror\.`, "whatsapp.msg.vacancy_not_synced"),
	message(`A broadcast needs a sender and a request key\.`, "whatsapp.msg.reload"),
}

// messageKey returns the catalog key of msg and the arguments of its
// verbs; ok is false when userMessages does not know msg.
func messageKey(msg string) (key string, args []any, ok bool) {
	for _, m := range userMessages {
		if sub := m.pattern.FindStringSubmatch(msg); sub != nil {
			for _, a := range sub[1:] {
				args = append(args, a)
			}
			return m.key, args, true
		}
	}
	return "", nil, false
}

// translateError returns msg, the user-safe message of an error of code,
// in lang: its catalog message when userMessages knows it; else msg
// itself in English and the code's general message in other languages.
func (s *Server) translateError(lang string, code recrubo.Code, msg string) string {
	cat := s.deps.Catalog
	if cat == nil {
		return msg
	}
	lang = templates.NormalizeLang(lang)
	if key, args, ok := messageKey(msg); ok {
		for i, a := range args {
			// Dates in messages are ISO dates; pages write them out.
			if d, err := time.Parse(time.DateOnly, a.(string)); err == nil {
				args[i] = templates.FormatDate(lang, d, time.UTC)
			}
		}
		return cat.T(lang, key, args...)
	}
	if lang == templates.LangEN {
		return msg
	}
	key, ok := messageByCode[code]
	if !ok {
		key = messageByCode[recrubo.EINTERNAL]
	}
	return cat.T(lang, key)
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
	status, code, msg := classify(err)
	rid := requestIDOf(c)
	if status >= 500 {
		s.log.ErrorContext(c.UserContext(), "request failed",
			slog.String("request_id", rid), slog.String("method", methodOf(c)),
			slog.String("route", routeOf(c)), slog.Int("status", status), slog.Any("error", err))
	}
	if status == fiber.StatusTooManyRequests || status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	switch embedAreaOf(c) {
	case embedPageArea:
		perr := s.renderEmbedError(c, status, code, msg, rid)
		if perr == nil {
			return nil
		}
		s.log.ErrorContext(c.UserContext(), "rendering the error page",
			slog.String("request_id", rid), slog.Any("error", perr))
		c.Response().ResetBody()
	case embedAPIArea:
		msg = s.translateError(embedSessionLang(c), code, msg)
	}
	body := errorBody{Error: msg, Code: code, Fields: recrubo.ErrorFields(err), RequestID: rid}
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
func (s *Server) renderEmbedError(c *fiber.Ctx, status int, code recrubo.Code, msg, rid string) error {
	cat := s.deps.Catalog
	if cat == nil {
		return errors.New("the server has no catalog")
	}
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
		message: s.translateError(lang, code, msg), steps: s.nextSteps(lang, code), requestID: rid}, sec)
}

// classify turns any error into a status, a code and a user-safe message.
func classify(err error) (int, recrubo.Code, string) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		// Fiber's own errors (bad method, body too large, ...).
		switch fe.Code {
		case fiber.StatusRequestEntityTooLarge:
			return fe.Code, recrubo.ETOOLARGE, "Request body too large."
		case fiber.StatusNotFound:
			return fe.Code, recrubo.ENOTFOUND, "Page not found."
		case fiber.StatusMethodNotAllowed:
			return fe.Code, recrubo.EINVALID, "Method not allowed."
		}
		if fe.Code >= 500 {
			return fiber.StatusInternalServerError, recrubo.EINTERNAL, "Internal error."
		}
		return fe.Code, recrubo.EINVALID, fe.Message
	}
	code := recrubo.ErrorCode(err)
	status, ok := statusByCode[code]
	if !ok {
		status, code = fiber.StatusInternalServerError, recrubo.EINTERNAL
	}
	return status, code, recrubo.ErrorMessage(err)
}
