// Package waemu emulates the parts of the WhatsApp Cloud API that the
// product uses, for tests and the demo: the send endpoint, the status and
// inbound-message webhooks it drives, the phone number and media
// endpoints, a message template registry served by the template
// management API with its status webhooks, and a few admin endpoints to
// script candidates.
//
// # Endpoints
//
//	POST /{version}/{phone-number-id}/messages   send text, template, image, video, audio or document; mark as read
//	POST /{version}/{phone-number-id}/media      upload a file (multipart: messaging_product, type, file)
//	GET  /{version}/{phone-number-id}            the number: display number, verified name, quality rating
//	GET  /{version}/{media-id}                   a media file's short-lived download URL, MIME type, sha256, size
//	GET  /_lookaside/whatsapp_business/attachments/?mid=..&ext=..&hash=..   the download URL (bearer token)
//	GET  /{version}/{waba-id}/message_templates  every template, paged (limit, after; paging.cursors, paging.next)
//	POST /_emulator/inbound                      a candidate sends a message (JSON Inbound)
//	GET  /_emulator/inbound                      inbound messages so far
//	GET  /_emulator/messages[?to=digits]         messages accepted by the send endpoint
//	GET  /_emulator/templates                    template registry
//	POST /_emulator/templates                    register or replace a template (JSON Template)
//	POST /_emulator/templates/status             change a template's status; sends message_template_status_update
//	POST /_emulator/errors                       send a value-level errors webhook (JSON ValueError)
//	GET  /_emulator/deliveries                   webhook deliveries with their attempts
//	POST /_emulator/faults                       make the next send fail (JSON Fault)
//	POST /_emulator/subscribe                    run Meta's GET verification against WebhookURL; an optional
//	                                             JSON Webhook body sets the callback URL and verify token first
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
// Inbound messages of every documented type can be simulated: text,
// image, document, audio (as a voice note), video, sticker, location,
// contacts, button, interactive (button_reply and list_reply with its
// description), reaction (an emoji, or none to remove it) and unsupported
// (with error 131051). Media arrive as ids; GET /{media-id} with the
// number's token answers a download URL that works with the same token for
// Options.MediaURLTTL (five minutes, as with Meta) and answers 404 after.
// A reaction does not renew the customer service window; every other
// inbound message does. An inbound message may carry a past time (At), to
// script a history.
//
// The template listing serves every registered template with Meta's
// components (HEADER with format and example values, BODY with
// example.body_text, FOOTER, BUTTONS of QUICK_REPLY and URL), id, status and
// category, Options.TemplatePageSize (25) per page unless limit says
// otherwise; SetTemplateStatus changes a status and sends the
// message_template_status_update webhook (event, message_template_id,
// message_template_name, message_template_language, reason,
// message_template_category). SimulateError sends a "messages" change that
// holds only value-level errors.
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
// Confirmed as well: the media object (url, mime_type, sha256 in hex,
// file_size, id) and that its URL needs the access token and expires after
// five minutes; the message_templates listing with Graph cursors; the
// message_template_status_update value; contacts, list_reply (with
// description), reaction (no emoji when removed) and unsupported message
// objects; value-level errors.
//
// Assumed (the emulator's choice where Meta's behaviour was not checked):
// that a reaction does not renew the customer service window; the download
// URL's path and query (Meta's look like lookaside.fbsbx.com/whatsapp_business/attachments/?mid=…);
// a 404 for an expired URL; error 131053 for a media id that does not
// exist;
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
