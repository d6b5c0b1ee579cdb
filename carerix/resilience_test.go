package carerix_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func TestRateLimitedHonoursRetryAfter(t *testing.T) {
	srv := startEmulator(t, nil)
	seedEmployees(t, srv, 3, "")
	logs := &logRecorder{}
	c := newClient(t, srv, func(cfg *carerix.Config) { cfg.Logger = slog.New(logs) })
	srv.SetFaults(carerixemu.Faults{RateLimited: 1, RetryAfter: time.Second})

	p, err := c.EmployeePage(t.Context(), carerix.PageRequest{})
	if err != nil {
		t.Fatalf("EmployeePage: %v", err)
	}
	if len(p.Items) != 3 {
		t.Errorf("got %d items", len(p.Items))
	}
	st := c.Stats()
	if st.Retries != 1 || st.RateLimited != 1 || st.Requests != 2 {
		t.Errorf("client stats = %+v, want 1 retry after 1 rate limit in 2 requests", st)
	}
	retries := logs.attrs("retrying carerix request")
	if len(retries) != 1 {
		t.Fatalf("logged %d retries, want 1", len(retries))
	}
	if d := retries[0]["delay"].Duration(); d != time.Second {
		t.Errorf("retry delay = %v, want the server's Retry-After of 1s", d)
	}
	if got := srv.Stats().GraphQLRequests; got != 2 {
		t.Errorf("emulator saw %d requests, want 2", got)
	}
}

func TestRetryAfterBeyondMaxBackoffIsReturned(t *testing.T) {
	srv := startEmulator(t, nil)
	c := newClient(t, srv, func(cfg *carerix.Config) {
		cfg.Retry.BaseBackoff = time.Millisecond
		cfg.Retry.MaxBackoff = 500 * time.Millisecond
	})
	srv.SetFaults(carerixemu.Faults{RateLimited: 1, RetryAfter: 7 * time.Second})

	_, err := c.EmployeePage(t.Context(), carerix.PageRequest{})
	var ce *carerix.Error
	if !errors.As(err, &ce) || ce.Kind != carerix.ErrRateLimited {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if ce.RetryAfter != 7*time.Second || ce.StatusCode != http.StatusTooManyRequests || ce.Attempts != 1 {
		t.Errorf("error = %+v", ce)
	}
	if st := c.Stats(); st.Retries != 0 || st.Failures != 1 {
		t.Errorf("client stats = %+v", st)
	}
}

func TestGatewayErrorsAreRetried(t *testing.T) {
	for _, status := range []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := startEmulator(t, nil)
			seedEmployees(t, srv, 1, "")
			c := newClient(t, srv, nil)
			srv.SetFaults(carerixemu.Faults{ServerErrors: 3, ServerErrorStatus: status})
			if _, err := c.EmployeePage(t.Context(), carerix.PageRequest{}); err != nil {
				t.Fatalf("EmployeePage after 3 x %d: %v", status, err)
			}
			if st := c.Stats(); st.Retries != 3 || st.Requests != 4 {
				t.Errorf("client stats = %+v", st)
			}
		})
	}
}

func TestRetriesAreBounded(t *testing.T) {
	srv := startEmulator(t, nil)
	c := newClient(t, srv, func(cfg *carerix.Config) { cfg.Retry.MaxAttempts = 3 })
	srv.SetFaults(carerixemu.Faults{ServerErrors: 10})

	_, err := c.EmployeePage(t.Context(), carerix.PageRequest{})
	var ce *carerix.Error
	if !errors.As(err, &ce) || ce.Kind != carerix.ErrServer || ce.Attempts != 3 || ce.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("err = %#v", err)
	}
	if got := srv.Stats().GraphQLRequests; got != 3 {
		t.Errorf("emulator saw %d requests, want 3", got)
	}
}

func TestNonRetryableStatusesFailAtOnce(t *testing.T) {
	tests := []struct {
		status int
		kind   carerix.Kind
	}{
		{http.StatusInternalServerError, carerix.ErrServer},
		{http.StatusBadRequest, carerix.ErrBadRequest},
		{http.StatusNotFound, carerix.ErrNotFound},
		{http.StatusConflict, carerix.ErrBadRequest},
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv := startEmulator(t, nil)
			c := newClient(t, srv, nil)
			srv.SetFaults(carerixemu.Faults{Operations: []carerixemu.OperationFault{{Op: "crEmployeePage", Status: tc.status, Times: 5}}})
			_, err := c.EmployeePage(t.Context(), carerix.PageRequest{})
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
			if got := srv.Stats().GraphQLRequests; got != 1 {
				t.Errorf("emulator saw %d requests, want 1 (no retry)", got)
			}
		})
	}
}

