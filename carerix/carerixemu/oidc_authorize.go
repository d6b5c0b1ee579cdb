package carerixemu

import (
	"crypto/sha256"
	_ "embed" // oidc_login.html
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

//go:embed oidc_login.html
var oidcPagesHTML string

var oidcPages = template.Must(template.New("oidc").Parse(oidcPagesHTML))

// authorizeParams may appear at most once in an authorization request.
var authorizeParams = []string{"client_id", "redirect_uri", "response_type", "response_mode", "scope", "state",
	"nonce", "code_challenge", "code_challenge_method", "prompt", "login_hint"}

// handleAuthorize serves GET|POST
// /auth/realms/{realm}/protocol/openid-connect/auth: an unknown client or
// an unregistered redirect URI gets an error page; other errors go back
// to the redirect URI. With a live SSO session the browser goes straight
// back with a code; without one it gets the login form (prompt=none:
// error=login_required).
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	s.faults.count(func(st *Stats) { st.Realm.AuthorizeRequests++ })
	if !s.realmOK(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.messagePage(w, http.StatusBadRequest, "Invalid request", "The sign-in request could not be read.")
		return
	}
	q := r.Form
	for _, k := range authorizeParams {
		if len(q[k]) > 1 {
			s.messagePage(w, http.StatusBadRequest, "Invalid request", "Duplicated parameter: "+k)
			return
		}
	}
	c, ok := s.realm.publicClient(q.Get("client_id"))
	if !ok {
		s.messagePage(w, http.StatusBadRequest, "We are sorry...", "Client not found.")
		return
	}
	if !c.redirectAllowed(q.Get("redirect_uri")) {
		s.messagePage(w, http.StatusBadRequest, "We are sorry...", "Invalid parameter: redirect_uri")
		return
	}
	req := authRequest{client: c, redirectURI: q.Get("redirect_uri"), state: q.Get("state"), nonce: q.Get("nonce"),
		scope: q.Get("scope"), challenge: q.Get("code_challenge"), loginHint: q.Get("login_hint")}
	if code, desc := checkAuthRequest(q); code != "" {
		s.redirectError(w, r, req, code, desc)
		return
	}
	prompts := strings.Fields(q.Get("prompt"))
	now := s.opts.Now()
	if !slices.Contains(prompts, "login") {
		if sess, ok := s.liveSession(w, r, now); ok {
			s.redirectWithCode(w, r, req, sess, now)
			return
		}
	}
	if slices.Contains(prompts, "none") {
		s.redirectError(w, r, req, "login_required", "")
		return
	}
	s.showLogin(w, r, req, now)
}

// checkAuthRequest validates an authorization request whose client and
// redirect URI are known, returning an OAuth error code and description.
func checkAuthRequest(q url.Values) (code, desc string) {
	switch rt := q.Get("response_type"); {
	case rt == "":
		return "invalid_request", "Missing parameter: response_type"
	case rt != "code":
		return "unsupported_response_type", "Client is not allowed to initiate browser login with given response_type. Only the standard flow is enabled for the client."
	}
	if rm := q.Get("response_mode"); rm != "" && rm != "query" {
		return "invalid_request", "Invalid parameter: response_mode"
	}
	if !slices.Contains(strings.Fields(q.Get("scope")), "openid") {
		return "invalid_scope", "Missing scope: openid"
	}
	switch m, ch := q.Get("code_challenge_method"), q.Get("code_challenge"); {
	case m == "":
		return "invalid_request", "Missing parameter: code_challenge_method"
	case m != "S256":
		return "invalid_request", "Invalid parameter: code challenge method is not configured one"
	case ch == "":
		return "invalid_request", "Missing parameter: code_challenge"
	case !validPKCEValue(ch):
		return "invalid_request", "Invalid parameter: code_challenge"
	}
	if p := strings.Fields(q.Get("prompt")); slices.Contains(p, "none") && len(p) > 1 {
		return "invalid_request", "Invalid parameter: prompt"
	}
	return "", ""
}

// validPKCEValue reports whether v is a well-formed code verifier or
// challenge: 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636).
func validPKCEValue(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, c := range v {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~", c)) {
			return false
		}
	}
	return true
}

// s256 is the S256 code challenge of a verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// liveSession returns the request's SSO session if it exists and its user
// may still sign in; a session of an inactive or deleted user is ended
// and its cookie cleared.
func (s *Server) liveSession(w http.ResponseWriter, r *http.Request, now time.Time) (ssoSession, bool) {
	tok := cookieValue(r, SSOCookieName)
	sess, ok := s.realm.session(tok, now)
	if !ok {
		return ssoSession{}, false
	}
	if u, err := s.User(sess.userID); err != nil || u.Deleted || !u.IsActive {
		s.realm.endSession(tok, "")
		http.SetCookie(w, s.realmCookie(r, SSOCookieName, "", -1))
		return ssoSession{}, false
	}
	return sess, true
}

