package embed

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/patrickmn/go-cache"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Mirror is what the authenticator reads of the synced mirror.
type Mirror interface {
	TenantBySlug(ctx context.Context, slug string) (*recrubo.Tenant, error)
	Candidate(ctx context.Context, tenantID, id string) (*recrubo.Candidate, error)
	Vacancy(ctx context.Context, tenantID, id string) (*recrubo.Vacancy, error)
	Recruiter(ctx context.Context, tenantID, id string) (*recrubo.Recruiter, error)
}

// Fetcher reads a record's current stableHash from the tenant's Carerix.
// entity is EntityCandidate, EntityVacancy or EntityRecruiter (a CRUser).
// A record Carerix does not have is ENOTFOUND.
type Fetcher interface {
	StableHash(ctx context.Context, tenant *recrubo.Tenant, entity recrubo.Entity, id string) (string, error)
}

// Config configures an Authenticator.
type Config struct {
	Mirror Mirror
	// Fetcher asks Carerix when the mirror cannot confirm a hash; nil
	// means the mirror alone decides.
	Fetcher Fetcher
	Logger  *slog.Logger
	// ConfirmTTL is how long a hash Carerix confirmed is trusted without
	// asking again (default one minute). A rotated hash is never
	// confirmed by an older answer: the cache key holds the hash.
	ConfirmTTL time.Duration
}

// Authenticator checks embed proofs. It implements recrubo.EmbedAuthenticator.
type Authenticator struct {
	mirror Mirror
	fetch  Fetcher
	log    *slog.Logger
	// confirmed holds hashes Carerix confirmed (tenant|entity|id|hash →
	// struct{}) and the newest hash it reported per record
	// (tenant|entity|id → hash).
	confirmed *cache.Cache
	ttl       time.Duration
}

var _ recrubo.EmbedAuthenticator = (*Authenticator)(nil)

// New returns an Authenticator.
func New(cfg Config) (*Authenticator, error) {
	if cfg.Mirror == nil {
		return nil, errors.New("embed: a mirror is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ConfirmTTL <= 0 {
		cfg.ConfirmTTL = time.Minute
	}
	return &Authenticator{mirror: cfg.Mirror, fetch: cfg.Fetcher, log: cfg.Logger,
		confirmed: cache.New(cfg.ConfirmTTL, 5*cfg.ConfirmTTL), ttl: cfg.ConfirmTTL}, nil
}

// forbidden is the one answer to every failed proof: no detail.
func forbidden() error {
	return recrubo.Errorf(recrubo.EFORBIDDEN, "You do not have access to this page.")
}

// Authenticate checks p: the tenant exists, the record (for candidate and
// vacancy pages) and the user carry the hashes p names, as the mirror or
// Carerix has them now. Any mismatch is EFORBIDDEN without detail; a
// failure to reach the store or Carerix is returned as it is.
func (a *Authenticator) Authenticate(ctx context.Context, p EmbedProof) (*recrubo.EmbedViewer, error) {
	if !wellFormed(p) {
		return nil, forbidden()
	}
	t, err := a.mirror.TenantBySlug(ctx, p.TenantSlug)
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		return nil, forbidden()
	}
	if err != nil {
		return nil, fmt.Errorf("authenticating embed: %w", err)
	}
	switch p.Kind {
	case recrubo.EmbedCandidate:
		err = a.check(ctx, t, recrubo.EntityCandidate, p.RecordID, p.RecordHash, func() (string, error) {
			c, err := a.mirror.Candidate(ctx, t.ID, p.RecordID)
			if err != nil {
				return "", err
			}
			return c.StableHash, nil
		})
	case recrubo.EmbedVacancy:
		err = a.check(ctx, t, recrubo.EntityVacancy, p.RecordID, p.RecordHash, func() (string, error) {
			v, err := a.mirror.Vacancy(ctx, t.ID, p.RecordID)
			if err != nil {
				return "", err
			}
			return v.StableHash, nil
		})
	case recrubo.EmbedDashboard:
	default:
		return nil, forbidden()
	}
	if err != nil {
		return nil, err
	}
	user, err := a.mirror.Recruiter(ctx, t.ID, p.UserID)
	if err != nil && recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		return nil, fmt.Errorf("authenticating embed: loading user: %w", err)
	}
	if err := a.check(ctx, t, recrubo.EntityRecruiter, p.UserID, p.UserHash, func() (string, error) {
		return mirroredUserHash(user), nil
	}); err != nil {
		return nil, err
	}
	if user == nil {
		// Confirmed by Carerix but not synced yet: known by id only.
		user = &recrubo.Recruiter{TenantID: t.ID, ID: p.UserID, UserName: p.UserID, Active: true}
	}
	lang := t.Language
	if p.Lang != "" {
		lang = p.Lang
	}
	return &recrubo.EmbedViewer{Tenant: t, Kind: p.Kind, RecordID: p.RecordID, User: user, Lang: recrubo.NormalizeLang(lang)}, nil
}

// check confirms that (entity, id) has hash: first in the mirror, then in
// the confirmation cache, then in Carerix.
func (a *Authenticator) check(ctx context.Context, t *recrubo.Tenant, entity recrubo.Entity, id, hash string, mirrored func() (string, error)) error {
	h, err := mirrored()
	if err != nil && recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		return fmt.Errorf("authenticating embed: loading %s: %w", entity, err)
	}
	record := t.ID + "|" + string(entity) + "|" + id
	latest, seen := a.confirmed.Get(record)
	// The mirror's hash counts unless Carerix has since reported a newer
	// one (the mirror lags until sync applies the change).
	if err == nil && h != "" && equal(h, hash) && (!seen || equal(latest.(string), hash)) {
		return nil
	}
	key := record + "|" + hash
	if _, ok := a.confirmed.Get(key); ok && (!seen || equal(latest.(string), hash)) {
		return nil
	}
	if a.fetch == nil {
		return forbidden()
	}
	current, err := a.fetch.StableHash(ctx, t, entity, id)
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		return forbidden()
	}
	if err != nil {
		return fmt.Errorf("authenticating embed: asking Carerix for %s: %w", entity, err)
	}
	if current != "" && current != h {
		// Remember Carerix's newer hash so the mirror's older one (and a
		// URL carrying it) stops working before sync catches up.
		a.confirmed.Set(record, current, 10*a.ttl)
	}
	if current == "" || !equal(current, hash) {
		return forbidden()
	}
	a.confirmed.Set(key, struct{}{}, a.ttl)
	return nil
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// EmbedProof is recrubo.EmbedProof, named here for brevity.
type EmbedProof = recrubo.EmbedProof

// maxField bounds every proof field; Carerix ids and hashes are short.
const maxField = 128

// wellFormed rejects proofs with missing or oversized fields before any
// lookup.
func wellFormed(p EmbedProof) bool {
	fields := []string{p.TenantSlug, p.UserID, p.UserHash}
	if p.Kind == recrubo.EmbedCandidate || p.Kind == recrubo.EmbedVacancy {
		fields = append(fields, p.RecordID, p.RecordHash)
	}
	for _, f := range fields {
		if f == "" || len(f) > maxField {
			return false
		}
	}
	return len(p.Lang) <= 16
}
