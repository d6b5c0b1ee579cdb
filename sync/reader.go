package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	gosync "sync"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// Reader is what sync needs from Carerix; *carerix.Client implements it.
type Reader interface {
	DataNodeListBy(ctx context.Context, nodeType, tag string) ([]carerix.DataNode, error)
	EmployeePage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Employee], error)
	VacancyPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Vacancy], error)
	MatchPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Match], error)
	UserPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.User], error)
}

var _ Reader = (*carerix.Client)(nil)

// Connector returns the Carerix reader of a tenant.
type Connector func(ctx context.Context, t *recrubo.Tenant) (Reader, error)

// clientPool keeps one Carerix client per tenant, so its token and rate
// limiter are shared by every job of the tenant. A tenant whose settings
// change gets a new client.
type clientPool struct {
	configure func(*carerix.Config)
	mu        gosync.Mutex
	clients   map[string]pooledClient
}

type pooledClient struct {
	fingerprint string
	client      *carerix.Client
}

// NewClientConnector returns a Connector building clients from the
// tenant's settings (carerix.TenantConfig), one per tenant, reused while
// the settings stay the same. configure, when not nil, adjusts each
// configuration (an HTTP client, a logger, a rate limit).
func NewClientConnector(configure func(*carerix.Config)) Connector {
	p := &clientPool{configure: configure, clients: map[string]pooledClient{}}
	return p.connect
}

func (p *clientPool) connect(_ context.Context, t *recrubo.Tenant) (Reader, error) {
	cfg := carerix.TenantConfig(t)
	if p.configure != nil {
		p.configure(&cfg)
	}
	fp := fingerprint(cfg)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[t.ID]; ok && c.fingerprint == fp {
		return c.client, nil
	}
	c, err := carerix.New(cfg)
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
func fingerprint(c carerix.Config) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%v\x00%v\x00%d", c.APIBaseURL, c.IdentityBaseURL, c.Realm,
		c.ClientID, c.ClientSecret, c.Scopes, c.RequestsPerSecond, c.Burst)
	return hex.EncodeToString(h.Sum(nil))
}

// isAccessError reports whether err means our Carerix credentials or scopes
// are wrong: retrying cannot help, a person must act.
func isAccessError(err error) bool {
	return errors.Is(err, carerix.ErrUnauthenticated) || errors.Is(err, carerix.ErrMissingScope) ||
		errors.Is(err, carerix.ErrForbidden)
}

// accessMessage is the user-safe explanation of an access error.
func accessMessage(err error) string {
	var ce *carerix.Error
	switch {
	case errors.Is(err, carerix.ErrMissingScope):
		if errors.As(err, &ce) && ce.Scope != "" {
			return fmt.Sprintf("Carerix refused access: the integration account lacks scope %s.", ce.Scope)
		}
		return "Carerix refused access: the integration account lacks a required scope."
	case errors.Is(err, carerix.ErrForbidden):
		return "Carerix refused access to the data the sync reads (forbidden)."
	default:
		return "Carerix rejected the integration account's credentials (client id or secret)."
	}
}
