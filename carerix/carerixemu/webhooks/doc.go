// Package webhooks emulates Carerix webhooks for one tenant: the REST
// management API under /webhooks/v1/, plain-Go equivalents for the GraphQL
// layer, and a dispatcher that signs and POSTs thin event notifications to
// subscribed URLs with retries, delivery records and fault injection.
//
// # Confirmed by Carerix documentation
//
//   - Base path /webhooks/v1/ and POST /applications with body
//     {"_kind":"Application","name":...} answering {"_kind":"Application","_id":<uuid>,...}.
//   - The token needs scope urn:cx/webhooks:data:manage; the GraphQL
//     webhookApplication query accepts urn:cx/webhooks:data/applications:read
//     or :manage.
//   - WebhookApplication carries signatureVerification
//     (AsymmetricSignatureVerification{algorithm, publicKey in PEM}).
//   - Webhook fields url, filters, customHeaders, status; statuses enabled,
//     disabled, error.
//   - Custom header names Cx-Signature, Cx-Payload-Schema-Version and
//     Content-Type are reserved.
//   - Deliveries are HTTP POSTs carrying Content-Type,
//     Cx-Payload-Schema-Version, Cx-Signature and the custom headers; the
//     signature is asymmetric.
//   - One WebhookDeliveryJob per event and webhook, independent of each other,
//     holding url, a snapshot of the custom headers and the payload;
//     attempts are kept oldest first with deliveryStatus succeeded or
//     failed, responseStatusCode, responseHeaders (JSON map of name to value
//     list) and responsePayload; failed attempts are retried.
//
// # Third-party claims followed
//
//   - The other management routes (list with ?fields=, get, delete,
//     webhooks create/list/get, enable, disable, delete); list responses
//     without fields carry only _kind and _id.
//   - At most 10 filters per webhook (Options.MaxFilters).
//   - Filter objects {"eventType":"cremployee:updated"}; event types are
//     compared case-insensitively and other filter keys are ignored. Event
//     types are sent as the publisher spells the entity (Event.Entity:
//     "cremployee" as documented, "CREmployee" or "CRTodo" as observed on
//     tenants), the action in lowercase.
//   - Payload {id, time, type, applicationId, webhookId, tenant,
//     data{entityId, changedFields}}.
//   - Reply within 10 s (Options.Timeout).
//   - Status error once 30 % of the last 1,000 deliveries failed
//     (Options.HealthThreshold, Options.HealthWindow).
//
// # Assumptions (not documented anywhere; verify on a real tenant)
//
//   - Cx-Signature is base64 (standard, padded) of RSASSA-PKCS1-v1_5 over
//     SHA-256 of the raw body, algorithm "RSA-SHA256", public key as a PKIX
//     "PUBLIC KEY" PEM block. The scheme sits behind Signer.
//   - Cx-Payload-Schema-Version is "1".
//   - The public key is also served at
//     GET /webhooks/v1/applications/{appId}/signature-key (emulator route).
//   - Third-party code expects a global GET /webhooks/v1/signature-key.
//     With Options.GlobalSignatureKey one key pair (taken from
//     Options.Keys on first need) signs every delivery of the tenant and is
//     served there as {"algorithm": ..., "publicKey": "<PEM>"}
//     (SignatureKey); applications then carry signatureVerification null
//     and the per-application route serves the global key. Without it the
//     global route answers 404. Both routes need a webhook read or manage
//     scope.
//   - Creating returns 201 with the full resource, deleting 204, enable and
//     disable 200 with the webhook; single GETs without fields return the
//     full resource. Errors are {"_kind":"Error","status":...,"message":...}.
//   - GET routes also accept urn:cx/webhooks:data:read and the narrower
//     .../data/applications:* or .../data/webhooks:* scopes;
//     urn:cx/webhooks:data/webhooks:read is invented by analogy.
//   - A webhook needs at least one filter and an absolute http(s) URL; new
//     webhooks start enabled (Options.CreateDisabled flips that).
//   - Deleting an application deletes its webhooks; delivery jobs outlive
//     their webhook. A job whose webhook is deleted, disabled or in error
//     before an attempt is cancelled.
//   - The health rule counts finished jobs (succeeded or failed after all
//     attempts), needs Options.HealthMinDeliveries of them, and re-enabling
//     clears the window.
//   - Retry schedule: Options.MaxAttempts (5) attempts with exponential
//     backoff from 1 s and jitter; the real schedule is unknown.
//   - "<entity>:deleted" events are emitted unless
//     Options.DisableDeletedEvents is set; whether Carerix sends them is
//     unknown.
//   - All jobs created by one Publish share the payload id.
//   - Delivery order is not guaranteed (several workers, retries).
//
// Fault injection (SetFaults, DropNext, DuplicateNext, FlushHeld) is an
// emulator feature for testing consumers against at-least-once, unordered
// delivery; Broadcast sends an event of any type to every enabled webhook
// whatever its filters, for testing consumers against events they did not
// ask for.
package webhooks
