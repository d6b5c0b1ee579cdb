package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	crsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/templates"
	"github.com/recrubo/recrubo-carerix/verify"
)

// VerifyDeps are what the routes of the admin's verify link and its checklist page need. The zero value disables them.
type VerifyDeps struct {
	// Links checks the tokens of /verify/<token> links.
	Links VerifyLinks
	// Checks runs the checklist (and marks the tenant verified when it
	// all passes).
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
// (crsync.Progress).
type SyncProgressReader func(ctx context.Context, tenantID string) (*crsync.SyncProgress, error)

// VerifyLinks checks verify-link tokens (verify.Links).
type VerifyLinks interface {
	Check(ctx context.Context, token string) (*recrubo.Tenant, error)
}

// VerifyChecker runs the checklist (verify.Checker).
type VerifyChecker interface {
	Run(ctx context.Context, t *recrubo.Tenant, verifiedBy string) (*verify.Result, error)
}

// AdminChecker tells whether a tenant's Carerix user is an administrator.
type AdminChecker interface {
	IsAdmin(ctx context.Context, t *recrubo.Tenant, userID string) (bool, error)
}

// verifyRoutes registers the routes of the admin's verify link and its checklist page.
func (s *Server) verifyRoutes() {
	d := s.deps.Verify
	if d.Checks == nil || s.deps.Templates == nil {
		return
	}
	if d.Links != nil {
		s.app.Get("/verify/:token", s.handleVerifyLink)
		if d.Progress != nil {
			s.app.Get("/verify/:token/sync", s.handleVerifySync)
		}
	}
	if d.Auth != nil && d.Admins != nil {
		s.app.Get("/embed/:slug/verify", s.handleVerifyEmbed)
	}
}

// handleVerifyLink serves GET /verify/:token: the checklist, never framed.
func (s *Server) handleVerifyLink(c *fiber.Ctx) error {
	t, err := s.deps.Verify.Links.Check(c.UserContext(), strings.Clone(c.Params("token")))
	if err != nil {
		return err
	}
	lang := c.Query("lang")
	if lang == "" {
		lang = c.Get(fiber.HeaderAcceptLanguage)
	}
	res, err := s.deps.Verify.Checks.Run(c.UserContext(), t, "verify link")
	if err != nil {
		return err
	}
	return s.renderVerify(c, t, templates.NormalizeLang(lang), res, pageSecurity{})
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

// handleVerifyEmbed serves GET /embed/:slug/verify: the same checklist
// inside Carerix, for administrators only, framable by the tenant's
// Carerix origins.
func (s *Server) handleVerifyEmbed(c *fiber.Ctx) error {
	d := s.deps.Verify
	v, err := d.Auth.Authenticate(c.UserContext(), recrubo.EmbedProof{
		TenantSlug: strings.Clone(c.Params("slug")),
		Kind:       recrubo.EmbedVerify,
		UserID:     strings.Clone(c.Query("u")),
		UserHash:   strings.Clone(c.Query("uh")),
		Lang:       strings.Clone(c.Query("lang")),
	})
	if err != nil {
		return err
	}
	if v.User == nil {
		return recrubo.Errorf(recrubo.EFORBIDDEN, "Forbidden.")
	}
	ok, err := d.Admins.IsAdmin(c.UserContext(), v.Tenant, v.User.ID)
	if err != nil {
		return err
	}
	if !ok {
		return recrubo.Errorf(recrubo.EFORBIDDEN, "Only a Carerix administrator can verify the integration.")
	}
	by := v.User.FullName()
	if by == "" {
		by = "Carerix user " + v.User.ID
	} else {
		by += " (Carerix user " + v.User.ID + ")"
	}
	res, err := d.Checks.Run(c.UserContext(), v.Tenant, by)
	if err != nil {
		return err
	}
	return s.renderVerify(c, v.Tenant, templates.NormalizeLang(v.Lang), res, pageSecurity{FrameOrigins: v.Tenant.FrameOrigins})
}

// renderVerify builds the checklist page.
func (s *Server) renderVerify(c *fiber.Ctx, t *recrubo.Tenant, lang string, res *verify.Result, sec pageSecurity) error {
	cat := s.deps.Catalog
	tr := func(key string, args ...string) string {
		a := make([]any, len(args))
		for i, v := range args {
			a[i] = v
		}
		return cat.T(lang, key, a...)
	}
	failed := 0
	items := make([]templates.HTML, 0, len(res.Items))
	for _, it := range res.Items {
		state, mark := "pass", tr("verify.mark_pass")
		var fix, link templates.HTML
		var err error
		if !it.OK {
			failed++
			state, mark = "fail", tr("verify.mark_fail")
			if fix, err = s.deps.Templates.RenderHTML("verify_fix", templates.Values{
				"label": tr("verify.fix_label"), "text": tr("verify." + it.ID + "." + it.Reason + ".fix"),
			}); err != nil {
				return err
			}
		}
		if it.Link != "" {
			if link, err = s.deps.Templates.RenderHTML("verify_link", templates.Values{
				"href": it.Link, "label": tr("verify.open_sample"),
			}); err != nil {
				return err
			}
		}
		h, err := s.deps.Templates.RenderHTML("verify_item", templates.Values{
			"state": state, "id": it.ID, "mark": mark,
			"title":  tr("verify." + it.ID + ".title"),
			"status": tr("verify."+it.ID+"."+it.Reason, itemArgs(it, lang, t.Location(), tr)...),
			"fix":    fix, "link": link,
		})
		if err != nil {
			return err
		}
		items = append(items, h)
	}
	summary, summaryState := tr("verify.summary_pass"), "pass"
	if failed > 0 {
		summary, summaryState = cat.T(lang, "verify.summary_fail", failed, len(res.Items)), "fail"
	}
	return s.renderPage(c, fiber.StatusOK, "verify", lang, tr("verify.title"), templates.Values{
		"verifyStylesheetURL": s.deps.Assets.URL("verify.css"),
		"verified":            strconv.FormatBool(res.Verified),
		"heading":             tr("verify.heading"),
		"tenantName":          t.DisplayName,
		"summary":             summary,
		"summaryState":        summaryState,
		"items":               templates.Join(items),
		"note":                tr("verify.note"),
	}, sec)
}

// itemArgs are an item's message arguments, with its time shown in the
// tenant's zone and the page's language, and its ArgKeys translated and
// joined as the last.
func itemArgs(it verify.Item, lang string, loc *time.Location, tr func(string, ...string) string) []string {
	args := append([]string(nil), it.Args...)
	if !it.At.IsZero() && len(args) > 0 {
		args[len(args)-1] = templates.FormatDateTime(lang, it.At, loc)
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
