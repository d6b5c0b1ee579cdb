package carerix

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Kind classifies an *Error. Every Kind is itself an error so it can be
// used as a sentinel: errors.Is(err, carerix.ErrNotFound).
type Kind string

// Error kinds. Compare with errors.Is, or read (*Error).Kind.
const (
	// ErrUnauthenticated: the credentials or the token were rejected
	// (token endpoint refusal, HTTP 401, GraphQL "unauthorized").
	ErrUnauthenticated Kind = "unauthenticated"
	// ErrMissingScope: the token lacks a scope the operation requires;
	// (*Error).Scope names it when Carerix did.
	ErrMissingScope Kind = "missing scope"
	// ErrForbidden: HTTP 403 that names no scope.
	ErrForbidden Kind = "forbidden"
	// ErrNotFound: the record or resource does not exist.
	ErrNotFound Kind = "not found"
	// ErrInvalidQualifier: Carerix could not parse or evaluate a qualifier.
	ErrInvalidQualifier Kind = "invalid qualifier"
	// ErrRateLimited: throttled by Carerix (HTTP 429 or a GraphQL rate
	// limit error) and retries were exhausted.
	ErrRateLimited Kind = "rate limited"
	// ErrServer: Carerix failed (HTTP 5xx, GraphQL internal error) or the
	// connection failed, and retries were exhausted.
	ErrServer Kind = "server error"
	// ErrBadRequest: Carerix rejected the request as malformed (other
	// HTTP 4xx, GraphQL validation errors).
	ErrBadRequest Kind = "bad request"
	// ErrProtocol: the response could not be understood (not JSON, wrong
	// shape, unparseable dates).
	ErrProtocol Kind = "unexpected response"
	// ErrContract: the tenant's GraphQL schema does not offer what the
	// product needs: a query named a field, argument or type the tenant
	// does not have (its schema changed since the contract was read), or
	// the contract lacks a required need. The message names the Carerix
	// type, the field and the names tried. Retrying the same request
	// cannot help; reading the contract again may.
	ErrContract Kind = "contract"
	// ErrBadSignature: a webhook signature is missing or does not verify.
	// Returned (wrapped) by SignatureVerifier implementations.
	ErrBadSignature Kind = "bad webhook signature"
)

// Error implements error so a Kind is a sentinel.
func (k Kind) Error() string { return "carerix: " + string(k) }

// Error is the error returned for every failed Carerix call.
type Error struct {
	// Kind classifies the failure; see the Err* constants.
	Kind Kind
	// Op names the operation, e.g. "crEmployeePage" or
	// "GET /webhooks/v1/applications".
	Op string
	// Message is Carerix's own message, when it sent one.
	Message string
	// Scope is the missing OAuth2 scope for ErrMissingScope, when named.
	// When Carerix lists several acceptable scopes it is the first.
	Scope string
	// Scopes lists every acceptable scope Carerix named, if it named a
	// set (any one of them would do).
	Scopes []string
	// Code is the GraphQL extensions code/classification or the OAuth2
	// error code, when present.
	Code string
	// StatusCode is the HTTP status, or 0 when none was received.
	StatusCode int
	// RetryAfter is the server-requested wait for ErrRateLimited and
	// ErrServer responses that carried Retry-After.
	RetryAfter time.Duration
	// Attempts is how many HTTP attempts were made.
	Attempts int
	// Err is the underlying cause, if any.
	Err error
}

// Error formats the failure with every populated detail.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("carerix")
	if e.Op != "" {
		b.WriteString(" ")
		b.WriteString(e.Op)
	}
	b.WriteString(": ")
	b.WriteString(string(e.Kind))
	if e.Scope != "" {
		b.WriteString(" ")
		b.WriteString(e.Scope)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel Kind of e.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// retryable reports whether a failure of this kind may succeed when the
// same request is sent again.
func (e *Error) retryable() bool {
	switch e.Kind {
	case ErrRateLimited:
		return true
	case ErrServer:
		// Only gateway-ish statuses and connection failures; a GraphQL
		// internal error (HTTP 200 + errors) is usually deterministic.
		return e.StatusCode == 0 && e.Err != nil || e.StatusCode == http.StatusBadGateway ||
			e.StatusCode == http.StatusServiceUnavailable || e.StatusCode == http.StatusGatewayTimeout
	}
	return false
}

// ErrorKind returns the Kind of err, or "" if err is not a Carerix error.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var k Kind
	if errors.As(err, &k) {
		return k
	}
	return ""
}

// unknownFieldPatterns find a field a GraphQL server does not know, with
// its type: graphql-go and graphql-js ("Cannot query field \"x\" on type
// \"T\"."), graphql-java ("Field 'x' in type 'T' is undefined").
var unknownFieldPatterns = []*regexp.Regexp{
	regexp.MustCompile(`Cannot query field ["']([A-Za-z_][A-Za-z0-9_]*)["'] on type ["']([A-Za-z_][A-Za-z0-9_]*)["']`),
	regexp.MustCompile(`Field ["']([A-Za-z_][A-Za-z0-9_]*)["'] in type ["']([A-Za-z_][A-Za-z0-9_]*)["'] is undefined`),
}

// schemaMismatchWords mark other validation errors about names the schema
// lacks: unknown arguments, input fields and types.
var schemaMismatchWords = []string{"unknown argument", "unknownargument", "unknown type", "unknowntype",
	"unknown field", "fieldundefined", "is not defined by type", "contains a field not in", "cannot query field"}

// unknownField returns the field and type a validation message says are
// unknown.
func unknownField(msg string) (field, typ string, ok bool) {
	for _, p := range unknownFieldPatterns {
		if m := p.FindStringSubmatch(msg); m != nil {
			return m[1], m[2], true
		}
	}
	return "", "", false
}

// isSchemaMismatch reports whether a GraphQL error message says the query
// named something the schema does not have.
func isSchemaMismatch(msg string) bool {
	if _, _, ok := unknownField(msg); ok {
		return true
	}
	low := strings.ToLower(msg)
	for _, w := range schemaMismatchWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// scopePattern finds an OAuth2 scope code such as urn:cx/webhooks:data:manage.
var scopePattern = regexp.MustCompile(`urn:[A-Za-z0-9._-]+/[A-Za-z0-9._/:-]*[A-Za-z0-9_/-]`)

// findScopes returns every distinct scope code mentioned in texts.
func findScopes(texts ...string) []string {
	var out []string
	for _, t := range texts {
		for _, s := range scopePattern.FindAllString(t, -1) {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// findScope returns the first scope code mentioned in any of texts.
func findScope(texts ...string) string {
	for _, t := range texts {
		if s := scopePattern.FindString(t); s != "" {
			return s
		}
	}
	return ""
}

// kindForStatus maps an HTTP error status to a Kind. scope is the scope
// named in the body, if any. ok is false for statuses that are not errors.
func kindForStatus(status int, scope string) (Kind, bool) {
	switch {
	case status < 400:
		return "", false
	case status == http.StatusUnauthorized:
		return ErrUnauthenticated, true
	case status == http.StatusForbidden:
		if scope != "" {
			return ErrMissingScope, true
		}
		return ErrForbidden, true
	case status == http.StatusNotFound:
		return ErrNotFound, true
	case status == http.StatusTooManyRequests:
		return ErrRateLimited, true
	case status >= 500:
		return ErrServer, true
	default:
		return ErrBadRequest, true
	}
}
