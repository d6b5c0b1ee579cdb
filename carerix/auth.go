package carerix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// fallbackTokenLifetime is assumed when the token endpoint omits
// expires_in (third-party code assumes 300 s); without it oauth2 would
// treat the token as valid forever.
const fallbackTokenLifetime = 300 * time.Second

// tokenCache hands out client-credentials access tokens, fetching a new one
// only when the cached token is missing, close to expiry or invalidated.
//
// Fetches run under sem (a one-slot semaphore) so concurrent callers share
// one token request, and so a waiting caller still honours its context.
type tokenCache struct {
	cc      *clientcredentials.Config
	delta   time.Duration
	hc      *http.Client
	timeout time.Duration
	now     func() time.Time
	stats   *counters
	log     *slog.Logger

	sem  chan struct{}
	tok  *oauth2.Token // guarded by sem
	life time.Duration // the cached token's lifetime when fetched; guarded by sem
}

func newTokenCache(cfg Config, stats *counters) *tokenCache {
	return &tokenCache{
		cc: &clientcredentials.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			TokenURL:     cfg.TokenURL(),
			Scopes:       cfg.Scopes,
			AuthStyle:    cfg.AuthStyle,
		},
		delta:   cfg.TokenExpiryDelta,
		hc:      cfg.HTTPClient,
		timeout: cfg.Timeout,
		now:     cfg.Now,
		stats:   stats,
		log:     cfg.Logger,
		sem:     make(chan struct{}, 1),
	}
}

// token returns a valid access token, fetching one if needed.
func (t *tokenCache) token(ctx context.Context) (*oauth2.Token, error) {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for token: %w", ctx.Err())
	}
	defer func() { <-t.sem }()

	if t.fresh() {
		return t.tok, nil
	}
	fetchCtx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	fetchCtx = context.WithValue(fetchCtx, oauth2.HTTPClient, t.hc)
	fetchedAt := t.now()
	tok, err := t.cc.TokenSource(fetchCtx).Token()
	if err != nil {
		return nil, tokenError(err, t.now())
	}
	t.stats.tokenFetches.Add(1)
	if tok.Expiry.IsZero() {
		tok.Expiry = fetchedAt.Add(fallbackTokenLifetime)
	}
	// The token's life counts from when it was asked for, not when the
	// answer arrived, and one second less: identity servers write expiry
	// claims in whole seconds, truncated, so a token may end up to a
	// second before issue time plus expires_in.
	if life := tok.Expiry.Sub(fetchedAt); life > 2*time.Second {
		tok.Expiry = fetchedAt.Add(life - time.Second)
	} else {
		tok.Expiry = fetchedAt.Add(life / 2)
	}
	t.life = tok.Expiry.Sub(fetchedAt)
	t.log.DebugContext(ctx, "fetched carerix access token", "token_url", t.cc.TokenURL, "expiry", tok.Expiry)
	t.tok = tok
	return tok, nil
}

// fresh reports whether the cached token may still be used: it is valid
// for longer than the refresh margin, which is Config.TokenExpiryDelta but
// at most a quarter of the token's lifetime, so that short-lived tokens
// (Carerix was seen issuing 300 s ones; tests use seconds) are used for
// most of their life rather than refetched for every request.
func (t *tokenCache) fresh() bool {
	if t.tok == nil || t.tok.AccessToken == "" {
		return false
	}
	margin := min(t.delta, t.life/4)
	return t.now().Add(margin).Before(t.tok.Expiry)
}

// invalidate drops the cached token if it is still stale, so the next call
// fetches a fresh one. A token already replaced by another caller is kept.
func (t *tokenCache) invalidate(ctx context.Context, stale *oauth2.Token) error {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("waiting to invalidate token: %w", ctx.Err())
	}
	defer func() { <-t.sem }()
	if t.tok != nil && stale != nil && t.tok.AccessToken == stale.AccessToken {
		t.tok = nil
	}
	return nil
}

// tokenError turns a token endpoint failure into an *Error. Refused
// credentials are ErrUnauthenticated; an unknown scope is ErrMissingScope;
// anything else is a server or connection failure.
func tokenError(err error, now time.Time) error {
	e := &Error{Op: "token", Err: err}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		// Connection failure or timeout of the token request: retryable
		// like any other network error.
		e.Kind = ErrServer
		return e
	}
	e.Err = nil
	e.Code = re.ErrorCode
	e.Message = re.ErrorDescription
	if e.Message == "" && re.ErrorCode == "" {
		e.Message = truncate(string(re.Body), 200)
	}
	if re.Response != nil {
		e.StatusCode = re.Response.StatusCode
		e.RetryAfter = parseRetryAfter(re.Response.Header.Get("Retry-After"), now)
	}
	switch {
	case re.ErrorCode == "invalid_scope":
		e.Kind = ErrMissingScope
		e.Scope = findScope(re.ErrorDescription)
	case re.ErrorCode == "invalid_client", re.ErrorCode == "unauthorized_client",
		re.ErrorCode == "invalid_grant", e.StatusCode == http.StatusUnauthorized:
		e.Kind = ErrUnauthenticated
	case e.StatusCode == http.StatusTooManyRequests:
		e.Kind = ErrRateLimited
	case e.StatusCode >= 500:
		e.Kind = ErrServer
	default:
		e.Kind = ErrBadRequest
	}
	return e
}

// truncate shortens s to at most n bytes (never splitting a character)
// for inclusion in messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
