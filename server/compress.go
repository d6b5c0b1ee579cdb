package server

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// compressMin is the least body worth compressing on the fly. A body that
// with its headers fits TCP's initial window (10 segments, about 14 KB)
// reaches the client in one round trip compressed or not, so compressing
// it saves bytes but no time, and costs the server 50-100 µs of CPU
// (BENCHMARKS.md): more than the rest of serving a cached inbox page.
const compressMin = 12 << 10

// compress compresses an answer of at least compressMin bytes of HTML,
// JSON, CSS, JavaScript or SVG for a client that accepts it: gzip at its
// fastest level before brotli (which, at its fastest, takes twice the
// time for the same size), since a page is compressed anew for every
// request. An answer that chose its own encoding (the static assets,
// compressed once at startup, which vary by Accept-Encoding already,
// whichever they sent) is left alone. A compressed answer's entity
// tag becomes weak (it names the content, not these bytes); heldETag
// reads a weak tag a client sends back as the strong one the handler
// knows, as If-None-Match compares tags anyway.
func (s *Server) compress(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	resp := c.Response()
	body := resp.Body()
	if len(body) < compressMin || len(resp.Header.ContentEncoding()) > 0 || !compressible(resp.Header.ContentType()) ||
		bytes.Contains(resp.Header.Peek(fiber.HeaderVary), []byte(fiber.HeaderAcceptEncoding)) { // chose its encoding itself
		return nil
	}
	resp.Header.Add(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	var out []byte
	switch pickEncoding(string(c.Request().Header.Peek(fiber.HeaderAcceptEncoding)), "gzip", "br") {
	case "br":
		out = fasthttp.AppendBrotliBytesLevel(nil, body, fasthttp.CompressBrotliBestSpeed)
		resp.Header.SetContentEncoding("br")
	case "gzip":
		out = fasthttp.AppendGzipBytesLevel(nil, body, fasthttp.CompressBestSpeed)
		resp.Header.SetContentEncoding("gzip")
	default:
		return nil
	}
	if etag := resp.Header.Peek(fiber.HeaderETag); len(etag) > 0 && !bytes.HasPrefix(etag, []byte("W/")) {
		resp.Header.Set(fiber.HeaderETag, "W/"+string(etag))
	}
	resp.SetBodyRaw(out)
	return nil
}

// heldETag is the entity tag the request holds (If-None-Match), weak or
// not: compress makes the tags of the answers it compresses weak.
func heldETag(c *fiber.Ctx) string {
	return strings.TrimPrefix(c.Get(fiber.HeaderIfNoneMatch), "W/")
}

// pickEncoding returns the offer the Accept-Encoding value accept takes
// with the highest weight, the first of offers on a tie (ours, not the
// client's order: browsers list gzip before br), or "" when it takes
// none. A weight of 0 refuses an encoding; "*" stands for any not named.
func pickEncoding(accept string, offers ...string) string {
	if accept == "" {
		return ""
	}
	weights := map[string]float64{}
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		weights[strings.ToLower(strings.TrimSpace(name))] = q
	}
	best, bestQ := "", 0.0
	for _, o := range offers {
		q, ok := weights[o]
		if !ok {
			q = weights["*"]
		}
		if q > bestQ {
			best, bestQ = o, q
		}
	}
	return best
}

// compressible reports whether a response of content type ct shrinks
// when compressed (text, not images or files).
func compressible(ct []byte) bool {
	t := string(ct)
	for _, p := range []string{"text/", "application/json", "application/javascript", "image/svg+xml"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}
