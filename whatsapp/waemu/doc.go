// Package waemu emulates the parts of the WhatsApp Cloud API that the
// product uses, for tests and the demo: the send endpoint, the status and
// inbound-message webhooks it drives, a message template registry and a few
// admin endpoints to script candidates.
//
// # Endpoints
//
//	POST /{version}/{phone-number-id}/messages   send text or template; mark as read
//	POST /_emulator/inbound                      a candidate sends a message (JSON Inbound)
//	GET  /_emulator/inbound                      inbound messages so far
//	GET  /_emulator/messages[?to=digits]         messages accepted by the send endpoint
//	GET  /_emulator/templates                    template registry
//	POST /_emulator/templates                    register or replace a template (JSON Template)
//	GET  /_emulator/deliveries                   webhook deliveries with their attempts
//	POST /_emulator/faults                       make the next send fail (JSON Fault)
//	POST /_emulator/subscribe                    run Meta's GET verification against WebhookURL
//
// The /_emulator/ endpoints have no authentication: never expose the
// emulator beyond loopback or a private demo network.
//
// # Behaviour
//
// Send requests need "Authorization: Bearer <token>" with the token
// configured for that phone number id; a missing or wrong token gets HTTP 401
// with code 190 (OAuthException). A phone number id that is not configured
// gets HTTP 400, code 100, subcode 33 (GraphMethodException). The body must be
// JSON with messaging_product "whatsapp", a "to" of 7 to 15 digits (an
// optional "+", spaces and dashes are ignored) and type "text" (the default)
// or "template"; violations get HTTP 400 with code 100, or 131008 when a
// required parameter is missing. A template must be registered for that name
// and language and be APPROVED, else HTTP 404 with code 132001 (132015 when
// PAUSED, 132016 when DISABLED); a parameter count that does not match the
// template's {{n}} placeholders gets HTTP 400 with code 132000.
//
// An accepted send returns a wamid and then produces signed status webhooks:
//
//   - free text to a number whose last inbound message is older than the
//     customer service window (24 hours) or absent: one "failed" status with
//     error 131047 "Re-engagement message". Meta reports this asynchronously,
//     not as a send error, and so does the emulator;
//   - a number starting with one of Options.InvalidNumberPrefixes (default
//     DefaultInvalidNumberPrefix, "3199"): one "failed" status with error 131026 "Message undeliverable";
//   - otherwise "sent", "delivered" and "read" (unless Options.SkipRead),
//     Options.StatusDelay apart, with a conversation object and a pricing
//     object whose category is "service" for free text inside the window and
//     the template's category (utility, marketing, authentication) for
//     templates. Every status echoes biz_opaque_callback_data.
//
// The statuses of one message are delivered in sequence by one worker;
// webhooks of different messages are delivered by Options.Workers workers in
// parallel and may arrive in any order relative to each other, as with Meta.
// WaitIdle blocks until everything queued has been delivered or abandoned.
//
// Options.StatusOrder and Options.DuplicateStatuses deliver the statuses of a
// message in reverse order or twice, to test receivers against what Meta
// does not promise (ordering, exactly-once).
//
// Webhooks are POSTed to WebhookURL as JSON with
// X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body keyed by AppSecret>.
// A non-2xx answer or a transport error is retried with exponential backoff
// (Options.RetryBackoff doubling up to Options.MaxRetryBackoff) up to
// Options.MaxAttempts attempts; every attempt is recorded (see Deliveries).
//
// # Confirmed and assumed
//
// Confirmed by Meta documentation: the endpoint path and request shapes; the
// success body; the Graph error envelope; codes 190, 100, 131008, 131026,
// 131047, 132000, 132001 and their meaning; 131047 and 131026 reaching the
// business as failed status webhooks after an accepted send; the webhook
// envelope, metadata, contacts, messages and statuses objects, including the
// "button" object of a tapped quick-reply button (type "button", with text
// and payload) and the "interactive" button_reply object; the signature
// header; the GET handshake; that Meta retries webhooks that are not answered
// with 200.
//
// Assumed (the emulator's choice where Meta's behaviour was not checked):
// 401 rather than 400/2500 for a missing token; subcode 33 for an unknown
// phone number id; the exact message and details texts; HTTP 404 for 132001
// and 400 for 132000; the number normalisation; that a 131047 or 131026 send
// gets no "sent" status first; conversation ids, expiration and the
// "PMP" pricing model with billable false for service messages and utility
// templates inside the window; the retry schedule (Meta retries for days with
// decreasing frequency; the emulator's schedule is short and bounded); that
// a simulated quick-reply button's payload equals its text and a reply
// button's id is made up (both are the business's choice at Meta).
package waemu
