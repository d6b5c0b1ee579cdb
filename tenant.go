package recrubo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DefaultTimeZone is the zone tenants get unless they choose another.
const DefaultTimeZone = "Europe/Amsterdam"

// Tenant is one Carerix customer (one Carerix application such as
// acme.carerix.net) and everything needed to serve it.
type Tenant struct {
	// ID is our stable identifier; Slug is the human one used in URLs and CLI.
	ID          string `json:"id" yaml:"id"`
	Slug        string `json:"slug" yaml:"slug" validate:"required,slug"`
	DisplayName string `json:"display_name" yaml:"display_name" validate:"required,max=200"`

	// FrameOrigins are the Carerix application origins allowed to frame our
	// pages, e.g. https://acme.carerix.net.
	FrameOrigins []string `json:"frame_origins" yaml:"frame_origins" validate:"required,min=1,max=10,unique,dive,origin"`

	Carerix CarerixSettings `json:"carerix" yaml:"carerix"`
	// Admin is the customer's admin access, used only for provisioning.
	Admin AdminCredentials `json:"admin" yaml:"admin"`

	// Filters say which candidates and vacancies are synced.
	Filters StatusFilters `json:"filters" yaml:"filters"`

	// Sync tunes how the mirror is kept up to date.
	Sync SyncSettings `json:"sync" yaml:"sync"`

	Webhook  WebhookSettings  `json:"webhook" yaml:"webhook"`
	Embed    EmbedSettings    `json:"embed" yaml:"embed"`
	WhatsApp WhatsAppSettings `json:"whatsapp" yaml:"whatsapp"`

	// Language is the default language of pages (nl or en); TimeZone the
	// IANA zone in which times are shown.
	Language string `json:"language" yaml:"language" validate:"required,oneof=nl en"`
	TimeZone string `json:"time_zone" yaml:"time_zone" validate:"required,timezone"`
	// PhoneRegion is the country (ISO 3166 code, "NL" by default) whose
	// numbers candidates and recruiters write without a country code:
	// "0470 12 34 56" is Belgian for a tenant in BE.
	PhoneRegion string `json:"phone_region" yaml:"phone_region" validate:"omitempty,iso3166_1_alpha2"`

	// VerifiedAt and VerifiedBy record the admin's successful verification.
	VerifiedAt time.Time `json:"verified_at,omitzero" yaml:"verified_at,omitempty"`
	VerifiedBy string    `json:"verified_by,omitempty" yaml:"verified_by,omitempty"`

	CreatedAt time.Time `json:"created_at,omitzero" yaml:"created_at,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero" yaml:"updated_at,omitempty"`
}

// CarerixSettings locate a tenant's Carerix APIs and hold the confidential
// OAuth client the service uses for reading (sync).
type CarerixSettings struct {
	// APIBaseURL is where GraphQL and webhook management live
	// (https://api.carerix.io for real tenants).
	APIBaseURL string `json:"api_base_url" yaml:"api_base_url" validate:"required,baseurl"`
	// IdentityBaseURL is the Keycloak host, e.g. https://id-s3.carerix.io;
	// Realm is the tenant's realm on it (usually the application name).
	IdentityBaseURL string `json:"identity_base_url" yaml:"identity_base_url" validate:"required,baseurl"`
	Realm           string `json:"realm" yaml:"realm" validate:"required,max=100"`
	// Application is the Carerix application (tenant) name that appears in
	// webhook payloads and in $utilities.userDefaults.Customer.
	Application  string   `json:"application" yaml:"application" validate:"required,max=100"`
	ClientID     string   `json:"client_id" yaml:"client_id" validate:"required,max=200"`
	ClientSecret Secret   `json:"client_secret" yaml:"client_secret" validate:"secret_required"`
	Scopes       []string `json:"scopes,omitempty" yaml:"scopes,omitempty" validate:"max=20,dive,required"`
	// RateLimit is the most requests per second we send; 0 means the default.
	RateLimit float64 `json:"rate_limit,omitempty" yaml:"rate_limit,omitempty" validate:"gte=0,lte=100"`
}

