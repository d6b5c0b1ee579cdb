package embed

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patrickmn/go-cache"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// Mirror is what the authenticator reads of the synced mirror.
type Mirror interface {
	TenantBySlug(ctx context.Context, slug string) (*recrubo.Tenant, error)
	Candidate(ctx context.Context, tenantID, id string) (*recrubo.Candidate, error)
	Vacancy(ctx context.Context, tenantID, id string) (*recrubo.Vacancy, error)
	Recruiter(ctx context.Context, tenantID, id string) (*recrubo.Recruiter, error)
	Recruiters(ctx context.Context, tenantID string) ([]*recrubo.Recruiter, error)
	CarerixContract(ctx context.Context, tenantID string) (*recrubo.CarerixContract, error)
}

// Fetcher asks the tenant's Carerix what the mirror cannot confirm.
type Fetcher interface {
	// StableHash reads a record's current stableHash. entity is
	// EntityCandidate, EntityVacancy or EntityRecruiter (a CRUser). A
	// record Carerix does not have, or an inactive user, is ENOTFOUND;
	// "" where the tenant's API gives no stableHash.
	StableHash(ctx context.Context, tenant *recrubo.Tenant, entity recrubo.Entity, id string) (string, error)
	// FindUser finds the active Carerix user with the user name or e-mail
	// address a sign-in named (compared without case); ENOTFOUND when
	// there is none.
	FindUser(ctx context.Context, tenant *recrubo.Tenant, username, email string) (*recrubo.Recruiter, error)
	// HasRole reports whether the user holds one of roles.
	HasRole(ctx context.Context, tenant *recrubo.Tenant, userID string, roles []string) (bool, error)
}

// Config configures an Authenticator.
type Config struct {
	Mirror Mirror
	// Fetcher asks Carerix when the mirror cannot confirm a proof; nil
	// means the mirror alone decides.
	Fetcher Fetcher
	Logger  *slog.Logger
	// ConfirmTTL is how long an answer of Carerix about a proof is
	// trusted without asking again: a hash it confirmed and, as long, a
	// hash it denied (default one minute). A rotated hash is never
	// confirmed by an older answer: the cache key holds the hash.
	ConfirmTTL time.Duration
	// TenantLookups and ClientLookups bound how many Carerix look-ups
	// unauthenticated page loads may cause per minute, per tenant and per
	// client address (defaults 120 and 20); beyond, loads are ERATELIMITED
	// until the minute is over.
	TenantLookups, ClientLookups int
	// RoleTTL is how long a user's role, as Carerix reported it, is kept
	// (default five minutes).
	RoleTTL time.Duration
}

// Authenticator checks who is looking at a framed page: the proof a
// Carerix template wrote into its URL, or a sign-in through the tenant's
// Carerix realm. It implements recrubo.EmbedAuthenticator.
type Authenticator struct {
	mirror Mirror
	fetch  Fetcher
	log    *slog.Logger
	// answers holds Carerix's answers: tenant|entity|id|hash → bool
	// (confirmed or denied) and the newest hash it reported per record
	// (tenant|entity|id → hash).
	answers *cache.Cache
	ttl     time.Duration
	// newer holds, per tenant, until when a newer hash Carerix reported
	// for one of its records may still be in answers (tenant ID →
	// *atomic.Int64, Unix nanoseconds). Before then a check looks there;
	// after it, there is nothing to find, and a page load skips building
	// the keys and taking the cache's lock. Most tenants never have one.
	newer sync.Map
	// roles holds users' privilege (tenant|user → bool) and modes the
	// tenants' proof modes (tenant → recrubo.EmbedProofMode).
	roles, modes *cache.Cache
	roleTTL      time.Duration
	limits       *lookupLimits
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
	if cfg.RoleTTL <= 0 {
		cfg.RoleTTL = 5 * time.Minute
	}
	return &Authenticator{mirror: cfg.Mirror, fetch: cfg.Fetcher, log: cfg.Logger,
		answers: cache.New(cfg.ConfirmTTL, 5*cfg.ConfirmTTL), ttl: cfg.ConfirmTTL,
		roles: cache.New(cfg.RoleTTL, 2*cfg.RoleTTL), modes: cache.New(time.Minute, 5*time.Minute), roleTTL: cfg.RoleTTL,
		limits: newLookupLimits(cfg.TenantLookups, cfg.ClientLookups)}, nil
}

