package embed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// CarerixFetcher asks each tenant's Carerix, through its integration
// account's API client (one per tenant, kept while its settings do not
// change, holding the tenant's stored contract). It implements Fetcher.
type CarerixFetcher struct {
	HTTPClient *http.Client // nil: the carerix package's default
	Logger     *slog.Logger
	// Contracts keeps the tenants' Carerix contracts; nil reads each
	// tenant's contract once per client.
	Contracts recrubo.ContractStore
	// Configure, when set, adjusts each client's configuration (a rate
	// limit).
	Configure func(*carerix.Config)

	once sync.Once
	pool *carerix.Pool
}

var _ Fetcher = (*CarerixFetcher)(nil)

// client returns t's API client.
func (f *CarerixFetcher) client(t *recrubo.Tenant) (*carerix.Client, error) {
	f.once.Do(func() {
		f.pool = carerix.NewPool(func(c *carerix.Config) {
			c.HTTPClient, c.Logger = f.HTTPClient, f.Logger
			if f.Configure != nil {
				f.Configure(c)
			}
		}, f.Contracts)
	})
	c, err := f.pool.Client(t)
	if err != nil {
		return nil, fmt.Errorf("carerix client of tenant %s: %w", t.Slug, err)
	}
	return c, nil
}

// StableHash reads the record's current stableHash from Carerix ("" where
// the tenant's API has none).
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
			if !u.IsActive || u.Deleted {
				return "", recrubo.Errorf(recrubo.ENOTFOUND, "No such user.")
			}
			hash = u.StableHash
		}
	default:
		return "", recrubo.Errorf(recrubo.EINVALID, "Unknown record type %q.", entity)
	}
	return hash, lookupError(err)
}

// FindUser finds the user a sign-in names: user name or e-mail address,
// exactly or but for case.
func (f *CarerixFetcher) FindUser(ctx context.Context, t *recrubo.Tenant, username, email string) (*recrubo.Recruiter, error) {
	c, err := f.client(t)
	if err != nil {
		return nil, err
	}
	k, err := c.Contract(ctx)
	if err != nil {
		return nil, lookupError(err)
	}
	var exact, folded []carerix.Qualifier
	for _, w := range []struct{ field, value string }{{"userName", username}, {"emailAddress", email}} {
		path, err := k.Path("CRUser", w.field)
		if w.value == "" || err != nil {
			continue
		}
		exact = append(exact, carerix.Eq(path, w.value))
		folded = append(folded, carerix.EqualFold(path, w.value))
	}
	if len(exact) == 0 {
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "No such user.")
	}
	// Keycloak lower-cases user names; Carerix may not. Exact first, then
	// without case where Carerix takes caseInsensitiveLike.
	for _, q := range []carerix.Qualifier{carerix.Or(exact...), carerix.Or(folded...)} {
		qs, err := q.Build()
		if err != nil {
			continue
		}
		page, err := c.UserPage(ctx, carerix.PageRequest{Qualifier: qs, Size: 2})
		if errors.Is(err, carerix.ErrInvalidQualifier) {
			continue
		}
		if err != nil {
			return nil, lookupError(err)
		}
		for _, u := range page.Items {
			if equalFold(u.UserName, username) || equalFold(u.EmailAddress, email) {
				return &recrubo.Recruiter{TenantID: t.ID, ID: u.ID, UserName: u.UserName, FirstName: u.FirstName,
					LastName: u.LastName, Email: u.EmailAddress, Active: u.IsActive && !u.Deleted, StableHash: u.StableHash}, nil
			}
		}
	}
	return nil, recrubo.Errorf(recrubo.ENOTFOUND, "No such user.")
}

// HasRole asks Carerix whether the user holds one of roles.
func (f *CarerixFetcher) HasRole(ctx context.Context, t *recrubo.Tenant, userID string, roles []string) (bool, error) {
	c, err := f.client(t)
	if err != nil {
		return false, err
	}
	ok, err := c.UserHasRole(ctx, userID, roles)
	if errors.Is(err, carerix.ErrContract) {
		return false, err // no roles through this tenant's API
	}
	return ok, lookupError(err)
}

// lookupError turns a Carerix failure into the product's: a record it
// does not have is ENOTFOUND, anything else EUNAVAILABLE.
func lookupError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, carerix.ErrNotFound):
		return recrubo.WrapError(recrubo.ENOTFOUND, err, "No such record.")
	default:
		return recrubo.WrapE(recrubo.EUNAVAILABLE, err, "embed.error.carerix_unavailable")
	}
}
