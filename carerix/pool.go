package carerix

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Pool keeps one Client per tenant, built from the tenant's integration
// account (TenantConfig), so its token and rate limiter are shared by
// every job of the tenant. A tenant whose settings change gets a new
// client. Safe for concurrent use.
type Pool struct {
	configure func(*Config)
	contracts recrubo.ContractStore
	mu        sync.Mutex
	clients   map[string]pooledClient
}

type pooledClient struct {
	fingerprint string
	client      *Client
}

// NewPool returns a Pool. configure, when not nil, adjusts each
// configuration (an HTTP client, a logger, a rate limit); contracts, when
// not nil, keeps each tenant's contract (Config.StoreContracts).
func NewPool(configure func(*Config), contracts recrubo.ContractStore) *Pool {
	return &Pool{configure: configure, contracts: contracts, clients: map[string]pooledClient{}}
}

// Client returns the tenant's client. Incomplete settings are EINVALID.
func (p *Pool) Client(t *recrubo.Tenant) (*Client, error) {
	cfg := TenantConfig(t)
	if p.configure != nil {
		p.configure(&cfg)
	}
	if p.contracts != nil {
		cfg.StoreContracts(p.contracts, t.ID)
	}
	fp := fingerprint(cfg)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[t.ID]; ok && c.fingerprint == fp {
		return c.client, nil
	}
	c, err := New(cfg)
	if err != nil {
		return nil, recrubo.Errorf(recrubo.EINVALID, "The Carerix settings of tenant %s are incomplete: %v", t.Slug, err)
	}
	if old, ok := p.clients[t.ID]; ok {
		old.client.CloseIdleConnections()
	}
	p.clients[t.ID] = pooledClient{fingerprint: fp, client: c}
	return c, nil
}

// fingerprint identifies a configuration without keeping its secret.
func fingerprint(c Config) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%v\x00%v\x00%d", c.APIBaseURL, c.IdentityBaseURL, c.Realm,
		c.ClientID, c.ClientSecret, c.Scopes, c.RequestsPerSecond, c.Burst)
	return hex.EncodeToString(h.Sum(nil))
}
