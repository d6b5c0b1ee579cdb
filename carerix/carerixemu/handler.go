package carerixemu

import (
	"errors"
	"net/http"
)

// Handler returns the emulator's HTTP routes:
//
//	POST /auth/realms/{realm}/protocol/openid-connect/token
//	GET  /auth/realms/{realm}/protocol/openid-connect/certs
//	GET  /auth/realms/{realm}/.well-known/openid-configuration
//	GET|POST /auth/realms/{realm}/protocol/openid-connect/auth
//	POST /auth/realms/{realm}/login-actions/authenticate
//	GET|POST /auth/realms/{realm}/protocol/openid-connect/userinfo
//	GET|POST /auth/realms/{realm}/protocol/openid-connect/logout
//	POST /graphql/v1/graphql
//	     /webhooks/v1/...                (webhooks.Service REST API)
//	GET  /record/{entity}/{id}?user=     (record screen with templates)
//	GET  /home?user=                     (dashboard with templates)
//	     /_emulator/...                  (admin API, see doc.go)
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	realm := "/auth/realms/{realm}"
	mux.HandleFunc("POST "+realm+"/protocol/openid-connect/token", s.handleToken)
	mux.HandleFunc("GET "+realm+"/protocol/openid-connect/certs", s.handleJWKS)
	mux.HandleFunc("GET "+realm+"/.well-known/openid-configuration", s.handleDiscovery)
	s.registerRealm(mux)
	mux.HandleFunc("POST "+graphQLPath, s.handleGraphQL)
	mux.HandleFunc(graphQLPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		writeGraphQLErrors(w, http.StatusMethodNotAllowed, CodeBadRequest, "use POST")
	})
	mux.Handle("/webhooks/v1/", s.hooks.Handler())
	mux.HandleFunc("GET /record/{entity}/{id}", s.handleRecordPage)
	mux.HandleFunc("GET /home", s.handleHomePage)
	s.registerAdmin(mux)
	mux.HandleFunc("GET /{$}", s.handleIndex)
	return mux
}

// realmOK writes Keycloak's 404 for an unknown realm.
func (s *Server) realmOK(w http.ResponseWriter, r *http.Request) bool {
	if r.PathValue("realm") != s.opts.Realm {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Realm does not exist", "error_description": "Realm does not exist"})
		return false
	}
	return true
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.faults.count(func(st *Stats) { st.TokenRequests++ })
	if !s.realmOK(w, r) {
		return
	}
	sleep(r.Context(), s.faults.latency())
	if f, ok := s.faults.opFault(OpToken, -1); ok {
		writeFault(w, f)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	resp, err := s.tokenGrant(w, r)
	if err != nil {
		var oe *oauthError
		if errors.As(err, &oe) {
			if oe.status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Basic realm="`+s.opts.Realm+`"`)
			}
			writeJSON(w, oe.status, map[string]string{"error": oe.code, "error_description": oe.desc})
			return
		}
		s.log.ErrorContext(r.Context(), "issuing token", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error", "error_description": "could not issue token"})
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if s.realmOK(w, r) {
		writeJSON(w, http.StatusOK, s.ident.jwks())
	}
}

func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	if s.realmOK(w, r) {
		writeJSON(w, http.StatusOK, s.ident.discovery(s.baseFor(r)))
	}
}

// handleIndex describes the emulator.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	base := s.baseFor(r)
	iss := s.ident.issuer(base)
	endpoints := map[string]string{
		"token":     iss + "/protocol/openid-connect/token",
		"authorize": iss + "/protocol/openid-connect/auth",
		"userinfo":  iss + "/protocol/openid-connect/userinfo",
		"logout":    iss + "/protocol/openid-connect/logout",
		"discovery": iss + "/.well-known/openid-configuration",
		"jwks":      iss + "/protocol/openid-connect/certs",
		"graphql":   base + graphQLPath,
		"webhooks":  base + "/webhooks/v1/applications",
		"record":    base + "/record/{candidate|vacancy}/{id}?user={userID}",
		"home":      base + "/home?user={userID}",
		"admin":     base + "/_emulator/",
	}
	if s.rules.globalSignatureKey {
		endpoints["signatureKey"] = base + "/webhooks/v1/signature-key"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"emulator":  "Carerix",
		"tenant":    s.opts.Tenant,
		"realm":     s.opts.Realm,
		"profile":   s.opts.Profile,
		"endpoints": endpoints,
	})
}
