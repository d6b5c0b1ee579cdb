package carerixemu

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// adminPrefix is where the emulator's own JSON API lives.
const adminPrefix = "/_emulator"

// registerAdmin adds the /_emulator/ routes (documented in doc.go).
func (s *Server) registerAdmin(mux *http.ServeMux) {
	var h adminRoute = func(pattern string, fn func(w http.ResponseWriter, r *http.Request) (any, error)) {
		method, path, _ := cutPattern(pattern)
		mux.Handle(method+" "+adminPrefix+path, s.adminGuard(fn))
	}
	h("GET /{$}", s.adminInfo)
	h("GET /counts", func(http.ResponseWriter, *http.Request) (any, error) { return s.Counts(), nil })
	h("POST /seed", s.adminSeed)
	h("GET /users", func(http.ResponseWriter, *http.Request) (any, error) { return s.userViews(), nil })
	h("PUT /users/{id}/password", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		var b struct{ Password string }
		if err := decodeJSON(r, &b); err != nil {
			return nil, err
		}
		if err := s.SetUserPassword(r.PathValue("id"), b.Password); err != nil {
			return nil, err
		}
		return s.userView(r.PathValue("id"))
	})
	h("GET /datanodes", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return s.DataNodes(r.URL.Query().Get("type")), nil
	})

	h("POST /candidates", func(w http.ResponseWriter, r *http.Request) (any, error) {
		var f EmployeeFields
		if err := decodeJSON(r, &f); err != nil {
			return nil, err
		}
		w.WriteHeader(http.StatusCreated)
		return s.CreateEmployee(r.Context(), f)
	})
	h("GET /candidates/{id}", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return s.Employee(r.PathValue("id"))
	})
	h("PATCH /candidates/{id}", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		var f EmployeeFields
		if err := decodeJSON(r, &f); err != nil {
			return nil, err
		}
		return s.UpdateEmployee(r.Context(), r.PathValue("id"), f)
	})
	h("POST /candidates/{id}/status", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		var b struct{ Status string }
		if err := decodeJSON(r, &b); err != nil {
			return nil, err
		}
		return s.SetEmployeeStatus(r.Context(), r.PathValue("id"), b.Status)
	})
	h("DELETE /candidates/{id}", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		id := r.PathValue("id")
		if r.URL.Query().Get("hard") == "true" {
			return deleted(id), s.HardDeleteEmployee(r.Context(), id)
		}
		return deleted(id), s.DeleteEmployee(r.Context(), id)
	})

	h("POST /vacancies", func(w http.ResponseWriter, r *http.Request) (any, error) {
		var f VacancyFields
		if err := decodeJSON(r, &f); err != nil {
			return nil, err
		}
		w.WriteHeader(http.StatusCreated)
		return s.CreateVacancy(r.Context(), f)
	})
	h("GET /vacancies/{id}", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return s.Vacancy(r.PathValue("id"))
	})
	h("PATCH /vacancies/{id}", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		var f VacancyFields
		if err := decodeJSON(r, &f); err != nil {
			return nil, err
		}
		return s.UpdateVacancy(r.Context(), r.PathValue("id"), f)
	})
	h("POST /vacancies/{id}/status", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		var b struct{ Status string }
		if err := decodeJSON(r, &b); err != nil {
			return nil, err
		}
		return s.SetVacancyStatus(r.Context(), r.PathValue("id"), b.Status)
	})
	h("DELETE /vacancies/{id}", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		id := r.PathValue("id")
		if r.URL.Query().Get("hard") == "true" {
			return deleted(id), s.HardDeleteVacancy(r.Context(), id)
		}
		return deleted(id), s.DeleteVacancy(r.Context(), id)
	})

	h("POST /matches", func(w http.ResponseWriter, r *http.Request) (any, error) {
		var f MatchFields
		if err := decodeJSON(r, &f); err != nil {
			return nil, err
		}
		w.WriteHeader(http.StatusCreated)
		return s.CreateMatch(r.Context(), f)
	})
	h("GET /matches/{id}", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return s.Match(r.PathValue("id"))
	})
	h("POST /matches/{id}/stage", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		var b struct{ Stage string }
		if err := decodeJSON(r, &b); err != nil {
			return nil, err
		}
		return s.SetMatchStage(r.Context(), r.PathValue("id"), b.Stage)
	})
	h("DELETE /matches/{id}", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		id := r.PathValue("id")
		if r.URL.Query().Get("hard") == "true" {
			return deleted(id), s.HardDeleteMatch(r.Context(), id)
		}
		return deleted(id), s.DeleteMatch(r.Context(), id)
	})

	s.registerAdminOthers(h)

	h("GET /templates", func(http.ResponseWriter, *http.Request) (any, error) { return s.Templates(), nil })
	h("POST /templates", func(w http.ResponseWriter, r *http.Request) (any, error) {
		var f TemplateFields
		if err := decodeJSON(r, &f); err != nil {
			return nil, err
		}
		w.WriteHeader(http.StatusCreated)
		return s.CreateTemplate(r.Context(), f)
	})

	h("GET /faults", func(http.ResponseWriter, *http.Request) (any, error) { return toFaultsJSON(s.Faults()), nil })
	h("PUT /faults", func(_ http.ResponseWriter, r *http.Request) (any, error) {
		var fj faultsJSON
		if err := decodeJSON(r, &fj); err != nil {
			return nil, err
		}
		f, err := fj.faults()
		if err != nil {
			return nil, err
		}
		s.SetFaults(f)
		return toFaultsJSON(s.Faults()), nil
	})
	h("DELETE /faults", func(http.ResponseWriter, *http.Request) (any, error) {
		s.SetFaults(Faults{})
		return toFaultsJSON(s.Faults()), nil
	})
	h("GET /stats", func(http.ResponseWriter, *http.Request) (any, error) { return s.Stats(), nil })
	h("DELETE /stats", func(http.ResponseWriter, *http.Request) (any, error) {
		s.ResetStats()
		return s.Stats(), nil
	})
}

