package carerix

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestClassifyGraphQLError(t *testing.T) {
	tests := []struct {
		name      string
		err       gqlError
		wantKind  Kind
		wantScope string
	}{
		{"code unauthenticated", gqlError{Message: "x", Extensions: map[string]any{"code": "UNAUTHENTICATED"}}, ErrUnauthenticated, ""},
		{"classification unauthorized", gqlError{Message: "x", Extensions: map[string]any{"classification": "UNAUTHORIZED"}}, ErrUnauthenticated, ""},
		{"forbidden with scope list", gqlError{Message: "Access denied", Extensions: map[string]any{"code": "FORBIDDEN", "requiredScopes": []any{"urn:cx/cx5Wrapper:data:manage", "urn:cx/cx5Wrapper:data/cremployee:manage"}}},
			ErrMissingScope, "urn:cx/cx5Wrapper:data:manage"},
		{"forbidden scope in message", gqlError{Message: "missing scope urn:cx/webhooks:data:manage.", Extensions: map[string]any{"classification": "FORBIDDEN"}},
			ErrMissingScope, "urn:cx/webhooks:data:manage"},
		{"forbidden no scope", gqlError{Message: "no", Extensions: map[string]any{"code": "FORBIDDEN"}}, ErrForbidden, ""},
		{"message only scope", gqlError{Message: "Token needs one of the scopes: urn:cx/graphql:data:manage"}, ErrMissingScope, "urn:cx/graphql:data:manage"},
		{"not found code", gqlError{Message: "x", Extensions: map[string]any{"classification": "NOT_FOUND"}}, ErrNotFound, ""},
		{"not found message", gqlError{Message: "CREmployee 12 not found"}, ErrNotFound, ""},
		{"qualifier validation", gqlError{Message: "Invalid qualifier: unexpected token", Extensions: map[string]any{"classification": "ValidationError"}}, ErrInvalidQualifier, ""},
		{"qualifier message", gqlError{Message: "cannot parse qualifier near OR"}, ErrInvalidQualifier, ""},
		{"rate limit code", gqlError{Message: "slow down", Extensions: map[string]any{"code": "RATE_LIMITED"}}, ErrRateLimited, ""},
		{"rate limit message", gqlError{Message: "Rate limit exceeded"}, ErrRateLimited, ""},
		{"internal", gqlError{Message: "boom", Extensions: map[string]any{"classification": "INTERNAL_ERROR"}}, ErrServer, ""},
		{"unknown field, graphql-java", gqlError{Message: "Validation error (FieldUndefined@[crEmployeePage/items/x]) : Field 'x' in type 'CREmployee' is undefined", Extensions: map[string]any{"classification": "ValidationError"}}, ErrContract, ""},
		{"unknown field, graphql-go", gqlError{Message: `Cannot query field "stableHash" on type "CREmployee".`}, ErrContract, ""},
		{"unknown argument", gqlError{Message: `Unknown argument "sort" on field "crEmployeePage" of type "Query".`, Extensions: map[string]any{"code": "BAD_REQUEST"}}, ErrContract, ""},
		{"other validation", gqlError{Message: "Variable \"$q\" of type \"Int\" used in position expecting type \"String\".", Extensions: map[string]any{"classification": "ValidationError"}}, ErrBadRequest, ""},
		{"unknown", gqlError{Message: "something odd"}, ErrBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kind, scope, _ := classifyGraphQLError(tc.err)
			if kind != tc.wantKind || scope != tc.wantScope {
				t.Errorf("got %q %q, want %q %q", kind, scope, tc.wantKind, tc.wantScope)
			}
		})
	}
}

func TestGraphQLErrorPicksMostActionable(t *testing.T) {
	e := graphQLError("crEmployeePage", []gqlError{
		{Message: "CREmployee 1 not found"},
		{Message: "missing scope urn:cx/cx5Wrapper:data:manage"},
	})
	if e.Kind != ErrMissingScope || e.Scope != "urn:cx/cx5Wrapper:data:manage" {
		t.Errorf("got %+v", e)
	}
	if !errors.Is(e, ErrMissingScope) || errors.Is(e, ErrNotFound) {
		t.Error("errors.Is does not follow Kind")
	}
	wrapped := fmt.Errorf("syncing: %w", e)
	if ErrorKind(wrapped) != ErrMissingScope {
		t.Errorf("ErrorKind = %q", ErrorKind(wrapped))
	}
}

