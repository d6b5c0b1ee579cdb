package server

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/recrubo/recrubo-carerix/static"
	"github.com/recrubo/recrubo-carerix/templates"
)

// pageSecurity says who may frame a page: nobody (the default) or the
// tenant's Carerix origins.
type pageSecurity struct {
	// FrameOrigins, when set, replaces frame-ancestors 'none' with these
	// origins (already validated as scheme://host[:port]).
	FrameOrigins []string
}

// renderPage renders page inside the layout with a fresh CSP nonce and
// sends it as HTML. values holds the page's own values; title and lang
// fill the layout.
func (s *Server) renderPage(c *fiber.Ctx, status int, page, lang, title string, values templates.Values, sec pageSecurity) error {
	if s.deps.Templates == nil || s.deps.Assets == nil {
		return fmt.Errorf("rendering %s: the server has no templates or assets", page)
	}
	var nb [nonceLen]byte
	n, err := s.ids.nonce(nb[:0])
	if err != nil {
		return err
	}
	nonce := string(n)
	v := templates.Layout{
		Lang:          templates.NormalizeLang(lang),
		Title:         title,
		StylesheetURL: s.deps.Assets.URL("app.css"),
		ScriptURL:     s.deps.Assets.URL("app.js"),
		Nonce:         nonce,
	}.Values()
	for k, val := range values {
		v[k] = val
	}
	setPageHeaders(c, status, n, sec.FrameOrigins)
	if err := s.deps.Templates.Render(c.Response().BodyWriter(), page, v); err != nil {
		return fmt.Errorf("rendering %s: %w", page, err)
	}
	return nil
}

// setPageHeaders sets the status and headers of every HTML page: its
// content security policy with the page's nonce, framing by frameOrigins
// alone, and no caching. The policy is built on the stack and copied into
// the header: nothing is allocated.
func setPageHeaders(c *fiber.Ctx, status int, nonce []byte, frameOrigins []string) {
	var csp [512]byte
	h := &c.Response().Header
	h.SetCanonical(cspHeader, appendContentSecurityPolicy(csp[:0], nonce, frameOrigins))
	if len(frameOrigins) > 0 {
		// X-Frame-Options cannot name several origins; the CSP governs.
		h.DelBytes(frameOptionsHeader)
	} else {
		h.SetCanonical(frameOptionsHeader, frameDeny)
	}
	h.SetCanonical(cacheControlHeader, noStore)
	h.SetContentTypeBytes(htmlUTF8)
	h.SetStatusCode(status)
}

// The headers of every page, in the canonical form fasthttp keeps them
// in, so that setting them converts nothing.
var (
	frameOptionsHeader = []byte(fiber.HeaderXFrameOptions)
	frameDeny          = []byte("DENY")
	cacheControlHeader = []byte(fiber.HeaderCacheControl)
	noStore            = []byte("no-store")
	htmlUTF8           = []byte(fiber.MIMETextHTMLCharsetUTF8)
)

// appendContentSecurityPolicy appends the policy of every HTML page to
// dst: only our own assets, the page's nonce for scripts, and framing by
// frameOrigins alone ('none' when empty).
func appendContentSecurityPolicy(dst, nonce []byte, frameOrigins []string) []byte {
	dst = append(dst, "default-src 'none'; script-src 'nonce-"...)
	dst = append(dst, nonce...)
	dst = append(dst, "' 'strict-dynamic'; style-src 'self'; img-src 'self' data: blob:; "+
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors"...)
	if len(frameOrigins) == 0 {
		return append(dst, " 'none'"...)
	}
	for _, o := range frameOrigins {
		dst = append(append(dst, ' '), o...)
	}
	return dst
}

// handleStatic serves the content-hashed assets of package static, cached
// for a year since a changed file gets a new URL, in the encoding the
// client accepts (brotli before gzip), each compressed once at startup.
// Every representation has its own entity tag.
func (s *Server) handleStatic(c *fiber.Ctx) error {
	f, ok := s.deps.Assets.Lookup(c.Path())
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderCacheControl, static.CacheControlImmutable)
	body, etag := f.Body, f.ETag
	if f.Gzip != nil || f.Brotli != nil {
		c.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
		offers := make([]string, 0, 2)
		if f.Brotli != nil {
			offers = append(offers, "br")
		}
		if f.Gzip != nil {
			offers = append(offers, "gzip")
		}
		switch pickEncoding(string(c.Request().Header.Peek(fiber.HeaderAcceptEncoding)), offers...) {
		case "br":
			c.Set(fiber.HeaderContentEncoding, "br")
			body, etag = f.Brotli, f.BrotliETag
		case "gzip":
			c.Set(fiber.HeaderContentEncoding, "gzip")
			body, etag = f.Gzip, f.GzipETag
		}
	}
	c.Set(fiber.HeaderETag, etag)
	if heldETag(c) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(body)
}

// LoadPages returns the templates, translations and static files embedded
// in the binary: what Deps.Templates, Catalog and Assets take.
func LoadPages() (*templates.Registry, *templates.Catalog, *static.Assets, error) {
	tpl, err := templates.New()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("loading templates: %w", err)
	}
	cat, err := templates.NewCatalog()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("loading translations: %w", err)
	}
	assets, err := static.New()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("loading static assets: %w", err)
	}
	return tpl, cat, assets, nil
}
