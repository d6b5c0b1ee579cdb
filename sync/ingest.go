package sync

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	gosync "sync"

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
	mu gosync.Mutex
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
// processed again).
//
// Verification comes before parsing: the Cx-Signature header against the
// tenant's webhook public key and the secret custom header against the
// tenant's secret. At least one must be configured, and every configured
// one must pass.
func (s *Service) IngestCarerix(ctx context.Context, slug string, header func(name string) string, body []byte) (bool, error) {
	t, err := s.reads.TenantBySlug(ctx, slug)
	if err != nil {
		if recrubo.ErrorCode(err) == recrubo.ENOTFOUND || recrubo.ErrorCode(err) == recrubo.EINVALID {
			return false, recrubo.Errorf(recrubo.ENOTFOUND, "Unknown tenant.")
		}
		return false, fmt.Errorf("loading tenant %q: %w", slug, err)
	}
	if err := s.verify(t, header, body); err != nil {
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
		TenantID: t.ID, Source: recrubo.SourceCarerix, ID: ev.ID, Type: ev.Type,
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
func (s *Service) verify(t *recrubo.Tenant, header func(string) string, body []byte) error {
	hasKey, hasSecret := strings.TrimSpace(t.Webhook.PublicKeyPEM) != "", !t.Webhook.Secret.IsZero()
	if !hasKey && !hasSecret {
		return recrubo.Errorf(recrubo.EFORBIDDEN, "Webhooks are not set up for this tenant.")
	}
	if hasSecret {
		got := header(WebhookSecretHeader)
		if got == "" {
			return recrubo.Errorf(recrubo.EUNAUTHORIZED, "Missing %s header.", WebhookSecretHeader)
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(t.Webhook.Secret.Reveal())) != 1 {
			return recrubo.Errorf(recrubo.EUNAUTHORIZED, "Wrong webhook secret.")
		}
	}
	if hasKey {
		v, err := s.verifiers.get(t.Webhook.PublicKeyPEM)
		if err != nil {
			return fmt.Errorf("tenant %s: %w", t.Slug, err)
		}
		if err := v.Verify(body, header(carerix.SignatureHeader)); err != nil {
			if errors.Is(err, carerix.ErrBadSignature) {
				return recrubo.Errorf(recrubo.EUNAUTHORIZED, "Invalid %s.", carerix.SignatureHeader)
			}
			return err
		}
	}
	return nil
}
