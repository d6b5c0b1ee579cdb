package carerixemu

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Defaults of the realm's OpenID Connect sign-in.
const (
	// DefaultPublicClientID is the public client configured when
	// Options.PublicClients is empty. It accepts any redirect URI on
	// http://127.0.0.1 and http://localhost (any port).
	DefaultPublicClientID = "recrubo-frontend.apps.carerix.io"
	// DefaultUserPassword is every user's password unless
	// Options.UserPassword or SetUserPassword says otherwise.
	DefaultUserPassword = "recrubo-demo"
	// DefaultUserTokenLifetime is the lifetime of the access and ID tokens
	// of a sign-in (Keycloak's default access token lifespan).
	DefaultUserTokenLifetime = 5 * time.Minute
	// DefaultSSOSessionLifetime bounds an SSO session (Keycloak's default
	// "SSO Session Max").
	DefaultSSOSessionLifetime = 10 * time.Hour
	// SSOCookieName is the realm's SSO session cookie (Path
	// /auth/realms/{realm}/).
	SSOCookieName = "KEYCLOAK_IDENTITY"
	// AuthSessionCookieName binds a login form to the browser that
	// opened it.
	AuthSessionCookieName = "AUTH_SESSION_ID"
	// CodeLifetime is how long an authorization code may be redeemed.
	CodeLifetime = time.Minute
	// loginLifetime is how long a login form stays valid (Keycloak's
	// default "Login timeout").
	loginLifetime = 30 * time.Minute
)

// PublicClient is a public OpenID Connect client of the realm: it has no
// secret, uses the authorization code flow and must send a PKCE S256
// code challenge (Carerix "Identity Access > Clients", type public, or the
// frontend client a Marketplace feature gets).
type PublicClient struct {
	// ID is the client_id.
	ID string
	// RedirectURIs are the valid redirect URIs: an exact URI, or a prefix
	// ending in "*" (Keycloak's wildcard). They also bound
	// post_logout_redirect_uri.
	RedirectURIs []string
	// WebOrigins are the origins allowed to call the token and userinfo
	// endpoints from a browser (CORS): an origin, "*" for any, or "+" for
	// the origins of RedirectURIs.
	WebOrigins []string
	// TokenLifetime is the lifetime of the access and ID tokens; default
	// DefaultUserTokenLifetime.
	TokenLifetime time.Duration
}

// redirectAllowed reports whether uri matches one of the client's
// redirect URIs (exact, or by prefix for a pattern ending in "*"). A URI
// with a fragment, user information, a backslash or a ".." segment never
// matches.
func (c PublicClient) redirectAllowed(uri string) bool {
	return validRedirectURI(uri) && matchesAny(c.RedirectURIs, uri)
}

func matchesAny(patterns []string, uri string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(uri, prefix) {
				return true
			}
		} else if p == uri {
			return true
		}
	}
	return false
}

// validRedirectURI refuses URIs that no redirect pattern should match.
func validRedirectURI(uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil || u.Fragment != "" || strings.Contains(uri, "#") {
		return false
	}
	if strings.ContainsAny(uri, "\\\r\n\t ") {
		return false
	}
	return !slices.Contains(strings.Split(u.Path, "/"), "..")
}

// originAllowed reports whether a browser origin may call the token and
// userinfo endpoints for this client.
func (c PublicClient) originAllowed(origin string) bool {
	if origin == "" || origin == "null" {
		return false
	}
	for _, o := range c.WebOrigins {
		switch o {
		case "*":
			return true
		case "+":
			for _, p := range c.RedirectURIs {
				if prefix, ok := strings.CutSuffix(p, "*"); ok {
					if strings.HasPrefix(origin, prefix) || strings.HasPrefix(prefix, origin+"/") {
						return true
					}
				} else if u, err := url.Parse(p); err == nil && u.Scheme+"://"+u.Host == origin {
					return true
				}
			}
		default:
			if o == origin {
				return true
			}
		}
	}
	return false
}

// realmState holds the realm's sign-in state: public clients, password
// hashes, SSO sessions, pending login forms and authorization codes.
type realmState struct {
	clients         map[string]PublicClient
	clientOrder     []string
	defaultPassword string
	defaultHash     func() ([]byte, error)
	sessionLifetime time.Duration

	mu        sync.Mutex
	passwords map[string][]byte        // user _id → bcrypt hash
	sessions  map[string]*ssoSession   // cookie value → session
	logins    map[string]*pendingLogin // tab id → login form
	codes     map[string]*authCode     // code → grant
	revoked   map[string]time.Time     // access token jti → its expiry
}

// ssoSession is a signed-in browser.
type ssoSession struct {
	// id is the public session id (sid, session_state).
	id       string
	userID   string
	authTime time.Time
	expires  time.Time
	// fromPage marks a session started by a record or home page.
	fromPage bool
}

// authRequest is a validated authorization request.
type authRequest struct {
	client      PublicClient
	redirectURI string
	state       string
	nonce       string
	scope       string
	challenge   string
	loginHint   string
}

