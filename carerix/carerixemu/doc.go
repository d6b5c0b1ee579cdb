// Package carerixemu is a faithful local emulator of one Carerix tenant
// ("application"): a Keycloak-style identity realm, the GraphQL API
// (cr* layer and webhook management), the webhook REST API and dispatcher
// (sub-package webhooks), document templates rendered on record pages
// (sub-package cxscript), fault injection and an admin API. Tests and the
// product demo run against it over real HTTP; start one emulator per
// tenant.
//
//	srv := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
//	srv.Seed(ctx, carerixemu.SeedOptions{Candidates: 500, Vacancies: 40, Matches: 300, Recruiters: 4, Seed: 1})
//	// point the client at srv.URL(), srv.TokenURL(), srv.GraphQLURL()
//
// Server embeds *Store, the in-memory data (candidates, vacancies,
// matches, users, data nodes, templates) with a Go API for tests:
// CreateEmployee, UpdateEmployee, SetEmployeeStatus, DeleteEmployee (soft),
// HardDeleteEmployee and the same for vacancies and matches, plus users,
// data nodes, templates and activities (CreateToDo, UpdateToDo,
// DeleteToDo). Every create, update and delete of a candidate, vacancy,
// match, user or activity publishes a webhook event
// ("cremployee:updated", ...) with the lowercase names of the changed
// attributes plus "modificationdate".
//
// # Endpoints
//
//	POST /auth/realms/{realm}/protocol/openid-connect/token   client_credentials; Basic or form credentials; optional scope
//	GET  /auth/realms/{realm}/protocol/openid-connect/certs   JWKS (RS256)
//	GET  /auth/realms/{realm}/.well-known/openid-configuration
//	POST /graphql/v1/graphql                                  Bearer token; schema.graphql (Schema())
//	     /webhooks/v1/applications[/...]                      webhook management REST (package webhooks)
//	GET  /record/{candidate|vacancy}/{id}?user={userID}       record screen with installed templates
//	GET  /home?user={userID}                                  dashboard with templates targeting HomeTargetEntity
//	GET  /                                                    JSON list of the URLs above
//
// Admin API (JSON, no OAuth; Options.AdminToken optionally requires
// "Authorization: Bearer <token>"):
//
//	GET    /_emulator/                         tenant, realm, issuer, counts, client ids
//	GET    /_emulator/counts                   record counts
//	POST   /_emulator/seed                     body SeedOptions {candidates, vacancies, matches, recruiters, seed, publish}
//	GET    /_emulator/users                    users (ids for ?user=)
//	GET    /_emulator/datanodes[?type=]        data nodes
//	POST   /_emulator/candidates               body EmployeeFields {firstName, lastName, ..., status, owner} -> 201
//	GET    /_emulator/candidates/{id}
//	PATCH  /_emulator/candidates/{id}          body EmployeeFields; only given fields change, "" clears
//	POST   /_emulator/candidates/{id}/status   body {"status": "<_id, exportCode or value>"}
//	DELETE /_emulator/candidates/{id}[?hard=true]   soft delete, or purge
//	       /_emulator/vacancies...             same as candidates (VacancyFields {jobTitle, titleInformation, companyName, status, owner})
//	POST   /_emulator/matches                  body {"employee": id, "vacancy": id, "stage": name}
//	GET    /_emulator/matches/{id}
//	POST   /_emulator/matches/{id}/stage       body {"stage": "<_id, statusName or displayName>"}
//	DELETE /_emulator/matches/{id}[?hard=true]
//	GET    /_emulator/templates, POST /_emulator/templates (TemplateFields)
//	GET|PUT|DELETE /_emulator/faults           Faults with durations as strings ("2s")
//	GET|DELETE /_emulator/stats                request counters (DELETE resets)
//
// Errors are {"error": "..."} with 400 (invalid input), 404 or 500.
//
// # GraphQL behaviour
//
// Errors follow the GraphQL convention {"data": ..., "errors": [{message,
// extensions: {code}}]} with codes UNAUTHENTICATED (HTTP 401 with a
// Bearer challenge, for a missing, expired, foreign or malformed token),
// FORBIDDEN (missing scope: the message and extensions.requiredScopes name
// the accepted scopes, extensions.operation the field), NOT_FOUND,
// INVALID_QUALIFIER (extensions.position is the byte offset), BAD_REQUEST
// (invalid input, unknown fields, syntax errors) and INTERNAL_SERVER_ERROR.
// Other errors are HTTP 200.
//
// Every root field needs one of the scopes listed by OperationScopes (the
// emulator's @anyScope table, scopes.go); nested relations are not checked
// separately.
//
// Pages: pageable defaults to page 0, size 20; size above
// Options.MaxPageSize (100) is clamped and the clamped size is reported;
// a negative page or a size below 1 is BAD_REQUEST. Records are ordered by
// ascending numeric id (sort "employeeID: ASC"). totalPages is
// ceil(totalElements/size), first is page 0, last is page+1 >= totalPages
// (so a page past the end is empty and last). norestrict: true includes
// soft-deleted records; by default they are excluded. crX(_id) of a
// soft-deleted record is NOT_FOUND unless Options.ReadDeletedByID.
//
// Qualifiers (ParseQualifier, ValidateQualifier): = == != <> < <= > >=,
// like and caseInsensitiveLike (* any run, ? one character, \* and \?
// literal), AND, OR, NOT (keywords case-insensitive; NOT binds tighter
// than AND, AND tighter than OR), parentheses, nil/null, true/false,
// numbers, strings in single or double quotes (the quote doubled or
// backslash-escaped; \\ \n \r \t; other backslash pairs kept as written),
// casts (NSCalendarDate) 'YYYY-MM-DD HH:MM:SS [+ZZZZ]' (no offset means
// Europe/Amsterdam; RFC 3339 and bare dates are accepted too),
// (NSNumber)/(NSDecimalNumber) and (NSString). Key paths are dotted and
// case-sensitive and are checked against the entity, so an unknown key is
// INVALID_QUALIFIER. Paths through to-many relations (parentNodes,
// childrenNodes, matches) match when any element matches. Comparisons
// follow SQL-join semantics: a null or missing value matches only
// "= nil" (so "toStatusNode.value != 'X'" excludes candidates without a
// status); "= nil" also matches an empty to-many path. Booleans compare
// with 0/1/true/false; a relation compared with a literal compares its
// _id; dates also accept a plain quoted date. Legacy keys (employeeID,
// vacancyID, matchID, userID, …) are numbers and compare numerically, in
// page order, so "employeeID > 123" continues a walk by key; _id is text
// and compares as a string ("10" < "9"), which is not page order.
//
// # Confirmed by Carerix documentation
//
//   - Token URL /auth/realms/<tenant>/protocol/openid-connect/token,
//     Bearer tokens, confidential clients; GraphQL at POST
//     /graphql/v1/graphql with {query, variables}.
//   - Names: crX, crXPage(qualifier, pageable, language, norestrict),
//     crXCreate/Update/Delete, crDataNodeListBy(type, tag, parent,
//     language), crTemplateReferenceCreate/Update, DeleteResponse; _id and
//     _kind on every object; legacy numeric keys; page fields items,
//     totalElements, totalPages, page, size, first, last,
//     numberOfElements, sort; pageable default size 20, page 0; norestrict
//     includes deleted records.
//   - Request objects carry _kind and reference objects by _id or
//     _lookup {key, value} (e.g. a data node by tag).
//   - Scope format urn:cx/...; crEmployeeDelete accepts
//     urn:cx/cx5Wrapper:data:manage or .../data/cremployee:manage;
//     webhook management needs urn:cx/webhooks:data:manage;
//     webhookApplication accepts .../data/applications:read|manage.
//   - Qualifier examples (toStatusNode.parentNodes.value =
//     'CandidateActiveTag', (NSCalendarDate) dates, = nil, AND/OR,
//     parentheses); statuses are CRDataNodes of node types
//     Kandidaat-status, Vacature-status, Publicatie-status, Document-type
//     with value, exportCode, notActive and parent tag nodes; CVTag and the
//     Publication*Tag names; match stages are CRStatusInfo.
//   - Webhook GraphQL types WebhookApplication, signatureVerification
//     (AsymmetricSignatureVerification{algorithm, publicKey}), Webhook,
//     WebhookStatus enabled/disabled/error, delivery jobs and attempts.
//   - CxScript paths activity.toEmployee.*, activity.toVacancy.*,
//     activity.owner.userID, utilities.userDefaults.Customer; template
//     visibility by user roles; templates have targetEntityName,
//     isActive, showInMenu, userRolesString, languagesString.
//
// # Third-party claims followed
//
//   - Client credentials by HTTP Basic or form; expires_in 3600; maximum
//     page size 100; request body limit 10 MB; urn:cx/graphql:data:manage
//     unlocks GraphQL; the Keycloak error bodies ({"error":"invalid_client",
//     "error_description":"Invalid client or Invalid client credentials"},
//     unsupported_grant_type).
//
// # Assumptions (verify on a real tenant)
//
//   - Date fields in GraphQL are ISO-8601 strings with an explicit offset
//     in Europe/Amsterdam ("2024-11-08T23:59:59+01:00"), whole seconds.
//     CxScript prints dates as "YYYY-MM-DD HH:MM:SS +ZZZZ".
//   - The scope table: urn:cx/cx5Wrapper:data:manage and
//     urn:cx/graphql:data:manage allow every cr* operation;
//     urn:cx/cx5Wrapper:data:read and .../data/<entity>:read allow reads;
//     .../data/<entity>:manage allows reads and writes of that entity
//     (entities cremployee, crvacancy, crmatch, cruser, crdatanode,
//     crstatusinfo, crtemplatereference, crtodo). Requested scopes a client may not
//     have are silently dropped (Keycloak may answer invalid_scope).
//   - Activities (CRToDo, key toDoID) with subject, notes, todoTypeKey,
//     toEmployee and owner are documented [C]; the mutations
//     crToDoCreate/Update/Delete and crToDo(_id) follow the crX naming
//     rule, and their webhook events "crtodo:created|updated|deleted"
//     follow the docs' guess of the entity prefix. Whether Carerix sends
//     webhooks for activities at all is not documented.
//   - Page sizes above 100 are clamped rather than refused.
//   - cr*Page results are ordered by the legacy key, ascending, and a
//     qualifier can bound that key numerically ("employeeID > 123"): sync
//     pages by key on this (it checks each page's order and fails the walk
//     rather than skip records if Carerix orders otherwise).
//   - stableHash is hex SHA-256 over the record's fields, its
//     modificationDate and a revision counter: it changes on every change,
//     even within one second. A no-op update changes nothing and sends no
//     event.
//   - Soft delete sets deleted and sends "<entity>:deleted" events
//     (whether Carerix sends them is unknown; webhooks.Options can turn
//     them off); a purge (HardDelete*) also sends one. Updating or deleting
//     a soft-deleted record is NOT_FOUND.
//   - Empty strings given for optional text are stored as null; seeded
//     legacy data may still hold "" (hostile values).
//   - The parent tag nodes have node type Systeemtag; CandidateInactiveTag,
//     VacancyOpenTag, VacancyClosedTag and PublicationActiveTag, and all
//     export codes (CAND_ACTIVE, VAC_OPEN, ...), are emulator inventions.
//   - DeleteResponse is {_id, _kind, success}; crStatusInfoList, the
//     Lookup input name, CRVacancyRequest.companyName, and the webhook
//     mutations webhookEnable/Disable/Delete and webhookApplicationDelete
//     are emulator names.
//   - Record pages: targetEntityName CREmployee (or candidate/employee)
//     and CRVacancy (or vacancy); the dashboard uses HomeTargetEntity
//     "Home" (or CRHome). Templates render inline in page order, content
//     before rawContent; userRolesString and languagesString are
//     comma-separated lists that must contain one of the viewer's roles /
//     the viewer's language when set. A template that fails to render
//     shows its error in place. activity.owner is the viewing user (?user=
//     is required; an unknown, deleted or inactive user is 404);
//     CxScript booleans print as 1/0 and to-many paths as "(a, b)".
//   - The language arguments and crEmployeeCreate's dedupe are accepted
//     and ignored; labels come in one language (Options.EnglishStatusLabels).
//   - Injected faults are plain-text gateway responses (429 with
//     Retry-After in whole seconds, 502/503/504); operation faults are
//     decided when the field resolves, before any change is made.
package carerixemu
