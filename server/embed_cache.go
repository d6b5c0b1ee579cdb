package server

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/templates"
)

// The rendered inbox is cached per tenant, candidate, viewer and
// language. A cached body holds markers where each response's own values
// go (the CSP nonce and the session token), so a hit only authenticates,
// signs a token and copies bytes. Any committed change of the tenant
// (from this or another instance, through the store's change feed) drops
// the tenant's pages; so does every action this server performs, at once;
// and entries expire after the TTL, which bounds how late time-dependent
// content (the 24-hour window) may be.
//
// A page loaded by GET with a URL proof that the mirror alone settled
// (see EmbedAuth.AuthenticateShared) is also remembered by its URL, with
// the viewer the proof gave: the next load of that URL skips the proof's
// check (a tenant, a record's hash and a user, read from the store cache,
// and the query parsed) and only checks how the browser framed it.
//   - It is remembered no longer than its page: the tenant's next change
//     drops both, as it drops the store cache's copies the check read; a
//     change naming no tenant (a lost notification) drops everything.
//   - Changes reach this cache after the store cache has dropped what
//     they changed (store.Cached.Subscribe), and a proof checked while a
//     change arrived is not remembered, so a remembered proof rests on
//     data no older than what the check would read (but for the moment
//     between the store cache's drop and this cache's).
//   - Carerix's report of a newer hash for one of the tenant's records
//     (EmbedAuth.MayHaveNewer) sends every load of the tenant back to the
//     full check.
//   - Only the URL a template writes is remembered (rememberable): a
//     valid proof cannot be spelled in ever new ways to fill the cache.

// Markers rendered in place of per-response values. Both are plain
// letters, so every escaping context leaves them intact.
const (
	nonceMarker = "RecruboNonceMarkerQ7Z"
	tokenMarker = "RecruboTokenMarkerQ7Z"
)

// EmbedPageCache caches rendered embed pages. The zero value is not
// usable; make one with NewEmbedPageCache. Safe for concurrent use.
type EmbedPageCache struct {
	ttl time.Duration
	now func() time.Time

	// Both maps are read on every page load from every core, and
	// written rarely (a miss, a change): sync.Map's reads write nothing
	// shared, where a mutex's word would bounce between the cores on
	// every load.
	gen     sync.Map      // tenant id → *atomic.Uint64, its generation (0 when absent)
	entries sync.Map      // key → *cachedPage
	proved  sync.Map      // URL (path and query) → *provedPage
	pages   atomic.Int64  // entries stored since the last emptying
	proofs  atomic.Int64  // proofs stored since the last emptying
	changes atomic.Uint64 // Invalidate calls so far
	epoch   atomic.Uint64 // Invalidate calls naming no tenant so far
}

// stamp is what a page was rendered under: its tenant's generation, and
// the cache's epoch, which a change naming no tenant (a lost
// notification) bumps.
type stamp struct{ epoch, gen uint64 }

// provedPage is what a URL proved (its viewer, shared with the store
// cache: read only) and the page it was answered with.
type provedPage struct {
	viewer *recrubo.EmbedViewer
	page   *cachedPage
}

type cachedPage struct {
	tenantID string
	stamp    stamp
	expires  time.Time
	title    string
	// parts alternate text and markers: text, marker, text, marker, ...
	parts [][]byte
	marks []string
	// token is the viewer's last session token, reused for a minute: the
	// key binds the same tenant, user, kind and record as the token.
	token atomic.Pointer[issuedToken]
}

type issuedToken struct {
	token string
	at    time.Time
}

// tokenReuse is how long a cached page hands out the same token.
const tokenReuse = time.Minute

// maxCachedPages bounds the cache; when full, it is emptied.
const maxCachedPages = 10000

// maxProofs bounds the remembered proofs; when full, they are forgotten
// (the pages stay). A proof is only remembered for a URL as a template
// writes it (rememberable), so a valid one has few forms.
const maxProofs = 10000

// NewEmbedPageCache returns a cache whose pages live at most ttl.
func NewEmbedPageCache(ttl time.Duration, now func() time.Time) *EmbedPageCache {
	if now == nil {
		now = time.Now
	}
	return &EmbedPageCache{ttl: ttl, now: now}
}

// Invalidate drops the pages of the change's tenant (every page when the
// change names none, as after a lost notification). Pass it to the
// store's Subscribe.
func (pc *EmbedPageCache) Invalidate(ch recrubo.Change) {
	// Counted first: a proof checked from here on is not remembered
	// (remember) until its check starts after this change.
	pc.changes.Add(1)
	if ch.TenantID == "" {
		pc.epoch.Add(1)
		pc.empty()
	}
	g, ok := pc.gen.Load(ch.TenantID)
	if !ok {
		g, _ = pc.gen.LoadOrStore(ch.TenantID, new(atomic.Uint64))
	}
	g.(*atomic.Uint64).Add(1)
}

// empty drops every page and proof.
func (pc *EmbedPageCache) empty() {
	pc.entries.Clear()
	pc.pages.Store(0)
	pc.forgetProofs()
}

