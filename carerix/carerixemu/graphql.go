package carerixemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// graphQLPath is the GraphQL endpoint (Confirmed).
const graphQLPath = "/graphql/v1/graphql"

// maxGraphQLBody bounds request bodies (10 MB, third-party claim).
const maxGraphQLBody = 10 << 20

// Error codes in GraphQL errors' extensions.code.
const (
	CodeUnauthenticated  = "UNAUTHENTICATED"
	CodeForbidden        = "FORBIDDEN"
	CodeNotFound         = "NOT_FOUND"
	CodeInvalidQualifier = "INVALID_QUALIFIER"
	CodeBadRequest       = "BAD_REQUEST"
	CodeInternal         = "INTERNAL_SERVER_ERROR"
	CodeUnavailable      = "SERVICE_UNAVAILABLE"
)

// apiError is a resolver error carrying GraphQL extensions.
type apiError struct {
	code string
	msg  string
	ext  map[string]any
}

func (e *apiError) Error() string { return e.msg }

// Extensions implements graphql-go's ResolverError.
func (e *apiError) Extensions() map[string]any {
	m := map[string]any{"code": e.code}
	for k, v := range e.ext {
		m[k] = v
	}
	return m
}

// toAPIError maps a store, qualifier or webhook error to a GraphQL error.
func toAPIError(err error) error {
	var ae *apiError
	var qe *QualifierError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &qe):
		return &apiError{code: CodeInvalidQualifier, msg: qe.Error(), ext: map[string]any{"position": qe.Pos}}
	case errors.Is(err, ErrNotFound), errors.Is(err, webhooks.ErrNotFound):
		return &apiError{code: CodeNotFound, msg: err.Error()}
	case errors.Is(err, ErrInvalid), errors.Is(err, webhooks.ErrInvalid):
		return &apiError{code: CodeBadRequest, msg: err.Error()}
	}
	return &apiError{code: CodeInternal, msg: err.Error()}
}

func badRequest(format string, args ...any) error {
	return &apiError{code: CodeBadRequest, msg: fmt.Sprintf(format, args...)}
}

// reqState is the per-request state resolvers see through the context.
type reqState struct {
	p     principal
	mu    sync.Mutex
	fault *injected
	ops   map[string]bool // the root fields invoked so far
}

type reqStateKey struct{}

func stateFrom(ctx context.Context) *reqState {
	rs, _ := ctx.Value(reqStateKey{}).(*reqState)
	return rs
}

// gqlRequest is the POST body of a GraphQL request.
type gqlRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// writeGraphQLErrors writes a GraphQL envelope with one error and no data.
func writeGraphQLErrors(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{
		"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeFault answers with an injected failure, shaped like a gateway error.
func writeFault(w http.ResponseWriter, f injected) {
	if f.status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(f.retryAfter)))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(f.status)
	fmt.Fprintf(w, "%d %s\n", f.status, http.StatusText(f.status))
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// handleGraphQL serves POST /graphql/v1/graphql.
func (s *Server) handleGraphQL(w http.ResponseWriter, r *http.Request) {
	s.faults.count(func(st *Stats) { st.GraphQLRequests++ })
	sleep(r.Context(), s.faults.latency())
	if f, ok := s.faults.httpFault(); ok {
		writeFault(w, f)
		return
	}
	p, err := s.ident.verify(r, s.baseFor(r))
	if err != nil {
		s.faults.count(func(st *Stats) { st.Unauthenticated++ })
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+s.opts.Realm+`", error="invalid_token"`)
		writeGraphQLErrors(w, http.StatusUnauthorized, CodeUnauthenticated, err.Error())
		return
	}
	var req gqlRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxGraphQLBody))
	if err := dec.Decode(&req); err != nil {
		writeGraphQLErrors(w, http.StatusBadRequest, CodeBadRequest, "request body is not a GraphQL JSON request: "+err.Error())
		return
	}
	if req.Query == "" {
		writeGraphQLErrors(w, http.StatusBadRequest, CodeBadRequest, "request has no query")
		return
	}
	rs := &reqState{p: p}
	ctx := context.WithValue(r.Context(), reqStateKey{}, rs)
	resp := s.served.Load().schema.Exec(ctx, req.Query, req.OperationName, req.Variables)
	rs.mu.Lock()
	fault := rs.fault
	rs.mu.Unlock()
	if fault != nil {
		writeFault(w, *fault)
		return
	}
	for _, e := range resp.Errors {
		if _, ok := e.Extensions["code"]; !ok {
			if e.Extensions == nil {
				e.Extensions = map[string]any{}
			}
			e.Extensions["code"] = CodeBadRequest
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// guard authorises one root field for the current request, counts it and
// applies operation faults. page is the requested page, or -1.
func (s *Server) guard(ctx context.Context, op string, page int) error {
	rs := stateFrom(ctx)
	if rs == nil {
		return &apiError{code: CodeUnauthenticated, msg: "no authenticated request"}
	}
	rs.mu.Lock()
	first := !rs.ops[op]
	if first {
		if rs.ops == nil {
			rs.ops = map[string]bool{}
		}
		rs.ops[op] = true
	}
	rs.mu.Unlock()
	s.faults.countCall(op, first)
	required := operationScopes[op]
	if len(required) == 0 || !hasAnyScope(rs.p.scopes, required) {
		return &apiError{code: CodeForbidden, msg: scopeMessage(op, required), ext: map[string]any{
			"operation":      op,
			"requiredScopes": required,
			"grantedScopes":  rs.p.scopes,
		}}
	}
	if f, ok := s.faults.opFault(op, page); ok {
		rs.mu.Lock()
		if rs.fault == nil {
			rs.fault = &f
		}
		rs.mu.Unlock()
		return &apiError{code: CodeUnavailable, msg: "injected failure"}
	}
	return nil
}
