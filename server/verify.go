package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/embed"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/templates"
	"github.com/recrubo/recrubo-carerix/verify"
)

// VerifyDeps are what the routes of the admin's verify link and its checklist page need. The zero value disables them.
type VerifyDeps struct {
	// Links checks the tokens of /verify/<token> links.
	Links VerifyLinks
	// Checks shows the checklist's last result and runs it (marking the
	// tenant verified when it all passes), throttled per tenant.
	Checks VerifyChecker
	// Auth checks the proof of /embed/{slug}/verify, the admin-only
	// template inside Carerix; nil disables that route.
	Auth recrubo.EmbedAuthenticator
	// Admins says whether a Carerix user is an administrator; the embed
	// route refuses everyone else. Required with Auth.
	Admins AdminChecker
	// Progress reads a tenant's sync progress for GET
	// /verify/<token>/sync; nil disables that route.
	Progress SyncProgressReader
}

// SyncProgressReader reads a tenant's sync progress and health
// (carerixsync.Progress).
type SyncProgressReader func(ctx context.Context, tenantID string) (*carerixsync.SyncProgress, error)

// VerifyLinks checks verify-link tokens (verify.Links).
type VerifyLinks interface {
	Check(ctx context.Context, token string) (*recrubo.Tenant, error)
}

// VerifyChecker keeps and runs the checklist (verify.Runs). Last reads
// only; Run asks Carerix, unless a run began too recently (retryIn > 0:
// nothing ran).
type VerifyChecker interface {
	Last(ctx context.Context, t *recrubo.Tenant) (*verify.Record, error)
	Run(ctx context.Context, t *recrubo.Tenant, by string) (rec *verify.Record, retryIn time.Duration, err error)
}

// AdminChecker tells whether a tenant's Carerix user is an administrator.
type AdminChecker interface {
	IsAdmin(ctx context.Context, t *recrubo.Tenant, userID string) (bool, error)
}

// verifyRoutes registers the routes of the admin's verify link and its
// checklist page. Opening a page (GET) shows the last result and changes
// nothing, so a link scanner in mail or chat triggers nothing; the page's
// button (POST to the same URL, carrying the link's token or the Carerix
// proof) runs the checks.
func (s *Server) verifyRoutes() {
	d := s.deps.Verify
	if d.Checks == nil || s.deps.Templates == nil {
		return
	}
	if d.Links != nil {
		s.app.Get("/verify/:token", s.handleVerifyLink)
		s.app.Post("/verify/:token", s.handleVerifyLink)
		if d.Progress != nil {
			s.app.Get("/verify/:token/sync", s.handleVerifySync)
		}
	}
	if d.Auth != nil && d.Admins != nil {
		s.app.Get("/embed/:slug/verify", s.handleVerifyEmbed)
		s.app.Post("/embed/:slug/verify", s.handleVerifyEmbed)
	}
}

// handleVerifyLink serves /verify/:token, never framed: GET shows the
// checklist's last result, POST runs it.
func (s *Server) handleVerifyLink(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	t, err := s.deps.Verify.Links.Check(c.UserContext(), token)
	if recrubo.ErrorCode(err) == recrubo.EFORBIDDEN {
		return s.renderDeadVerifyLink(c, token)
	}
	if err != nil {
		return err
	}
	// The admin reads the page in the language the link asks for, else
	// in the tenant's.
	lang := c.Query("lang")
	if lang == "" {
		lang = t.Language
	}
	lang = templates.NormalizeLang(lang)
	action := "/verify/" + url.PathEscape(token) + "?lang=" + lang
	return s.verifyPage(c, t, lang, verifiedByLink, action, "", pageSecurity{})
}

