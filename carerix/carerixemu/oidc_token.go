package carerixemu

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// userScopes are the scopes a sign-in grants: openid and Keycloak's
// default client scopes profile and email.
var userScopes = []string{"openid", "profile", "email"}

// RealmAccess is Keycloak's realm_access claim.
type RealmAccess struct {
	// Roles are the user's Carerix role names.
	Roles []string `json:"roles"`
}

// userTokenClaims are the claims read back from a sign-in's tokens.
type userTokenClaims struct {
	jwt.RegisteredClaims
	Typ   string `json:"typ"`
	Azp   string `json:"azp"`
	Sid   string `json:"sid"`
	Scope string `json:"scope"`
}

// tokenGrant answers a token request: authorization_code for sign-ins,
// anything else as the client_credentials grant always has.
func (s *Server) tokenGrant(w http.ResponseWriter, r *http.Request) (tokenResponse, error) {
	base := s.baseFor(r)
	if err := r.ParseForm(); err != nil {
		return tokenResponse{}, &oauthError{http.StatusBadRequest, "invalid_request", "Malformed form body"}
	}
	clientID := r.PostForm.Get("client_id")
	if u, _, ok := r.BasicAuth(); ok {
		clientID, _ = url.QueryUnescape(u)
	}
	s.allowOrigin(w, r, clientID)
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		resp, err := s.codeGrant(r, base)
		s.faults.count(func(st *Stats) {
			if err != nil {
				st.Realm.CodeGrantsFailed++
			} else {
				st.Realm.CodeGrants++
			}
		})
		return resp, err
	case "client_credentials":
		if _, public := s.realm.publicClient(clientID); public {
			return tokenResponse{}, &oauthError{http.StatusBadRequest, "unauthorized_client", "Public client not allowed to retrieve service account"}
		}
	}
	return s.ident.grant(r, base)
}

func invalidGrant(desc string) error {
	return &oauthError{http.StatusBadRequest, "invalid_grant", desc}
}

// codeGrant redeems an authorization code (grant_type=authorization_code)
// with Keycloak's checks, in Keycloak's order: client, code (consumed by
// the first attempt; a replay revokes what the code gave), expiry,
// session, user, redirect_uri, client binding, PKCE.
func (s *Server) codeGrant(r *http.Request, base string) (tokenResponse, error) {
	clientID, secret, err := clientCredentials(r)
	if err != nil {
		return tokenResponse{}, err
	}
	if _, public := s.realm.publicClient(clientID); !public {
		c, ok := s.ident.clients[clientID]
		if !ok || !constantTimeEqual(secret, c.Secret) {
			return tokenResponse{}, errInvalidClient
		}
	}
	code := r.PostForm.Get("code")
	if code == "" {
		return tokenResponse{}, &oauthError{http.StatusBadRequest, "invalid_request", "Missing parameter: code"}
	}
	now := s.opts.Now()
	rs := s.realm
	rs.mu.Lock()
	ac := rs.codes[code]
	if ac == nil || ac.used {
		if ac != nil {
			for _, jti := range ac.issued {
				rs.revoked[jti] = now.Add(ac.req.client.TokenLifetime)
			}
		}
		rs.mu.Unlock()
		return tokenResponse{}, invalidGrant("Code not valid")
	}
	ac.used = true
	g := *ac
	rs.mu.Unlock()
	if !now.Before(g.expires) {
		return tokenResponse{}, invalidGrant("Code is expired")
	}
	sess, ok := rs.sessionByID(g.sessionID, now)
	if !ok {
		return tokenResponse{}, invalidGrant("Session not active")
	}
	u, err := s.User(g.userID)
	if err != nil || u.Deleted {
		return tokenResponse{}, invalidGrant("User not found")
	}
	if !u.IsActive {
		return tokenResponse{}, invalidGrant("User disabled")
	}
	if r.PostForm.Get("redirect_uri") != g.req.redirectURI {
		return tokenResponse{}, invalidGrant("Incorrect redirect_uri")
	}
	if clientID != g.req.client.ID {
		return tokenResponse{}, invalidGrant("Auth error")
	}
	verifier := r.PostForm.Get("code_verifier")
	switch {
	case !r.PostForm.Has("code_verifier"):
		return tokenResponse{}, invalidGrant("PKCE code verifier not specified")
	case !validPKCEValue(verifier):
		return tokenResponse{}, invalidGrant("PKCE invalid code verifier")
	case !constantTimeEqual(s256(verifier), g.req.challenge):
		return tokenResponse{}, invalidGrant("PKCE verification failed")
	}
	access, idToken, jti, err := s.userTokens(u, g, sess, base, now)
	if err != nil {
		return tokenResponse{}, err
	}
	rs.mu.Lock()
	ac.issued = append(ac.issued, jti)
	rs.mu.Unlock()
	return tokenResponse{AccessToken: access, IDToken: idToken, ExpiresIn: int(g.req.client.TokenLifetime / time.Second),
		TokenType: "Bearer", Scope: strings.Join(userScopes, " "), SessionState: sess.id}, nil
}

