package messaging

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Connection is what connecting a number found out.
type Connection struct {
	Tenant *recrubo.Tenant
	// Check is the provider's answer about the number and token.
	Check recrubo.WhatsAppCheck
	// Templates is how many templates the account has; TemplatesErr why
	// they could not be read (the number is connected all the same).
	Templates    int
	TemplatesErr error
}

// CheckWhatsApp asks the provider about the tenant's number with its
// access token (GET /{phone-number-id}) and records the answer on the
// tenant's WhatsApp health. It returns EUNAUTHORIZED when the token is
// refused, EINVALID when the number is not the token's, EUNAVAILABLE when
// the provider cannot be reached.
func (s *Service) CheckWhatsApp(ctx context.Context, tenant *recrubo.Tenant) (recrubo.WhatsAppCheck, error) {
	check, err := s.checkNumber(ctx, tenant)
	if tenant.ID != "" {
		if serr := s.store.SaveWhatsAppCheck(ctx, tenant.ID, check); serr != nil {
			return check, serr
		}
	}
	return check, err
}

// checkNumber asks the provider about the tenant's number, recording
// nothing.
func (s *Service) checkNumber(ctx context.Context, tenant *recrubo.Tenant) (recrubo.WhatsAppCheck, error) {
	check := recrubo.WhatsAppCheck{At: s.now()}
	if err := requireWhatsApp(tenant); err != nil {
		check.Error = recrubo.ErrorMessage(err)
		return check, err
	}
	client, err := s.client(tenant)
	if err != nil {
		check.Error = recrubo.ErrorMessage(err)
		return check, err
	}
	pn, err := client.PhoneNumber(ctx)
	if err != nil {
		err = providerError(err, "checking the WhatsApp number of %s", tenant.Slug)
		check.Error = recrubo.ErrorMessage(err)
		return check, err
	}
	check.OK, check.DisplayPhoneNumber, check.VerifiedName, check.QualityRating = true, recrubo.FormatPhone(pn.DisplayPhoneNumber), pn.VerifiedName, pn.QualityRating
	return check, nil
}

// Connect connects the tenant's WhatsApp number with settings: it checks
// that every setting is given, generates a webhook verify token when none
// is, checks the access token against the number at the provider, and
// only then stores the settings (their secrets sealed by the store),
// records the check and reads the account's templates. A refused token or
// a number the token cannot use stores nothing. A failed template read is
// reported in the result; the number stays connected and the periodic
// sync tries again.
func (s *Service) Connect(ctx context.Context, tenant *recrubo.Tenant, settings recrubo.WhatsAppSettings) (*Connection, error) {
	settings.APIBaseURL = strings.TrimSuffix(strings.TrimSpace(settings.APIBaseURL), "/")
	settings.PhoneNumberID = strings.TrimSpace(settings.PhoneNumberID)
	settings.BusinessAccountID = strings.TrimSpace(settings.BusinessAccountID)
	var problems []recrubo.FieldError
	for _, f := range []struct {
		name  string
		empty bool
	}{
		{"phone_number_id", settings.PhoneNumberID == ""},
		{"business_account_id", settings.BusinessAccountID == ""},
		{"access_token", settings.AccessToken.IsZero()},
		{"app_secret", settings.AppSecret.IsZero()},
	} {
		if f.empty {
			problems = append(problems, recrubo.FieldError{Field: "whatsapp." + f.name, Message: "is required"})
		}
	}
	if len(problems) > 0 {
		return nil, &recrubo.Error{Code: recrubo.EINVALID, Message: "The WhatsApp settings are not complete.", Fields: problems}
	}
	if settings.VerifyToken.IsZero() {
		settings.VerifyToken = NewVerifyToken()
	}
	next := *tenant
	next.WhatsApp = settings
	next.WhatsApp.ConnectedAt = s.now()
	if err := next.Validate(); err != nil {
		return nil, err
	}
	check, err := s.checkNumber(ctx, &next)
	if err != nil {
		return &Connection{Tenant: tenant, Check: check}, err
	}
	if err := s.store.UpdateTenant(ctx, &next); err != nil {
		return nil, wrap(err, "storing the WhatsApp settings of %s", tenant.Slug)
	}
	if err := s.store.SaveWhatsAppCheck(ctx, next.ID, check); err != nil {
		return nil, err
	}
	*tenant = next
	conn := &Connection{Tenant: tenant, Check: check}
	conn.Templates, conn.TemplatesErr = s.SyncTemplates(ctx, tenant)
	s.log.InfoContext(ctx, "WhatsApp connected", "tenant", tenant.ID, "phone_number_id", settings.PhoneNumberID,
		"templates", conn.Templates)
	return conn, nil
}

// Disconnect removes the tenant's WhatsApp settings, health, errors and
// templates. Conversations and messages stay; nothing can be sent until a
// number is connected again, and webhooks for the old number are refused.
func (s *Service) Disconnect(ctx context.Context, tenant *recrubo.Tenant) error {
	next := *tenant
	next.WhatsApp = recrubo.WhatsAppSettings{}
	err := s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		if err := tx.UpdateTenant(ctx, &next); err != nil {
			return err
		}
		return tx.ForgetWhatsApp(ctx, tenant.ID)
	})
	if err != nil {
		return wrap(err, "disconnecting WhatsApp of %s", tenant.Slug)
	}
	*tenant = next
	s.log.InfoContext(ctx, "WhatsApp disconnected", "tenant", tenant.ID)
	return nil
}

// NewVerifyToken returns a fresh webhook verify token: 32 random bytes,
// URL-safe, as Meta's app settings accept it.
func NewVerifyToken() recrubo.Secret {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return recrubo.NewSecret(base64.RawURLEncoding.EncodeToString(b))
}

// WebhookPath is the path Meta's app settings must call for a tenant.
func WebhookPath(slug string) string { return "/webhooks/whatsapp/" + slug }
