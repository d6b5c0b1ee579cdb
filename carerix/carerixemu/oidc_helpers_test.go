package carerixemu_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

const (
	testPublic   = "inbox.apps.carerix.io"
	testRedirect = "https://recrubo.example/auth/callback"
	testOrigin   = "https://recrubo.example"
)

// startRealm runs an emulator with one public client and three seeded
// users (an administrator and two recruiters).
func startRealm(t *testing.T, mutate ...func(*carerixemu.Options)) (*carerixemu.Server, []carerixemu.User) {
	t.Helper()
	srv := start(t, append([]func(*carerixemu.Options){func(o *carerixemu.Options) {
		o.PublicClients = []carerixemu.PublicClient{{ID: testPublic,
			RedirectURIs: []string{testRedirect, "https://preview.recrubo.example/*"},
			WebOrigins:   []string{testOrigin}}}
	}}, mutate...)...)
	if _, err := srv.Seed(t.Context(), carerixemu.SeedOptions{Recruiters: 3, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	return srv, srv.Users()
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so a test sees each one.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a response with its body read.
type page struct {
	Status int
	Header http.Header
	Body   string
}

// location parses the Location header.
func (p page) location(t *testing.T) *url.URL {
	t.Helper()
	loc := p.Header.Get("Location")
	if loc == "" {
		t.Fatalf("no redirect: status %d, body %.300s", p.Status, p.Body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (p page) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(p.Body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// cookie returns the Set-Cookie header naming name, or "".
func (p page) cookie(name string) string {
	for _, c := range p.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, name+"=") {
			return c
		}
	}
	return ""
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
}

func (b *browser) get(u string) page {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// submitLogin fills in and posts the login form of a login page, as a
// browser would.
func (b *browser) submitLogin(srv *carerixemu.Server, login page, username, password string) page {
	b.t.Helper()
	if login.Status != http.StatusOK {
		b.t.Fatalf("expected the login page, got %d %s %.300s", login.Status, login.Header.Get("Location"), login.Body)
	}
	form := login.doc(b.t).Find("form#kc-form-login")
	action, ok := form.Attr("action")
	if !ok || form.Length() != 1 {
		b.t.Fatalf("no login form in %.500s", login.Body)
	}
	vals := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, in *goquery.Selection) {
		vals.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
	})
	vals.Set("username", username)
	vals.Set("password", password)
	target, err := url.Parse(srv.URL())
	if err != nil {
		b.t.Fatal(err)
	}
	ref, err := url.Parse(action)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.post(target.ResolveReference(ref).String(), vals)
}

// flow is one authorization request of a client.
type flow struct {
	cfg      oauth2.Config
	verifier string
	state    string
	nonce    string
}

func newFlow(srv *carerixemu.Server) *flow {
	iss := srv.Issuer() + "/protocol/openid-connect"
	return &flow{
		cfg: oauth2.Config{ClientID: testPublic, RedirectURL: testRedirect,
			// Public clients send client_id in the form; no probing.
			Endpoint: oauth2.Endpoint{AuthURL: iss + "/auth", TokenURL: iss + "/token", AuthStyle: oauth2.AuthStyleInParams},
			Scopes:   []string{oidc.ScopeOpenID, "profile", "email"}},
		verifier: oauth2.GenerateVerifier(),
		state:    oauth2.GenerateVerifier()[:20],
		nonce:    oauth2.GenerateVerifier()[:20],
	}
}

func (f *flow) authURL(extra ...oauth2.AuthCodeOption) string {
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.verifier), oidc.Nonce(f.nonce)}, extra...)
	return f.cfg.AuthCodeURL(f.state, opts...)
}

// code checks a redirect back to the client and returns its code.
func (f *flow) code(t *testing.T, p page) string {
	t.Helper()
	if p.Status != http.StatusFound {
		t.Fatalf("status %d, want a redirect back: %.300s", p.Status, p.Body)
	}
	loc := p.location(t)
	if base := loc.Scheme + "://" + loc.Host + loc.Path; base != f.cfg.RedirectURL {
		t.Fatalf("redirected to %s, want %s", loc, f.cfg.RedirectURL)
	}
	q := loc.Query()
	if q.Get("error") != "" || q.Get("code") == "" {
		t.Fatalf("redirect without a code: %s", loc)
	}
	if q.Get("state") != f.state {
		t.Fatalf("state = %q, want %q", q.Get("state"), f.state)
	}
	return q.Get("code")
}

// signIn runs the login-form path of a sign-in and returns the code.
func (f *flow) signIn(t *testing.T, b *browser, srv *carerixemu.Server, username, password string) string {
	t.Helper()
	return f.code(t, b.submitLogin(srv, b.get(f.authURL()), username, password))
}

func (f *flow) exchange(t *testing.T, code string) (*oauth2.Token, error) {
	t.Helper()
	return f.cfg.Exchange(t.Context(), code, oauth2.VerifierOption(f.verifier))
}

// grantError asserts an OAuth error from the token endpoint.
func grantError(t *testing.T, err error, code, desc string) {
	t.Helper()
	re, ok := err.(*oauth2.RetrieveError)
	if !ok {
		t.Fatalf("err = %v, want a token endpoint error %s %q", err, code, desc)
	}
	if re.ErrorCode != code || re.ErrorDescription != desc {
		t.Fatalf("token error = %s %q (HTTP %d), want %s %q", re.ErrorCode, re.ErrorDescription, re.Response.StatusCode, code, desc)
	}
}

// userInfoStatus calls userinfo with a bearer token.
func userInfoStatus(t *testing.T, srv *carerixemu.Server, tok string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.Issuer()+"/protocol/openid-connect/userinfo", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	p := newBrowser(t).do(req)
	return p.Status, p.Body
}
