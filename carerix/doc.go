// Package carerix is the production client for the Carerix APIs of one
// tenant: OAuth2 client credentials, the GraphQL "Cx5" layer (candidates,
// vacancies, matches, users, data nodes, document templates), the webhook
// management REST API, and parsing and signature checking of webhook
// deliveries. Everything the product knows about a customer comes through
// it. Of this module it imports only the root package's domain types.
//
// A Client is built from a Config (one per tenant). Every call:
//
//   - waits for a per-client rate limiter (golang.org/x/time/rate; Wait
//     honours the context);
//   - obtains a cached client-credentials token, refreshed
//     Config.TokenExpiryDelta before expiry but never earlier than the last
//     quarter of its life (short-lived tokens are used, not refetched per
//     call); an HTTP 401 from the API discards the token once and retries
//     once;
//   - bounds each HTTP attempt with Config.Timeout;
//   - retries HTTP 429, 502, 503, 504, GraphQL rate-limit errors and
//     network failures with full-jitter exponential backoff, honouring
//     Retry-After (seconds or HTTP date) up to Retry.MaxBackoff. Other 4xx,
//     authentication and scope failures and other GraphQL errors return at
//     once. Creations are retried only after an explicit rate limit, where
//     Carerix did not act, so an ambiguous failure never duplicates a
//     record;
//   - returns failures as *Error, whose Kind is a sentinel usable with
//     errors.Is (ErrNotFound, ErrMissingScope, …).
//
// # The tenant's contract
//
// Carerix publishes no complete schema and tenants differ (fields such as
// stableHash, statusName or todoTypeKey are absent on some; qualifier
// forms differ). So no query names a field the tenant has not confirmed:
// Discover reads the tenant's schema by introspection, or, where
// introspection is refused, by minimal probing queries whose validation
// errors say what exists, and resolves each need of the product
// (contract_spec.go: types, fields and operations, each with the
// alternatives seen in the wild, in order of preference) to the first
// alternative the tenant has. The resulting Contract is stored per tenant
// (Config.StoreContracts) and read before the first query; queries are
// rendered from it. A schema-mismatch error from Carerix re-reads the
// contract once (then at most once a minute) and retries. A need no
// alternative satisfies is a Gap with its Effects in words, shown on the
// verify page and by `tenant show`; what depends on it stops, the rest
// runs.
//
// Paged queries are walked with a Pager (or the iter.Seq2 methods such as
// Employees), which holds one page at a time, can start at any page to
// resume a checkpointed walk, and reports each page's PageInfo.
//
// # Confirmed by Carerix documentation
//
//   - GraphQL at POST https://api.carerix.io/graphql/v1/graphql with
//     {query, variables} and a Bearer token from a confidential client.
//   - Token URL https://<id-host>/auth/realms/<realm>/protocol/openid-connect/token;
//     the identity host varies per tenant (id.carerix.io, id-s3…), hence
//     Config.IdentityBaseURL and Config.Realm.
//   - Scope codes urn:cx/…; operations accept any of a set of scopes;
//     webhook management needs urn:cx/webhooks:data:manage.
//   - cr* naming: crX(_id), crXPage(qualifier, pageable{page,size},
//     norestrict), crXUpdate(_id, request), crXDelete(_id) → DeleteResponse;
//     crTemplateReferenceCreate/Update with CRTemplateReferenceRequest;
//     crDataNodeListBy(type, tag, …). Page objects carry items, page,
//     size, totalElements, totalPages, numberOfElements, first, last.
//     norestrict=true includes soft-deleted records.
//   - Every object has _id and _kind; ids are treated as opaque strings
//     (match ids can be compound, e.g. "1234.5667").
//   - EOF qualifiers such as toStatusNode.parentNodes.value = 'CandidateActiveTag'
//     and (NSCalendarDate) '…' literals; REST dates carry a +ZZZZ offset and
//     Carerix's default zone is Europe/Amsterdam.
//   - Webhook management under /webhooks/v1/applications (create
//     application with {"_kind":"Application","name"}); WebhookApplication
//     carries signatureVerification {algorithm, publicKey (PEM)}; webhook
//     statuses enabled, disabled, error; Cx-Signature,
//     Cx-Payload-Schema-Version and Content-Type are reserved header names;
//     deliveries are POSTs signed asymmetrically.
//
// # Third-party reports followed
//
//   - Rate limit of about 10 requests/s: the client defaults to 5
//     requests/s (burst 5). Page sizes: reports say at most 100; the
//     client asks for DefaultPageSize (100) unless told otherwise, never
//     more than MaxPageSize (500), and never more than the largest page
//     the tenant answered with when its contract was read.
//   - Client credentials may be sent as HTTP Basic or form fields
//     (Config.AuthStyle, auto-detected by default).
//   - Webhook routes beyond "create application" (list with ?fields=,
//     get, delete, webhooks create/list/get/enable/disable/delete), filter
//     objects {"eventType"}, custom headers {name, value}, at most 10
//     filters, and that lists without fields= carry only _kind and _id (so
//     the client always sends fields=).
//   - The delivery payload {id, time, type, applicationId, webhookId,
//     tenant, data{entityId, changedFields}} with type "<entity>:<action>".
//
// # Assumptions (verify against a real tenant)
//
//   - GraphQL error classification: Carerix documents no error codes. The
//     client reads extensions code/classification (UNAUTHENTICATED,
//     FORBIDDEN, NOT_FOUND, …) and falls back to message wording; a scope
//     code (urn:…) in the message or extensions makes it ErrMissingScope.
//   - Dates: ISO-8601 with offset, or "YYYY-MM-DD HH:MM:SS[ +ZZZZ]", bare
//     dates; no offset means Europe/Amsterdam.
//   - Qualifier string literals escape ' and \ with a backslash (EOF
//     convention). Page and size are sent as literals in the query, so the
//     name of the pageable input type does not matter.
//   - The application's public key may also be served at
//     /webhooks/v1/applications/{id}/signature-key, and a tenant-wide key
//     at /webhooks/v1/signature-key (used, in that order, only when
//     signatureVerification is empty).
//   - Cx-Signature is base64 of RSASSA-PKCS1-v1_5 over SHA-256 of the raw
//     body; this sits behind SignatureVerifier so it can be replaced.
//   - A missing expires_in in the token response means 300 s.
//   - Field names not in the published type pages (firstName, value, tag,
//     exportCode, lessFormalName, …) are alternatives in the contract's
//     needs, never the only form the client accepts.
package carerix
