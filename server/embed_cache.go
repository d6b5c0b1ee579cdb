package server

import (
	"bytes"
	"fmt"
	"strconv"
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
	gen     sync.Map     // tenant id → *atomic.Uint64, its generation (0 when absent)
	entries sync.Map     // key → *cachedPage
	count   atomic.Int64 // entries stored since the last emptying
}

type cachedPage struct {
	tenantID string
	gen      uint64
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
	if ch.TenantID == "" {
		pc.entries.Clear()
		pc.count.Store(0)
	}
	g, ok := pc.gen.Load(ch.TenantID)
	if !ok {
		g, _ = pc.gen.LoadOrStore(ch.TenantID, new(atomic.Uint64))
	}
	g.(*atomic.Uint64).Add(1)
}

func (pc *EmbedPageCache) get(key string) *cachedPage {
	v, ok := pc.entries.Load(key)
	if !ok {
		return nil
	}
	e := v.(*cachedPage)
	// The generation is read after the entry: a change that bumped it
	// before this look-up is seen.
	if e.gen != pc.generation(e.tenantID) || !pc.now().Before(e.expires) {
		return nil
	}
	return e
}

// generation returns the tenant's generation, read before loading the
// data a page is rendered from.
func (pc *EmbedPageCache) generation(tenantID string) uint64 {
	if g, ok := pc.gen.Load(tenantID); ok {
		return g.(*atomic.Uint64).Load()
	}
	return 0
}

// put stores body, rendered from data of generation gen, split at the
// markers.
func (pc *EmbedPageCache) put(key, tenantID string, gen uint64, title string, body []byte) *cachedPage {
	e := &cachedPage{tenantID: tenantID, gen: gen, expires: pc.now().Add(pc.ttl), title: title}
	e.split(body)
	if pc.count.Load() >= maxCachedPages {
		pc.entries.Clear()
		pc.count.Store(0)
	}
	if _, replaced := pc.entries.Swap(key, e); !replaced {
		pc.count.Add(1)
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

// serveCachedPage answers a framed page from the cache, rendering it
// first on a miss. build returns the page's values (with tokenMarker as
// the token) and its title. It only reads v.Tenant and v.User, which may
// be shared (authenticateEmbedShared).
func (s *Server) serveCachedPage(c *fiber.Ctx, v *recrubo.EmbedViewer, page string, build func() (templates.Values, string, error)) error {
	pc := s.deps.Embeds.Pages
	key := v.Tenant.ID + "|" + string(v.Kind) + "|" + v.RecordID + "|" + v.User.ID + "|" + v.Lang + "|" +
		string(v.Proof) + "|" + strconv.FormatBool(v.Privileged)
	var e *cachedPage
	if pc != nil {
		e = pc.get(key)
	}
	if e == nil {
		var gen uint64
		if pc != nil {
			gen = pc.generation(v.Tenant.ID)
		}
		vals, title, err := build()
		if err != nil {
			return err
		}
		lv := templates.Layout{Lang: templates.NormalizeLang(v.Lang), Title: title, StylesheetURL: s.deps.Assets.URL("app.css"),
			ScriptURL: s.deps.Assets.URL("app.js"), Nonce: nonceMarker}.Values()
		for k, val := range vals {
			lv[k] = val
		}
		var buf bytes.Buffer
		if err := s.deps.Templates.Render(&buf, page, lv); err != nil {
			return fmt.Errorf("rendering %s: %w", page, err)
		}
		if pc != nil {
			e = pc.put(key, v.Tenant.ID, gen, title, buf.Bytes())
		} else {
			e = &cachedPage{}
			e.split(buf.Bytes())
		}
	}
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
