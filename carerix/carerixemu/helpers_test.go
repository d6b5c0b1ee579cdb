package carerixemu_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

// testKey is one realm key shared by the tests, to keep them fast.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	testClient = "recrubo.apps.carerix.io"
	testSecret = "s3cr3t/with+chars"
)

// start runs an emulator for tenant "acme" with one client holding all
// scopes; mutate adjusts the options first.
func start(t *testing.T, mutate ...func(*carerixemu.Options)) *carerixemu.Server {
	t.Helper()
	o := carerixemu.Options{
		Tenant:     "acme",
		SigningKey: testKey(),
		Clients:    []carerixemu.Client{{ID: testClient, Secret: testSecret}},
	}
	for _, m := range mutate {
		m(&o)
	}
	return carerixemu.StartTest(t, o)
}

// tokenResp is the token endpoint's JSON.
type tokenResp struct {
	AccessToken      string `json:"access_token"`
	ExpiresIn        int    `json:"expires_in"`
	TokenType        string `json:"token_type"`
	Scope            string `json:"scope"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// requestToken posts form to the token endpoint, with HTTP Basic when
// basic is true.
func requestToken(t *testing.T, srv *carerixemu.Server, form url.Values, basic bool, id, secret string) (int, tokenResp) {
	t.Helper()
	if !basic {
		form.Set("client_id", id)
		form.Set("client_secret", secret)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr tokenResp
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
			t.Fatalf("decoding token response: %v", err)
		}
	}
	return resp.StatusCode, tr
}

// token gets an access token with the given scopes (none = all).
func token(t *testing.T, srv *carerixemu.Server, scopes ...string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	status, tr := requestToken(t, srv, form, true, testClient, testSecret)
	if status != http.StatusOK {
		t.Fatalf("token: status %d: %+v", status, tr)
	}
	return tr.AccessToken
}

// gqlError is one GraphQL error.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// gqlResp is a GraphQL response envelope.
type gqlResp struct {
	Status int
	Header http.Header
	Body   []byte
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

func (r gqlResp) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// gql posts a GraphQL request with a bearer token.
func gql(t testing.TB, srv *carerixemu.Server, tok, query string, vars map[string]any) gqlResp {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.GraphQLURL(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := gqlResp{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("decoding GraphQL response %q: %v", raw, err)
		}
	}
	return out
}

// mustData fails on a non-200 or error response and decodes data into out.
func mustData(t testing.TB, r gqlResp, out any) {
	t.Helper()
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("GraphQL failed: status %d: %s", r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decoding data %s: %v", r.Data, err)
	}
}

// adminCall sends a JSON request to the admin API.
func adminCall(t *testing.T, srv *carerixemu.Server, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+"/_emulator"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decoding: %v", method, path, err)
		}
	}
	return resp.StatusCode
}