// pendingLogin is a login form shown for an authorization request.
type pendingLogin struct {
	req     authRequest
	cookie  string // AUTH_SESSION_ID value it is bound to
	expires time.Time
}

// authCode is an issued authorization code.
type authCode struct {
	req       authRequest
	userID    string
	sessionID string
	authTime  time.Time
	expires   time.Time
	used      bool
	// issued are the jti of the access tokens redeemed with the code,
	// revoked when the code is presented again.
	issued []string
}

func newRealmState(opts Options) (*realmState, error) {
	rs := &realmState{
		clients:         map[string]PublicClient{},
		defaultPassword: opts.UserPassword,
		sessionLifetime: opts.SSOSessionLifetime,
		passwords:       map[string][]byte{},
		sessions:        map[string]*ssoSession{},
		logins:          map[string]*pendingLogin{},
		codes:           map[string]*authCode{},
		revoked:         map[string]time.Time{},
	}
	if rs.defaultPassword == "" {
		rs.defaultPassword = DefaultUserPassword
	}
	if err := checkPassword(rs.defaultPassword); err != nil {
		return nil, fmt.Errorf("user password: %w", err)
	}
	rs.defaultHash = sync.OnceValues(func() ([]byte, error) { return hashPassword(rs.defaultPassword) })
	if rs.sessionLifetime == 0 {
		rs.sessionLifetime = DefaultSSOSessionLifetime
	}
	clients := opts.PublicClients
	if len(clients) == 0 {
		clients = []PublicClient{{ID: DefaultPublicClientID,
			RedirectURIs: []string{"http://127.0.0.1:*", "http://localhost:*"}, WebOrigins: []string{"+"}}}
	}
	for _, c := range clients {
		if c.ID == "" {
			return nil, errors.New("public client: id is required")
		}
		if _, dup := rs.clients[c.ID]; dup || slices.ContainsFunc(opts.Clients, func(cc Client) bool { return cc.ID == c.ID }) {
			return nil, fmt.Errorf("client %q configured twice", c.ID)
		}
		if len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("public client %q: at least one redirect URI is required", c.ID)
		}
		for _, p := range c.RedirectURIs {
			if strings.Contains(strings.TrimSuffix(p, "*"), "*") {
				return nil, fmt.Errorf("public client %q: redirect URI %q: only a trailing * is allowed", c.ID, p)
			}
		}
		if c.TokenLifetime == 0 {
			c.TokenLifetime = DefaultUserTokenLifetime
		}
		c.RedirectURIs, c.WebOrigins = slices.Clone(c.RedirectURIs), slices.Clone(c.WebOrigins)
		rs.clients[c.ID] = c
		rs.clientOrder = append(rs.clientOrder, c.ID)
	}
	return rs, nil
}

// publicClient returns a public client by id.
func (rs *realmState) publicClient(id string) (PublicClient, bool) {
	c, ok := rs.clients[id]
	return c, ok
}

// anyOriginAllowed reports whether some public client allows origin.
func (rs *realmState) anyOriginAllowed(origin string) bool {
	for _, c := range rs.clients {
		if c.originAllowed(origin) {
			return true
		}
	}
	return false
}

// pruneLocked drops expired sessions, forms, codes and revocations.
func (rs *realmState) pruneLocked(now time.Time) {
	for k, s := range rs.sessions {
		if !now.Before(s.expires) {
			delete(rs.sessions, k)
		}
	}
	for k, l := range rs.logins {
		if !now.Before(l.expires) {
			delete(rs.logins, k)
		}
	}
	for k, c := range rs.codes {
		// Used and expired codes are kept a while, to answer a replay
		// (revoking what the code gave) and an expired code precisely.
		if now.Sub(c.expires) > 10*time.Minute {
			delete(rs.codes, k)
		}
	}
	for k, exp := range rs.revoked {
		if now.After(exp) {
			delete(rs.revoked, k)
		}
	}
}

// newSession starts an SSO session for a user and returns its cookie
// value.
func (rs *realmState) newSession(userID string, now time.Time) (string, *ssoSession) {
	tok := randomToken()
	s := &ssoSession{id: uuid.NewString(), userID: userID, authTime: now, expires: now.Add(rs.sessionLifetime)}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.pruneLocked(now)
	rs.sessions[tok] = s
	return tok, s
}

// pageSession returns the cookie value of the user's live page session,
// starting one if there is none.
func (rs *realmState) pageSession(userID string, now time.Time) string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.pruneLocked(now)
	for tok, s := range rs.sessions {
		if s.fromPage && s.userID == userID {
			return tok
		}
	}
	tok := randomToken()
	rs.sessions[tok] = &ssoSession{id: uuid.NewString(), userID: userID, authTime: now,
		expires: now.Add(rs.sessionLifetime), fromPage: true}
	return tok
}

