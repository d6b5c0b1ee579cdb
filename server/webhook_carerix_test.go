package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
	"github.com/recrubo/recrubo-carerix/sync/synctest"
)

// carerixHook is a tenant's webhook endpoint with our own signing key.
type carerixHook struct {
	env *synctest.Env
	key *rsa.PrivateKey
}

// carerixEnvs starts the sync stack on every backend with jobs stopped, so
// what a request stored stays as it was stored.
func carerixEnvs(t *testing.T, fn func(t *testing.T, h *carerixHook)) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := synctest.New(t, backend, synctest.Options{NoJobs: true, WebhookBodyLimit: 4096,
				Seed: carerixemu.SeedOptions{Candidates: 5, Recruiters: 1, Seed: 1}})
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			pem, err := webhooks.PublicKeyPEM(key)
			if err != nil {
				t.Fatal(err)
			}
			e.Tenant.Webhook.PublicKeyPEM = pem
			if err := e.DB.UpdateTenant(t.Context(), e.Tenant); err != nil {
				t.Fatal(err)
			}
			fn(t, &carerixHook{env: e, key: key})
		})
	}
}

func (h *carerixHook) sign(t *testing.T, body []byte) string {
	t.Helper()
	sig, err := webhooks.RSASHA256Signer{}.Sign(h.key, body)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// post delivers body to url with the given headers; it returns the status
// and the answer.
func postCarerix(t *testing.T, url string, body []byte, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (h *carerixHook) headers(t *testing.T, body []byte) map[string]string {
	return map[string]string{carerix.SignatureHeader: h.sign(t, body), carerixsync.WebhookSecretHeader: synctest.WebhookSecret}
}

// stored returns how many Carerix events and available jobs are stored.
func (h *carerixHook) stored(t *testing.T) (events int64, jobs int) {
	t.Helper()
	n, err := h.env.DB.CountEvents(context.Background(), h.env.Tenant.ID, recrubo.SourceCarerix)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := h.env.DB.JobCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n, counts["available"]
}

const carerixEvent = `{"id":"6f1c2b7e-0000-4000-8000-000000000001","time":"2026-02-14T14:24:40Z","type":"cremployee:updated",
 "applicationId":"app","webhookId":"hook","tenant":"acme","data":{"entityId":"12","changedFields":["city","modificationdate"]}}`

func TestCarerixWebhookStoresVerifiedDeliveriesOnce(t *testing.T) {
	carerixEnvs(t, func(t *testing.T, h *carerixHook) {
		body := []byte(carerixEvent)
		code, answer := postCarerix(t, h.env.WebhookURL, body, h.headers(t, body))
		if code != http.StatusAccepted || !strings.Contains(answer, `"duplicate":false`) {
			t.Fatalf("first delivery = %d %s", code, answer)
		}
		code, answer = postCarerix(t, h.env.WebhookURL, body, h.headers(t, body))
		if code != http.StatusOK || !strings.Contains(answer, `"duplicate":true`) {
			t.Fatalf("redelivery = %d %s", code, answer)
		}
		if events, jobs := h.stored(t); events != 1 || jobs != 1 {
			t.Fatalf("stored %d events and %d jobs; want one of each", events, jobs)
		}
		ev, err := h.env.DB.Event(context.Background(), h.env.Tenant.ID, recrubo.SourceCarerix, "6f1c2b7e-0000-4000-8000-000000000001")
		if err != nil || ev.Type != "cremployee:updated" || !bytes.Equal(ev.Payload, body) || !ev.ProcessedAt.IsZero() {
			t.Fatalf("stored event = %+v, %v", ev, err)
		}
	})
}

func TestCarerixWebhookRefusesBadDeliveriesAndStoresNothing(t *testing.T) {
	carerixEnvs(t, func(t *testing.T, h *carerixHook) {
		good := []byte(carerixEvent)
		otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		forged, err := webhooks.RSASHA256Signer{}.Sign(otherKey, good)
		if err != nil {
			t.Fatal(err)
		}
		garbage := []byte(`{"id":"x","type":"not an event type"`)
		foreign := []byte(strings.Replace(carerixEvent, `"tenant":"acme"`, `"tenant":"globex"`, 1))
		huge := append([]byte(`{"id":"big","type":"cremployee:updated","data":{"entityId":"1"},"pad":"`),
			bytes.Repeat([]byte("a"), 5000)...)
		huge = append(huge, `"}`...)
		for _, c := range []struct {
			name    string
			url     string
			body    []byte
			headers map[string]string
			status  int
			message string
		}{
			{"wrong signature and no secret", h.env.WebhookURL, good,
				map[string]string{carerix.SignatureHeader: forged}, http.StatusUnauthorized, "Invalid Cx-Signature"},
			{"signature of another body and no secret", h.env.WebhookURL, good,
				map[string]string{carerix.SignatureHeader: h.sign(t, foreign)}, http.StatusUnauthorized, "Invalid Cx-Signature"},
			{"no credential", h.env.WebhookURL, good, map[string]string{}, http.StatusUnauthorized,
				"Missing X-Recrubo-Webhook-Secret or Cx-Signature"},
			{"wrong secret with a good signature", h.env.WebhookURL, good,
				map[string]string{carerix.SignatureHeader: h.sign(t, good), carerixsync.WebhookSecretHeader: "guess"},
				http.StatusUnauthorized, "Wrong webhook secret"},
			{"wrong secret and wrong signature", h.env.WebhookURL, good,
				map[string]string{carerix.SignatureHeader: forged, carerixsync.WebhookSecretHeader: "guess"},
				http.StatusUnauthorized, "Wrong webhook secret"},
			{"unknown tenant", h.env.URL + "/webhooks/carerix/globex", good, h.headers(t, good),
				http.StatusNotFound, "Unknown tenant"},
			{"garbage body", h.env.WebhookURL, garbage, h.headers(t, garbage), http.StatusBadRequest, "Malformed webhook payload"},
			{"another application's event", h.env.WebhookURL, foreign, h.headers(t, foreign),
				http.StatusForbidden, "another Carerix application"},
			{"huge body", h.env.WebhookURL, huge, h.headers(t, huge), http.StatusRequestEntityTooLarge, "too large"},
		} {
			code, answer := postCarerix(t, c.url, c.body, c.headers)
			if code != c.status || !strings.Contains(answer, c.message) {
				t.Errorf("%s: %d %s; want %d with %q", c.name, code, answer, c.status, c.message)
			}
		}
		if events, jobs := h.stored(t); events != 0 || jobs != 0 {
			t.Fatalf("bad deliveries stored %d events and %d jobs", events, jobs)
		}
	})
}

// TestCarerixWebhookAcceptsEitherCredential: the secret header and the
// signature each prove the sender on their own; a tenant with only one of
// them configured requires that one.
func TestCarerixWebhookAcceptsEitherCredential(t *testing.T) {
	carerixEnvs(t, func(t *testing.T, h *carerixHook) {
		otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		secret := func(string) map[string]string {
			return map[string]string{carerixsync.WebhookSecretHeader: synctest.WebhookSecret}
		}
		signed := func(body string) map[string]string {
			return map[string]string{carerix.SignatureHeader: h.sign(t, []byte(body))}
		}
		badSig := func(body string) map[string]string {
			sig, err := webhooks.RSASHA256Signer{}.Sign(otherKey, []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			return map[string]string{carerix.SignatureHeader: sig, carerixsync.WebhookSecretHeader: synctest.WebhookSecret}
		}
		deliver := func(n int, headers func(string) map[string]string) int {
			body := strings.Replace(carerixEvent, "000000000001", fmt.Sprintf("%012d", n), 1)
			code, _ := postCarerix(t, h.env.WebhookURL, []byte(body), headers(body))
			return code
		}
		full := h.env.Tenant.Webhook // both credentials, as provisioned
		configure := func(key bool, secret bool) {
			t.Helper()
			tn, err := h.env.DB.TenantByID(t.Context(), h.env.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			tn.Webhook = full
			if !key {
				tn.Webhook.PublicKeyPEM = ""
			}
			if !secret {
				tn.Webhook.Secret = recrubo.Secret{}
			}
			if err := h.env.DB.UpdateTenant(t.Context(), tn); err != nil {
				t.Fatal(err)
			}
			// The service reads tenants through its cache, which hears of
			// the change through the database's change feed.
			if !eventually.True(10*time.Second, func() bool {
				c, err := h.env.Cached.TenantBySlug(t.Context(), tn.Slug)
				return err == nil && c.Webhook.PublicKeyPEM == tn.Webhook.PublicKeyPEM && c.Webhook.Secret.IsZero() == tn.Webhook.Secret.IsZero()
			}) {
				t.Fatal("the cache never saw the tenant's new webhook settings")
			}
		}
		accepted := func(code int) bool { return code >= 200 && code < 300 }

		// Both configured: either credential suffices; a signature that
		// fails beside a good secret is accepted (and logged).
		for i, headers := range []func(string) map[string]string{secret, signed, badSig} {
			if code := deliver(i+1, headers); !accepted(code) {
				t.Errorf("both configured, delivery %d: %d, want accepted", i+1, code)
			}
		}
		// Only the secret configured: a signature alone proves nothing.
		configure(false, true)
		if code := deliver(10, signed); code != http.StatusUnauthorized {
			t.Errorf("secret only, signed delivery without the secret: %d, want 401", code)
		}
		if code := deliver(11, secret); !accepted(code) {
			t.Errorf("secret only, delivery with the secret: %d, want accepted", code)
		}
		// Only the key configured: the signature must verify.
		configure(true, false)
		if code := deliver(20, badSig); code != http.StatusUnauthorized {
			t.Errorf("key only, bad signature: %d, want 401", code)
		}
		if code := deliver(21, signed); !accepted(code) {
			t.Errorf("key only, good signature: %d, want accepted", code)
		}
		if events, _ := h.stored(t); events != 5 {
			t.Fatalf("%d events stored, want 5", events)
		}
	})
}