// forbidden is the one answer to every failed proof: no detail.
func forbidden() error {
	return recrubo.E(recrubo.EFORBIDDEN, "error.forbidden")
}

// ErrSignInRequired says a page can only be opened after a sign-in
// through the tenant's Carerix realm: the tenant takes no URL proof for
// it, or the URL carries none.
var ErrSignInRequired = recrubo.E(recrubo.EFORBIDDEN, "embed.error.signin_required")

// Mode returns the proof mode in force for t: its own choice, or the URL
// proof where its Carerix API contract gives stableHash (and where no
// contract has been read yet, as for installs that predate contracts),
// else sign-in.
func (a *Authenticator) Mode(ctx context.Context, t *recrubo.Tenant) recrubo.EmbedProofMode {
	if t.Embed.Proof != "" {
		return t.Embed.Proof
	}
	if m, ok := a.modes.Get(t.ID); ok {
		return m.(recrubo.EmbedProofMode)
	}
	hasHash := true
	if stored, err := a.mirror.CarerixContract(ctx, t.ID); err == nil && len(stored.Body) > 0 {
		if k, err := carerix.UnmarshalContract(stored.Body); err == nil {
			hasHash = k.HasStableHash()
		}
	}
	m := t.Embed.ProofFor(hasHash)
	a.modes.Set(t.ID, m, cache.DefaultExpiration)
	return m
}

// NeedsSignIn reports whether pages of kind need a sign-in under mode.
func NeedsSignIn(mode recrubo.EmbedProofMode, kind recrubo.EmbedKind) bool {
	switch mode {
	case recrubo.ProofSignIn:
		return true
	case recrubo.ProofMixed:
		return kind == recrubo.EmbedDashboard
	}
	return false
}

