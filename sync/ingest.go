package carerixsync

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// WebhookSecretHeader is the custom header carrying the tenant's webhook
// secret, registered on every Carerix webhook by provisioning.
const WebhookSecretHeader = "X-Recrubo-Webhook-Secret"

// maxVerifiers bounds the cache of parsed webhook public keys.
const maxVerifiers = 1024

// verifierCache keeps parsed public keys, so a delivery does not parse PEM.
type verifierCache struct {
	mu sync.Mutex
	m  map[string]*carerix.RSAVerifier
}

func newVerifierCache() *verifierCache {
	return &verifierCache{m: map[string]*carerix.RSAVerifier{}}
}

func (c *verifierCache) get(pem string) (*carerix.RSAVerifier, error) {
	c.mu.Lock()
	v := c.m[pem]
	c.mu.Unlock()
	if v != nil {
		return v, nil
	}
	v, err := carerix.NewRSAVerifier(pem)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= maxVerifiers {
		clear(c.m)
	}
	c.m[pem] = v
	c.mu.Unlock()
	return v, nil
}

// IngestCarerix verifies a Carerix webhook delivery for the tenant with
// slug, parses it, and stores it; the stored, unprocessed event is its
// place in the tenant's processing queue (drain.go). It reports whether
// the event was new (false for a redelivery, which is acknowledged but not
// processed again). It returns once the event is committed; deliveries
// that arrive together share one commit (store.DB.RecordEvent).
//
// Verification comes before parsing: the Cx-Signature header against the
// tenant's webhook public key and the secret custom header against the
// tenant's secret. At least one must be configured; see verify for how
// they combine.
func (s *Service) IngestCarerix(ctx context.Context, slug string, header func(name string) string, body []byte) (bool, error) {
	t, err := s.reads.TenantBySlug(ctx, slug)
	if err != nil {
		if recrubo.ErrorCode(err) == recrubo.ENOTFOUND || recrubo.ErrorCode(err) == recrubo.EINVALID {
			return false, recrubo.Errorf(recrubo.ENOTFOUND, "Unknown tenant.")
		}
		return false, fmt.Errorf("loading tenant %q: %w", slug, err)
	}
	if err := s.verify(ctx, t, header, body); err != nil {
		return false, err
	}
	ev, err := carerix.ParseWebhookEvent(body)
	if err != nil {
		return false, recrubo.Errorf(recrubo.EINVALID, "Malformed webhook payload: %s.", strings.TrimPrefix(err.Error(), "parsing webhook event: "))
	}
	if ev.Tenant != "" && t.Carerix.Application != "" && !strings.EqualFold(ev.Tenant, t.Carerix.Application) {
		return false, recrubo.Errorf(recrubo.EFORBIDDEN, "The event belongs to another Carerix application.")
	}
	in := &recrubo.InboundEvent{
		TenantID: t.ID, Source: recrubo.SourceCarerix, ID: ev.ID, Type: ev.Type, Subject: eventSubject(ev.Entity, ev.EntityID),
		Payload: append([]byte(nil), body...), ReceivedAt: s.now(),
	}
	isNew, err := s.store.RecordEvent(ctx, in)
	if err != nil {
		return false, fmt.Errorf("storing webhook event: %w", err)
	}
	if isNew {
		s.kick(ctx, t.ID) // see drain.go
	}
	return isNew, nil
}

// verify checks a delivery's credentials before anything reads the body.
// Either credential the tenant has proves the sender: the secret header
// (ours, registered by provisioning) or a Cx-Signature that verifies.
// A secret that is present but wrong refuses the delivery. Carerix's
// signature scheme is not fully documented (carerix/signature.go), so a
// signature that fails to verify while the secret matched is logged as a
// warning, not refused: a wrong guess about the scheme must not cut a
// tenant off from real-time updates.
func (s *Service) verify(ctx context.Context, t *recrubo.Tenant, header func(string) string, body []byte) error {
	hasKey, hasSecret := strings.TrimSpace(t.Webhook.PublicKeyPEM) != "", !t.Webhook.Secret.IsZero()
	if !hasKey && !hasSecret {
		return recrubo.Errorf(recrubo.EFORBIDDEN, "Webhooks are not set up for this tenant.")
	}
	secretOK := false
	if got := header(WebhookSecretHeader); hasSecret && got != "" {
		if subtle.ConstantTimeCompare([]byte(got), []byte(t.Webhook.Secret.Reveal())) != 1 {
			return recrubo.Errorf(recrubo.EUNAUTHORIZED, "Wrong webhook secret.")
		}
		secretOK = true
	}
	if !hasKey {
		if !secretOK {
			return recrubo.Errorf(recrubo.EUNAUTHORIZED, "Missing %s header.", WebhookSecretHeader)
		}
		return nil
	}
	v, err := s.verifiers.get(t.Webhook.PublicKeyPEM)
	if err != nil {
		return fmt.Errorf("tenant %s: %w", t.Slug, err)
	}
	err = v.Verify(body, header(carerix.SignatureHeader))
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, carerix.ErrBadSignature):
		return err
	case secretOK:
		s.log.WarnContext(ctx, "carerix webhook: Cx-Signature did not verify; accepted on the tenant's secret",
			"tenant", t.Slug, "reason", err.Error())
		return nil
	case hasSecret && header(carerix.SignatureHeader) == "":
		return recrubo.Errorf(recrubo.EUNAUTHORIZED, "Missing %s or %s header.", WebhookSecretHeader, carerix.SignatureHeader)
	default:
		return recrubo.Errorf(recrubo.EUNAUTHORIZED, "Invalid %s.", carerix.SignatureHeader)
	}
}