// showLogin stores a login form for req, bound to the browser's
// AUTH_SESSION_ID cookie, and renders it.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, req authRequest, now time.Time) {
	cookie := cookieValue(r, AuthSessionCookieName)
	if len(cookie) != 43 || strings.Trim(cookie, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		cookie = randomToken()
		http.SetCookie(w, s.realmCookie(r, AuthSessionCookieName, cookie, 0))
	}
	tab := randomToken()
	s.realm.mu.Lock()
	s.realm.pruneLocked(now)
	s.realm.logins[tab] = &pendingLogin{req: req, cookie: cookie, expires: now.Add(loginLifetime)}
	s.realm.mu.Unlock()
	s.loginPage(w, http.StatusOK, tab, req, req.loginHint, "")
}

// loginData is what the "login" template renders.
type loginData struct {
	Tenant, Realm, Client, Action, TabID, Username, Error string
}

func (s *Server) loginPage(w http.ResponseWriter, status int, tab string, req authRequest, username, errMsg string) {
	s.htmlHeaders(w)
	w.WriteHeader(status)
	data := loginData{Tenant: s.opts.Tenant, Realm: s.opts.Realm, Client: req.client.ID,
		Action: s.realmCookiePath() + "login-actions/authenticate", TabID: tab, Username: username, Error: errMsg}
	if err := oidcPages.ExecuteTemplate(w, "login", data); err != nil {
		s.log.Error("rendering the login page", "err", err)
	}
}

// messagePage renders a realm page with a title and a message.
func (s *Server) messagePage(w http.ResponseWriter, status int, title, msg string) {
	s.htmlHeaders(w)
	w.WriteHeader(status)
	data := struct{ Tenant, Title, Message string }{s.opts.Tenant, title, msg}
	if err := oidcPages.ExecuteTemplate(w, "message", data); err != nil {
		s.log.Error("rendering a realm page", "err", err)
	}
}

// htmlHeaders are Keycloak's headers for its pages: not cacheable, not
// framed by other origins, no referrer.
func (s *Server) htmlHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store, must-revalidate, max-age=0")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'")
	h.Set("Referrer-Policy", "no-referrer")
}

// handleLogin serves POST /auth/realms/{realm}/login-actions/authenticate:
// the login form. A wrong password, an unknown user and an inactive or
// deleted user all re-show the form with one message.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if !s.realmOK(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.messagePage(w, http.StatusBadRequest, "Invalid request", "The login form could not be read.")
		return
	}
	now := s.opts.Now()
	tab := r.PostForm.Get("tab_id")
	s.realm.mu.Lock()
	pl := s.realm.logins[tab]
	var req authRequest
	valid := pl != nil && now.Before(pl.expires) && constantTimeEqual(cookieValue(r, AuthSessionCookieName), pl.cookie)
	if valid {
		req = pl.req
	}
	s.realm.mu.Unlock()
	if !valid {
		s.messagePage(w, http.StatusBadRequest, "Sign-in expired",
			"Your login attempt timed out or was started in another browser. Start the sign-in again from the application.")
		return
	}
	username := r.PostForm.Get("username")
	u, ok := s.authenticate(username, r.PostForm.Get("password"))
	if !ok {
		s.faults.count(func(st *Stats) { st.Realm.LoginsFailed++ })
		s.loginPage(w, http.StatusOK, tab, req, username, "Invalid username or password.")
		return
	}
	s.realm.mu.Lock()
	delete(s.realm.logins, tab)
	s.realm.mu.Unlock()
	s.faults.count(func(st *Stats) { st.Realm.LoginsOK++ })
	tok, sess := s.realm.newSession(u.ID, now)
	http.SetCookie(w, s.realmCookie(r, SSOCookieName, tok, 0))
	s.redirectWithCode(w, r, req, *sess, now)
}

// redirectWithCode sends the browser back to the client with a new code.
func (s *Server) redirectWithCode(w http.ResponseWriter, r *http.Request, req authRequest, sess ssoSession, now time.Time) {
	code := s.realm.issueCode(req, sess, now)
	s.faults.count(func(st *Stats) { st.Realm.CodesIssued++ })
	v := url.Values{"code": {code}, "session_state": {sess.id}}
	s.redirectBack(w, r, req.redirectURI, req.state, v)
}

// redirectError sends an authorization error back to the client.
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, req authRequest, code, desc string) {
	v := url.Values{"error": {code}}
	if desc != "" {
		v.Set("error_description", desc)
	}
	s.redirectBack(w, r, req.redirectURI, req.state, v)
}

// redirectBack answers 302 to a registered redirect URI with params,
// state and iss added to its query.
func (s *Server) redirectBack(w http.ResponseWriter, r *http.Request, redirectURI, state string, params url.Values) {
	u, err := url.Parse(redirectURI)
	if err != nil { // registered URIs were parsed before
		s.messagePage(w, http.StatusBadRequest, "We are sorry...", "Invalid parameter: redirect_uri")
		return
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	if state != "" {
		q.Set("state", state)
	}
	q.Set("iss", s.ident.issuer(s.baseFor(r)))
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}
