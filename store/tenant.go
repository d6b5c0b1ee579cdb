package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// tenantSecretColumns hold the tenant's secrets, each sealed, in the order
// tenantSecrets lists them.
const tenantSecretColumns = `carerix_client_secret, admin_client_secret, webhook_secret, embed_signing_key,
    whatsapp_access_token, whatsapp_app_secret, whatsapp_verify_token`

// tenantSecrets returns every secret of a tenant, in column order. It is the
// one list of them: sealing, opening and the tests all go through it.
func tenantSecrets(t *recrubo.Tenant) []*recrubo.Secret {
	return []*recrubo.Secret{
		&t.Carerix.ClientSecret,
		&t.Admin.ClientSecret,
		&t.Webhook.Secret,
		&t.Embed.SigningKey,
		&t.WhatsApp.AccessToken,
		&t.WhatsApp.AppSecret,
		&t.WhatsApp.VerifyToken,
	}
}

// tenantSettings is the stored JSON form of a tenant's settings: everything
// except its key columns, timestamps and secrets. It is spelled out, rather
// than the Tenant marshalled, so no secret can slip into it.
type tenantSettings struct {
	FrameOrigins []string `json:"frame_origins"`
	Carerix      struct {
		APIBaseURL      string   `json:"api_base_url"`
		IdentityBaseURL string   `json:"identity_base_url"`
		Realm           string   `json:"realm"`
		Application     string   `json:"application"`
		ClientID        string   `json:"client_id"`
		Scopes          []string `json:"scopes"`
		RateLimit       float64  `json:"rate_limit"`
	} `json:"carerix"`
	Admin struct {
		ClientID string   `json:"client_id"`
		Scopes   []string `json:"scopes"`
	} `json:"admin"`
	Filters struct {
		CandidateStatuses []string `json:"candidate_statuses"`
		VacancyStatuses   []string `json:"vacancy_statuses"`
	} `json:"filters"`
	Sync struct {
		ReconcileInterval time.Duration `json:"reconcile_interval,omitempty"`
	} `json:"sync"`
	Webhook struct {
		ApplicationID string `json:"application_id"`
		PublicKeyPEM  string `json:"public_key_pem"`
	} `json:"webhook"`
	Embed struct {
		Proof          string   `json:"proof,omitempty"`
		SignInClientID string   `json:"signin_client_id,omitempty"`
		AdminRoles     []string `json:"admin_roles,omitempty"`
		ManagerRoles   []string `json:"manager_roles,omitempty"`
	} `json:"embed"`
	WhatsApp struct {
		APIBaseURL        string `json:"api_base_url"`
		PhoneNumberID     string `json:"phone_number_id"`
		BusinessAccountID string `json:"business_account_id,omitempty"`
		ConnectedAt       int64  `json:"connected_at,omitempty"`
	} `json:"whatsapp"`
	Language string `json:"language"`
	TimeZone string `json:"time_zone"`
	// PhoneRegion is empty in settings stored before it existed: NL.
	PhoneRegion string `json:"phone_region,omitempty"`
	VerifiedBy  string `json:"verified_by"`
}

func toTenantSettings(t *recrubo.Tenant) tenantSettings {
	var s tenantSettings
	s.FrameOrigins = t.FrameOrigins
	s.Carerix.APIBaseURL = t.Carerix.APIBaseURL
	s.Carerix.IdentityBaseURL = t.Carerix.IdentityBaseURL
	s.Carerix.Realm = t.Carerix.Realm
	s.Carerix.Application = t.Carerix.Application
	s.Carerix.ClientID = t.Carerix.ClientID
	s.Carerix.Scopes = t.Carerix.Scopes
	s.Carerix.RateLimit = t.Carerix.RateLimit
	s.Admin.ClientID = t.Admin.ClientID
	s.Admin.Scopes = t.Admin.Scopes
	s.Filters.CandidateStatuses = t.Filters.CandidateStatuses
	s.Filters.VacancyStatuses = t.Filters.VacancyStatuses
	s.Sync.ReconcileInterval = t.Sync.ReconcileInterval
	s.Webhook.ApplicationID = t.Webhook.ApplicationID
	s.Webhook.PublicKeyPEM = t.Webhook.PublicKeyPEM
	s.Embed.Proof = string(t.Embed.Proof)
	s.Embed.SignInClientID = t.Embed.SignInClientID
	s.Embed.AdminRoles = t.Embed.AdminRoles
	s.Embed.ManagerRoles = t.Embed.ManagerRoles
	s.WhatsApp.APIBaseURL = t.WhatsApp.APIBaseURL
	s.WhatsApp.PhoneNumberID = t.WhatsApp.PhoneNumberID
	s.WhatsApp.BusinessAccountID = t.WhatsApp.BusinessAccountID
	s.WhatsApp.ConnectedAt = microTime(t.WhatsApp.ConnectedAt)
	s.Language = t.Language
	s.TimeZone = t.TimeZone
	s.PhoneRegion = t.PhoneRegion
	s.VerifiedBy = t.VerifiedBy
	return s
}

