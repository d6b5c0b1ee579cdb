package carerix

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// graphQLPath is the GraphQL endpoint below APIBaseURL.
const graphQLPath = "/graphql/v1/graphql"

// gqlRequest is the POST body of a GraphQL call.
type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

// gqlError is one entry of the GraphQL "errors" array.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// graphQL runs one query or mutation and decodes its "data" into out
// (a pointer). Non-idempotent operations (creates) are retried only when
// Carerix explicitly rate-limited them.
func (c *Client) graphQL(ctx context.Context, op, query string, vars map[string]any, out any, idempotent bool) error {
	body, err := json.Marshal(gqlRequest{Query: query, Variables: vars})
	if err != nil {
		return fmt.Errorf("carerix %s: encoding request: %w", op, err)
	}
	_, err = c.do(ctx, apiRequest{
		op:         op,
		method:     http.MethodPost,
		path:       graphQLPath,
		body:       body,
		idempotent: idempotent,
		check:      func(raw []byte) error { return decodeGraphQL(op, raw, out) },
	})
	return err
}

// decodeGraphQL decodes a GraphQL response in one pass, "data" straight
// into out. Errors in the envelope take precedence over decoding problems.
func decodeGraphQL(op string, raw []byte, out any) error {
	env := struct {
		Data   any        `json:"data"`
		Errors []gqlError `json:"errors"`
	}{Data: out}
	decErr := json.Unmarshal(raw, &env)
	if decErr != nil && len(env.Errors) == 0 {
		// A failing custom decoder aborts early; the errors may follow.
		var onlyErrors struct {
			Errors []gqlError `json:"errors"`
		}
		if json.Unmarshal(raw, &onlyErrors) == nil {
			env.Errors = onlyErrors.Errors
		}
	}
	switch {
	case len(env.Errors) > 0:
		return graphQLError(op, env.Errors)
	case decErr != nil:
		return &Error{Kind: ErrProtocol, Op: op, Message: "decoding response", Err: decErr}
	case env.Data == nil:
		return &Error{Kind: ErrProtocol, Op: op, Message: "response has null data"}
	}
	return nil
}

// graphQLError converts GraphQL errors to one *Error. When several errors
// are present the most actionable one decides the kind (authentication
// before scope before throttling before the rest); all messages are kept.
func graphQLError(op string, errs []gqlError) *Error {
	best := -1
	var bestKind Kind
	var bestScope, bestCode string
	var bestScopes []string
	msgs := make([]string, 0, len(errs))
	for i, ge := range errs {
		kind, scope, code := classifyGraphQLError(ge)
		msgs = append(msgs, ge.Message)
		if best < 0 || kindPriority(kind) < kindPriority(bestKind) {
			best, bestKind, bestScope, bestCode = i, kind, scope, code
			bestScopes = nil
			if kind == ErrMissingScope {
				bestScopes = extScopes(ge.Extensions)
				if len(bestScopes) == 0 {
					bestScopes = findScopes(ge.Message)
				}
			}
		}
	}
	msg := errs[best].Message
	if len(msgs) > 1 {
		msg = strings.Join(msgs, "; ")
	}
	return &Error{Kind: bestKind, Op: op, Message: msg, Scope: bestScope, Scopes: bestScopes, Code: bestCode}
}

// kindPriority orders kinds by how much they explain a failure.
func kindPriority(k Kind) int {
	switch k {
	case ErrUnauthenticated:
		return 0
	case ErrMissingScope:
		return 1
	case ErrForbidden:
		return 2
	case ErrRateLimited:
		return 3
	case ErrContract:
		return 4
	case ErrInvalidQualifier:
		return 5
	case ErrNotFound:
		return 6
	case ErrBadRequest:
		return 7
	default:
		return 8
	}
}