// forgetProofs drops every remembered proof.
func (pc *EmbedPageCache) forgetProofs() {
	pc.proved.Clear()
	pc.proofs.Store(0)
}

func (pc *EmbedPageCache) get(key string) *cachedPage {
	v, ok := pc.entries.Load(key)
	if !ok {
		return nil
	}
	if e := v.(*cachedPage); pc.current(e) {
		return e
	}
	return nil
}

// current reports whether e may still be served. The stamp is read
// after the entry: a change that bumped it before the entry's look-up is
// seen.
func (pc *EmbedPageCache) current(e *cachedPage) bool {
	return e.stamp == pc.stampOf(e.tenantID) && pc.now().Before(e.expires)
}

// seen returns how many changes the cache has been told of; read it
// before checking a proof, for remember.
func (pc *EmbedPageCache) seen() uint64 { return pc.changes.Load() }

// remember keeps v and e as what url proved, unless a change arrived
// since seen (the check may have read data it replaced) or e is no longer
// current. A change arriving while it stores them takes them back.
func (pc *EmbedPageCache) remember(url string, seen uint64, v *recrubo.EmbedViewer, e *cachedPage) {
	if pc.changes.Load() != seen || !pc.current(e) {
		return
	}
	if pc.proofs.Load() >= maxProofs {
		pc.forgetProofs()
	}
	key, p := strings.Clone(url), &provedPage{viewer: v, page: e}
	if _, replaced := pc.proved.Swap(key, p); !replaced {
		pc.proofs.Add(1)
	}
	if pc.changes.Load() != seen {
		pc.proved.CompareAndDelete(key, p)
	}
}

// provedBy returns what url proved and its page, while the page is
// current.
func (pc *EmbedPageCache) provedBy(url string) *provedPage {
	v, ok := pc.proved.Load(url)
	if !ok {
		return nil
	}
	if p := v.(*provedPage); pc.current(p.page) {
		return p
	}
	return nil
}

// stampOf returns the tenant's stamp, read before loading the data a
// page is rendered from.
func (pc *EmbedPageCache) stampOf(tenantID string) stamp {
	st := stamp{epoch: pc.epoch.Load()}
	if g, ok := pc.gen.Load(tenantID); ok {
		st.gen = g.(*atomic.Uint64).Load()
	}
	return st
}

// put stores body, rendered from data of stamp st, split at the markers.
// A full cache is emptied first.
func (pc *EmbedPageCache) put(key, tenantID string, st stamp, title string, body []byte) *cachedPage {
	e := &cachedPage{tenantID: tenantID, stamp: st, expires: pc.now().Add(pc.ttl), title: title}
	e.split(body)
	if pc.pages.Load() >= maxCachedPages {
		pc.empty()
	}
	if _, replaced := pc.entries.Swap(key, e); !replaced {
		pc.pages.Add(1)
	}
	return e
}

// split cuts body at the markers into e's parts.
func (e *cachedPage) split(body []byte) {
	for {
		i, m := nextMarker(body)
		if i < 0 {
			e.parts = append(e.parts, bytes.Clone(body))
			return
		}
		e.parts = append(e.parts, bytes.Clone(body[:i]))
		e.marks = append(e.marks, m)
		body = body[i+len(m):]
	}
}

func nextMarker(b []byte) (int, string) {
	i, m := bytes.Index(b, []byte(nonceMarker)), nonceMarker
	if j := bytes.Index(b, []byte(tokenMarker)); j >= 0 && (i < 0 || j < i) {
		i, m = j, tokenMarker
	}
	return i, m
}

// invalidate drops the tenant's cached pages after an action of this
// server changed its data.
func (s *Server) invalidatePages(tenantID string) {
	if pc := s.deps.Embeds.Pages; pc != nil {
		pc.Invalidate(recrubo.Change{TenantID: tenantID})
	}
}

// write writes the page with this response's nonce and token.
func (e *cachedPage) write(r *fasthttp.Response, nonce []byte, token string) {
	for i, p := range e.parts {
		r.AppendBody(p)
		if i < len(e.marks) {
			if e.marks[i] == nonceMarker {
				r.AppendBody(nonce)
			} else {
				r.AppendBodyString(token)
			}
		}
	}
}

