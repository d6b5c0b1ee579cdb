package carerixemu_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func TestDiscoveryDescribesTheCodeFlow(t *testing.T) {
	srv, _ := startRealm(t)
	var d map[string]any
	p := newBrowser(t).get(srv.Issuer() + "/.well-known/openid-configuration")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	if err := json.Unmarshal([]byte(p.Body), &d); err != nil {
		t.Fatal(err)
	}
	oidcBase := srv.Issuer() + "/protocol/openid-connect"
	for k, want := range map[string]string{
		"issuer":                 srv.Issuer(),
		"authorization_endpoint": oidcBase + "/auth",
		"token_endpoint":         srv.TokenURL(),
		"userinfo_endpoint":      oidcBase + "/userinfo",
		"jwks_uri":               oidcBase + "/certs",
		"end_session_endpoint":   oidcBase + "/logout",
	} {
		if d[k] != want {
			t.Errorf("%s = %v, want %s", k, d[k], want)
		}
	}
	list := func(k string) []string {
		var out []string
		for _, v := range d[k].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	for k, want := range map[string][]string{
		"response_types_supported":              {"code"},
		"code_challenge_methods_supported":      {"S256"},
		"id_token_signing_alg_values_supported": {"RS256"},
		"subject_types_supported":               {"public"},
	} {
		if got := list(k); !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	for k, must := range map[string][]string{
		"grant_types_supported":                 {"authorization_code", "client_credentials"},
		"scopes_supported":                      {"openid", "profile", "email", carerixemu.ScopeCx5Manage},
		"token_endpoint_auth_methods_supported": {"none", "client_secret_basic", "client_secret_post"},
	} {
		for _, m := range must {
			if !slices.Contains(list(k), m) {
				t.Errorf("%s = %v lacks %s", k, list(k), m)
			}
		}
	}
	// A standard client accepts the document (issuer matches its URL).
	if _, err := oidc.NewProvider(t.Context(), srv.Issuer()); err != nil {
		t.Fatalf("go-oidc refuses the discovery document: %v", err)
	}
}

// idClaims are the claims a product reads from the ID token.
type idClaims struct {
	Sub               string `json:"sub"`
	Azp               string `json:"azp"`
	AuthTime          int64  `json:"auth_time"`
	PreferredUsername string `json:"preferred_username"`
	Email             string `json:"email"`
	Name              string `json:"name"`
	GivenName         string `json:"given_name"`
	FamilyName        string `json:"family_name"`
	Typ               string `json:"typ"`
	Scope             string `json:"scope"`
	RealmAccess       struct {
		Roles []string `json:"roles"`
	} `json:"realm_access"`
}

func TestCodeFlowWithOAuth2AndGoOIDC(t *testing.T) {
	srv, users := startRealm(t)
	admin := users[0]
	ctx := t.Context()
	provider, err := oidc.NewProvider(ctx, srv.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	f := newFlow(srv)
	f.cfg.Endpoint = provider.Endpoint()
	b := newBrowser(t)

	login := b.get(f.authURL())
	if login.Status != http.StatusOK || login.doc(t).Find("form#kc-form-login").Length() != 1 {
		t.Fatalf("no login page: %d %.300s", login.Status, login.Body)
	}
	if c := login.cookie(carerixemu.AuthSessionCookieName); !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
		t.Errorf("auth session cookie %q", c)
	}
	back := b.submitLogin(srv, login, admin.UserName, carerixemu.DefaultUserPassword)
	code := f.code(t, back)
	if q := back.location(t).Query(); q.Get("iss") != srv.Issuer() || q.Get("session_state") == "" {
		t.Errorf("redirect lacks iss or session_state: %s", back.location(t))
	}
	sso := back.cookie(carerixemu.SSOCookieName)
	for _, attr := range []string{"Path=/auth/realms/acme/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(sso, attr) {
			t.Errorf("SSO cookie %q lacks %s", sso, attr)
		}
	}
	if strings.Contains(sso, "Secure") {
		t.Errorf("SSO cookie %q is Secure on an http base URL", sso)
	}

	tok, err := f.cfg.Exchange(ctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatalf("exchanging the code: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: testPublic}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("ID token does not verify: %v", err)
	}
	if idt.Nonce != f.nonce {
		t.Errorf("nonce = %q, want %q", idt.Nonce, f.nonce)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	parsed, _, err := jwt.NewParser().ParseUnverified(rawID, jwt.MapClaims{})
	if err != nil || parsed.Header["kid"] == nil || parsed.Header["alg"] != "RS256" {
		t.Errorf("ID token header %v (%v), want RS256 with a kid", parsed.Header, err)
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	want := idClaims{Sub: srv.UserSubject(admin.ID), Azp: testPublic, PreferredUsername: admin.UserName,
		Email: *admin.EmailAddress, Name: *admin.FirstName + " " + *admin.LastName,
		GivenName: *admin.FirstName, FamilyName: *admin.LastName, Typ: "ID"}
	want.RealmAccess.Roles = []string{carerixemu.RoleAdministrator, carerixemu.RoleRecruiter}
	want.AuthTime = c.AuthTime
	if c.Sub != want.Sub || c.Azp != want.Azp || c.PreferredUsername != want.PreferredUsername || c.Email != want.Email ||
		c.Name != want.Name || c.GivenName != want.GivenName || c.FamilyName != want.FamilyName || c.Typ != "ID" ||
		!slices.Equal(c.RealmAccess.Roles, want.RealmAccess.Roles) {
		t.Errorf("ID token claims\n got %+v\nwant %+v", c, want)
	}
	if d := time.Since(time.Unix(c.AuthTime, 0)); d < 0 || d > time.Minute {
		t.Errorf("auth_time %d is not the login time", c.AuthTime)
	}
	if _, err := uuid.Parse(c.Sub); err != nil {
		t.Errorf("sub %q is not a UUID", c.Sub)
	}

	// The access token carries the same user claims.
	var ac idClaims
	unverifiedClaims(t, tok.AccessToken, &ac)
	if ac.Typ != "Bearer" || ac.Sub != want.Sub || ac.PreferredUsername != want.PreferredUsername ||
		!slices.Equal(ac.RealmAccess.Roles, want.RealmAccess.Roles) || !strings.Contains(ac.Scope, "openid") {
		t.Errorf("access token claims %+v", ac)
	}

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var ic idClaims
	if err := info.Claims(&ic); err != nil {
		t.Fatal(err)
	}
	if info.Subject != want.Sub || info.Email != want.Email || ic.PreferredUsername != want.PreferredUsername ||
		ic.GivenName != want.GivenName || ic.FamilyName != want.FamilyName || !slices.Equal(ic.RealmAccess.Roles, want.RealmAccess.Roles) {
		t.Errorf("userinfo = %+v %+v", info, ic)
	}

	// The same browser signs in again without a password.
	f2 := newFlow(srv)
	f2.code(t, b.get(f2.authURL()))

	st := srv.Stats().Realm
	if st.AuthorizeRequests != 2 || st.LoginsOK != 1 || st.LoginsFailed != 0 || st.CodesIssued != 2 ||
		st.CodeGrants != 1 || st.UserInfoRequests != 1 {
		t.Errorf("stats = %+v", st)
	}
}

// unverifiedClaims decodes a JWT's claims without checking it.
func unverifiedClaims(t *testing.T, raw string, dst any) {
	t.Helper()
	var m jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(raw, &m); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		t.Fatal(err)
	}
}

func TestCodeGrantRefusals(t *testing.T) {
	clk := newClock()
	srv, users := startRealm(t, func(o *carerixemu.Options) { o.Now = clk.Now })
	b := newBrowser(t)
	newFlow(srv).signIn(t, b, srv, users[1].UserName, carerixemu.DefaultUserPassword)
	// Further codes come from the browser's SSO session.
	signIn := func(b *browser) (*flow, string) {
		f := newFlow(srv)
		return f, f.code(t, b.get(f.authURL()))
	}

	t.Run("WrongVerifierThenRightVerifier", func(t *testing.T) {
		f, code := signIn(b)
		_, err := f.cfg.Exchange(t.Context(), code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
		grantError(t, err, "invalid_grant", "PKCE verification failed")
		// The failed attempt used the code up.
		_, err = f.exchange(t, code)
		grantError(t, err, "invalid_grant", "Code not valid")
	})
	t.Run("MissingVerifier", func(t *testing.T) {
		f, code := signIn(b)
		_, err := f.cfg.Exchange(t.Context(), code)
		grantError(t, err, "invalid_grant", "PKCE code verifier not specified")
	})
	t.Run("ReusedCodeRevokesItsTokens", func(t *testing.T) {
		f, code := signIn(b)
		tok, err := f.exchange(t, code)
		if err != nil {
			t.Fatal(err)
		}
		if status, body := userInfoStatus(t, srv, tok.AccessToken); status != http.StatusOK {
			t.Fatalf("userinfo before replay: %d %s", status, body)
		}
		_, err = f.exchange(t, code)
		grantError(t, err, "invalid_grant", "Code not valid")
		if status, _ := userInfoStatus(t, srv, tok.AccessToken); status != http.StatusUnauthorized {
			t.Errorf("userinfo after replay: %d, want 401", status)
		}
	})
	t.Run("WrongRedirectURI", func(t *testing.T) {
		f, code := signIn(b)
		f.cfg.RedirectURL = "https://preview.recrubo.example/cb"
		_, err := f.exchange(t, code)
		grantError(t, err, "invalid_grant", "Incorrect redirect_uri")
	})
	t.Run("UnknownClient", func(t *testing.T) {
		f, code := signIn(b)
		f.cfg.ClientID = "stranger.apps.carerix.io"
		_, err := f.exchange(t, code)
		grantError(t, err, "invalid_client", "Invalid client or Invalid client credentials")
		f.cfg.ClientID = testPublic
		if _, err := f.exchange(t, code); err != nil {
			t.Errorf("an unauthenticated client used the code up: %v", err)
		}
	})
	t.Run("OtherClientsCode", func(t *testing.T) {
		f, code := signIn(b)
		f.cfg.ClientID, f.cfg.ClientSecret = testClient, testSecret
		_, err := f.exchange(t, code)
		grantError(t, err, "invalid_grant", "Auth error")
	})
	t.Run("ExpiredCode", func(t *testing.T) {
		f, code := signIn(b)
		clk.Advance(carerixemu.CodeLifetime + time.Second)
		_, err := f.exchange(t, code)
		grantError(t, err, "invalid_grant", "Code is expired")
	})
	t.Run("UnknownCode", func(t *testing.T) {
		f := newFlow(srv)
		_, err := f.exchange(t, "made-up")
		grantError(t, err, "invalid_grant", "Code not valid")
	})
	t.Run("MissingCode", func(t *testing.T) {
		status, tr := requestToken(t, srv, url.Values{"grant_type": {"authorization_code"}, "client_id": {testPublic}}, false, testPublic, "")
		if status != http.StatusBadRequest || tr.Error != "invalid_request" || tr.ErrorDescription != "Missing parameter: code" {
			t.Errorf("got %d %+v", status, tr)
		}
	})
	t.Run("PublicClientHasNoServiceAccount", func(t *testing.T) {
		status, tr := requestToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, false, testPublic, "")
		if status != http.StatusBadRequest || tr.Error != "unauthorized_client" || tr.AccessToken != "" {
			t.Errorf("got %d %+v", status, tr)
		}
	})
	st := srv.Stats().Realm
	if st.CodeGrants != 2 || st.CodeGrantsFailed != 10 {
		t.Errorf("code grants ok/failed = %d/%d, want 2/10", st.CodeGrants, st.CodeGrantsFailed)
	}
}

func TestAuthorizeRefusesUnknownClientsAndRedirects(t *testing.T) {
	srv, _ := startRealm(t)
	b := newBrowser(t)
	f := newFlow(srv)
	for name, mutate := range map[string]func(q url.Values){
		"UnknownClient":        func(q url.Values) { q.Set("client_id", "stranger") },
		"ConfidentialClient":   func(q url.Values) { q.Set("client_id", testClient) },
		"UnregisteredRedirect": func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") },
		"MissingRedirect":      func(q url.Values) { q.Del("redirect_uri") },
		"PrefixOfWildcardHost": func(q url.Values) { q.Set("redirect_uri", "https://preview.recrubo.example.evil.example/cb") },
		"DotDotUnderWildcard":  func(q url.Values) { q.Set("redirect_uri", "https://preview.recrubo.example/../evil") },
		"FragmentRedirect":     func(q url.Values) { q.Set("redirect_uri", testRedirect+"#x") },
		"ExtraQueryOnExact":    func(q url.Values) { q.Set("redirect_uri", testRedirect+"?next=https://evil.example") },
		"DuplicatedClient":     func(q url.Values) { q.Add("client_id", testPublic) },
	} {
		t.Run(name, func(t *testing.T) {
			u, _ := url.Parse(f.authURL())
			q := u.Query()
			mutate(q)
			u.RawQuery = q.Encode()
			p := b.get(u.String())
			if p.Status != http.StatusBadRequest || p.Header.Get("Location") != "" {
				t.Fatalf("status %d location %q, want an error page", p.Status, p.Header.Get("Location"))
			}
			if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") || p.doc(t).Find("#kc-message").Text() == "" {
				t.Errorf("no error page: %.300s", p.Body)
			}
		})
	}
	// A wildcard redirect URI accepts what it covers.
	u, _ := url.Parse(f.authURL())
	q := u.Query()
	q.Set("redirect_uri", "https://preview.recrubo.example/pr-12/callback?x=1")
	u.RawQuery = q.Encode()
	if p := b.get(u.String()); p.Status != http.StatusOK {
		t.Errorf("wildcard redirect refused: %d", p.Status)
	}
}

func TestAuthorizeErrorsGoBackToTheClient(t *testing.T) {
	srv, _ := startRealm(t)
	b := newBrowser(t)
	f := newFlow(srv)
	tests := []struct {
		name        string
		url         string
		code, descr string
	}{
		{"NoPKCE", f.cfg.AuthCodeURL(f.state), "invalid_request", "Missing parameter: code_challenge_method"},
		{"PlainPKCE", f.cfg.AuthCodeURL(f.state, oauth2.SetAuthURLParam("code_challenge", f.verifier),
			oauth2.SetAuthURLParam("code_challenge_method", "plain")), "invalid_request", "Invalid parameter: code challenge method is not configured one"},
		{"ShortChallenge", f.cfg.AuthCodeURL(f.state, oauth2.SetAuthURLParam("code_challenge", "abc"),
			oauth2.SetAuthURLParam("code_challenge_method", "S256")), "invalid_request", "Invalid parameter: code_challenge"},
		{"ImplicitFlow", f.authURL(oauth2.SetAuthURLParam("response_type", "token")), "unsupported_response_type", ""},
		{"NoOpenIDScope", f.authURL(oauth2.SetAuthURLParam("scope", "profile email")), "invalid_scope", "Missing scope: openid"},
		{"PromptNoneWithoutSession", f.authURL(oauth2.SetAuthURLParam("prompt", "none")), "login_required", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := b.get(tc.url)
			if p.Status != http.StatusFound {
				t.Fatalf("status %d, want 302: %.200s", p.Status, p.Body)
			}
			loc := p.location(t)
			q := loc.Query()
			if !strings.HasPrefix(loc.String(), testRedirect+"?") || q.Get("error") != tc.code || q.Get("state") != f.state || q.Get("code") != "" {
				t.Errorf("redirect %s, want error %s with state", loc, tc.code)
			}
			if tc.descr != "" && q.Get("error_description") != tc.descr {
				t.Errorf("error_description = %q, want %q", q.Get("error_description"), tc.descr)
			}
		})
	}
	if st := srv.Stats().Realm; st.CodesIssued != 0 || st.AuthorizeRequests != len(tests) {
		t.Errorf("stats %+v", st)
	}
}

func TestRecordPageSessionSignsInWithoutPrompt(t *testing.T) {
	srv, users := startRealm(t)
	user := users[1]
	e, err := srv.CreateEmployee(t.Context(), carerixemu.EmployeeFields{FirstName: carerixemu.Str("Sanne"), LastName: carerixemu.Str("Visser")})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	rec := b.get(srv.URL() + "/record/candidate/" + e.ID + "?user=" + user.ID)
	if rec.Status != http.StatusOK {
		t.Fatalf("record page: %d", rec.Status)
	}
	c := rec.cookie(carerixemu.SSOCookieName)
	for _, attr := range []string{"Path=/auth/realms/acme/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(c, attr) {
			t.Errorf("record page SSO cookie %q lacks %s", c, attr)
		}
	}
	// A second page view keeps the session.
	value := func(c string) string { v, _, _ := strings.Cut(c, ";"); return v }
	if again := b.get(srv.URL() + "/home?user=" + user.ID); value(again.cookie(carerixemu.SSOCookieName)) != value(c) {
		t.Errorf("home page replaced a live session of the same user: %q, was %q", again.cookie(carerixemu.SSOCookieName), c)
	}

	f := newFlow(srv)
	code := f.code(t, b.get(f.authURL(oauth2.SetAuthURLParam("prompt", "none"))))
	tok, err := f.exchange(t, code)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := oidcVerifier(t, srv).Verify(t.Context(), tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	var claims idClaims
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if claims.PreferredUsername != user.UserName || claims.Sub != srv.UserSubject(user.ID) {
		t.Errorf("signed in as %+v, want %s", claims, user.UserName)
	}
	if st := srv.Stats().Realm; st.LoginsOK+st.LoginsFailed != 0 || st.CodesIssued != 1 {
		t.Errorf("stats %+v, want one code and no login form", st)
	}

	// Another user viewing a page in the same browser takes the session over.
	other := users[2]
	if p := b.get(srv.URL() + "/home?user=" + other.ID); p.cookie(carerixemu.SSOCookieName) == "" {
		t.Fatal("no new session for another user")
	}
	f2 := newFlow(srv)
	tok2, err := f2.exchange(t, f2.code(t, b.get(f2.authURL())))
	if err != nil {
		t.Fatal(err)
	}
	idt2, err := oidcVerifier(t, srv).Verify(t.Context(), tok2.Extra("id_token").(string))
	if err != nil || idt2.Subject != srv.UserSubject(other.ID) {
		t.Errorf("second sign-in: %v, sub %v", err, idt2)
	}
}

func oidcVerifier(t *testing.T, srv *carerixemu.Server) *oidc.IDTokenVerifier {
	t.Helper()
	p, err := oidc.NewProvider(t.Context(), srv.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	return p.Verifier(&oidc.Config{ClientID: testPublic})
}

func TestRecordPageSignInCanBeTurnedOff(t *testing.T) {
	srv, users := startRealm(t, func(o *carerixemu.Options) { o.NoRecordPageSignIn = true })
	b := newBrowser(t)
	if p := b.get(srv.URL() + "/home?user=" + users[1].ID); p.Status != http.StatusOK || p.cookie(carerixemu.SSOCookieName) != "" {
		t.Fatalf("home page: %d, cookie %q", p.Status, p.cookie(carerixemu.SSOCookieName))
	}
	f := newFlow(srv)
	if p := b.get(f.authURL()); p.Status != http.StatusOK || p.doc(t).Find("#password").Length() != 1 {
		t.Errorf("want the login form, got %d %s", p.Status, p.Header.Get("Location"))
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	srv, users := startRealm(t)
	ctx := t.Context()
	active, inactive, deleted := users[0], users[1], users[2]
	if _, err := srv.UpdateUser(ctx, inactive.ID, carerixemu.UserFields{IsActive: new(false)}); err != nil {
		t.Fatal(err)
	}
	if err := srv.DeleteUser(ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	f := newFlow(srv)
	for name, creds := range map[string][2]string{
		"WrongPassword": {active.UserName, "nope"},
		"UnknownUser":   {"nobody", carerixemu.DefaultUserPassword},
		"InactiveUser":  {inactive.UserName, carerixemu.DefaultUserPassword},
		"DeletedUser":   {deleted.UserName, carerixemu.DefaultUserPassword},
		"EmptyPassword": {active.UserName, ""},
	} {
		t.Run(name, func(t *testing.T) {
			p := b.submitLogin(srv, b.get(f.authURL()), creds[0], creds[1])
			if p.Status != http.StatusOK || p.Header.Get("Location") != "" || p.cookie(carerixemu.SSOCookieName) != "" {
				t.Fatalf("status %d location %q", p.Status, p.Header.Get("Location"))
			}
			d := p.doc(t)
			if msg := d.Find("#input-error").Text(); msg != "Invalid username or password." {
				t.Errorf("message %q", msg)
			}
			if v := d.Find("#username").AttrOr("value", ""); v != creds[0] {
				t.Errorf("username field = %q, want %q", v, creds[0])
			}
		})
	}
	if st := srv.Stats().Realm; st.LoginsFailed != 5 || st.LoginsOK != 0 {
		t.Errorf("stats %+v", st)
	}
	// The form shown after a failure still works; e-mail addresses and
	// any case of the username are accepted.
	login := b.get(f.authURL())
	again := b.submitLogin(srv, login, "nope", "nope")
	f.code(t, b.submitLogin(srv, again, strings.ToUpper(*active.EmailAddress), carerixemu.DefaultUserPassword))
}

func TestInactiveUsersSessionIsNotHonoured(t *testing.T) {
	srv, users := startRealm(t)
	ctx := t.Context()
	for name, end := range map[string]func(id string) error{
		"Deactivated": func(id string) error {
			_, err := srv.UpdateUser(ctx, id, carerixemu.UserFields{IsActive: new(false)})
			return err
		},
		"Deleted": func(id string) error { return srv.DeleteUser(ctx, id) },
	} {
		t.Run(name, func(t *testing.T) {
			user := users[1]
			if name == "Deleted" {
				user = users[2]
			}
			b := newBrowser(t)
			f := newFlow(srv)
			code := f.signIn(t, b, srv, user.UserName, carerixemu.DefaultUserPassword)
			tok, err := f.exchange(t, code)
			if err != nil {
				t.Fatal(err)
			}
			pending := newFlow(srv)
			pendingCode := pending.code(t, b.get(pending.authURL()))
			if err := end(user.ID); err != nil {
				t.Fatal(err)
			}
			p := b.get(newFlow(srv).authURL())
			if p.Status != http.StatusOK || p.doc(t).Find("#password").Length() != 1 {
				t.Fatalf("session still honoured: %d %s", p.Status, p.Header.Get("Location"))
			}
			if c := p.cookie(carerixemu.SSOCookieName); !strings.Contains(c, "Max-Age=0") {
				t.Errorf("SSO cookie not cleared: %q", c)
			}
			if status, _ := userInfoStatus(t, srv, tok.AccessToken); status != http.StatusUnauthorized {
				t.Errorf("userinfo for an ended user: %d", status)
			}
			_, err = pending.exchange(t, pendingCode)
			re, ok := err.(*oauth2.RetrieveError)
			if !ok || re.ErrorCode != "invalid_grant" {
				t.Errorf("code of an ended user redeemed: %v", err)
			}
		})
	}
}

func TestLogout(t *testing.T) {
	srv, users := startRealm(t)
	b := newBrowser(t)
	f := newFlow(srv)
	tok, err := f.exchange(t, f.signIn(t, b, srv, users[0].UserName, carerixemu.DefaultUserPassword))
	if err != nil {
		t.Fatal(err)
	}
	logout := srv.Issuer() + "/protocol/openid-connect/logout?"

	// An unregistered post-logout URI is an error page and ends nothing.
	bad := b.get(logout + url.Values{"client_id": {testPublic}, "post_logout_redirect_uri": {"https://evil.example/"}}.Encode())
	if bad.Status != http.StatusBadRequest || bad.Header.Get("Location") != "" {
		t.Fatalf("bad post-logout URI: %d %q", bad.Status, bad.Header.Get("Location"))
	}
	f2 := newFlow(srv)
	f2.code(t, b.get(f2.authURL(oauth2.SetAuthURLParam("prompt", "none"))))

	p := b.get(logout + url.Values{"id_token_hint": {tok.Extra("id_token").(string)},
		"post_logout_redirect_uri": {testRedirect}, "state": {"bye"}}.Encode())
	if p.Status != http.StatusFound || p.location(t).String() != testRedirect+"?state=bye" {
		t.Fatalf("logout: %d %q", p.Status, p.Header.Get("Location"))
	}
	if c := p.cookie(carerixemu.SSOCookieName); !strings.Contains(c, "Max-Age=0") {
		t.Errorf("SSO cookie not cleared: %q", c)
	}
	f3 := newFlow(srv)
	if q := b.get(f3.authURL(oauth2.SetAuthURLParam("prompt", "none"))).location(t).Query(); q.Get("error") != "login_required" {
		t.Errorf("after logout prompt=none gave %v", q)
	}
	if status, _ := userInfoStatus(t, srv, tok.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("userinfo after logout: %d", status)
	}

	// Without a redirect the realm shows a page; the record page's session
	// ends the same way.
	b2 := newBrowser(t)
	b2.get(srv.URL() + "/home?user=" + users[1].ID)
	if p := b2.get(logout); p.Status != http.StatusOK || !strings.Contains(p.cookie(carerixemu.SSOCookieName), "Max-Age=0") {
		t.Fatalf("plain logout: %d", p.Status)
	}
	if q := b2.get(f3.authURL(oauth2.SetAuthURLParam("prompt", "none"))).location(t).Query(); q.Get("error") != "login_required" {
		t.Errorf("after plain logout prompt=none gave %v", q)
	}
}

func TestLoginPageEscapesHostileInput(t *testing.T) {
	srv, users := startRealm(t)
	b := newBrowser(t)
	f := newFlow(srv)
	hostile := `"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;`
	f.state = hostile + "'state"
	login := b.get(f.authURL(oauth2.SetAuthURLParam("login_hint", hostile)))
	if login.Status != http.StatusOK {
		t.Fatalf("status %d", login.Status)
	}
	if strings.Contains(login.Body, "<script>alert") || strings.Contains(login.Body, "<img") {
		t.Errorf("hostile login_hint rendered as markup: %s", login.Body)
	}
	if v := login.doc(t).Find("#username").AttrOr("value", ""); v != hostile {
		t.Errorf("username field = %q, want the hint as text", v)
	}
	csp := login.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'self'") || login.Header.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Errorf("login page may be framed: CSP %q", csp)
	}
	failed := b.submitLogin(srv, login, hostile, "wrong")
	if strings.Contains(failed.Body, "<script>alert") || strings.Contains(failed.Body, "<img") {
		t.Errorf("hostile username rendered as markup")
	}
	if v := failed.doc(t).Find("#username").AttrOr("value", ""); v != hostile {
		t.Errorf("username field after failure = %q", v)
	}
	// The hostile state comes back to the client unchanged.
	f.code(t, b.submitLogin(srv, failed, users[0].UserName, carerixemu.DefaultUserPassword))
}

func TestLoginFormIsBoundToItsBrowser(t *testing.T) {
	srv, users := startRealm(t)
	victim, attacker := newBrowser(t), newBrowser(t)
	f := newFlow(srv)
	login := attacker.get(f.authURL())
	// The attacker's form posted from another browser (no AUTH_SESSION_ID).
	p := victim.submitLogin(srv, login, users[0].UserName, carerixemu.DefaultUserPassword)
	if p.Status != http.StatusBadRequest || p.Header.Get("Location") != "" || p.cookie(carerixemu.SSOCookieName) != "" {
		t.Fatalf("cross-browser login accepted: %d %q", p.Status, p.Header.Get("Location"))
	}
	// A made-up tab id is refused too.
	u, _ := url.Parse(srv.Issuer() + "/login-actions/authenticate")
	p = attacker.post(u.String(), url.Values{"tab_id": {"x"}, "username": {users[0].UserName}, "password": {carerixemu.DefaultUserPassword}})
	if p.Status != http.StatusBadRequest || p.cookie(carerixemu.SSOCookieName) != "" {
		t.Fatalf("unknown tab accepted: %d", p.Status)
	}
	if st := srv.Stats().Realm; st.LoginsOK+st.LoginsFailed != 0 {
		t.Errorf("refused forms counted as logins: %+v", st)
	}
	// A successful login uses the form up.
	f.code(t, attacker.submitLogin(srv, login, users[0].UserName, carerixemu.DefaultUserPassword))
	if p := attacker.submitLogin(srv, login, users[0].UserName, carerixemu.DefaultUserPassword); p.Status != http.StatusBadRequest {
		t.Errorf("replayed form: %d", p.Status)
	}
}

func TestUserPasswords(t *testing.T) {
	srv, users := startRealm(t, func(o *carerixemu.Options) { o.UserPassword = "tenant-demo" })
	user := users[1]
	if err := srv.SetUserPassword(user.ID, "correct horse"); err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if status := adminCall(t, srv, http.MethodGet, "/users", nil, &list); status != http.StatusOK {
		t.Fatalf("users: %d", status)
	}
	raw, _ := json.Marshal(list)
	if strings.Contains(string(raw), "$2a$") || strings.Contains(string(raw), "correct horse") || strings.Contains(string(raw), "tenant-demo") {
		t.Errorf("/users leaks a password or hash: %s", raw)
	}
	for _, u := range list {
		own := u["_id"] == user.ID
		if u["passwordSet"] != true || u["defaultPassword"] != !own {
			t.Errorf("user %v: passwordSet %v defaultPassword %v", u["_id"], u["passwordSet"], u["defaultPassword"])
		}
	}
	var other map[string]any
	if status := adminCall(t, srv, http.MethodPut, "/users/"+users[2].ID+"/password", map[string]string{"password": "via admin"}, &other); status != http.StatusOK || other["defaultPassword"] != false {
		t.Errorf("admin password: %d %v", status, other)
	}
	if status := adminCall(t, srv, http.MethodPut, "/users/"+users[2].ID+"/password", map[string]string{"password": ""}, nil); status != http.StatusBadRequest {
		t.Errorf("empty password: %d", status)
	}
	if status := adminCall(t, srv, http.MethodPut, "/users/999/password", map[string]string{"password": "x"}, nil); status != http.StatusNotFound {
		t.Errorf("unknown user: %d", status)
	}

	f := newFlow(srv)
	for _, c := range []struct {
		user, password string
		ok             bool
	}{
		{user.UserName, "tenant-demo", false},
		{user.UserName, carerixemu.DefaultUserPassword, false},
		{users[0].UserName, carerixemu.DefaultUserPassword, false},
		{users[2].UserName, "via admin", true},
		{user.UserName, "correct horse", true},
		{users[0].UserName, "tenant-demo", true},
	} {
		b := newBrowser(t)
		p := b.submitLogin(srv, b.get(f.authURL()), c.user, c.password)
		if got := p.Status == http.StatusFound; got != c.ok {
			t.Errorf("%s / %q: signed in %v, want %v", c.user, c.password, got, c.ok)
		}
	}
}

func TestUserInfoRefusals(t *testing.T) {
	srv, users := startRealm(t)
	f := newFlow(srv)
	b := newBrowser(t)
	tok, err := f.exchange(t, f.signIn(t, b, srv, users[0].UserName, carerixemu.DefaultUserPassword))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		tok  string
		want int
	}{
		"IDTokenAsBearer": {tok.Extra("id_token").(string), http.StatusUnauthorized},
		"ServiceAccount":  {token(t, srv), http.StatusForbidden},
		"Garbage":         {"abc.def.ghi", http.StatusUnauthorized},
		"Missing":         {"", http.StatusUnauthorized},
	} {
		if status, body := userInfoStatus(t, srv, c.tok); status != c.want || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %s, want %d", name, status, body, c.want)
		}
	}
}

func TestTokenEndpointCORS(t *testing.T) {
	srv, users := startRealm(t)
	b := newBrowser(t)
	f := newFlow(srv)
	code := f.signIn(t, b, srv, users[0].UserName, carerixemu.DefaultUserPassword)
	for origin, allowed := range map[string]bool{testOrigin: true, "https://evil.example": false} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodOptions, srv.TokenURL(), nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		if got := b.do(req).Header.Get("Access-Control-Allow-Origin"); (got == origin) != allowed {
			t.Errorf("preflight from %s: allow-origin %q", origin, got)
		}
	}
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {testPublic}, "code": {code},
		"redirect_uri": {testRedirect}, "code_verifier": {f.verifier}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.TokenURL(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", testOrigin)
	p := b.do(req)
	if p.Status != http.StatusOK || p.Header.Get("Access-Control-Allow-Origin") != testOrigin || !strings.Contains(p.Body, `"id_token"`) {
		t.Errorf("browser code exchange: %d %q %s", p.Status, p.Header.Get("Access-Control-Allow-Origin"), p.Body)
	}
}

func TestRealmCookiesAreSecureOnHTTPS(t *testing.T) {
	srv, err := carerixemu.New(carerixemu.Options{Tenant: "acme", SigningKey: testKey(), BaseURL: "https://acme.carerix.example"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	users, err := srv.Seed(t.Context(), carerixemu.SeedOptions{Recruiters: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	p := newBrowser(t).get(hs.URL + "/home?user=" + users.Users[0])
	if c := p.cookie(carerixemu.SSOCookieName); p.Status != http.StatusOK || !strings.Contains(c, "; Secure") {
		t.Errorf("status %d, SSO cookie %q, want Secure", p.Status, c)
	}
}

func TestEndUserSessions(t *testing.T) {
	srv, users := startRealm(t)
	b := newBrowser(t)
	b.get(srv.URL() + "/home?user=" + users[1].ID)
	f := newFlow(srv)
	f.code(t, b.get(f.authURL(oauth2.SetAuthURLParam("prompt", "none"))))
	if n := srv.EndUserSessions(users[1].ID); n != 1 {
		t.Errorf("ended %d sessions, want 1", n)
	}
	if q := b.get(f.authURL(oauth2.SetAuthURLParam("prompt", "none"))).location(t).Query(); q.Get("error") != "login_required" {
		t.Errorf("after EndUserSessions prompt=none gave %v", q)
	}
}