// session returns the live session of a cookie value.
func (rs *realmState) session(tok string, now time.Time) (ssoSession, bool) {
	if tok == "" {
		return ssoSession{}, false
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	s, ok := rs.sessions[tok]
	if !ok || !now.Before(s.expires) {
		return ssoSession{}, false
	}
	return *s, true
}

// sessionByID reports whether the session with public id sid is live.
func (rs *realmState) sessionByID(sid string, now time.Time) (ssoSession, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, s := range rs.sessions {
		if s.id == sid && now.Before(s.expires) {
			return *s, true
		}
	}
	return ssoSession{}, false
}

// endSession removes the session of a cookie value, or with public id
// sid; it reports whether one ended.
func (rs *realmState) endSession(tok, sid string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	ended := false
	for k, s := range rs.sessions {
		if (tok != "" && k == tok) || (sid != "" && s.id == sid) {
			delete(rs.sessions, k)
			ended = true
		}
	}
	return ended
}

// endUserSessions removes every session of a user and returns how many.
func (rs *realmState) endUserSessions(userID string) int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	n := 0
	for k, s := range rs.sessions {
		if s.userID == userID {
			delete(rs.sessions, k)
			n++
		}
	}
	return n
}

// issueCode stores a code for a signed-in session.
func (rs *realmState) issueCode(req authRequest, s ssoSession, now time.Time) string {
	code := randomToken()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.pruneLocked(now)
	rs.codes[code] = &authCode{req: req, userID: s.userID, sessionID: s.id, authTime: s.authTime, expires: now.Add(CodeLifetime)}
	return code
}

// realmCookiePath is the Path of the realm's cookies.
func (s *Server) realmCookiePath() string { return "/auth/realms/" + s.opts.Realm + "/" }

// realmCookie builds one of the realm's cookies (HttpOnly, SameSite=Lax,
// Secure when the base URL is https); maxAge < 0 deletes it.
func (s *Server) realmCookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: s.realmCookiePath(), MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(s.baseFor(r), "https://")}
}

// cookieValue returns a request cookie's value, or "".
func cookieValue(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

// randomToken returns 32 random bytes, base64url.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// subjectNamespace derives the stable realm user ids (sub).
var subjectNamespace = uuid.MustParse("6f1c3a52-8d1e-4a57-9b0e-2f4c6d8a9e10")

// UserSubject returns the realm's user id (the sub claim) of a CRUser
// _id: a UUID, stable for the realm and the user.
func (s *Server) UserSubject(userID string) string {
	return uuid.NewSHA1(subjectNamespace, []byte(s.opts.Realm+"\x00"+userID)).String()
}

// signInViewer gives the viewer of a record or home page a realm SSO
// session, as Carerix's own login would. The page cannot see the realm's
// cookie (its Path is the realm's), so it sets it on every view: the
// user's live page session is reused, else a new one starts.
func (s *Server) signInViewer(w http.ResponseWriter, r *http.Request, u User) {
	if s.opts.NoRecordPageSignIn {
		return
	}
	tok := s.realm.pageSession(u.ID, s.opts.Now())
	http.SetCookie(w, s.realmCookie(r, SSOCookieName, tok, 0))
}

// EndUserSessions ends every realm SSO session of a user (as an admin's
// "Sign out" in Keycloak would) and returns how many ended.
func (s *Server) EndUserSessions(userID string) int { return s.realm.endUserSessions(userID) }

// registerRealm adds the realm's sign-in routes.
func (s *Server) registerRealm(mux *http.ServeMux) {
	oidc := "/auth/realms/{realm}/protocol/openid-connect"
	mux.HandleFunc("GET "+oidc+"/auth", s.handleAuthorize)
	mux.HandleFunc("POST "+oidc+"/auth", s.handleAuthorize)
	mux.HandleFunc("POST /auth/realms/{realm}/login-actions/authenticate", s.handleLogin)
	mux.HandleFunc("GET "+oidc+"/userinfo", s.handleUserInfo)
	mux.HandleFunc("POST "+oidc+"/userinfo", s.handleUserInfo)
	mux.HandleFunc("GET "+oidc+"/logout", s.handleLogout)
	mux.HandleFunc("POST "+oidc+"/logout", s.handleLogout)
	mux.HandleFunc("OPTIONS "+oidc+"/token", s.handlePreflight)
	mux.HandleFunc("OPTIONS "+oidc+"/userinfo", s.handlePreflight)
}

// handlePreflight answers CORS preflights for origins a public client
// allows.
func (s *Server) handlePreflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if s.realmOK(w, r) {
		if s.realm.anyOriginAllowed(origin) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", "3600")
		}
		w.WriteHeader(http.StatusOK)
	}
}

// allowOrigin adds CORS headers when the client allows the request's
// origin.
func (s *Server) allowOrigin(w http.ResponseWriter, r *http.Request, clientID string) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	w.Header().Add("Vary", "Origin")
	if c, ok := s.realm.publicClient(clientID); ok && c.originAllowed(origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}
}