// cutPattern splits "METHOD /path".
func cutPattern(p string) (method, path string, ok bool) {
	for i := range len(p) {
		if p[i] == ' ' {
			return p[:i], p[i+1:], true
		}
	}
	return "", p, false
}

func deleted(id string) map[string]any { return map[string]any{"_id": id, "deleted": true} }

// adminGuard checks the admin token and renders the handler's result.
func (s *Server) adminGuard(fn func(w http.ResponseWriter, r *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := s.opts.AdminToken; tok != "" {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+tok)) != 1 {
				writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "admin token required"})
				return
			}
		}
		rw := &statusRecorder{ResponseWriter: w}
		v, err := fn(rw, r)
		status := rw.status
		switch {
		case errors.Is(err, ErrNotFound):
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		case errors.Is(err, ErrInvalid):
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		case err != nil:
			s.log.ErrorContext(r.Context(), "admin request failed", "path", r.URL.Path, "err", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		default:
			if status == 0 {
				status = http.StatusOK
			}
			writeJSON(w, status, v)
		}
	})
}

// statusRecorder lets a handler choose the success status without
// writing the header yet.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code }

func decodeJSON(r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return invalid("request body: %v", err)
	}
	return nil
}

func (s *Server) adminInfo(_ http.ResponseWriter, r *http.Request) (any, error) {
	return map[string]any{
		"tenant":   s.opts.Tenant,
		"profile":  s.opts.Profile,
		"realm":    s.opts.Realm,
		"issuer":   s.ident.issuer(s.baseFor(r)),
		"counts":   s.Counts(),
		"clients":  s.clientIDs(),
		"signIn":   map[string]any{"publicClients": s.realm.clientOrder},
		"webhooks": len(s.hooks.Applications(r.Context())),
	}, nil
}

// adminUser is a user as /_emulator/users shows it: whether it has a
// realm password (always) and whether that is the default one, never the
// password or its hash.
type adminUser struct {
	User
	PasswordSet     bool `json:"passwordSet"`
	DefaultPassword bool `json:"defaultPassword"`
}