// PageKey is the key the templates of t's tenant-wide pages write into
// their URL (dk=), with which the user's proof opens those pages; a
// record page's URL does not carry it. It is derived from the tenant's
// embed signing key, so rotating that key changes it (and provisioning
// rewrites the templates).
func PageKey(t *recrubo.Tenant) (string, error) {
	k := t.Embed.SigningKey.Reveal()
	if len(k) < 16 {
		return "", recrubo.Errorf(recrubo.EINTERNAL, "tenant %s has no embed signing key", t.Slug)
	}
	m := hmac.New(sha256.New, []byte(k))
	m.Write([]byte("recrubo embed page key v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24]), nil
}

// Authenticate checks a URL proof: the tenant exists and takes URL proofs
// for the page; the record (for candidate and vacancy pages) and the user
// carry the hashes p names, as the mirror or Carerix has them now; a
// tenant-wide page's URL carries its page key; the user is active. Any
// mismatch is EFORBIDDEN without detail (ErrSignInRequired where the
// page needs a sign-in); a failure to reach the store or Carerix is
// returned as it is; look-ups beyond the limits are ERATELIMITED. The
// viewer's tenant is the caller's own.
func (a *Authenticator) Authenticate(ctx context.Context, p EmbedProof) (*recrubo.EmbedViewer, error) {
	v, _, err := a.authenticate(ctx, p, false)
	return v, err
}

// AuthenticateShared is Authenticate for a caller that only reads the
// viewer's tenant and user: where the mirror can (SharedTenants,
// SharedRecruiters), they are the mirror's shared snapshots rather than
// copies, and neither they nor anything they hold may be changed. A
// caller that passes them on to code that might change them must pass
// copies.
//
// byMirror reports that the mirror alone settled the proof: the record's
// and the user's hashes as synced, with no answer of Carerix's involved
// (none asked for, none remembered). Such an answer stays true until the
// tenant's data in the mirror changes, which the store's change feed
// reports, or Carerix reports a newer hash for one of the tenant's
// records (MayHaveNewer); until then a caller may reuse the viewer for
// the same proof instead of checking it again.
func (a *Authenticator) AuthenticateShared(ctx context.Context, p EmbedProof) (v *recrubo.EmbedViewer, byMirror bool, err error) {
	return a.authenticate(ctx, p, true)
}

// SharedTenants is implemented by a Mirror that can hand out its own
// read-only snapshot of a tenant instead of a copy (store.Cached).
type SharedTenants interface {
	SharedTenantBySlug(ctx context.Context, slug string) (*recrubo.Tenant, error)
}

// SharedRecruiters is implemented by a Mirror that can hand out its own
// read-only snapshot of a recruiter instead of a copy (store.Cached).
type SharedRecruiters interface {
	SharedRecruiter(ctx context.Context, tenantID, id string) (*recrubo.Recruiter, error)
}

// CandidateHashes is implemented by a Mirror that can read a candidate's
// StableHash without copying the candidate (store.Cached).
type CandidateHashes interface {
	CandidateHash(ctx context.Context, tenantID, id string) (string, error)
}

// authenticate is Authenticate, reading a shared tenant if shared and
// the mirror can. Only reads the tenant, which it may hand to the
// fetcher (which reads it too).
func (a *Authenticator) authenticate(ctx context.Context, p EmbedProof, shared bool) (*recrubo.EmbedViewer, bool, error) {
	bySlug, recruiter := a.mirror.TenantBySlug, a.mirror.Recruiter
	if st, ok := a.mirror.(SharedTenants); ok && shared {
		bySlug = st.SharedTenantBySlug
	}
	if sr, ok := a.mirror.(SharedRecruiters); ok && shared {
		recruiter = sr.SharedRecruiter
	}
	t, err := bySlug(ctx, p.TenantSlug)
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND || recrubo.ErrorCode(err) == recrubo.EINVALID {
		return nil, false, forbidden()
	}
	if err != nil {
		return nil, false, fmt.Errorf("authenticating embed: %w", err)
	}
	if NeedsSignIn(a.Mode(ctx, t), p.Kind) || (p.UserHash == "" && p.RecordHash == "" && t.Embed.SignInClientID != "") {
		return nil, false, ErrSignInRequired
	}
	if !wellFormed(p) {
		return nil, false, forbidden()
	}
	proof := recrubo.ProvedByURL
	newer := a.MayHaveNewer(t.ID)
	var recordByMirror bool
	switch p.Kind {
	case recrubo.EmbedCandidate:
		recordByMirror, err = a.check(ctx, t, p, newer, recrubo.EntityCandidate, p.RecordID, p.RecordHash, func() (string, error) {
			if h, ok := a.mirror.(CandidateHashes); ok {
				return h.CandidateHash(ctx, t.ID, p.RecordID)
			}
			c, err := a.mirror.Candidate(ctx, t.ID, p.RecordID)
			if err != nil {
				return "", err
			}
			return c.StableHash, nil
		})
	case recrubo.EmbedVacancy:
		recordByMirror, err = a.check(ctx, t, p, newer, recrubo.EntityVacancy, p.RecordID, p.RecordHash, func() (string, error) {
			v, err := a.mirror.Vacancy(ctx, t.ID, p.RecordID)
			if err != nil {
				return "", err
			}
			return v.StableHash, nil
		})
	case recrubo.EmbedDashboard:
		proof = recrubo.ProvedByPageKey
		key, kerr := PageKey(t)
		if kerr != nil {
			return nil, false, kerr
		}
		if !equal(p.PageKey, key) {
			return nil, false, forbidden()
		}
	default:
		return nil, false, forbidden()
	}
	if err != nil {
		return nil, false, err
	}
	user, err := recruiter(ctx, t.ID, p.UserID)
	if err != nil && recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		return nil, false, fmt.Errorf("authenticating embed: loading user: %w", err)
	}
	if user != nil && !user.Active {
		return nil, false, forbidden() // deactivated or deleted in Carerix, as sync last saw
	}
	userByMirror, err := a.check(ctx, t, p, newer, recrubo.EntityRecruiter, p.UserID, p.UserHash, func() (string, error) {
		return mirroredUserHash(user), nil
	})
	if err != nil {
		return nil, false, err
	}
	if user == nil {
		// Confirmed by Carerix (which refuses inactive users) but not
		// synced yet: known by id only.
		user = &recrubo.Recruiter{TenantID: t.ID, ID: p.UserID, UserName: p.UserID, Active: true}
	}
	v := &recrubo.EmbedViewer{Tenant: t, Kind: p.Kind, RecordID: p.RecordID, User: user,
		Lang: viewerLang(t, p.Lang), Proof: proof}
	if p.Kind == recrubo.EmbedDashboard {
		// The roles come from Carerix: never settled by the mirror.
		if v.Privileged, err = a.privileged(ctx, t, user.ID, nil); err != nil {
			return nil, false, err
		}
		return v, false, nil
	}
	return v, recordByMirror && userByMirror, nil
}

// viewerLang is the page language: the one Carerix wrote, else the
// tenant's.
func viewerLang(t *recrubo.Tenant, lang string) string {
	if lang == "" {
		lang = t.Language
	}
	return recrubo.NormalizeLang(lang)
}

// MayHaveNewer reports whether Carerix may have reported, within the
// last ten confirm TTLs, a hash of one of tenantID's records newer than
// the mirror's: while it does, a proof the mirror settled
// (AuthenticateShared's byMirror) must be checked again.
func (a *Authenticator) MayHaveNewer(tenantID string) bool {
	until, ok := a.newer.Load(tenantID)
	return ok && time.Now().UnixNano() < until.(*atomic.Int64).Load()
}

// sawNewer records that answers holds a newer hash for one of tenantID's
// records, kept for ttl. The record is kept a second longer than the
// answer, which is stored after it.
func (a *Authenticator) sawNewer(tenantID string, ttl time.Duration) {
	until := time.Now().Add(ttl + time.Second).UnixNano()
	v, ok := a.newer.Load(tenantID)
	if !ok {
		v, _ = a.newer.LoadOrStore(tenantID, new(atomic.Int64))
	}
	u := v.(*atomic.Int64)
	for old := u.Load(); old < until && !u.CompareAndSwap(old, until); old = u.Load() {
	}
}

// check confirms that (entity, id) has hash: first in the mirror, then in
// the cache of Carerix's answers, then in Carerix, within the look-up
// limits. newer says whether the answers may hold a newer hash for one
// of the tenant's records (MayHaveNewer). byMirror reports that the
// mirror alone confirmed it, with no answer of Carerix's consulted.
func (a *Authenticator) check(ctx context.Context, t *recrubo.Tenant, p EmbedProof, newer bool, entity recrubo.Entity, id, hash string, mirrored func() (string, error)) (byMirror bool, err error) {
	h, err := mirrored()
	if err != nil && recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		return false, fmt.Errorf("authenticating embed: loading %s: %w", entity, err)
	}
	// The mirror's hash counts unless Carerix has since reported a newer
	// one (the mirror lags until sync applies the change).
	mirrorAgrees := err == nil && h != "" && equal(h, hash)
	if mirrorAgrees && !newer {
		return true, nil
	}
	record := t.ID + "|" + string(entity) + "|" + id
	latest, seen := a.answers.Get(record)
	if mirrorAgrees && (!seen || equal(latest.(string), hash)) {
		return false, nil
	}
	key := record + "|" + hash
	if ok, known := a.answers.Get(key); known {
		if ok.(bool) && (!seen || equal(latest.(string), hash)) {
			return false, nil
		}
		return false, forbidden() // Carerix denied this very proof a moment ago
	}
	if a.fetch == nil {
		return false, forbidden()
	}
	if err := a.limits.allow(t.ID, p.Client); err != nil {
		return false, err
	}
	current, err := a.fetch.StableHash(ctx, t, entity, id)
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		a.answers.Set(key, false, a.ttl)
		return false, forbidden()
	}
	if err != nil {
		return false, fmt.Errorf("authenticating embed: asking Carerix for %s: %w", entity, err)
	}
	if current != "" && current != h {
		// Remember Carerix's newer hash so the mirror's older one (and a
		// URL carrying it) stops working before sync catches up.
		// Noted before it is stored, so that no check that could see
		// it skips the look-up.
		a.sawNewer(t.ID, 10*a.ttl)
		a.answers.Set(record, current, 10*a.ttl)
	}
	ok := current != "" && equal(current, hash)
	a.answers.Set(key, ok, a.ttl)
	if !ok {
		return false, forbidden()
	}
	return false, nil
}