// AdminCredentials is the admin access the customer gives us for
// provisioning document templates and webhooks. With Carerix's OAuth set-up it
// is a confidential client that carries the admin (manage) scopes.
type AdminCredentials struct {
	ClientID     string   `json:"client_id" yaml:"client_id" validate:"required,max=200"`
	ClientSecret Secret   `json:"client_secret" yaml:"client_secret" validate:"secret_required"`
	Scopes       []string `json:"scopes,omitempty" yaml:"scopes,omitempty" validate:"max=20,dive,required"`
}

// StatusFilters list the candidate and vacancy statuses a tenant syncs, each
// given by data-node export code or by label; sync resolves them to node IDs.
type StatusFilters struct {
	CandidateStatuses []string `json:"candidate_statuses" yaml:"candidate_statuses" validate:"max=50,unique,dive,required,max=200"`
	VacancyStatuses   []string `json:"vacancy_statuses" yaml:"vacancy_statuses" validate:"max=50,unique,dive,required,max=200"`
}

// DefaultReconcileInterval is how often a tenant's mirror is reconciled
// with Carerix unless the tenant chooses otherwise.
const DefaultReconcileInterval = 15 * time.Minute

// SyncSettings tune a tenant's sync. The zero value takes the defaults.
type SyncSettings struct {
	// ReconcileInterval is how often changes webhooks may have missed are
	// polled from Carerix (1m to 24h; 0 means DefaultReconcileInterval).
	ReconcileInterval time.Duration `json:"reconcile_interval,omitempty" yaml:"reconcile_interval,omitempty" validate:"omitempty,min=1m,max=24h"`
}

// syncSettingsJSON is SyncSettings as JSON: the interval as a Go
// duration string ("15m"), as people write it and as YAML reads it.
type syncSettingsJSON struct {
	ReconcileInterval json.RawMessage `json:"reconcile_interval,omitempty"`
}

