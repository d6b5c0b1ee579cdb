package embed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// CarerixFetcher reads stableHashes through each tenant's Carerix API
// client, built from the tenant's settings and kept while they do not
// change. It implements Fetcher.
type CarerixFetcher struct {
	HTTPClient *http.Client // nil: the carerix package's default
	Logger     *slog.Logger

	mu      sync.Mutex
	clients map[string]fetcherClient // tenant id → client
}

type fetcherClient struct {
	updated time.Time
	client  *carerix.Client
}

var _ Fetcher = (*CarerixFetcher)(nil)

// client returns t's API client, building it when t's settings changed.
func (f *CarerixFetcher) client(t *recrubo.Tenant) (*carerix.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.clients[t.ID]; ok && c.updated.Equal(t.UpdatedAt) {
		return c.client, nil
	}
	c, err := carerix.New(carerix.Config{
		APIBaseURL: t.Carerix.APIBaseURL, IdentityBaseURL: t.Carerix.IdentityBaseURL, Realm: t.Carerix.Realm,
		ClientID: t.Carerix.ClientID, ClientSecret: t.Carerix.ClientSecret.Reveal(), Scopes: t.Carerix.Scopes,
		HTTPClient: f.HTTPClient, Logger: f.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("carerix client of tenant %s: %w", t.Slug, err)
	}
	if f.clients == nil {
		f.clients = map[string]fetcherClient{}
	}
	if old, ok := f.clients[t.ID]; ok {
		old.client.CloseIdleConnections()
	}
	f.clients[t.ID] = fetcherClient{updated: t.UpdatedAt, client: c}
	return c, nil
}

// StableHash reads the record's current stableHash from Carerix.
func (f *CarerixFetcher) StableHash(ctx context.Context, t *recrubo.Tenant, entity recrubo.Entity, id string) (string, error) {
	c, err := f.client(t)
	if err != nil {
		return "", err
	}
	var hash string
	switch entity {
	case recrubo.EntityCandidate:
		var e *carerix.Employee
		if e, err = c.Employee(ctx, id); err == nil {
			if e.Deleted {
				return "", recrubo.Errorf(recrubo.ENOTFOUND, "No such record.")
			}
			hash = e.StableHash
		}
	case recrubo.EntityVacancy:
		var v *carerix.Vacancy
		if v, err = c.Vacancy(ctx, id); err == nil {
			if v.Deleted {
				return "", recrubo.Errorf(recrubo.ENOTFOUND, "No such record.")
			}
			hash = v.StableHash
		}
	case recrubo.EntityRecruiter:
		var u *carerix.User
		if u, err = c.User(ctx, id); err == nil {
			if !u.IsActive {
				return "", recrubo.Errorf(recrubo.ENOTFOUND, "No such user.")
			}
			hash = u.StableHash
		}
	default:
		return "", recrubo.Errorf(recrubo.EINVALID, "Unknown record type %q.", entity)
	}
	if errors.Is(err, carerix.ErrNotFound) {
		return "", recrubo.WrapError(recrubo.ENOTFOUND, err, "No such record.")
	}
	if err != nil {
		return "", recrubo.WrapError(recrubo.EUNAVAILABLE, err, "Carerix cannot be reached right now.")
	}
	return hash, nil
}