// SignIn turns a verified sign-in into the viewer of a page of kind (and
// record): the Carerix user the ID token names, found in the mirror or in
// Carerix, active, and privileged when the token or Carerix gives them
// one of the tenant's admin or manager roles.
func (a *Authenticator) SignIn(ctx context.Context, t *recrubo.Tenant, id *Identity, kind recrubo.EmbedKind, recordID, lang string) (*recrubo.EmbedViewer, error) {
	user, err := a.findUser(ctx, t, id)
	if err != nil {
		return nil, err
	}
	priv, err := a.privileged(ctx, t, user.ID, id.Roles)
	if err != nil {
		return nil, err
	}
	return &recrubo.EmbedViewer{Tenant: t, Kind: kind, RecordID: recordID, User: user, Lang: viewerLang(t, lang),
		Proof: recrubo.ProvedBySignIn, Privileged: priv}, nil
}

// findUser finds the recruiter a sign-in names: by user name, else by
// e-mail address, without case, in the mirror and then in Carerix.
func (a *Authenticator) findUser(ctx context.Context, t *recrubo.Tenant, id *Identity) (*recrubo.Recruiter, error) {
	rs, err := a.mirror.Recruiters(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("signing in: loading recruiters: %w", err)
	}
	for _, match := range []func(*recrubo.Recruiter) bool{
		func(r *recrubo.Recruiter) bool { return id.Username != "" && equalFold(r.UserName, id.Username) },
		func(r *recrubo.Recruiter) bool { return id.Email != "" && equalFold(r.Email, id.Email) },
	} {
		for _, r := range rs {
			if match(r) {
				if !r.Active {
					return nil, forbidden()
				}
				return r, nil
			}
		}
	}
	if a.fetch == nil {
		return nil, forbidden()
	}
	u, err := a.fetch.FindUser(ctx, t, id.Username, id.Email)
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		return nil, forbidden()
	}
	if err != nil {
		return nil, fmt.Errorf("signing in: asking Carerix for the user: %w", err)
	}
	if !u.Active {
		return nil, forbidden()
	}
	return u, nil
}

