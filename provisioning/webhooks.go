package provisioning

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// WebhookSecretHeader is the custom header that carries the tenant's
// webhook secret on every delivery; the webhook endpoint checks it.
const WebhookSecretHeader = "X-Recrubo-Webhook-Secret"

// WebhookEntities are the Carerix entities we subscribe to, one webhook
// each (their filters stay well under carerix.MaxWebhookFilters). The
// crtodo webhook only serves the verify page's round trip through the
// probe activity (see Probe); sync ignores its events.
var WebhookEntities = []string{"cremployee", "crvacancy", "crmatch", ProbeEntity}

// webhookActions are the events subscribed per entity.
var webhookActions = []string{"created", "updated", "deleted"}

// entityActions returns the actions subscribed for entity: only updates
// of activities (the probe), everything of the synced entities.
func entityActions(entity string) []string {
	if entity == ProbeEntity {
		return []string{"updated"}
	}
	return webhookActions
}

// appKey is the Key of the webhook application item.
const appKey = "app"

// ApplicationName is the name of our webhook application in a tenant's
// Carerix.
func ApplicationName(t *recrubo.Tenant) string { return "Recrubo (" + t.Slug + ")" }

// WebhookURL is where Carerix delivers the tenant's events.
func WebhookURL(publicURL string, t *recrubo.Tenant) string {
	return strings.TrimSuffix(publicURL, "/") + "/webhooks/carerix/" + url.PathEscape(t.Slug)
}

// desiredHook is one webhook as we want it.
type desiredHook struct {
	entity string
	req    carerix.WebhookRequest
	hash   string
}

// desiredHooks lists the webhooks of tenant t.
func desiredHooks(t *recrubo.Tenant, publicURL string) []desiredHook {
	out := make([]desiredHook, 0, len(WebhookEntities))
	for _, e := range WebhookEntities {
		req := carerix.WebhookRequest{
			URL:           WebhookURL(publicURL, t),
			CustomHeaders: []carerix.WebhookHeader{{Name: WebhookSecretHeader, Value: t.Webhook.Secret.Reveal()}},
		}
		for _, a := range entityActions(e) {
			req.Filters = append(req.Filters, carerix.WebhookFilter{EventType: e + ":" + a})
		}
		out = append(out, desiredHook{entity: e, req: req, hash: hookHash(req.URL, req.Filters, t.Webhook.Secret.Reveal())})
	}
	return out
}

// hookHash identifies a webhook's configuration, secret included.
func hookHash(u string, filters []carerix.WebhookFilter, secret string) string {
	types := make([]string, len(filters))
	for i, f := range filters {
		types[i] = strings.ToLower(f.EventType)
	}
	slices.Sort(types)
	sum := sha256.Sum256([]byte(u + "\x00" + strings.Join(types, ",") + "\x00" + secret))
	return hex.EncodeToString(sum[:])
}

// sameFilters reports whether w subscribes to exactly the filters of d.
func sameFilters(w carerix.Webhook, d desiredHook) bool {
	return hookHash("", w.Filters, "") == hookHash("", d.req.Filters, "")
}

// headerValue returns the value of header name on w and whether it is set.
func headerValue(w carerix.Webhook, name string) (string, bool) {
	for _, h := range w.CustomHeaders {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}