// userTokens signs the access token and ID token of a sign-in.
func (s *Server) userTokens(u User, g authCode, sess ssoSession, base string, now time.Time) (access, idToken, jti string, err error) {
	c := g.req.client
	iss := s.ident.issuer(base)
	jti = randomJTI()
	common := jwt.MapClaims{
		"iss":                iss,
		"sub":                s.UserSubject(u.ID),
		"azp":                c.ID,
		"iat":                now.Unix(),
		"exp":                now.Add(c.TokenLifetime).Unix(),
		"auth_time":          sess.authTime.Unix(),
		"sid":                sess.id,
		"session_state":      sess.id,
		"preferred_username": strings.ToLower(u.UserName),
		"email_verified":     false,
		"realm_access":       RealmAccess{Roles: append([]string{}, u.Roles...)},
	}
	if u.EmailAddress != nil && *u.EmailAddress != "" {
		common["email"] = strings.ToLower(*u.EmailAddress)
	}
	if name := joinName(deref(u.FirstName), deref(u.LastName)); name != "" {
		common["name"] = name
	}
	if u.FirstName != nil && *u.FirstName != "" {
		common["given_name"] = *u.FirstName
	}
	if u.LastName != nil && *u.LastName != "" {
		common["family_name"] = *u.LastName
	}
	at := jwt.MapClaims{"typ": "Bearer", "jti": jti, "scope": strings.Join(userScopes, " ")}
	idc := jwt.MapClaims{"typ": "ID", "jti": randomJTI(), "aud": c.ID}
	if g.req.nonce != "" {
		idc["nonce"] = g.req.nonce
	}
	for k, v := range common {
		at[k], idc[k] = v, v
	}
	if access, err = s.ident.sign(at); err != nil {
		return "", "", "", err
	}
	sum := sha256.Sum256([]byte(access))
	idc["at_hash"] = base64.RawURLEncoding.EncodeToString(sum[:16])
	if idToken, err = s.ident.sign(idc); err != nil {
		return "", "", "", err
	}
	return access, idToken, jti, nil
}

func randomJTI() string { return uuid.NewString() }

// sign signs claims with the realm key (RS256, kid).
func (id *identity) sign(claims jwt.Claims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = id.kid
	out, err := t.SignedString(id.key)
	if err != nil {
		return "", fmt.Errorf("signing token: %w", err)
	}
	return out, nil
}

// parseRealmToken verifies a token's signature and issuer; expiry is
// checked unless allowExpired (an id_token_hint may have expired).
func (s *Server) parseRealmToken(raw, base string, allowExpired bool) (userTokenClaims, error) {
	var claims userTokenClaims
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(s.ident.issuer(base)), jwt.WithTimeFunc(s.opts.Now)}
	if allowExpired {
		opts = append(opts, jwt.WithoutClaimsValidation())
	} else {
		opts = append(opts, jwt.WithExpirationRequired())
	}
	_, err := jwt.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != s.ident.kid {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return &s.ident.key.PublicKey, nil
	}, opts...)
	if err != nil {
		return userTokenClaims{}, fmt.Errorf("verifying token: %w", err)
	}
	if allowExpired && claims.Issuer != s.ident.issuer(base) {
		return userTokenClaims{}, errors.New("verifying token: wrong issuer")
	}
	return claims, nil
}

// userInfo is the userinfo endpoint's answer.
type userInfo struct {
	Sub               string      `json:"sub"`
	PreferredUsername string      `json:"preferred_username"`
	Email             string      `json:"email,omitempty"`
	EmailVerified     bool        `json:"email_verified"`
	Name              string      `json:"name,omitempty"`
	GivenName         string      `json:"given_name,omitempty"`
	FamilyName        string      `json:"family_name,omitempty"`
	RealmAccess       RealmAccess `json:"realm_access"`
}