// MarshalJSON writes the interval as a duration string.
func (s SyncSettings) MarshalJSON() ([]byte, error) {
	var j syncSettingsJSON
	if s.ReconcileInterval != 0 {
		j.ReconcileInterval, _ = json.Marshal(s.ReconcileInterval.String())
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the interval as a duration string ("15m") or, as
// older stored settings hold it, a number of nanoseconds.
func (s *SyncSettings) UnmarshalJSON(b []byte) error {
	var j syncSettingsJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	s.ReconcileInterval = 0
	raw := bytes.TrimSpace(j.ReconcileInterval)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '"' {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return err
		}
		d, err := time.ParseDuration(str)
		if err != nil {
			return fmt.Errorf("reconcile_interval: %q is not a duration such as \"15m\"", str)
		}
		s.ReconcileInterval = d
		return nil
	}
	var ns int64
	if err := json.Unmarshal(raw, &ns); err != nil {
		return fmt.Errorf("reconcile_interval: want a duration such as \"15m\": %w", err)
	}
	s.ReconcileInterval = time.Duration(ns)
	return nil
}

// Interval returns the reconcile interval, the default when unset.
func (s SyncSettings) Interval() time.Duration {
	if s.ReconcileInterval <= 0 {
		return DefaultReconcileInterval
	}
	return s.ReconcileInterval
}

// WebhookSettings verify Carerix webhook deliveries: the per-tenant secret we
// register as a custom header, and the application's public key for
// Cx-Signature. Provisioning fills ApplicationID and PublicKeyPEM.
type WebhookSettings struct {
	Secret        Secret `json:"secret" yaml:"secret"`
	ApplicationID string `json:"application_id,omitempty" yaml:"application_id,omitempty"`
	PublicKeyPEM  string `json:"public_key_pem,omitempty" yaml:"public_key_pem,omitempty"`
}

// EmbedSettings say how framed pages prove who is looking, and hold the
// key that signs embed session tokens and verify links for this tenant.
type EmbedSettings struct {
	SigningKey Secret `json:"signing_key" yaml:"signing_key"`
	// Proof is how framed pages prove their viewer: ProofURL, ProofSignIn
	// or ProofMixed; empty follows the tenant's Carerix API contract
	// (ProofURL where it gives stableHash, else ProofSignIn).
	Proof EmbedProofMode `json:"proof,omitempty" yaml:"proof,omitempty" validate:"omitempty,oneof=url signin mixed"`
	// SignInClientID is the public OAuth client in the tenant's Carerix
	// realm (Identity Access > Clients, or registered by the Marketplace)
	// that framed pages sign in with; its redirect URI is
	// PUBLIC_URL/signin/callback.
	SignInClientID string `json:"signin_client_id,omitempty" yaml:"signin_client_id,omitempty" validate:"omitempty,max=200"`
	// AdminRoles and ManagerRoles are the Carerix roles that see every
	// conversation and the tenant-wide dashboard; other recruiters see
	// their own and unassigned conversations. AdminRoles default to
	// DefaultAdminRoles().
	AdminRoles   []string `json:"admin_roles,omitempty" yaml:"admin_roles,omitempty" validate:"max=20,dive,required,max=100"`
	ManagerRoles []string `json:"manager_roles,omitempty" yaml:"manager_roles,omitempty" validate:"max=20,dive,required,max=100"`
}

// EmbedProofMode is how framed pages prove who is looking.
type EmbedProofMode string

// The proof modes.
const (
	// ProofURL: the template writes the record's and the user's
	// stableHash into the frame's URL; tenant-wide pages carry a key
	// their own template writes.
	ProofURL EmbedProofMode = "url"
	// ProofSignIn: every page signs its viewer in through the tenant's
	// Carerix realm (OpenID Connect).
	ProofSignIn EmbedProofMode = "signin"
	// ProofMixed: the URL proof on record pages, sign-in for the
	// tenant-wide pages (the conversation list and the dashboard).
	ProofMixed EmbedProofMode = "mixed"
)

// DefaultAdminRoles are the Carerix roles treated as administrators
// unless a tenant names others.
func DefaultAdminRoles() []string { return []string{"Administrator"} }

// PrivilegedRoles are the roles that see every conversation and the
// tenant-wide dashboard: the admin roles and the manager roles.
func (e EmbedSettings) PrivilegedRoles() []string {
	roles := e.AdminRoles
	if len(roles) == 0 {
		roles = DefaultAdminRoles()
	}
	return append(append([]string(nil), roles...), e.ManagerRoles...)
}

// ProofFor returns the proof mode in force: the tenant's choice, or, when
// it made none, the URL proof where its Carerix API gives stableHash.
func (e EmbedSettings) ProofFor(hasStableHash bool) EmbedProofMode {
	switch {
	case e.Proof != "":
		return e.Proof
	case hasStableHash:
		return ProofURL
	default:
		return ProofSignIn
	}
}

// WhatsAppSettings connect a tenant's WhatsApp Business number through the
// Cloud API (see `recrubo-carerix tenant whatsapp connect`). All empty
// means the tenant has no WhatsApp channel yet.
type WhatsAppSettings struct {
	// APIBaseURL is the Graph API origin; empty for Meta's.
	APIBaseURL string `json:"api_base_url,omitempty" yaml:"api_base_url,omitempty" validate:"omitempty,baseurl"`
	// PhoneNumberID is the business phone number's id (not the number).
	PhoneNumberID string `json:"phone_number_id,omitempty" yaml:"phone_number_id,omitempty" validate:"omitempty,numeric,max=64"`
	// BusinessAccountID is the WhatsApp Business Account (WABA) id, whose
	// message templates the tenant sends.
	BusinessAccountID string `json:"business_account_id,omitempty" yaml:"business_account_id,omitempty" validate:"omitempty,numeric,max=64"`
	AccessToken       Secret `json:"access_token" yaml:"access_token"`
	AppSecret         Secret `json:"app_secret" yaml:"app_secret"`
	// VerifyToken answers Meta's webhook subscription check; generated on
	// connect.
	VerifyToken Secret `json:"verify_token" yaml:"verify_token"`
	// ConnectedAt is when the number was connected.
	ConnectedAt time.Time `json:"connected_at,omitzero" yaml:"connected_at,omitempty"`
}

// Enabled reports whether the tenant has a WhatsApp number configured.
func (w WhatsAppSettings) Enabled() bool { return w.PhoneNumberID != "" }

// Normalize fills defaults and tidies values a person typed.
func (t *Tenant) Normalize() {
	t.Slug = strings.ToLower(strings.TrimSpace(t.Slug))
	t.DisplayName = strings.TrimSpace(t.DisplayName)
	for i, o := range t.FrameOrigins {
		t.FrameOrigins[i] = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(o)), "/")
	}
	if t.Language == "" {
		t.Language = LangDutch
	}
	if t.TimeZone == "" {
		t.TimeZone = DefaultTimeZone
	}
	t.PhoneRegion = strings.ToUpper(strings.TrimSpace(t.PhoneRegion))
	if t.PhoneRegion == "" {
		t.PhoneRegion = DefaultPhoneRegion
	}
	t.Carerix.APIBaseURL = strings.TrimSuffix(strings.TrimSpace(t.Carerix.APIBaseURL), "/")
	t.Carerix.IdentityBaseURL = strings.TrimSuffix(strings.TrimSpace(t.Carerix.IdentityBaseURL), "/")
	t.WhatsApp.APIBaseURL = strings.TrimSuffix(strings.TrimSpace(t.WhatsApp.APIBaseURL), "/")
}

