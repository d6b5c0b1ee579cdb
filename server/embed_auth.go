package server

import (
	"errors"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/embed"
)

// Embedded pages authenticate twice: the page load by the proof Carerix
// wrote into the URL (see package embed), every later fetch and action by
// the session token the page received, sent as "Authorization: Bearer".
// No cookie is set or read, so there is nothing for a cross-site request
// to ride on.

// embedProof reads the proof of an embed URL.
func embedProof(c *fiber.Ctx, kind recrubo.EmbedKind) recrubo.EmbedProof {
	// Fiber's values live in buffers it reuses for the next request: the
	// proof's fields are copied out, into one string (one allocation
	// instead of one per field), the client's address last (Fiber's IP()
	// would allocate a string of its own; the service takes no proxy's
	// word for the address, so it is the connection's).
	vals := [...]string{c.Params("slug"), c.Params("id"), c.Query("rh"), c.Query("u"), c.Query("uh"), c.Query("dk"),
		c.Query("lang")}
	var ip [48]byte
	addr, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	client := addr.Unmap().AppendTo(ip[:0])
	n := len(client)
	for _, v := range vals {
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	for _, v := range vals {
		b.WriteString(v)
	}
	b.Write(client)
	all := b.String()
	for i, v := range vals {
		vals[i], all = all[:len(v)], all[len(v):]
	}
	return recrubo.EmbedProof{TenantSlug: vals[0], Kind: kind, RecordID: vals[1], RecordHash: vals[2], UserID: vals[3],
		UserHash: vals[4], PageKey: vals[5], Lang: vals[6], Client: all}
}

// sessionField is the form field a navigation inside the frame carries
// its session token in (never the URL).
const sessionField = "session"

// authenticateEmbed checks a page load: the browser's fetch metadata
// first (cheap), then the proof in the URL (GET) or the session token in
// the form (POST, a navigation inside the frame), then the page framing
// it. A page that needs a
// sign-in gets the sign-in page: authenticateEmbed answers the request
// itself and returns a nil viewer and a nil error. A refused load takes at
// least RefusalFloor, however far the check went.
func (s *Server) authenticateEmbed(c *fiber.Ctx, kind recrubo.EmbedKind) (*recrubo.EmbedViewer, error) {
	v, _, err := s.authenticateEmbedAs(c, kind, false)
	return v, err
}

// authenticateEmbedShared is authenticateEmbed for a handler that only
// reads the viewer's tenant and user: they may be the store cache's
// shared snapshots (embed.Authenticator.AuthenticateShared), which
// nothing may change. byMirror reports a URL proof the mirror alone
// settled (see EmbedAuth).
func (s *Server) authenticateEmbedShared(c *fiber.Ctx, kind recrubo.EmbedKind) (v *recrubo.EmbedViewer, byMirror bool, err error) {
	return s.authenticateEmbedAs(c, kind, true)
}

func (s *Server) authenticateEmbedAs(c *fiber.Ctx, kind recrubo.EmbedKind, shared bool) (v *recrubo.EmbedViewer, byMirror bool, err error) {
	start := time.Now()
	hints := frameHintsOf(c)
	if err := hints.fetchedAsFrame(); err != nil {
		return nil, false, err
	}
	if c.Method() == fiber.MethodPost {
		v, err = s.sessionViewer(c, kind)
	} else if shared {
		v, byMirror, err = s.deps.Embeds.Auth.AuthenticateShared(c.UserContext(), embedProof(c, kind))
	} else {
		v, err = s.deps.Embeds.Auth.Authenticate(c.UserContext(), embedProof(c, kind))
	}
	if errors.Is(err, embed.ErrSignInRequired) {
		return nil, false, s.renderSignIn(c, kind)
	}
	if err != nil {
		s.refusalDelay(c, start, err)
		return nil, false, err
	}
	if err := hints.framedBy(c, v.Tenant); err != nil {
		return nil, false, err
	}
	return v, byMirror, nil
}

// frameHints is what a page load's request says of how it was made:
// the browser's fetch metadata and the page that asked for it. The
// values point into the request: use them while handling it.
type frameHints struct {
	dest, site, origin, referer string
}

// frameHintsOf reads c's frame hints in one pass over its headers (the
// first of each, as c.Get would).
func frameHintsOf(c *fiber.Ctx) frameHints {
	var h frameHints
	var seen [4]bool
	c.Request().Header.VisitAll(func(k, v []byte) {
		i, to := -1, (*string)(nil)
		switch string(k) {
		case "Sec-Fetch-Dest":
			i, to = 0, &h.dest
		case "Sec-Fetch-Site":
			i, to = 1, &h.site
		case fiber.HeaderOrigin:
			i, to = 2, &h.origin
		case fiber.HeaderReferer:
			i, to = 3, &h.referer
		default:
			return
		}
		if !seen[i] {
			seen[i], *to = true, utils.UnsafeString(v)
		}
	})
	return h
}

// fetchedAsFrame refuses a page load the browser says is not for a frame
// (Sec-Fetch-Dest): opened as a top-level document, say.
func (h frameHints) fetchedAsFrame() error {
	if h.dest != "" && h.dest != "iframe" {
		return recrubo.E(recrubo.EFORBIDDEN, "embed.error.inside_carerix")
	}
	return nil
}

// framedBy refuses a page load that names (Origin, Referer) an embedding
// page other than t's Carerix or our own (c's).
func (h frameHints) framedBy(c *fiber.Ctx, t *recrubo.Tenant) error {
	// A navigation inside the frame (a period link, a reload after an
	// action) comes from our own page, which Carerix framed before.
	if h.site == "same-origin" {
		return nil
	}
	for _, val := range [...]string{h.origin, h.referer} {
		if val == "" || hasOrigin(val, t.FrameOrigins) {
			continue
		}
		o, ok := originOf(val)
		if !ok || !slices.Contains(t.FrameOrigins, o) && o != strings.ToLower(c.Protocol()+"://"+c.Hostname()) {
			return recrubo.E(recrubo.EFORBIDDEN, "embed.error.inside_carerix")
		}
	}
	return nil
}

// refusalDelay makes a refused page load take at least RefusalFloor from
// start, so that the time of an answer does not tell whether a tenant
// exists or a proof was checked against Carerix.
func (s *Server) refusalDelay(c *fiber.Ctx, start time.Time, err error) {
	switch recrubo.ErrorCode(err) {
	case recrubo.EFORBIDDEN, recrubo.ENOTFOUND, recrubo.EUNAUTHORIZED:
	default:
		return
	}
	floor := s.deps.Embeds.RefusalFloor
	if floor == 0 {
		floor = defaultRefusalFloor
	}
	wait := time.Until(start.Add(floor))
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.UserContext().Done():
	}
}