// handleVerifySync serves GET /verify/:token/sync: the tenant's sync
// progress and health as JSON (records, rate and ETA of the initial sync;
// counts in scope, last event, last reconciliation, lag, last error), for
// the holder of a valid verify link. It reads only; nothing is checked or
// marked.
func (s *Server) handleVerifySync(c *fiber.Ctx) error {
	t, err := s.deps.Verify.Links.Check(c.UserContext(), strings.Clone(c.Params("token")))
	if err != nil {
		return err
	}
	p, err := s.deps.Verify.Progress(c.UserContext(), t.ID)
	if err != nil {
		return fmt.Errorf("reading the sync progress of tenant %s: %w", t.Slug, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(p)
}

// handleVerifyEmbed serves /embed/:slug/verify: the same checklist inside
// Carerix, for administrators only, framable by the tenant's Carerix
// origins. GET shows the last result, POST runs the checks.
func (s *Server) handleVerifyEmbed(c *fiber.Ctx) error {
	d := s.deps.Verify
	start := time.Now()
	var v *recrubo.EmbedViewer
	var err error
	if c.Method() == fiber.MethodPost && c.FormValue(sessionField) != "" {
		// Loaded after a sign-in (or run again from such a page): the
		// session token in the form proves the viewer.
		v, err = s.sessionViewer(c, recrubo.EmbedDashboard)
	} else {
		v, err = d.Auth.Authenticate(c.UserContext(), recrubo.EmbedProof{
			TenantSlug: strings.Clone(c.Params("slug")),
			Kind:       recrubo.EmbedVerify,
			UserID:     strings.Clone(c.Query("u")),
			UserHash:   strings.Clone(c.Query("uh")),
			PageKey:    strings.Clone(c.Query("dk")),
			Lang:       strings.Clone(c.Query("lang")),
			Client:     strings.Clone(c.IP()),
		})
	}
	if errors.Is(err, embed.ErrSignInRequired) {
		return s.renderSignIn(c, recrubo.EmbedDashboard)
	}
	if err != nil {
		s.refusalDelay(c, start, err)
		return err
	}
	if v.User == nil {
		return recrubo.E(recrubo.EFORBIDDEN, "error.forbidden")
	}
	ok, err := d.Admins.IsAdmin(c.UserContext(), v.Tenant, v.User.ID)
	if err != nil {
		return err
	}
	if !ok {
		return recrubo.E(recrubo.EFORBIDDEN, "verify.error.admin_only")
	}
	by := verifiedByUser(v.User.FullName(), v.User.ID)
	// The run button posts back to this very URL (whose query is the
	// URL proof) or, after a sign-in, with the session token.
	action := "/embed/" + url.PathEscape(v.Tenant.Slug) + "/verify?" + string(c.Request().URI().QueryString())
	session := ""
	if v.Proof == recrubo.ProvedBySignIn {
		if session, _, err = embed.IssueToken(v, s.deps.Now()); err != nil {
			return err
		}
	}
	return s.verifyPage(c, v.Tenant, templates.NormalizeLang(v.Lang), by, action, session, pageSecurity{FrameOrigins: v.Tenant.FrameOrigins})
}

// verifyPage answers a verify page request for t: a POST runs the checks
// as by (unless they ran too recently: 429, with the last result), a GET
// only reads the last result.
func (s *Server) verifyPage(c *fiber.Ctx, t *recrubo.Tenant, lang, by, action, session string, sec pageSecurity) error {
	ctx := c.UserContext()
	d := s.deps.Verify
	v := verifyView{lang: lang, action: action, session: session,
		ran: c.Method() == fiber.MethodPost && c.FormValue("run") == "1"}
	status := fiber.StatusOK
	if v.ran {
		var err error
		if v.rec, v.retryIn, err = d.Checks.Run(ctx, t, by); err != nil {
			return err
		}
		if v.retryIn > 0 {
			v.ran, status = false, fiber.StatusTooManyRequests
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(v.retryIn.Round(time.Second)/time.Second)))
		}
	}
	if v.rec == nil {
		var err error
		if v.rec, err = d.Checks.Last(ctx, t); err != nil {
			return err
		}
	}
	return s.renderVerify(c, status, t, v, sec)
}

// verifyView is what a verify page shows.
type verifyView struct {
	lang    string
	action  string // where the run button posts
	session string // the session token the button posts, after a sign-in
	// rec is the result shown, nil when the checks never ran; ran says
	// this request ran them; retryIn > 0 that it was refused for running
	// too soon after the last run.
	rec     *verify.Record
	ran     bool
	retryIn time.Duration
}