func TestKindForStatus(t *testing.T) {
	tests := []struct {
		status int
		scope  string
		want   Kind
	}{
		{401, "", ErrUnauthenticated},
		{403, "urn:cx/webhooks:data:manage", ErrMissingScope},
		{403, "", ErrForbidden},
		{404, "", ErrNotFound},
		{429, "", ErrRateLimited},
		{500, "", ErrServer},
		{503, "", ErrServer},
		{400, "", ErrBadRequest},
		{422, "", ErrBadRequest},
	}
	for _, tc := range tests {
		if got, _ := kindForStatus(tc.status, tc.scope); got != tc.want {
			t.Errorf("kindForStatus(%d, %q) = %q, want %q", tc.status, tc.scope, got, tc.want)
		}
	}
	if _, ok := kindForStatus(204, ""); ok {
		t.Error("204 classified as an error")
	}
}

func TestDescribeErrorBody(t *testing.T) {
	tests := []struct {
		body             string
		msg, code, scope string
	}{
		{`{"_kind":"Error","status":403,"message":"missing scope: token needs one of urn:cx/webhooks:data:manage, urn:cx/webhooks:data/webhooks:manage"}`,
			"missing scope: token needs one of urn:cx/webhooks:data:manage, urn:cx/webhooks:data/webhooks:manage", "", "urn:cx/webhooks:data:manage"},
		{`{"error":"invalid_client","error_description":"Invalid client credentials"}`, "Invalid client credentials", "invalid_client", ""},
		{`{"errors":[{"message":"Unauthorized","extensions":{"code":"UNAUTHENTICATED"}}]}`, "Unauthorized", "UNAUTHENTICATED", ""},
		{"upstream connect error", "upstream connect error", "", ""},
	}
	for _, tc := range tests {
		msg, code, scope := describeErrorBody([]byte(tc.body))
		if msg != tc.msg || code != tc.code || scope != tc.scope {
			t.Errorf("describeErrorBody(%s) = %q %q %q", tc.body, msg, code, scope)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":     0,
		"3":    3 * time.Second,
		" 2 ":  2 * time.Second,
		"0":    0,
		"-5":   0,
		"soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Minute).Format(http.TimeFormat):     0,
	}
	for in, want := range tests {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestBackoffFullJitter(t *testing.T) {
	c := &Client{cfg: Config{Retry: RetryPolicy{BaseBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}}}
	for try, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 30: time.Second} {
		for range 200 {
			if d := c.backoff(try); d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, outside [0, %v]", try, d, ceiling)
			}
		}
	}
}

func TestDecodeGraphQL(t *testing.T) {
	type item struct {
		When jsonTime `json:"when"`
	}
	tests := []struct {
		name string
		raw  string
		want Kind
	}{
		{"ok", `{"data":{"x":{"when":"2024-01-02 03:04:05"}}}`, ""},
		{"null data", `{"data":null}`, ErrProtocol},
		{"not json", `<html>`, ErrProtocol},
		{"bad date", `{"data":{"x":{"when":"soon"}}}`, ErrProtocol},
		{"errors after undecodable data", `{"data":{"x":{"when":"soon"}},"errors":[{"message":"x","extensions":{"code":"NOT_FOUND"}}]}`, ErrNotFound},
		{"errors with null data", `{"data":null,"errors":[{"message":"missing scope: needs one of urn:cx/graphql:data:manage","extensions":{"code":"FORBIDDEN"}}]}`, ErrMissingScope},
	}
	for _, tc := range tests {
		var out map[string]*item
		err := decodeGraphQL("op", []byte(tc.raw), &out)
		if got := ErrorKind(err); got != tc.want {
			t.Errorf("%s: kind %q (%v), want %q", tc.name, got, err, tc.want)
		}
		if tc.want == "" && (out["x"] == nil || out["x"].When.Hour() != 3) {
			t.Errorf("%s: decoded %+v", tc.name, out)
		}
	}
}