// serveCachedPage answers a framed page of kind from the cache,
// authenticating the load first (authenticateEmbedShared) and rendering
// the page on a miss; a URL whose proof it remembers (see above) is only
// checked for its framing. build returns the page's values (with
// tokenMarker as the token) and its title, for a viewer whose tenant and
// user it must not change.
func (s *Server) serveCachedPage(c *fiber.Ctx, kind recrubo.EmbedKind, page string, build func(v *recrubo.EmbedViewer) (templates.Values, string, error)) error {
	pc := s.deps.Embeds.Pages
	get := pc != nil && c.Method() == fiber.MethodGet // not HEAD, nor POST's session token
	var seen uint64
	if get {
		if p := pc.provedBy(c.OriginalURL()); p != nil && !s.deps.Embeds.Auth.MayHaveNewer(p.viewer.Tenant.ID) {
			hints := frameHintsOf(c)
			if err := hints.fetchedAsFrame(); err != nil {
				return err
			}
			if err := hints.framedBy(c, p.viewer.Tenant); err != nil {
				return err
			}
			return s.writeCachedPage(c, p.viewer, p.page)
		}
		seen = pc.seen()
	}
	v, byMirror, err := s.authenticateEmbedShared(c, kind)
	if err != nil || v == nil {
		return err // nil: the sign-in page was sent
	}
	e, err := s.cachedPage(v, page, build)
	if err != nil {
		return err
	}
	if get && byMirror && rememberable(c, v) {
		pc.remember(c.OriginalURL(), seen, v, e)
	}
	return s.writeCachedPage(c, v, e)
}

// maxProvedURL bounds the URLs whose proofs are remembered: a template's
// is about 250 bytes.
const maxProvedURL = 1024

// rememberable reports whether c's URL is one a template writes for v's
// page, so that a proof has few URLs to be remembered by: the page's path
// as the route spells it, and in the query only the proof's parameters,
// once each, encoded as fasthttp encodes them, the language (if any) as
// v has it. Anything else is checked every time.
func rememberable(c *fiber.Ctx, v *recrubo.EmbedViewer) bool {
	raw := c.Request().Header.RequestURI() // what the remembered proof is keyed by
	if len(raw) > maxProvedURL {
		return false
	}
	args := c.Context().QueryArgs()
	var seen [5]bool
	ok := true
	args.VisitAll(func(k, val []byte) {
		i := -1
		switch string(k) {
		case "rh":
			i = 0
		case "u":
			i = 1
		case "uh":
			i = 2
		case "dk":
			i = 3
		case "lang":
			i = 4
			ok = ok && string(val) == v.Lang
		}
		if i < 0 || seen[i] {
			ok = false
			return
		}
		seen[i] = true
	})
	// The whole request target, as sent: no fragment, no scheme and
	// host, no other spelling of the path or the query.
	return ok && string(raw) == embedPath(v.Tenant.Slug, v.Kind, v.RecordID)+"?"+string(args.QueryString())
}

// embedPath is the path of kind's page of record for the tenant of slug,
// as the routes spell it.
func embedPath(slug string, kind recrubo.EmbedKind, record string) string {
	switch kind {
	case recrubo.EmbedCandidate:
		return "/embed/" + slug + "/candidate/" + record
	case recrubo.EmbedVacancy:
		return "/embed/" + slug + "/vacancy/" + record
	}
	return "/embed/" + slug + "/dashboard"
}

// cachedPage returns v's page from the cache, rendering and caching it on
// a miss (see serveCachedPage).
func (s *Server) cachedPage(v *recrubo.EmbedViewer, page string, build func(v *recrubo.EmbedViewer) (templates.Values, string, error)) (*cachedPage, error) {
	pc := s.deps.Embeds.Pages
	key := v.Tenant.ID + "|" + string(v.Kind) + "|" + v.RecordID + "|" + v.User.ID + "|" + v.Lang + "|" +
		string(v.Proof) + "|" + strconv.FormatBool(v.Privileged)
	if pc != nil {
		if e := pc.get(key); e != nil {
			return e, nil
		}
	}
	var st stamp
	if pc != nil {
		st = pc.stampOf(v.Tenant.ID)
	}
	vals, title, err := build(v)
	if err != nil {
		return nil, err
	}
	lv := templates.Layout{Lang: templates.NormalizeLang(v.Lang), Title: title, StylesheetURL: s.deps.Assets.URL("app.css"),
		ScriptURL: s.deps.Assets.URL("app.js"), Nonce: nonceMarker}.Values()
	for k, val := range vals {
		lv[k] = val
	}
	var buf bytes.Buffer
	if err := s.deps.Templates.Render(&buf, page, lv); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", page, err)
	}
	if pc != nil {
		return pc.put(key, v.Tenant.ID, st, title, buf.Bytes()), nil
	}
	e := &cachedPage{}
	e.split(buf.Bytes())
	return e, nil
}

// writeCachedPage answers with e, filled in with a fresh nonce and v's
// session token (the same one for a minute).
func (s *Server) writeCachedPage(c *fiber.Ctx, v *recrubo.EmbedViewer, e *cachedPage) error {
	var nb [nonceLen]byte
	nonce, err := s.ids.nonce(nb[:0])
	if err != nil {
		return err
	}
	now := s.deps.Now()
	var token string
	if it := e.token.Load(); it != nil && now.Sub(it.at) < tokenReuse && !now.Before(it.at) {
		token = it.token
	} else {
		if token, _, err = embed.IssueToken(v, now); err != nil {
			return err
		}
		e.token.Store(&issuedToken{token: token, at: now})
	}
	setPageHeaders(c, fiber.StatusOK, nonce, v.Tenant.FrameOrigins)
	e.write(c.Response(), nonce, token)
	return nil
}