// classifyGraphQLError derives the kind of one GraphQL error from its
// extensions (code / classification / errorType) and, failing that, from
// its message. Carerix does not document its error codes, so both the
// common GraphQL server conventions and message wording are used.
func classifyGraphQLError(ge gqlError) (kind Kind, scope, code string) {
	code = extString(ge.Extensions, "code", "classification", "errorType", "type")
	scope = extScope(ge.Extensions)
	if scope == "" {
		scope = findScope(ge.Message)
	}
	msg := strings.ToLower(ge.Message)
	switch strings.ToUpper(strings.ReplaceAll(code, "-", "_")) {
	case "UNAUTHENTICATED", "UNAUTHORIZED", "INVALID_TOKEN":
		return ErrUnauthenticated, "", code
	case "FORBIDDEN", "MISSING_SCOPE", "INSUFFICIENT_SCOPE", "ACCESS_DENIED":
		if scope != "" || strings.Contains(msg, "scope") {
			return ErrMissingScope, scope, code
		}
		return ErrForbidden, "", code
	case "NOT_FOUND", "NOTFOUND":
		return ErrNotFound, "", code
	case "RATE_LIMITED", "TOO_MANY_REQUESTS", "THROTTLED":
		return ErrRateLimited, "", code
	case "INVALID_QUALIFIER", "QUALIFIER_ERROR":
		return ErrInvalidQualifier, "", code
	case "INTERNAL_ERROR", "INTERNAL_SERVER_ERROR", "SERVER_ERROR":
		return ErrServer, "", code
	case "BAD_REQUEST", "VALIDATIONERROR", "VALIDATION_ERROR", "INVALIDSYNTAX", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "BAD_USER_INPUT":
		if strings.Contains(msg, "qualifier") {
			return ErrInvalidQualifier, "", code
		}
		if isSchemaMismatch(ge.Message) {
			return ErrContract, "", code
		}
		return ErrBadRequest, "", code
	}
	switch {
	case !strings.Contains(msg, "qualifier") && isSchemaMismatch(ge.Message):
		return ErrContract, "", code
	case scope != "" || strings.Contains(msg, "scope"):
		return ErrMissingScope, scope, code
	case strings.Contains(msg, "unauthenticated"), strings.Contains(msg, "unauthorized"),
		strings.Contains(msg, "invalid token"), strings.Contains(msg, "token expired"), strings.Contains(msg, "expired token"):
		return ErrUnauthenticated, "", code
	case strings.Contains(msg, "rate limit"), strings.Contains(msg, "too many requests"):
		return ErrRateLimited, "", code
	case strings.Contains(msg, "qualifier"):
		return ErrInvalidQualifier, "", code
	case strings.Contains(msg, "not found"), strings.Contains(msg, "does not exist"), strings.Contains(msg, "no such"):
		return ErrNotFound, "", code
	case strings.Contains(msg, "forbidden"), strings.Contains(msg, "access denied"), strings.Contains(msg, "permission"):
		return ErrForbidden, "", code
	case strings.Contains(msg, "internal"):
		return ErrServer, "", code
	}
	return ErrBadRequest, "", code
}

// extString returns the first string value among keys of ext.
func extString(ext map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := ext[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// extScope returns the first scope named in the extensions.
func extScope(ext map[string]any) string {
	if s := extScopes(ext); len(s) > 0 {
		return s[0]
	}
	return ""
}

// extScopes returns the scopes named in the extensions: a string under
// "scope", or the entries of a list under "requiredScopes", "scopes",
// "anyScope" or "missingScopes". Granted scopes are not looked at.
func extScopes(ext map[string]any) []string {
	if s, ok := ext["scope"].(string); ok {
		if f := findScopes(s); len(f) > 0 {
			return f
		}
	}
	for _, k := range []string{"requiredScopes", "scopes", "anyScope", "missingScopes"} {
		list, _ := ext[k].([]any)
		var texts []string
		for _, v := range list {
			if s, ok := v.(string); ok {
				texts = append(texts, s)
			}
		}
		if f := findScopes(texts...); len(f) > 0 {
			return f
		}
	}
	return nil
}

// describeErrorBody extracts a message, code and scope from an error
// response body: an OAuth2-style {error, error_description}, a
// {message}/{code} object, a GraphQL envelope, or plain text.
func describeErrorBody(body []byte) (msg, code, scope string) {
	var v struct {
		Message          string     `json:"message"`
		Error            any        `json:"error"`
		ErrorDescription string     `json:"error_description"`
		Code             any        `json:"code"`
		Scope            string     `json:"scope"`
		Errors           []gqlError `json:"errors"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		text := strings.TrimSpace(string(body))
		return truncate(text, 300), "", findScope(text)
	}
	switch {
	case v.Message != "":
		msg = v.Message
	case v.ErrorDescription != "":
		msg = v.ErrorDescription
	case len(v.Errors) > 0:
		msg = v.Errors[0].Message
		scope = extScope(v.Errors[0].Extensions)
		code = extString(v.Errors[0].Extensions, "code", "classification")
	}
	if s, ok := v.Error.(string); ok {
		if msg == "" {
			msg = s
		}
		if code == "" {
			code = s
		}
	}
	if s, ok := v.Code.(string); ok && code == "" {
		code = s
	}
	if scope == "" {
		scope = findScope(v.Scope, msg)
	}
	return truncate(msg, 300), code, scope
}
