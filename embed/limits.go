package embed

import (
	"strings"
	"sync"
	"time"

	"github.com/patrickmn/go-cache"
	"golang.org/x/time/rate"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Defaults of the look-up limits.
const (
	defaultTenantLookups = 120 // per tenant per minute
	defaultClientLookups = 20  // per client address per minute
)

// lookupLimits bound the Carerix look-ups that unauthenticated page loads
// cause, per tenant and per client address, so forged proofs cannot spend
// a customer's Carerix quota. Each key has a token bucket refilled over a
// minute; idle keys are forgotten.
type lookupLimits struct {
	perTenant, perClient int
	mu                   sync.Mutex
	buckets              *cache.Cache // "t|id" or "c|addr" → *rate.Limiter
}

func newLookupLimits(perTenant, perClient int) *lookupLimits {
	if perTenant <= 0 {
		perTenant = defaultTenantLookups
	}
	if perClient <= 0 {
		perClient = defaultClientLookups
	}
	return &lookupLimits{perTenant: perTenant, perClient: perClient, buckets: cache.New(2*time.Minute, 5*time.Minute)}
}

// allow takes one look-up from the tenant's and the client's buckets, or
// answers ERATELIMITED when either is empty.
func (l *lookupLimits) allow(tenantID, client string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.bucket("t|"+tenantID, l.perTenant)
	c := l.bucket("c|"+client, l.perClient)
	now := time.Now()
	if c.TokensAt(now) < 1 || t.TokensAt(now) < 1 {
		return recrubo.E(recrubo.ERATELIMITED, "error.rate_limited")
	}
	c.AllowN(now, 1)
	t.AllowN(now, 1)
	return nil
}

func (l *lookupLimits) bucket(key string, perMinute int) *rate.Limiter {
	if b, ok := l.buckets.Get(key); ok {
		l.buckets.SetDefault(key, b) // keep it while in use
		return b.(*rate.Limiter)
	}
	b := rate.NewLimiter(rate.Every(time.Minute/time.Duration(perMinute)), perMinute)
	l.buckets.SetDefault(key, b)
	return b
}

// equalFold compares names as people type them: without case, blanks
// around them aside.
func equalFold(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