func (s *tenantSettings) apply(t *recrubo.Tenant) {
	t.FrameOrigins = s.FrameOrigins
	t.Carerix.APIBaseURL = s.Carerix.APIBaseURL
	t.Carerix.IdentityBaseURL = s.Carerix.IdentityBaseURL
	t.Carerix.Realm = s.Carerix.Realm
	t.Carerix.Application = s.Carerix.Application
	t.Carerix.ClientID = s.Carerix.ClientID
	t.Carerix.Scopes = s.Carerix.Scopes
	t.Carerix.RateLimit = s.Carerix.RateLimit
	t.Admin.ClientID = s.Admin.ClientID
	t.Admin.Scopes = s.Admin.Scopes
	t.Filters.CandidateStatuses = s.Filters.CandidateStatuses
	t.Filters.VacancyStatuses = s.Filters.VacancyStatuses
	t.Sync.ReconcileInterval = s.Sync.ReconcileInterval
	t.Webhook.ApplicationID = s.Webhook.ApplicationID
	t.Webhook.PublicKeyPEM = s.Webhook.PublicKeyPEM
	t.Embed.Proof = recrubo.EmbedProofMode(s.Embed.Proof)
	t.Embed.SignInClientID = s.Embed.SignInClientID
	t.Embed.AdminRoles = s.Embed.AdminRoles
	t.Embed.ManagerRoles = s.Embed.ManagerRoles
	t.WhatsApp.APIBaseURL = s.WhatsApp.APIBaseURL
	t.WhatsApp.PhoneNumberID = s.WhatsApp.PhoneNumberID
	t.WhatsApp.BusinessAccountID = s.WhatsApp.BusinessAccountID
	t.WhatsApp.ConnectedAt = timeMicro(s.WhatsApp.ConnectedAt)
	t.Language = s.Language
	t.TimeZone = s.TimeZone
	t.PhoneRegion = cmp.Or(s.PhoneRegion, recrubo.DefaultPhoneRegion)
	t.VerifiedBy = s.VerifiedBy
}

// tenantRow is a tenant in its stored form.
type tenantRow struct {
	settings string
	secrets  []any // sealed, in column order
}

// sealTenant converts a tenant to its stored form, sealing every secret.
func (q *queries) sealTenant(t *recrubo.Tenant) (tenantRow, error) {
	b, err := json.Marshal(toTenantSettings(t))
	if err != nil {
		return tenantRow{}, fmt.Errorf("encoding tenant settings: %w", err)
	}
	row := tenantRow{settings: string(b)}
	for _, s := range tenantSecrets(t) {
		sealed, err := q.cipher.Seal(s.Reveal())
		if err != nil {
			return tenantRow{}, fmt.Errorf("sealing tenant secret: %w", err)
		}
		row.secrets = append(row.secrets, sealed)
	}
	return row, nil
}

const tenantColumns = `id, slug, display_name, settings, ` + tenantSecretColumns + `, verified_at, created_at, updated_at`

func (q *queries) scanTenant(r row) (*recrubo.Tenant, error) {
	var (
		t                     recrubo.Tenant
		settings              string
		sealed                [7]string
		verified, created, up int64
	)
	err := r.Scan(&t.ID, &t.Slug, &t.DisplayName, &settings,
		&sealed[0], &sealed[1], &sealed[2], &sealed[3], &sealed[4], &sealed[5], &sealed[6],
		&verified, &created, &up)
	if err != nil {
		return nil, err
	}
	var s tenantSettings
	if err := json.Unmarshal([]byte(settings), &s); err != nil {
		return nil, fmt.Errorf("decoding settings of tenant %s: %w", t.ID, err)
	}
	s.apply(&t)
	for i, sec := range tenantSecrets(&t) {
		plain, err := q.cipher.Open(sealed[i])
		if err != nil {
			return nil, fmt.Errorf("opening a secret of tenant %s: %w", t.ID, err)
		}
		*sec = recrubo.NewSecret(plain)
	}
	t.VerifiedAt, t.CreatedAt, t.UpdatedAt = timeMicro(verified), timeMicro(created), timeMicro(up)
	return &t, nil
}