// defaultRefusalFloor is RefusalFloor's default: longer than a Carerix
// look-up usually takes.
const defaultRefusalFloor = 300 * time.Millisecond

// sessionViewer is the viewer of a page loaded by POST with the session
// token in the form: the token must be the tenant's, valid, and open this
// page (a record's URL proof opens that record only, a page key the
// tenant-wide pages, a sign-in every page); the user must still be active
// as the mirror knows them.
func (s *Server) sessionViewer(c *fiber.Ctx, kind recrubo.EmbedKind) (*recrubo.EmbedViewer, error) {
	token := c.FormValue(sessionField)
	if token == "" {
		return nil, recrubo.E(recrubo.EFORBIDDEN, "error.forbidden")
	}
	ctx := c.UserContext()
	t, err := s.deps.Embeds.Data.TenantBySlug(ctx, c.Params("slug"))
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND || recrubo.ErrorCode(err) == recrubo.EINVALID {
		return nil, recrubo.E(recrubo.EFORBIDDEN, "error.forbidden")
	}
	if err != nil {
		return nil, err
	}
	claims, err := embed.VerifyToken(t, token, s.deps.Now())
	if err != nil {
		return nil, err
	}
	record := strings.Clone(c.Params("id"))
	if !claims.Opens(kind, record) {
		return nil, recrubo.E(recrubo.EFORBIDDEN, "error.forbidden")
	}
	v := claims.Viewer(t)
	v.Kind, v.RecordID = kind, record
	u, err := s.deps.Embeds.Data.Recruiter(ctx, t.ID, claims.Subject)
	switch {
	case err == nil && !u.Active:
		return nil, recrubo.E(recrubo.EFORBIDDEN, "error.forbidden")
	case err == nil:
		v.User = u
	case recrubo.ErrorCode(err) != recrubo.ENOTFOUND:
		return nil, err
	}
	return v, nil
}

