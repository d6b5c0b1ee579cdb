package carerix_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

func TestTokenIsCachedAcrossCalls(t *testing.T) {
	srv := startEmulator(t, nil)
	seedEmployees(t, srv, 2, "")
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleAutoDetect, oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		srv.ResetStats()
		c := newClient(t, srv, func(cfg *carerix.Config) { cfg.AuthStyle = style })
		for range 5 {
			if _, err := c.EmployeePage(t.Context(), carerix.PageRequest{}); err != nil {
				t.Fatalf("auth style %d: %v", style, err)
			}
		}
		if got := srv.Stats().TokenRequests; got != 1 {
			t.Errorf("auth style %d: %d token requests for 5 calls, want 1", style, got)
		}
		if got := c.Stats().TokenFetches; got != 1 {
			t.Errorf("auth style %d: client counted %d token fetches", style, got)
		}
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	// Tokens live 20 s. The client refreshes 30 s before expiry, but at
	// most a quarter of a token's life (5 s) early: a short-lived token
	// serves calls for its first 15 s and is replaced after, before the
	// server would refuse it.
	var clk clock
	srv := startEmulator(t, func(o *carerixemu.Options) {
		clk.install(o)
		o.TokenLifetime = 20 * time.Second
	})
	c := newClient(t, srv, func(cfg *carerix.Config) {
		cfg.TokenExpiryDelta = 30 * time.Second
		cfg.Now = clk.now
	})
	call := func() {
		t.Helper()
		if _, err := c.UserPage(t.Context(), carerix.PageRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		call()
	}
	if got := srv.Stats().TokenRequests; got != 1 {
		t.Errorf("%d token requests for 3 calls within the token's life, want 1", got)
	}
	clk.advance(14 * time.Second)
	call()
	if got := srv.Stats().TokenRequests; got != 1 {
		t.Errorf("%d token requests 14 s in, want still 1", got)
	}
	clk.advance(2 * time.Second) // 16 s: within the last quarter
	call()
	call()
	if got := srv.Stats().TokenRequests; got != 2 {
		t.Errorf("%d token requests 16 s in, want 2", got)
	}
	if got := srv.Stats().Unauthenticated; got != 0 {
		t.Errorf("%d requests were refused", got)
	}
}

func TestExpiredTokenIsReplacedOnce(t *testing.T) {
	var clk clock
	srv := startEmulator(t, clk.install)
	seedEmployees(t, srv, 1, "")
	c := newClient(t, srv, nil)
	if _, err := c.EmployeePage(t.Context(), carerix.PageRequest{}); err != nil {
		t.Fatal(err)
	}
	// The server's clock moves past the token's lifetime; the client still
	// believes its cached token is valid and learns otherwise from a 401.
	clk.advance(2 * time.Hour)
	if _, err := c.EmployeePage(t.Context(), carerix.PageRequest{}); err != nil {
		t.Fatalf("call with server-expired token: %v", err)
	}
	st := srv.Stats()
	if st.Unauthenticated != 1 || st.TokenRequests != 2 || st.GraphQLRequests != 3 {
		t.Errorf("emulator stats = %+v, want 1 refusal, 2 tokens, 3 GraphQL requests", st)
	}
	if cs := c.Stats(); cs.Reauthentications != 1 || cs.Retries != 0 {
		t.Errorf("client stats = %+v", cs)
	}
}

func TestRefusedTokenFailsAfterOneReauthentication(t *testing.T) {
	var clk clock
	srv := startEmulator(t, func(o *carerixemu.Options) {
		clk.install(o)
		// Tokens expire (server side) the moment they are issued.
		o.TokenLifetime = time.Nanosecond
	})
	c := newClient(t, srv, nil)
	_, err := c.UserPage(t.Context(), carerix.PageRequest{})
	if !errors.Is(err, carerix.ErrUnauthenticated) {
		t.Fatalf("err = %v, want ErrUnauthenticated", err)
	}
	if st := srv.Stats(); st.GraphQLRequests != 2 || st.Unauthenticated != 2 {
		t.Errorf("emulator stats = %+v, want exactly one re-authentication", st)
	}
}

func TestWrongSecretIsUnauthenticatedWithoutRetries(t *testing.T) {
	srv := startEmulator(t, nil)
	c := newClient(t, srv, func(cfg *carerix.Config) {
		cfg.ClientSecret = "wrong"
		cfg.AuthStyle = oauth2.AuthStyleInHeader
	})
	_, err := c.EmployeePage(t.Context(), carerix.PageRequest{})
	var ce *carerix.Error
	if !errors.As(err, &ce) || ce.Kind != carerix.ErrUnauthenticated {
		t.Fatalf("err = %v, want ErrUnauthenticated", err)
	}
	if ce.Code != "invalid_client" || ce.StatusCode != 401 || !strings.Contains(err.Error(), "unauthenticated") {
		t.Errorf("error = %+v (%v)", ce, err)
	}
	st := srv.Stats()
	if st.TokenRequests != 1 || st.GraphQLRequests != 0 {
		t.Errorf("emulator stats = %+v, want one token request and no API request", st)
	}
	if cs := c.Stats(); cs.Retries != 0 || cs.Requests != 0 || cs.Failures != 1 {
		t.Errorf("client stats = %+v", cs)
	}
}

func TestMissingScopeIsNamed(t *testing.T) {
	srv := startEmulator(t, func(o *carerixemu.Options) {
		o.Clients = []carerixemu.Client{
			{ID: "hooks-only", Secret: "s1", Scopes: []string{webhooks.ScopeManage}},
			{ID: "data-only", Secret: "s2", Scopes: []string{carerixemu.ScopeCx5Read}},
		}
	})
	t.Run("GraphQL", func(t *testing.T) {
		c := newClient(t, srv, func(cfg *carerix.Config) { cfg.ClientID, cfg.ClientSecret = "hooks-only", "s1" })
		srv.ResetStats()
		_, err := c.EmployeePage(t.Context(), carerix.PageRequest{})
		var ce *carerix.Error
		if !errors.As(err, &ce) || ce.Kind != carerix.ErrMissingScope {
			t.Fatalf("err = %v, want ErrMissingScope", err)
		}
		want := carerixemu.OperationScopes("crEmployeePage")
		if ce.Scope != want[0] || !slices.Equal(ce.Scopes, want) {
			t.Errorf("scope %q / %v, want %q / %v", ce.Scope, ce.Scopes, want[0], want)
		}
		if !strings.Contains(err.Error(), want[0]) {
			t.Errorf("message %q does not name the scope", err)
		}
		if got := srv.Stats().GraphQLRequests; got != 1 {
			t.Errorf("%d requests, want 1 (no retry)", got)
		}
	})
	t.Run("RequestedScopes", func(t *testing.T) {
		srv := startEmulator(t, nil)
		c := newClient(t, srv, func(cfg *carerix.Config) { cfg.Scopes = []string{webhooks.ScopeManage} })
		if _, err := c.WebhookApplications(t.Context()); err != nil {
			t.Fatalf("webhook call with the requested scope: %v", err)
		}
		if _, err := c.EmployeePage(t.Context(), carerix.PageRequest{}); !errors.Is(err, carerix.ErrMissingScope) {
			t.Errorf("err = %v, want ErrMissingScope: only the requested scope may be granted", err)
		}
	})
	t.Run("Mutation", func(t *testing.T) {
		c := newClient(t, srv, func(cfg *carerix.Config) { cfg.ClientID, cfg.ClientSecret = "data-only", "s2" })
		_, err := c.CreateTemplateReference(t.Context(), carerix.TemplateReferenceRequest{Name: ptr("x")})
		var ce *carerix.Error
		if !errors.As(err, &ce) || ce.Kind != carerix.ErrMissingScope || ce.Scope == "" {
			t.Fatalf("err = %v, want ErrMissingScope naming a scope", err)
		}
	})
	t.Run("WebhookREST", func(t *testing.T) {
		c := newClient(t, srv, func(cfg *carerix.Config) { cfg.ClientID, cfg.ClientSecret = "data-only", "s2" })
		_, err := c.WebhookApplications(t.Context())
		var ce *carerix.Error
		if !errors.As(err, &ce) || ce.Kind != carerix.ErrMissingScope || ce.StatusCode != 403 {
			t.Fatalf("err = %v, want ErrMissingScope from HTTP 403", err)
		}
		if ce.Scope != webhooks.ScopeManage {
			t.Errorf("scope = %q, want %q", ce.Scope, webhooks.ScopeManage)
		}
	})
}

func TestConcurrentCallsShareOneToken(t *testing.T) {
	srv := startEmulator(t, nil)
	seedEmployees(t, srv, 3, "")
	c := newClient(t, srv, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 8 {
		wg.Go(func() {
			for range 5 {
				if _, err := c.EmployeePage(t.Context(), carerix.PageRequest{}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := srv.Stats().TokenRequests; got != 1 {
		t.Errorf("%d token requests for 40 concurrent calls, want 1", got)
	}
	if got := c.Stats().Requests; got != 40 {
		t.Errorf("client counted %d requests, want 40", got)
	}
}