// handleUserInfo serves GET|POST
// /auth/realms/{realm}/protocol/openid-connect/userinfo with a sign-in's
// access token: the user's current claims. The token must be live, its
// session not ended and its user still active.
func (s *Server) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	s.faults.count(func(st *Stats) { st.Realm.UserInfoRequests++ })
	if !s.realmOK(w, r) {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	raw = strings.TrimSpace(raw)
	if !ok || !strings.EqualFold(scheme, "Bearer") || raw == "" {
		s.bearerError(w, http.StatusUnauthorized, "invalid_request", "Token not provided")
		return
	}
	base := s.baseFor(r)
	claims, err := s.parseRealmToken(raw, base, false)
	if err != nil || claims.Typ != "Bearer" {
		s.bearerError(w, http.StatusUnauthorized, "invalid_token", "Token verification failed")
		return
	}
	s.allowOrigin(w, r, claims.Azp)
	if !slices.Contains(strings.Fields(claims.Scope), "openid") {
		s.bearerError(w, http.StatusForbidden, "insufficient_scope", "Missing openid scope")
		return
	}
	now := s.opts.Now()
	s.realm.mu.Lock()
	_, revoked := s.realm.revoked[claims.ID]
	s.realm.mu.Unlock()
	if revoked {
		s.bearerError(w, http.StatusUnauthorized, "invalid_token", "Token verification failed")
		return
	}
	sess, ok := s.realm.sessionByID(claims.Sid, now)
	if !ok || s.UserSubject(sess.userID) != claims.Subject {
		s.bearerError(w, http.StatusUnauthorized, "invalid_token", "User session not found or doesn't have client attached on it")
		return
	}
	u, err := s.User(sess.userID)
	if err != nil || u.Deleted || !u.IsActive {
		s.bearerError(w, http.StatusUnauthorized, "invalid_token", "User disabled")
		return
	}
	info := userInfo{Sub: claims.Subject, PreferredUsername: strings.ToLower(u.UserName),
		Name: joinName(deref(u.FirstName), deref(u.LastName)), GivenName: deref(u.FirstName), FamilyName: deref(u.LastName),
		RealmAccess: RealmAccess{Roles: append([]string{}, u.Roles...)}}
	if u.EmailAddress != nil {
		info.Email = strings.ToLower(*u.EmailAddress)
	}
	writeJSON(w, http.StatusOK, info)
}

// bearerError answers like Keycloak's userinfo endpoint (RFC 6750).
func (s *Server) bearerError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q, error=%q, error_description=%q`, s.opts.Realm, code, desc))
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// handleLogout serves GET|POST
// /auth/realms/{realm}/protocol/openid-connect/logout: it ends the
// browser's SSO session (and the id_token_hint's session), clears the
// cookie, and returns to post_logout_redirect_uri when it is one of the
// client's redirect URIs (the client named by client_id or by the
// id_token_hint), else shows a page.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	s.faults.count(func(st *Stats) { st.Realm.Logouts++ })
	if !s.realmOK(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.messagePage(w, http.StatusBadRequest, "Invalid request", "The logout request could not be read.")
		return
	}
	q := r.Form
	clientID, post := q.Get("client_id"), q.Get("post_logout_redirect_uri")
	var sid string
	if hint := q.Get("id_token_hint"); hint != "" {
		claims, err := s.parseRealmToken(hint, s.baseFor(r), true)
		if err != nil || claims.Typ != "ID" {
			s.messagePage(w, http.StatusBadRequest, "We are sorry...", "Invalid parameter: id_token_hint")
			return
		}
		if clientID != "" && clientID != claims.Azp {
			s.messagePage(w, http.StatusBadRequest, "We are sorry...", "Parameter client_id different than the client of the id_token_hint")
			return
		}
		clientID, sid = claims.Azp, claims.Sid
	}
	if post != "" {
		if clientID == "" {
			s.messagePage(w, http.StatusBadRequest, "We are sorry...", "Either id_token_hint or client_id parameter must be provided.")
			return
		}
		if c, ok := s.realm.publicClient(clientID); !ok || !c.redirectAllowed(post) {
			s.messagePage(w, http.StatusBadRequest, "We are sorry...", "Invalid redirect uri")
			return
		}
	}
	s.realm.endSession(cookieValue(r, SSOCookieName), sid)
	http.SetCookie(w, s.realmCookie(r, SSOCookieName, "", -1))
	if post != "" {
		u, _ := url.Parse(post) // checked by redirectAllowed
		if st := q.Get("state"); st != "" {
			v := u.Query()
			v.Set("state", st)
			u.RawQuery = v.Encode()
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	s.messagePage(w, http.StatusOK, "You are logged out", "You are signed out of Carerix ("+s.opts.Tenant+").")
}
