// Package whatsapp is the WhatsApp Cloud API channel: a client that sends
// text, template and media messages, reads the business phone number, the
// business account's message templates and media files, and the webhook
// side that checks Meta's verification handshake and request signature and
// turns notification payloads into typed inbound messages, status updates,
// template status changes and value-level errors.
//
// # Sending
//
// [Client] posts to POST /{version}/{phone-number-id}/messages with a bearer
// token. A send that Meta accepts returns a wamid in [SendResult]; acceptance
// does not mean delivery. Some failures (outside the 24-hour customer service
// window, 131047; undeliverable number, 131026) arrive later as a "failed"
// status webhook, not as a send error.
//
// Errors from the provider are returned as [*APIError] with Meta's code,
// subcode, type, message, details and fbtrace_id. [Retryable] tells a caller
// whether trying again later can succeed (rate limits, 5xx, transient codes,
// transport failures) or whether the message should be marked failed with the
// provider's reason (invalid number, bad parameters, unknown template, expired
// token).
//
// The Cloud API has no idempotency key. A send that fails on the network after
// the request was written ([*NetworkError]) is ambiguous: Meta may have
// accepted it, and a retry can deliver the message twice. Callers pass their
// own message id as biz_opaque_callback_data; Meta echoes it on every status
// webhook for that send, so a duplicate is at least detectable afterwards
// (two wamids carrying the same callback data).
//
// # The number, templates and files
//
// [Client.PhoneNumber] reads the number (GET /{phone-number-id}): it
// proves the token is accepted for that number. [Client.MessageTemplates]
// lists every template of a WhatsApp Business Account (GET
// /{waba-id}/message_templates) following the listing's cursors while
// paging.next is present, with a bound on pages and a refusal of a cursor
// that comes back. [Client.MediaInfo] asks for a media file's short-lived
// URL (GET /{media-id}; sha256 in hex, file_size as number or string) and
// [Client.DownloadMedia] downloads it with the token, at most a given
// size ([ErrMediaTooLarge]), checking its hash ([ErrMediaChecksum]); an
// expired URL answers 404, and a fresh one must be asked for.
// [Client.UploadMedia] and [Client.SendMedia] send a file.
//
// # Webhooks
//
// [VerifyHandshake] answers the GET subscription check (hub.mode=subscribe,
// hub.verify_token, hub.challenge). [VerifySignature] checks the
// X-Hub-Signature-256 header (sha256=<hex HMAC-SHA256 of the raw body keyed by
// the app secret>) in constant time. [ParseWebhook] validates and converts a
// POST body into a [Notification]; it refuses unknown objects, missing ids and
// oversized payloads, and tolerates unknown fields. Message types other than
// text (image, document, audio, video, sticker, location, button,
// interactive, reaction, ...) are kept as placeholders, never dropped.
//
// Status webhooks can arrive out of order and more than once. [Advance]
// applies one to a stored status so that the stored value never moves
// backwards; see [StatusRank] for the order.
//
// # Sources
//
// Confirmed by Meta documentation: the send endpoint and its text/template
// request shapes; the success response (messaging_product, contacts
// input/wa_id, messages id); the Graph error envelope (message, type, code,
// error_subcode, error_data.details, fbtrace_id); error codes 190, 100,
// 130429, 131026, 131047, 131056, 132000, 132001; the webhook envelope
// (object whatsapp_business_account, entry, changes, field "messages",
// metadata, contacts, messages, statuses with conversation, pricing and
// errors); that a "delivered" status may be skipped when a message is read at
// once; the handshake query parameters and the X-Hub-Signature-256 scheme.
// Recalled from Meta documentation but not re-checked: the 512-character
// limit of biz_opaque_callback_data and its echo on status webhooks, the
// mark-as-read request ({"status":"read","message_id":...}).
// Confirmed as well: the phone number, media and message_templates
// endpoints and their answers, the media URL's need for the token and its
// five-minute life, the message_template_status_update value, and the
// contacts, list_reply, reaction and value-level errors objects.
// Assumed: which codes are worth retrying beyond those Meta labels as
// throttling or temporary (see [APIError.Retryable]), the body size and item
// count bounds in [ParseWebhook], and the status order used by [Advance].
package whatsapp