// CreateTenant validates and stores a new tenant. It assigns an ID when t
// has none, and sets CreatedAt and UpdatedAt. Returns ECONFLICT when the
// slug (or the given ID) is taken.
func (q *queries) CreateTenant(ctx context.Context, t *recrubo.Tenant) error {
	if err := t.Validate(); err != nil {
		return err
	}
	id := t.ID
	if id == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("generating tenant id: %w", err)
		}
		id = u.String()
	}
	tr, err := q.sealTenant(t)
	if err != nil {
		return err
	}
	now := q.nowMicro()
	args := append([]any{id, t.Slug, t.DisplayName, tr.settings}, tr.secrets...)
	args = append(args, microTime(t.VerifiedAt), now, now)
	n, err := q.q.exec(ctx, `INSERT INTO tenants (`+tenantColumns+`)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        ON CONFLICT DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("inserting tenant %q: %w", t.Slug, err)
	}
	if n == 0 {
		var taken int
		err := q.q.queryRow(ctx, `SELECT count(*) FROM tenants WHERE slug = $1`, t.Slug).Scan(&taken)
		if err != nil {
			return fmt.Errorf("checking tenant slug %q: %w", t.Slug, err)
		}
		if taken > 0 {
			return recrubo.Errorf(recrubo.ECONFLICT, "A tenant with slug %q already exists.", t.Slug)
		}
		return recrubo.Errorf(recrubo.ECONFLICT, "A tenant with id %q already exists.", id)
	}
	t.ID = id
	t.CreatedAt, t.UpdatedAt = timeMicro(now), timeMicro(now)
	q.touch(id, ChangeTenant, id)
	return nil
}

// UpdateTenant validates and replaces a tenant's settings, sets UpdatedAt
// and reloads CreatedAt. Returns ENOTFOUND if it does not exist and
// ECONFLICT if its new slug is taken.
func (q *queries) UpdateTenant(ctx context.Context, t *recrubo.Tenant) error {
	if t.ID == "" {
		return recrubo.Errorf(recrubo.EINVALID, "The tenant to update has no id.")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	var other int
	if err := q.q.queryRow(ctx, `SELECT count(*) FROM tenants WHERE slug = $1 AND id <> $2`, t.Slug, t.ID).Scan(&other); err != nil {
		return fmt.Errorf("checking tenant slug %q: %w", t.Slug, err)
	}
	if other > 0 {
		return recrubo.Errorf(recrubo.ECONFLICT, "A tenant with slug %q already exists.", t.Slug)
	}
	tr, err := q.sealTenant(t)
	if err != nil {
		return err
	}
	now := q.nowMicro()
	args := append([]any{t.ID, t.Slug, t.DisplayName, tr.settings}, tr.secrets...)
	args = append(args, microTime(t.VerifiedAt), now)
	var created int64
	err = q.q.queryRow(ctx, `UPDATE tenants SET slug = $2, display_name = $3, settings = $4,
        carerix_client_secret = $5, admin_client_secret = $6, webhook_secret = $7, embed_signing_key = $8,
        whatsapp_access_token = $9, whatsapp_app_secret = $10, whatsapp_verify_token = $11,
        verified_at = $12, updated_at = $13
        WHERE id = $1 RETURNING created_at`, args...).Scan(&created)
	switch {
	case isNoRows(err):
		return recrubo.Errorf(recrubo.ENOTFOUND, "Tenant %q does not exist.", t.ID)
	case errors.Is(err, errUniqueViolation):
		return recrubo.WrapError(recrubo.ECONFLICT, err, "A tenant with slug %q already exists.", t.Slug)
	case err != nil:
		return fmt.Errorf("updating tenant %s: %w", t.ID, err)
	}
	t.CreatedAt, t.UpdatedAt = timeMicro(created), timeMicro(now)
	q.touch(t.ID, ChangeTenant, t.ID)
	return nil
}

// TenantByID returns ENOTFOUND if there is no such tenant.
func (q *queries) TenantByID(ctx context.Context, id string) (*recrubo.Tenant, error) {
	t, err := q.scanTenant(q.q.queryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`, id))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Tenant %q does not exist.", id)
	case err != nil:
		return nil, fmt.Errorf("reading tenant %s: %w", id, err)
	}
	return t, nil
}

// TenantBySlug returns ENOTFOUND if there is no such tenant.
func (q *queries) TenantBySlug(ctx context.Context, slug string) (*recrubo.Tenant, error) {
	t, err := q.scanTenant(q.q.queryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE slug = $1`, slug))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Tenant %q does not exist.", slug)
	case err != nil:
		return nil, fmt.Errorf("reading tenant %q: %w", slug, err)
	}
	return t, nil
}

// Tenants lists all tenants ordered by slug.
func (q *queries) Tenants(ctx context.Context) ([]*recrubo.Tenant, error) {
	ts, err := collect(ctx, q.q, func(r rows) (*recrubo.Tenant, error) { return q.scanTenant(r) },
		`SELECT `+tenantColumns+` FROM tenants ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("listing tenants: %w", err)
	}
	return ts, nil
}

// DeleteTenant removes a tenant and, through ON DELETE CASCADE, all its
// data. Its River jobs are left to fail or finish on their own: their
// handlers find no tenant. Returns ENOTFOUND if it does not exist.
func (q *queries) DeleteTenant(ctx context.Context, id string) error {
	n, err := q.q.exec(ctx, `DELETE FROM tenants WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("deleting tenant %s: %w", id, err)
	}
	if n == 0 {
		return recrubo.Errorf(recrubo.ENOTFOUND, "Tenant %q does not exist.", id)
	}
	q.touch(id, ChangeTenant, id)
	return nil
}

// stamp returns t as stored (UTC, whole microseconds), or now when t is zero.
func (q *queries) stamp(t time.Time) int64 {
	if t.IsZero() {
		return q.nowMicro()
	}
	return t.UnixMicro()
}
