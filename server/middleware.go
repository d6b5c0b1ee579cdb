package server

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// recoverPanics turns a panic in a handler into an internal error, logged
// with its stack, instead of a dropped connection.
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.ErrorContext(c.UserContext(), "panic in handler",
				slog.String("request_id", requestIDOf(c)), slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
			err = recrubo.WrapE(recrubo.EINTERNAL, fmt.Errorf("panic: %v", r), "error.internal")
		}
	}()
	return c.Next()
}

// requestID gives every request an id: the caller's X-Request-ID when it is
// short and plain (so ids can be followed across services without letting
// anyone inject text into our logs), else a fresh one. The id lives in
// the answer's X-Request-ID header, where requestIDOf reads it: setting
// it copies its bytes into the header, and nothing is allocated for a
// request that no log line or error names.
func (s *Server) requestID(c *fiber.Ctx) error {
	h := &c.Response().Header
	if id := c.Request().Header.PeekBytes(requestIDHeader); plainID(id) {
		h.SetCanonical(requestIDHeader, id)
	} else {
		var b [requestIDLen]byte
		h.SetCanonical(requestIDHeader, s.ids.requestID(b[:0]))
	}
	return c.Next()
}

// requestIDHeader is X-Request-ID in the canonical form fasthttp keeps
// header names in, so setting it neither normalizes nor converts.
var requestIDHeader = []byte("X-Request-Id")

// cspHeader is Content-Security-Policy, in canonical form.
var cspHeader = []byte(fiber.HeaderContentSecurityPolicy)

func plainID(s []byte) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch == '-' || ch == '_' || ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z') {
			return false
		}
	}
	return true
}

// requestIDOf is the id requestID gave the request ("" before it ran).
func requestIDOf(c *fiber.Ctx) string {
	return string(c.Response().Header.PeekBytes(requestIDHeader))
}

// routeOf returns the matched route pattern (not the raw path, which would
// explode metric cardinality and could carry ids). A matched route's Path
// is the pattern it was registered with, a string the app keeps; without
// a matched route, Fiber's Route() carries the request's path, which
// lives in a buffer Fiber reuses for the next request, and is never
// returned.
func routeOf(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && len(r.Handlers) > 0 && r.Path != "" && r.Path != "/" {
		return r.Path
	}
	return "unmatched"
}

// methodOf returns the request's method as a constant string: c.Method()
// points into a buffer Fiber reuses for the next request on the
// connection, so a metric label made from it would change afterwards
// ("GETD", "POS") and could collide with another label set. Methods
// outside HTTP's standard set are "other", keeping the label's values few.
func methodOf(c *fiber.Ctx) string {
	switch m := c.Method(); m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodPut:
		return fiber.MethodPut
	case fiber.MethodPatch:
		return fiber.MethodPatch
	case fiber.MethodDelete:
		return fiber.MethodDelete
	case fiber.MethodOptions:
		return fiber.MethodOptions
	case fiber.MethodConnect:
		return fiber.MethodConnect
	case fiber.MethodTrace:
		return fiber.MethodTrace
	}
	return "other"
}

// observe measures every request: its latency by route and status class
// into the metrics, and one structured line into the log. Errors reach
// the error handler here, so both see the status the client gets. The
// time a request waited for a change (answerOnChange) is left out of
// its latency and logged on its own.
func (s *Server) observe(c *fiber.Ctx) error {
	// fasthttp reads the clock as it hands the request over; a request
	// built in memory (tests) has no such time.
	start := c.Context().Time()
	if start.IsZero() {
		start = time.Now()
	}
	if err := c.Next(); err != nil {
		if herr := s.app.Config().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	waited := waitedOf(c)
	took := time.Since(start) - waited
	status := c.Response().StatusCode()
	method, route := methodOf(c), routeOf(c)
	s.metrics.observe(method, route, statusClass(status), took)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if !s.log.Enabled(c.UserContext(), level) {
		return nil
	}
	var room [7]slog.Attr // on the stack: slog copies what it keeps
	attrs := append(room[:0],
		slog.String("request_id", requestIDOf(c)),
		slog.String("method", method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", took),
		slog.Int("bytes", len(c.Response().Body())),
	)
	if waited > 0 {
		attrs = append(attrs, slog.Duration("waited", waited))
	}
	s.log.LogAttrs(c.UserContext(), level, "http request", attrs...)
	return nil
}

// statusClasses are the status label's values, so that labelling a
// request does not format one.
var statusClasses = [...]string{"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"}

// statusClass is the status label of status: "2xx" for 200 to 299.
func statusClass(status int) string {
	if c := status / 100; c >= 0 && c < len(statusClasses) {
		return statusClasses[c]
	}
	return strconv.Itoa(status/100) + "xx"
}

// securityHeaders sets the headers every response carries. Pages meant to
// be framed by Carerix set their own frame policy (setPageHeaders, as
// every HTML page does); any other answer may not be framed at all.
// The frame policy is set after the handler, when it set none (a panic
// too passes through here, on its way to recoverPanics), so that a page
// does not replace one set for nothing.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	for _, kv := range securityHeaderValues {
		h.SetCanonical(kv[0], kv[1])
	}
	defer func() {
		if len(h.PeekBytes(cspHeader)) == 0 {
			for _, kv := range frameHeaderValues {
				h.SetCanonical(kv[0], kv[1])
			}
		}
	}()
	return c.Next()
}

// securityHeaderValues are the headers securityHeaders sets before the
// handler, and frameHeaderValues those it sets after, in canonical form,
// so setting them neither normalizes nor converts.
var (
	securityHeaderValues = [...][2][]byte{
		{[]byte("X-Content-Type-Options"), []byte("nosniff")},
		{[]byte("Referrer-Policy"), []byte("no-referrer")},
	}
	frameHeaderValues = [...][2][]byte{
		{cspHeader, []byte("frame-ancestors 'none'")},
		{frameOptionsHeader, frameDeny},
	}
)