// Validate checks the tenant's fields.
func (t *Tenant) Validate() error { return Validate(t) }

// Clone returns a copy of t that shares nothing changeable with it: every
// list is copied too. The lists share one new backing array, each capped
// at its own length, so that appending to one reallocates instead of
// overwriting the next: a copy costs two allocations however many lists
// a tenant has.
func (t *Tenant) Clone() *Tenant {
	if t == nil {
		return nil
	}
	c := *t
	lists := [...]*[]string{
		&c.FrameOrigins, &c.Carerix.Scopes, &c.Admin.Scopes,
		&c.Filters.CandidateStatuses, &c.Filters.VacancyStatuses,
		&c.Embed.AdminRoles, &c.Embed.ManagerRoles,
	}
	n := 0
	for _, l := range lists {
		n += len(*l)
	}
	all := make([]string, 0, n)
	for _, l := range lists {
		if *l == nil {
			continue // nil stays nil (an empty list stays empty)
		}
		start := len(all)
		all = append(all, *l...)
		*l = all[start:len(all):len(all)]
	}
	return &c
}

// Location returns the tenant's time zone, falling back to the default.
func (t *Tenant) Location() *time.Location {
	if loc, err := time.LoadLocation(t.TimeZone); err == nil {
		return loc
	}
	loc, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// TenantStore keeps tenants. Secrets are encrypted at rest by implementations.
type TenantStore interface {
	// CreateTenant stores a new tenant, assigning ID and timestamps.
	// Returns ECONFLICT if the slug is taken.
	CreateTenant(ctx context.Context, t *Tenant) error
	// UpdateTenant replaces a tenant's settings. Returns ENOTFOUND if it does not exist.
	UpdateTenant(ctx context.Context, t *Tenant) error
	// TenantByID returns ENOTFOUND if there is no such tenant.
	TenantByID(ctx context.Context, id string) (*Tenant, error)
	// TenantBySlug returns ENOTFOUND if there is no such tenant.
	TenantBySlug(ctx context.Context, slug string) (*Tenant, error)
	// Tenants lists all tenants ordered by slug.
	Tenants(ctx context.Context) ([]*Tenant, error)
	// DeleteTenant removes a tenant and all its data. Returns ENOTFOUND if it does not exist.
	DeleteTenant(ctx context.Context, id string) error
}
