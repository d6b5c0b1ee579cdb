// Package messaging holds the rules of conversations between a tenant's
// recruiters and candidates on WhatsApp, on top of recrubo.ConversationStore
// and the Cloud API client of package whatsapp. [Service] is what the inbox
// pages, the webhook endpoint and the background jobs call.
//
// # Sending
//
// [Service.Send] refuses, with a recrubo error and before anything is
// stored: a candidate who opted out (EFORBIDDEN, with when and how); free
// text when the candidate has not written within recrubo.ServiceWindow
// (EINVALID: the message needs a template); a template the tenant does not
// have, that is not approved, or with the wrong number of variables
// (EINVALID); a candidate without a usable mobile number (EINVALID); a tenant
// without a WhatsApp number (EINVALID). Otherwise it stores the message as
// queued and enqueues a [SendJob] in the same transaction, so a stored
// message always has a durable send behind it.
//
// A conversation nobody is assigned to becomes the sender's with the
// message: a recruiter who starts a conversation, answers or retries in
// one that is unassigned, or broadcasts to a vacancy's candidates, is
// assigned to it. A conversation assigned to someone stays theirs.
//
// # Sending exactly once
//
// The Cloud API has no idempotency key. The send job therefore:
//
//  1. does nothing when the message is no longer queued for the job's
//     attempt, or already has a provider id (a repeated job);
//  2. records DispatchedAt before it calls the API, and sends the message's
//     id and attempt as biz_opaque_callback_data ("<message id>:<attempt>"),
//     which Meta echoes on every status webhook of that send;
//  3. records the provider id (wamid) once the API answers.
//
// An answer lost on the network leaves DispatchedAt without a provider id.
// The next run does not send again at once: it waits Config.ConfirmWait for
// a status webhook of the lost send, which carries the callback data, and
// adopts its wamid (so the message is not sent twice). Only when no status
// arrived in that time does it send again. An error answer from the API
// (HTTP 4xx/5xx) proves the message was not accepted: DispatchedAt is
// cleared and a retryable error is retried with backoff; any other error
// marks the message failed with the provider's reason. A message still
// failing on the job's last attempt is marked failed too, never left
// queued. Before it calls the API the job checks again what may have
// changed since Send: a candidate who opted out since, or a template that
// is no longer approved or now takes another number of values, fails the
// message with that reason and nothing is sent. [Service.Retry] requeues a
// failed message as a new attempt, refusing as Send does (including the
// template checks); statuses of older attempts are ignored.
//
// # Inbound webhooks
//
// [Service.IngestWhatsApp] checks the X-Hub-Signature-256 HMAC of the raw
// body with the tenant's app secret before it parses anything, parses it,
// and stores one recrubo.InboundEvent (source whatsapp) per inbound message
// ("message:<wamid>"), per status ("status:<wamid>:<status>"), per
// value-level error ("error:<hash of the body>:<index>") and per template
// status change of the tenant's business account
// ("template:<name>:<language>:<event>:<time>") with the raw body, each
// with an [EventJob] in the same transaction. A redelivered item has the
// same event id and is not stored or processed again. Items for another
// business phone number or business account than the tenant's are ignored.
//
// The event job matches an inbound message to the synced candidates by
// E.164 phone number: one candidate links the conversation to them; several
// mark it Ambiguous (the inbox shows it as such and links none); none keep
// it as an unmatched conversation. Nothing is dropped. A sender who writes
// STOP, afmelden or uitschrijven (in any case, without surrounding white
// space and trailing punctuation: "Stop.", "STOP!"), or taps a quick-reply
// or interactive button with that title, is opted out (source
// "stop-keyword"); START or aanmelden opts them in again
// ("start-keyword"). Consent is kept as of the message's time: an older
// keyword processed after a newer one changes nothing. Recruiters record
// an opt-in with [Service.OptIn].
//
// A status is applied by the message it names through its callback data,
// else by its wamid. A status whose message has no such wamid yet (it
// overtook the send's answer) is kept as a pending status and applied when
// the wamid is recorded. A message's status only moves up (see
// recrubo.MessageStatus.Rank), so late, repeated or reordered statuses
// never move it backwards.
//
// # Every kind of message
//
// An inbound message is stored with its kind and its content kept whole
// (recrubo.MessageContent): a file's facts, a location, contact cards with
// their numbers, a tapped button or list row with its description, the
// errors of an unsupported message. A message with a file gets a pending
// recrubo.MediaFile and a [MediaJob] in the same transaction; the job asks
// for the file's short-lived URL, downloads it with the tenant's token (at
// most Config.MaxMediaBytes; a larger file is recorded as too large),
// checks its hash and keeps it in the store, so every instance serves it.
// A file the provider refuses, or that cannot be fetched by the last
// attempt, is recorded as failed with the reason. A reaction is no message:
// it is stored on the message it reacts to (by the provider id of that
// message, which may not be known yet), one per sender, a newer one
// replacing an older one and an empty emoji removing it; it does not open
// the service window. Recruiters send documents and images ([File]) inside
// the window; the send job uploads the file once and sends it.
//
// Value-level errors of a delivery (problems with the number or the app)
// are recorded as recrubo.WhatsAppError, once per delivery and index.
//
// # Templates and the number
//
// [Service.Connect] checks a number's settings at the provider before it
// stores them (a refused token stores nothing), generates the webhook
// verify token and reads the templates. [Service.SyncTemplates] reads
// every template of the tenant's business account and makes them the
// tenant's templates ([TemplateSyncJob], hourly through
// [Service.TemplateSyncLoop]); a message_template_status_update changes
// the template's status and reason, and one the tenant does not have yet
// starts a sync. Only approved templates without a header file or link
// value are sent; a template's values fill its text header first.
// [Service.Disconnect] forgets the number, its templates and health.
//
// # Broadcasts
//
// [Service.StartBroadcast] stores a broadcast of an approved template to a
// vacancy's matched candidates, each recipient pending or skipped with the
// reason (no mobile number, opted out, already sent this template for the
// vacancy, no longer synced), and enqueues a [BroadcastJob] in the same
// transaction; a request key sent again finds the broadcast. The job
// settles pending recipients in order, at most Config.BroadcastRate a
// second: in one transaction it claims the recipient (only while pending),
// stores its message and enqueues its send job. A job killed and retried,
// or run by two instances, so never messages a candidate twice; the send
// job sends each message at most once. [Service.Progress] reports the
// result per candidate.
//
// # Costs
//
// A message costs something only once WhatsApp says it reached it: costs
// are recorded when a status webhook says sent, delivered or read, never
// when the API accepts a send, so a message that fails costs nothing.
// WhatsApp bills conversations per category: a status's pricing object
// names the category and, under conversation-based pricing, the provider's
// conversation id. One cost is recorded per provider conversation id
// (per wamid under per-message pricing, where there is none), in the
// pricing's category, priced from the tenant's rate table
// (recrubo.CostRate, EUR, exact decimals; a category without a rate costs
// zero but is still counted); a conversation the pricing says is not
// billable (service, utility inside the service window) is counted at
// zero. So a marketing template inside a service window the candidate
// opened is billed as a marketing conversation, and more messages in the
// same provider conversation are not billed again. A status without
// pricing (or a status kept pending, which keeps none) falls back to a
// 24-hour window per conversation and category, opened by the first such
// message: "service" for free text, the template's category for a
// template. A message attempt is billed at most once. Costs count in the
// month of the tenant's time zone.
//
// # Conversation summaries in Carerix
//
// Closing a conversation ([Service.SetState]) enqueues a [SummaryJob] in
// the same transaction, and [Service.SummaryLoop] enqueues it daily for
// every conversation with a candidate that changed since the previous
// run. The job writes a summary of the conversation's
// current episode to the candidate in Carerix as an activity (CRToDo,
// linked with toEmployee, owned by the assignee when they are a synced
// recruiter), through the tenant's integration account (Config.Carerix,
// [NewCarerixConnector]): the period, the messages received and sent, who
// answered, the messages not delivered and the templates used, in the
// tenant's language, without message text. The first write creates the
// activity; later ones update it, and notes that did not change (compared
// by hash) are not written again. A recruiter who reopens a closed
// conversation starts a new episode and so a new activity; a message that
// reopens it continues the episode. Unmatched and ambiguous conversations
// get none. Access errors (a missing CRToDo write scope) end the job at
// once. SUMMARIES.md has the details and what is assumed about Carerix.
package messaging