// hasOrigin reports whether raw (an Origin or Referer value) plainly
// starts with one of origins (scheme://host[:port], in lower case): it is
// that origin, or that origin and a path of printable characters without
// escapes. url.Parse would find that very origin in such a value, and
// accept it; anything else (other case, userinfo, a port, an escape) is
// left to originOf.
func hasOrigin(raw string, origins []string) bool {
	for _, o := range origins {
		rest, ok := strings.CutPrefix(raw, o)
		if !ok || rest != "" && rest[0] != '/' {
			continue
		}
		plain := true
		for i := 0; i < len(rest) && plain; i++ {
			plain = rest[i] > ' ' && rest[i] < 0x7f && rest[i] != '%'
		}
		if plain {
			return true
		}
	}
	return false
}

// originOf returns the origin of raw (an Origin or Referer value), in
// lower case, and false if raw has none.
func originOf(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// embedSession is an authenticated API request: the tenant and the
// token's claims.
type embedSession struct {
	Tenant *recrubo.Tenant
	Claims *embed.Claims
}

// requireEmbedToken authenticates an API request by its bearer token,
// bound to the tenant of the URL.
func (s *Server) requireEmbedToken(c *fiber.Ctx) error {
	auth := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token == "" {
		return recrubo.E(recrubo.EUNAUTHORIZED, "embed.expired")
	}
	// A refusal of the token is worded in the language it names.
	c.Locals(embedLangKey{}, embed.TokenLang(token))
	t, err := s.deps.Embeds.Data.TenantBySlug(c.UserContext(), c.Params("slug"))
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		return recrubo.E(recrubo.EUNAUTHORIZED, "embed.expired")
	}
	if err != nil {
		return err
	}
	claims, err := embed.VerifyToken(t, token, s.deps.Now())
	if err != nil {
		return err
	}
	c.Locals(embedSessionKey{}, &embedSession{Tenant: t, Claims: claims})
	setEmbedFrame(c, t)
	return c.Next()
}

type (
	embedSessionKey struct{}
	embedLangKey    struct{}
)

func sessionOf(c *fiber.Ctx) *embedSession {
	return c.Locals(embedSessionKey{}).(*embedSession)
}

// candidateSession returns the session of a candidate route whose token
// is for that very candidate; any other token is EFORBIDDEN.
func candidateSession(c *fiber.Ctx) (*embedSession, error) {
	ses := sessionOf(c)
	if ses.Claims.Kind != recrubo.EmbedCandidate || ses.Claims.RecordID != c.Params("id") {
		return nil, recrubo.E(recrubo.EFORBIDDEN, "error.forbidden")
	}
	return ses, nil
}

// setEmbedFrame lets only the tenant's Carerix origins frame a response.
func setEmbedFrame(c *fiber.Ctx, t *recrubo.Tenant) {
	c.Set(fiber.HeaderContentSecurityPolicy, "frame-ancestors "+strings.Join(t.FrameOrigins, " "))
	c.Response().Header.Del(fiber.HeaderXFrameOptions)
}

// handleEmbedRefresh answers a valid token with a fresh one bound to the
// same tenant, user, kind and record, as long as the session is younger
// than embed.SessionMaxAge; after that it is 401, and the page asks for a
// reload.
func (s *Server) handleEmbedRefresh(c *fiber.Ctx) error {
	ses := sessionOf(c)
	token, exp, err := embed.RefreshToken(ses.Tenant, ses.Claims, s.deps.Now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"token": token, "expires": exp.Unix()})
}