// privileged reports whether the user holds one of t's admin or manager
// roles: in the sign-in's roles, else as Carerix reports them (kept for
// RoleTTL). A tenant whose API gives no roles makes only the sign-in's
// count.
func (a *Authenticator) privileged(ctx context.Context, t *recrubo.Tenant, userID string, tokenRoles []string) (bool, error) {
	roles := t.Embed.PrivilegedRoles()
	for _, r := range tokenRoles {
		for _, want := range roles {
			if r == want {
				return true, nil
			}
		}
	}
	key := t.ID + "|" + userID
	if v, ok := a.roles.Get(key); ok {
		return v.(bool), nil
	}
	if a.fetch == nil {
		return false, nil
	}
	ok, err := a.fetch.HasRole(ctx, t, userID, roles)
	if errors.Is(err, carerix.ErrContract) {
		ok, err = false, nil
	}
	if err != nil {
		return false, fmt.Errorf("asking Carerix for the user's roles: %w", err)
	}
	a.roles.Set(key, ok, a.roleTTL)
	return ok, nil
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// EmbedProof is recrubo.EmbedProof, named here for brevity.
type EmbedProof = recrubo.EmbedProof

// maxField bounds every proof field; Carerix ids and hashes are short.
const maxField = 128

// wellFormed rejects proofs with missing or oversized fields before any
// lookup.
func wellFormed(p EmbedProof) bool {
	fields := [5]string{p.TenantSlug, p.UserID, p.UserHash}
	n := 3
	switch p.Kind {
	case recrubo.EmbedCandidate, recrubo.EmbedVacancy:
		fields[3], fields[4], n = p.RecordID, p.RecordHash, 5
	case recrubo.EmbedDashboard:
		fields[3], n = p.PageKey, 4
	}
	for _, f := range fields[:n] {
		if f == "" || len(f) > maxField {
			return false
		}
	}
	return len(p.Lang) <= 16
}