func (s *Server) userViews() []adminUser {
	users := s.Users()
	out := make([]adminUser, len(users))
	for i, u := range users {
		out[i] = adminUser{User: u, PasswordSet: true, DefaultPassword: !s.hasOwnPassword(u.ID)}
	}
	return out
}

func (s *Server) userView(id string) (adminUser, error) {
	u, err := s.User(id)
	if err != nil {
		return adminUser{}, err
	}
	return adminUser{User: u, PasswordSet: true, DefaultPassword: !s.hasOwnPassword(u.ID)}, nil
}

func (s *Server) clientIDs() []string {
	out := make([]string, 0, len(s.opts.Clients))
	for _, c := range s.opts.Clients {
		out = append(out, c.ID)
	}
	return out
}

func (s *Server) adminSeed(w http.ResponseWriter, r *http.Request) (any, error) {
	var o SeedOptions
	if err := decodeJSON(r, &o); err != nil {
		return nil, err
	}
	res, err := s.Seed(r.Context(), o)
	if err != nil {
		return nil, err
	}
	w.WriteHeader(http.StatusCreated)
	return map[string]any{"created": map[string]int{
		"users": len(res.Users), "candidates": len(res.Candidates),
		"vacancies": len(res.Vacancies), "matches": len(res.Matches),
	}, "counts": s.Counts()}, nil
}

// faultsJSON is Faults with durations as Go duration strings ("250ms").
type faultsJSON struct {
	Latency           string               `json:"latency,omitempty"`
	RateLimited       int                  `json:"rateLimited,omitempty"`
	RetryAfter        string               `json:"retryAfter,omitempty"`
	ServerErrors      int                  `json:"serverErrors,omitempty"`
	ServerErrorStatus int                  `json:"serverErrorStatus,omitempty"`
	Operations        []operationFaultJSON `json:"operations,omitempty"`
}

type operationFaultJSON struct {
	Op         string `json:"op"`
	Pages      []int  `json:"pages,omitempty"`
	Skip       int    `json:"skip,omitempty"`
	Times      int    `json:"times,omitempty"`
	Status     int    `json:"status,omitempty"`
	RetryAfter string `json:"retryAfter,omitempty"`
}

func durationText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func parseDurationText(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, invalid("%s: want a duration like \"2s\", got %q", field, s)
	}
	return d, nil
}

func toFaultsJSON(f Faults) faultsJSON {
	out := faultsJSON{Latency: durationText(f.Latency), RateLimited: f.RateLimited,
		RetryAfter: durationText(f.RetryAfter), ServerErrors: f.ServerErrors, ServerErrorStatus: f.ServerErrorStatus}
	for _, o := range f.Operations {
		out.Operations = append(out.Operations, operationFaultJSON{Op: o.Op, Pages: o.Pages, Skip: o.Skip,
			Times: o.Times, Status: o.Status, RetryAfter: durationText(o.RetryAfter)})
	}
	return out
}

func (fj faultsJSON) faults() (Faults, error) {
	var f Faults
	var err error
	if f.Latency, err = parseDurationText("latency", fj.Latency); err != nil {
		return f, err
	}
	if f.RetryAfter, err = parseDurationText("retryAfter", fj.RetryAfter); err != nil {
		return f, err
	}
	f.RateLimited, f.ServerErrors, f.ServerErrorStatus = fj.RateLimited, fj.ServerErrors, fj.ServerErrorStatus
	if err := checkFaultStatus(f.ServerErrorStatus); err != nil {
		return f, err
	}
	for _, o := range fj.Operations {
		ra, err := parseDurationText("operations.retryAfter", o.RetryAfter)
		if err != nil {
			return f, err
		}
		if err := checkFaultStatus(o.Status); err != nil {
			return f, err
		}
		if o.Op == "" {
			return f, invalid("operations.op is required")
		}
		f.Operations = append(f.Operations, OperationFault{Op: o.Op, Pages: o.Pages, Skip: o.Skip,
			Times: o.Times, Status: o.Status, RetryAfter: ra})
	}
	return f, nil
}

func checkFaultStatus(code int) error {
	if code != 0 && (code < 400 || code > 599) {
		return invalid("fault status must be 4xx or 5xx, got %d", code)
	}
	return nil
}
