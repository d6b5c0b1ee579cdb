package carerix

import (
	recrubo "github.com/recrubo/recrubo-carerix"
)

// TenantConfig is the client configuration for a tenant's integration
// account: the one sync and webhook processing use. The caller may set the
// remaining fields (Logger, HTTPClient, AllowInsecureHTTP, ...).
func TenantConfig(t *recrubo.Tenant) Config {
	return Config{
		APIBaseURL:        t.Carerix.APIBaseURL,
		IdentityBaseURL:   t.Carerix.IdentityBaseURL,
		Realm:             t.Carerix.Realm,
		ClientID:          t.Carerix.ClientID,
		ClientSecret:      t.Carerix.ClientSecret.Reveal(),
		Scopes:            t.Carerix.Scopes,
		RequestsPerSecond: t.Carerix.RateLimit,
	}
}

// AdminConfig is the client configuration for the admin account the
// customer gave us, used by provisioning (templates and webhooks).
func AdminConfig(t *recrubo.Tenant) Config {
	c := TenantConfig(t)
	c.ClientID = t.Admin.ClientID
	c.ClientSecret = t.Admin.ClientSecret.Reveal()
	c.Scopes = t.Admin.Scopes
	return c
}