func TestCreateIsNotRetriedOnGatewayError(t *testing.T) {
	srv := startEmulator(t, nil)
	c := newClient(t, srv, nil)
	srv.SetFaults(carerixemu.Faults{Operations: []carerixemu.OperationFault{{Op: "crTemplateReferenceCreate", Status: http.StatusBadGateway}}})
	_, err := c.CreateTemplateReference(t.Context(), carerix.TemplateReferenceRequest{Name: ptr("Recrubo inbox")})
	if !errors.Is(err, carerix.ErrServer) {
		t.Fatalf("err = %v, want ErrServer", err)
	}
	if got := srv.Stats().GraphQLRequests; got != 1 {
		t.Errorf("emulator saw %d requests, want 1", got)
	}
	if n := len(srv.Templates()); n != 0 {
		t.Errorf("%d templates exist", n)
	}

	// A rate limit means Carerix did nothing, so a create is retried.
	srv.ResetStats()
	srv.SetFaults(carerixemu.Faults{Operations: []carerixemu.OperationFault{{Op: "crTemplateReferenceCreate", Status: http.StatusTooManyRequests}}})
	c = newClient(t, srv, func(cfg *carerix.Config) { cfg.Retry.MaxBackoff = 2 * time.Second })
	if _, err := c.CreateTemplateReference(t.Context(), carerix.TemplateReferenceRequest{Name: ptr("Recrubo inbox")}); err != nil {
		t.Fatalf("create after 429: %v", err)
	}
	if n := len(srv.Templates()); n != 1 {
		t.Errorf("%d templates exist, want 1", n)
	}
}

func TestAttemptTimeout(t *testing.T) {
	srv := startEmulator(t, nil)
	c := newClient(t, srv, func(cfg *carerix.Config) {
		cfg.Timeout = 100 * time.Millisecond
		cfg.Retry.MaxAttempts = 2
	})
	// Fetch the token first so only GraphQL requests meet the latency.
	if _, err := c.UserPage(t.Context(), carerix.PageRequest{}); err != nil {
		t.Fatal(err)
	}
	srv.ResetStats()
	// The emulator sleeps before reading the request, so it cannot notice
	// the client giving up; keep the latency short for a quick shutdown.
	srv.SetFaults(carerixemu.Faults{Latency: 600 * time.Millisecond})

	_, err := c.EmployeePage(t.Context(), carerix.PageRequest{})
	var ce *carerix.Error
	if !errors.As(err, &ce) || ce.Kind != carerix.ErrServer || !errors.Is(err, context.DeadlineExceeded) || ce.Attempts != 2 {
		t.Fatalf("err = %v, want ErrServer wrapping DeadlineExceeded after 2 attempts", err)
	}
	if got := srv.Stats().GraphQLRequests; got != 2 {
		t.Errorf("emulator saw %d requests, want 2", got)
	}
}

func TestCallerContextEndsRetries(t *testing.T) {
	srv := startEmulator(t, nil)
	c := newClient(t, srv, func(cfg *carerix.Config) { cfg.Retry.MaxBackoff = 2 * time.Second })
	srv.SetFaults(carerixemu.Faults{RateLimited: 5, RetryAfter: time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err := c.EmployeePage(ctx, carerix.PageRequest{})
	if !errors.Is(err, carerix.ErrRateLimited) {
		t.Fatalf("err = %v, want the rate limit (the deadline leaves no room to wait)", err)
	}
	if got := srv.Stats().GraphQLRequests; got != 1 {
		t.Errorf("emulator saw %d requests, want 1", got)
	}
}

func TestRateLimiterHonoursContext(t *testing.T) {
	srv := startEmulator(t, nil)
	c := newClient(t, srv, func(cfg *carerix.Config) {
		cfg.RequestsPerSecond = 0.01
		cfg.Burst = 1
	})
	if _, err := c.UserPage(t.Context(), carerix.PageRequest{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.UserPage(ctx, carerix.PageRequest{})
	if err == nil || errors.Is(err, carerix.ErrServer) {
		t.Fatalf("err = %v, want a rate limiter wait error", err)
	}
	st := c.Stats()
	if st.ThrottledWaits != 1 || st.Requests != 1 {
		t.Errorf("client stats = %+v, want 1 throttled wait and 1 request", st)
	}
	if got := srv.Stats().GraphQLRequests; got != 1 {
		t.Errorf("emulator saw %d requests, want 1", got)
	}
}

func ptr[T any](v T) *T { return &v }