// renderVerify builds the checklist page.
func (s *Server) renderVerify(c *fiber.Ctx, status int, t *recrubo.Tenant, v verifyView, sec pageSecurity) error {
	cat, lang := s.deps.Catalog, v.lang
	tr := func(key string, args ...string) string {
		a := make([]any, len(args))
		for i, v := range args {
			a[i] = v
		}
		return cat.T(lang, key, a...)
	}
	var notices []templates.HTML
	notice := func(kind, text string) error {
		h, err := s.deps.Templates.RenderHTML("verify_notice", templates.Values{"kind": kind, "text": text})
		notices = append(notices, h)
		return err
	}
	if v.retryIn > 0 {
		if err := notice("wait", cat.T(lang, "verify.throttled", int(v.retryIn.Round(time.Second)/time.Second))); err != nil {
			return err
		}
	}
	if len(t.Filters.VacancyStatuses) == 0 {
		if err := notice("warn", tr("verify.no_vacancy_statuses")); err != nil {
			return err
		}
	}
	failed := 0
	items := []templates.HTML{}
	summary, summaryState, verified, lastRun, runLabel := tr("verify.never_run"), "none", "false", tr("verify.last_never"), tr("verify.run")
	if v.rec != nil {
		res := v.rec.Result
		for _, it := range res.Items {
			h, err := s.verifyItem(tr, lang, t, it)
			if err != nil {
				return err
			}
			if !it.OK {
				failed++
			}
			items = append(items, h)
		}
		summary, summaryState = tr("verify.summary_pass"), "pass"
		if failed > 0 {
			summary, summaryState = cat.T(lang, "verify.summary_fail", failed, len(res.Items)), "fail"
		}
		verified = strconv.FormatBool(res.Verified)
		lastRun = tr("verify.last_run", templates.FormatDateTimeZone(lang, v.rec.At, t.Location()), verifierText(tr, v.rec.By))
		runLabel = tr("verify.run_again")
	}
	return s.renderPage(c, status, "verify", lang, tr("verify.title"), templates.Values{
		"verifyStylesheetURL": s.deps.Assets.URL("verify.css"),
		"verified":            verified,
		"ran":                 strconv.FormatBool(v.ran),
		"heading":             tr("verify.heading"),
		"tenantName":          t.DisplayName,
		"notices":             templates.Join(notices),
		"summary":             summary,
		"summaryState":        summaryState,
		"lastRun":             lastRun,
		"items":               templates.Join(items),
		"action":              v.action,
		"session":             v.session,
		"runLabel":            runLabel,
		"note":                tr("verify.note"),
		"zoneNote":            tr("verify.zone", t.Location().String()),
	}, sec)
}

// verifyItem renders one check of the checklist.
func (s *Server) verifyItem(tr func(string, ...string) string, lang string, t *recrubo.Tenant, it verify.Item) (templates.HTML, error) {
	state, mark := "pass", tr("verify.mark_pass")
	var fix, link templates.HTML
	var err error
	if !it.OK {
		state, mark = "fail", tr("verify.mark_fail")
		if fix, err = s.deps.Templates.RenderHTML("verify_fix", templates.Values{
			"label": tr("verify.fix_label"), "text": tr("verify." + it.ID + "." + it.Reason + ".fix"),
		}); err != nil {
			return templates.HTML{}, err
		}
	}
	if it.Link != "" {
		if link, err = s.deps.Templates.RenderHTML("verify_link", templates.Values{
			"href": it.Link, "label": tr("verify.open_sample"),
		}); err != nil {
			return templates.HTML{}, err
		}
	}
	return s.deps.Templates.RenderHTML("verify_item", templates.Values{
		"state": state, "id": it.ID, "mark": mark,
		"title":  tr("verify." + it.ID + ".title"),
		"status": tr("verify."+it.ID+"."+it.Reason, itemArgs(it, lang, t.Location(), tr)...),
		"fix":    fix, "link": link,
	})
}

// itemArgs are an item's message arguments, with its time shown in the
// tenant's zone and the page's language, and its ArgKeys translated and
// joined as the last.
func itemArgs(it verify.Item, lang string, loc *time.Location, tr func(string, ...string) string) []string {
	args := append([]string(nil), it.Args...)
	if !it.At.IsZero() && len(args) > 0 {
		args[len(args)-1] = templates.FormatDateTimeZone(lang, it.At, loc)
	}
	if len(it.ArgKeys) > 0 {
		parts := make([]string, len(it.ArgKeys))
		for i, k := range it.ArgKeys {
			parts[i] = tr(k)
		}
		args = append(args, strings.Join(parts, "; "))
	}
	return args
}

// Who ran the checks, as stored with the run and shown by "tenant show"
// (in English, for the operator): the verify link, or a Carerix user by
// name and id.
const (
	verifiedByLink   = "verify link"
	verifiedByPrefix = "Carerix user "
)

// verifiedByUser is how a run by a Carerix user is recorded.
func verifiedByUser(name, id string) string {
	if name == "" {
		return verifiedByPrefix + id
	}
	return name + " (" + verifiedByPrefix + id + ")"
}

// verifierText shows who ran the checks in the page's language; a record
// of another form is shown as it is.
func verifierText(tr func(key string, args ...string) string, by string) string {
	if by == verifiedByLink {
		return tr("verify.by_link")
	}
	if id, ok := strings.CutPrefix(by, verifiedByPrefix); ok {
		return tr("verify.by_user_id", id)
	}
	if name, rest, ok := strings.Cut(by, " ("+verifiedByPrefix); ok && strings.HasSuffix(rest, ")") {
		return tr("verify.by_user", name, strings.TrimSuffix(rest, ")"))
	}
	return by
}
