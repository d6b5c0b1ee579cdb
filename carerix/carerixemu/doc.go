// Package carerixemu is a faithful local emulator of one Carerix tenant
// ("application"): a Keycloak-style identity realm, the GraphQL API
// (cr* layer and webhook management), the webhook REST API and dispatcher
// (sub-package webhooks), document templates rendered on record pages
// (sub-package cxscript), fault injection and an admin API. Tests and the
// product demo run against it over real HTTP; start one emulator per
// tenant. It serves one of several profiles, forms Carerix may take (see
// "Profiles" below).
//
//	srv := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme", Profile: carerixemu.ProfileObserved})
//	srv.Seed(ctx, carerixemu.SeedOptions{Candidates: 500, Vacancies: 40, Matches: 300, Recruiters: 4, Seed: 1})
//	// point the client at srv.URL(), srv.TokenURL(), srv.GraphQLURL()
//
// Server embeds *Store, the in-memory data (candidates, vacancies,
// matches, users, data nodes, templates) with a Go API for tests:
// CreateEmployee, UpdateEmployee, SetEmployeeStatus, DeleteEmployee (soft),
// HardDeleteEmployee and the same for vacancies and matches, plus users,
// data nodes, templates and activities (CreateToDo, UpdateToDo,
// DeleteToDo), and entities the product does not sync: companies
// (CreateCompany, UpdateCompany), placements (CreateJob, UpdateJob) and
// publications (CreatePublication, UpdatePublication). Every create,
// update and delete of these publishes a webhook event (EventType spells
// it: "cremployee:updated" or, observed, "CREmployee:updated") with the
// lowercase names of the changed attributes plus "modificationdate".
//
// # Endpoints
//
//	POST     /auth/realms/{realm}/protocol/openid-connect/token      client_credentials (Basic or form credentials; optional scope); authorization_code
//	GET      /auth/realms/{realm}/protocol/openid-connect/certs      JWKS (RS256)
//	GET      /auth/realms/{realm}/.well-known/openid-configuration
//	GET|POST /auth/realms/{realm}/protocol/openid-connect/auth       authorization code + PKCE S256 (see the sign-in section)
//	POST     /auth/realms/{realm}/login-actions/authenticate         the login form's submission
//	GET|POST /auth/realms/{realm}/protocol/openid-connect/userinfo   Bearer access token of a sign-in
//	GET|POST /auth/realms/{realm}/protocol/openid-connect/logout     ends the SSO session
//	POST     /graphql/v1/graphql                                     Bearer token; the profile's schema (SDL())
//	         /webhooks/v1/applications[/...]                         webhook management REST (package webhooks)
//	GET      /webhooks/v1/signature-key                              global signing key {algorithm, publicKey} (observed; 404 in docs)
//	GET      /record/{candidate|vacancy}/{id}?user={userID}          record screen with installed templates; signs the viewer in to the realm
//	GET      /home?user={userID}                                     dashboard with templates targeting HomeTargetEntity; same sign-in
//	GET      /                                                       JSON list of the URLs above
//
// Admin API (JSON, no OAuth; Options.AdminToken optionally requires
// "Authorization: Bearer <token>"):
//
//	GET    /_emulator/                         tenant, profile, realm, issuer, counts, client ids, public client ids
//	GET    /_emulator/counts                   record counts
//	POST   /_emulator/seed                     body SeedOptions {candidates, vacancies, matches, recruiters, seed, publish}
//	GET    /_emulator/users                    users (ids for ?user=) with passwordSet and defaultPassword (never a password or hash)
//	PUT    /_emulator/users/{id}/password      body {"password": "..."}: the user's own realm password
//	GET    /_emulator/datanodes[?type=]        data nodes
//	POST   /_emulator/candidates               body EmployeeFields {firstName, lastName, ..., status, owner} -> 201
//	GET    /_emulator/candidates/{id}
//	PATCH  /_emulator/candidates/{id}          body EmployeeFields; only given fields change, "" clears
//	POST   /_emulator/candidates/{id}/status   body {"status": "<_id, exportCode or value>"}
//	DELETE /_emulator/candidates/{id}[?hard=true]   soft delete, or purge
//	       /_emulator/vacancies...             same as candidates (VacancyFields {jobTitle, titleInformation, companyName, status, owner})
//	POST   /_emulator/matches                  body {"employee": id, "vacancy": id, "stage": name}
//	GET    /_emulator/matches/{id}             {id}: the _id, or (composite _ids) the bare matchID
//	POST   /_emulator/matches/{id}/stage       body {"stage": "<_id, statusName or displayName>"}
//	DELETE /_emulator/matches/{id}[?hard=true]
//	GET    /_emulator/companies                companies; POST (CompanyFields {name, visitCity}) -> 201
//	GET|PATCH /_emulator/companies/{id}        PATCH: only given fields change
//	GET    /_emulator/jobs, POST, GET|PATCH /_emulator/jobs/{id}                  placements (JobFields {employee, vacancy, startDate, endDate})
//	GET    /_emulator/publications, POST, GET|PATCH /_emulator/publications/{id}  (PublicationFields {vacancy, applyUrl, publicationStart, publicationEnd})
//	POST   /_emulator/events                   body {"type": "...", "entityId": "...", "changedFields": [...]} -> 202;
//	                                           sent verbatim to every enabled webhook, whatever its filters
//	GET    /_emulator/templates, POST /_emulator/templates (TemplateFields)
//	GET|PUT|DELETE /_emulator/faults           Faults with durations as strings ("2s")
//	GET|DELETE /_emulator/stats                request counters, sign-ins under "realm" (DELETE resets)
//
// Errors are {"error": "..."} with 400 (invalid input), 404 or 500.
//
// # Sign-in through the realm (OpenID Connect)
//
// The realm offers what a Keycloak realm offers a public client for
// signing a user in: discovery, the authorize endpoint with a login form
// and an SSO session, the code grant with PKCE, userinfo, JWKS and
// logout. A standard client (golang.org/x/oauth2 with go-oidc
// verification) works against it unchanged.
//
//   - Public clients: Options.PublicClients, PublicClient{ID,
//     RedirectURIs, WebOrigins, TokenLifetime}; default one
//     DefaultPublicClientID accepting http://127.0.0.1:* and
//     http://localhost:*. No secret; a Basic header or client_id in the
//     form identifies the client. Redirect URIs match exactly or, for a
//     pattern ending in "*", by prefix (Keycloak's wildcard); a URI with a
//     fragment, user information or a ".." segment never matches. The same
//     list bounds post_logout_redirect_uri. WebOrigins ("+", "*" or an
//     origin) answer CORS on the token and userinfo endpoints.
//   - Authorize (GET or POST): an unknown client_id or unregistered
//     redirect_uri gets a 400 HTML page, never a redirect; a repeated
//     parameter too. Other errors go back to redirect_uri as error,
//     error_description, state and iss: response_type other than code
//     (unsupported_response_type), response_mode other than query,
//     scope without openid (invalid_scope), a missing or non-S256
//     code_challenge_method or a malformed code_challenge
//     (invalid_request; plain is refused), prompt=none without a session
//     (login_required). Not supported: response_mode fragment and
//     form_post, max_age, request objects, consent. With a live SSO session (cookie SSOCookieName,
//     KEYCLOAK_IDENTITY) the browser goes straight back with code, state,
//     session_state and iss; prompt=login forces the form. Otherwise the
//     login form: username (the CRUser userName, any case, or a unique
//     e-mail address) and password, posted to login-actions/authenticate
//     with a tab_id bound to the AUTH_SESSION_ID cookie, so a form posted
//     from another browser is refused (400 page). A wrong password, an
//     unknown user and an inactive or deleted user all re-show the form
//     with "Invalid username or password." (HTTP 200) after the same
//     bcrypt work. Success sets the SSO cookie and redirects with the code.
//     Realm cookies are HttpOnly, SameSite=Lax, Path /auth/realms/{realm}/,
//     and Secure when the base URL is https. Realm pages send
//     X-Frame-Options SAMEORIGIN and frame-ancestors 'self' (they cannot be
//     framed by a product: sign in from a popup).
//   - Record and home pages stand for Carerix's UI, where the recruiter is
//     signed in already: they set the viewer's SSO cookie (one session per
//     user, reused), unless Options.NoRecordPageSignIn.
//   - Codes are single-use (the first redemption attempt consumes one; a
//     replay revokes the access tokens it gave), bound to the client,
//     redirect_uri, PKCE challenge, nonce and session, and live
//     CodeLifetime (60 s). Token errors are Keycloak's: invalid_client
//     (401), invalid_request "Missing parameter: code", invalid_grant "Code
//     not valid", "Code is expired", "Session not active", "User
//     disabled", "User not found", "Incorrect redirect_uri", "Auth error"
//     (another client's code), "PKCE code verifier not specified", "PKCE
//     invalid code verifier", "PKCE verification failed"; a public client
//     asking for client_credentials gets unauthorized_client.
//   - The answer: access_token, id_token, token_type Bearer, expires_in
//     (PublicClient.TokenLifetime, default 300 s), scope "openid profile
//     email", session_state; no refresh_token. Both tokens are RS256 with
//     the JWKS kid and carry iss, sub (UserSubject: a UUID stable per realm
//     and user), azp, iat, exp, auth_time, sid, session_state,
//     preferred_username (the userName in lower case), email (lower case,
//     when set), email_verified (false), name, given_name, family_name and
//     realm_access {roles: the user's Carerix role names}. The ID token
//     adds typ "ID", aud (the client id), nonce (when sent) and at_hash;
//     the access token adds typ "Bearer", jti and scope, and has no aud.
//   - Userinfo needs a live access token of a sign-in whose session is
//     live and whose user is active (401 invalid_token otherwise; 403
//     insufficient_scope without openid, as for a service account) and
//     answers sub, preferred_username, email, email_verified, name,
//     given_name, family_name, realm_access.
//   - Logout ends the browser's session and the id_token_hint's, clears
//     the cookie, and redirects to post_logout_redirect_uri (with state)
//     when it is valid for the client named by client_id or the hint; an
//     invalid one is a 400 page. Without one it shows a page (Keycloak
//     asks for confirmation there; the emulator does not).
//   - Passwords: every user signs in with Options.UserPassword (default
//     DefaultUserPassword, "recrubo-demo") unless SetUserPassword (or PUT
//     /_emulator/users/{id}/password) gave it its own; only bcrypt hashes
//     are kept. SSO sessions end after Options.SSOSessionLifetime (10 h),
//     on logout, when their user is deactivated or deleted (checked at
//     each use), or by EndUserSessions.
//   - Counters: Stats().Realm (RealmStats): authorize requests, codes
//     issued, logins ok/failed, code grants ok/failed, userinfo requests,
//     logouts.
//
// Standard, as every Keycloak realm has them: the endpoint paths, the
// discovery fields, the code flow with PKCE, the KEYCLOAK_IDENTITY and
// AUTH_SESSION_ID cookie names, the error codes and descriptions, the
// claims iss, sub, aud, azp, auth_time, nonce, sid, at_hash,
// preferred_username, email, name, given_name, family_name, realm_access.
// Assumed (verify on a real tenant): that a Carerix realm's users are the
// CRUsers with preferred_username equal to the CRUser userName (Keycloak
// lower-cases it; compare without case), that their realm roles are the
// Carerix role names and nothing else (a real realm also has
// default-roles-<realm>, offline_access, uma_authorization, and may carry
// Carerix roles elsewhere or not at all), that email_verified is false,
// that no claim names the CRUser's userID (none is emitted), and the
// token lifetimes (Keycloak defaults).
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
// Options.MaxPageSize (100; 500 observed) is clamped and the clamped size
// is reported; a negative page or a size below 1 is BAD_REQUEST. Without
// pageable.sort, records are ordered by ascending numeric id (sort
// "employeeID: ASC"), or, observed, by _id as text (sort "_id: ASC").
// Where the schema has pageable.sort (observed), it takes a list of
// {property, direction} (one object is coerced to a list of one, as the
// GraphQL spec's input coercion says and graphql-go does); properties are
// scalar fields of the entity in the served schema (numbers compare
// numerically, text by bytes, null first, false before true), applied in
// sequence, direction ASC by default; records equal on every order keep
// key order. An unknown or relation property is BAD_REQUEST. The page's
// sort field reports the order used ("lastName: ASC,employeeID: DESC").
// Webhook pages cannot be sorted. totalPages is
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
// casts (NSCalendarDate) 'YYYY-MM-DD HH:MM:SS [+ZZZZ | zone name]' (zone
// names such as Etc/GMT, Europe/Amsterdam and UTC in every profile; no
// offset or zone means Europe/Amsterdam; RFC 3339 and bare dates are
// accepted too), (NSNumber)/(NSDecimalNumber) and (NSString). Key paths
// are dotted and case-sensitive and are checked against the entity, so an
// unknown key is INVALID_QUALIFIER, and so is a key the served schema
// lacks (stableHash observed, toStatusNode hostile, Options.RemoveFields).
// Paths through to-many relations (parentNodes, childrenNodes, matches)
// match when any element matches. Comparisons
// follow SQL-join semantics: a null or missing value matches only
// "= nil" (so "toStatusNode.value != 'X'" excludes candidates without a
// status); "= nil" also matches an empty to-many path. Booleans compare
// with 0/1/true/false; a relation compared with a literal compares its
// _id; dates also accept a plain quoted date. Legacy keys (employeeID,
// vacancyID, matchID, userID, …) are numbers and compare numerically, in
// the docs profile's page order (observed: in the order of a sort on the
// key), so "employeeID > 123" continues a walk by key; _id is text and
// compares as a string ("10" < "9"). Options.NoQualifierOr makes page
// queries refuse OR (INVALID_QUALIFIER), to test a tenant whose
// qualifiers take no disjunction (Server.RefuseQualifierOr switches it
// on a running emulator); Options.NoQualifierDate refuses a
// comparison with a date, to test one that cannot be asked what changed
// since a time. Options.MaxSelections bounds the fields a query may
// select, to test a tenant bounding the size of a query.
//
// # Profiles
//
// Options.Profile (recrubo-demo emulate carerix --profile, and the demo's
// --carerix-profile) selects the form of the API. ProfileDocs, the default,
// follows carerix-api.md: Carerix as its documentation reads, plus the emulator's
// assumptions listed further down. ProfileObserved follows
// carerix-evidence.md: what public code written and run against real
// tenants shows. ProfileHostile is observed with a field the product
// requires missing. schema.graphql is the union of every profile's
// fields; each profile serves it without the definitions and fields it
// lists (profile.go), and Options.RemoveFields takes out further
// "Type.field" entries (e.g. "CRMatch.statusInfo"; an entry the profile's
// schema does not have makes New fail); Server.RemoveFields does the same
// while the server runs, as when a tenant's Carerix changes under a
// running integration (assumed: Carerix documents no such change, but a
// schema that changes is what the product must survive). The served SDL is what
// introspection (__schema, __type) reports; a query selecting a field it
// lacks fails validation as graphql-go reports it (HTTP 200, no data,
// errors[0].message `Cannot query field "stableHash" on type
// "CREmployee".`, extensions.code BAD_REQUEST); qualifier keys and sort
// properties are checked against it too. SchemaFor returns a profile's
// SDL, Server.SDL a server's own. Each difference, docs / observed:
//
//   - stableHash. docs: a field of CREmployee, CRVacancy, CRUser, CRMatch
//     and CRDataNode (assumed: carerix-api.md knows it only as a record
//     attribute used in CxScript checksums; the product reads it through
//     GraphQL). observed: no GraphQL type has it (evidence: no client reads
//     it through GraphQL). Record pages print it in CxScript in every
//     profile ($activity.toEmployee.stableHash), as a template-side
//     attribute.
//   - Match stage names. docs: CRStatusInfo.statusName and displayName
//     (carerix-api.md, G1 metadata) and the emulator's crStatusInfoList.
//     observed: displayName, name and label (evidence: production
//     dashboards and a client that corrected itself to name); no
//     statusName, no crStatusInfoList (evidence: likely invented).
//     Assumed: name carries what statusName does ("placed"), label what
//     displayName does ("Geplaatst").
//   - Activities. docs: CRToDo and CRToDoRequest have todoTypeKey and notes
//     (carerix-api.md, G1). observed: toDoTypeKey, subject and message
//     (evidence). Assumed: one stored activity serves both, message being
//     notes under another name; record pages show it either way, and an
//     observed event names a change of it "message".
//   - Match _ids. docs: the matchID as text ("9021"). observed: composite
//     "<employeeID>.<matchID>" ("14.9021", evidence, also as a webhook's
//     entityId) in results, crMatch(_id:), qualifiers on _id, relations
//     and event payloads; matchID stays the numeric key. Assumed: the _id
//     is fixed when the match is created (a later toEmployee change keeps
//     it). GraphQL finds a match by its exact _id only; the Go API and the
//     admin API take the bare matchID too.
//   - Token lifetime. docs: 3600 s (third-party T6). observed: 300 s
//     (evidence: tokens expired after 300 s). Options.TokenLifetime, and
//     recrubo-demo emulate carerix --token-lifetime, override both.
//   - Page size and order. docs: at most 100 (third-party T6, T7), no
//     pageable.sort (carerix-api.md lists SimplePageable {page, size}; a
//     sort is a validation error), legacy key order (assumed). observed: at
//     most 500 (evidence: clients ran with 200 and 500), larger sizes
//     clamped (assumed); pageable.sort: [SortOrder!] with {property:
//     String!, direction: SortDirection (ASC|DESC)} (evidence: a client
//     sent {property: "employeeID", direction: ASC}; the list type and the
//     enum are assumed); without a sort, _id text order (assumed, so that
//     nothing can rely on an order nobody confirmed).
//   - Qualifier dates with zone names ('2024-01-01 00:00:00 Etc/GMT',
//     evidence) are accepted in every profile.
//   - Event types. docs: lowercase "cremployee:updated", "crtodo:updated"
//     (carerix-api.md's guess of the prefixes). observed: the entity name,
//     "CREmployee:updated", "CRVacancy:created", "CRMatch:updated",
//     "CRUser:updated", "CRCompany:…", "CRJob:…", "CRPublication:…", and
//     activities spelt "CRTodo:updated" (evidence: both spellings seen,
//     CRTodo so spelt). Filters match case-insensitively in every profile
//     (third-party), so "crtodo:updated" and "CRToDo:updated" both receive
//     "CRTodo:updated".
//   - Entities the product does not sync: companies, placements (CRJob)
//     and publications, with read queries crCompany, crCompanyPage, crJob,
//     crJobPage, crPublication and crPublicationPage and their created and
//     updated events, exist in every profile (carerix-api.md lists them
//     and their events; evidence shows tenants use them). Their fields are
//     a minimal documented subset. A company made through a vacancy's
//     companyName sends no event of its own (assumed).
//   - Webhook signing. docs: every application has its own key pair in
//     signatureVerification, which verifies that application's deliveries
//     (carerix-api.md); GET /webhooks/v1/signature-key answers 404.
//     observed: applications carry signatureVerification null and every
//     delivery of the tenant is signed with one global key served at GET
//     /webhooks/v1/signature-key as {"algorithm": "RSA-SHA256",
//     "publicKey": "<PEM>"} (evidence: code expects that route; that no
//     per-application key exists there is assumed). The route needs a
//     token with a webhook read or manage scope, like every /webhooks/v1
//     route (assumed). The per-application emulator route
//     /webhooks/v1/applications/{id}/signature-key serves whichever key
//     signs that application's deliveries.
//   - hostile: the observed profile without CREmployee.toStatusNode (and
//     CREmployeeRequest.toStatusNode), a field the product needs to
//     select candidates by status; qualifiers on toStatusNode are
//     INVALID_QUALIFIER. It exists to prove that a tenant missing a
//     required field is refused with a clear message.
//
// Unchanged across profiles: identity, scopes, qualifier grammar, faults,
// soft deletes, record pages, the webhook REST API and delivery.
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
//   - Client credentials by HTTP Basic or form; expires_in 3600 and a
//     maximum page size of 100 (docs profile); request body limit 10 MB; urn:cx/graphql:data:manage
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
//     follow the docs' guess of the entity prefix ("CRTodo:…" observed).
//     Whether Carerix sends webhooks for activity changes made through the
//     API is not documented.
//   - Page sizes above the maximum are clamped rather than refused.
//   - A qualifier on _id joined by OR ("(_id = 'a' OR _id = 'b')") selects
//     those records: the documentation shows OR in qualifiers and _id as a
//     record's identity, but never _id in a qualifier. Both forms are
//     accepted: discovery probes it per tenant (carerix.Contract.ByIDs);
//     where Carerix refuses it (Options.NoQualifierIDOr, or
//     Options.NoQualifierOr refusing every OR), sync reads records by id
//     with one page query each, several queries to a request (next).
//   - A qualifier "_id = '…'" selects that record (with norestrict, even
//     soft-deleted): as above, no source shows _id in a qualifier [I].
//     Both forms are accepted: discovery probes it where the OR probe
//     failed (carerix.Contract.NoIDQualifier), and where Carerix refuses
//     it (Options.NoQualifierID, or Server.RefuseQualifierID on a running
//     emulator) sync reads a record by id through its own query crX(_id)
//     [C], a soft-deleted one then reading as gone, and checks a user's
//     roles by the legacy key userID.
//   - One query document may ask for the same page query several times,
//     each under an alias ("p0: crEmployeePage(…) p1: crEmployeePage(…)"):
//     GraphQL's own rule (field aliases), which the emulator's GraphQL
//     server keeps, but no source shows Carerix run it, nor what bounds a
//     query's size there [I]. Both forms are accepted: where Carerix
//     refuses a document for its size (Options.MaxSelections), a drain
//     asks for fewer queries to a request, down to one.
//   - A qualifier "modificationDate >= (NSCalendarDate) '…'" with
//     norestrict selects the records changed since then, soft-deleted
//     ones included: carerix-api.md infers this poll [I] (the field is
//     confirmed on every entity, the date cast in other qualifiers) but
//     shows no run of it. Reconciliation polls with it, and a drain of a
//     tenant without the _id OR-qualifier reads a burst's records with it
//     before reading the rest by id. Both forms are accepted: where
//     Carerix refuses it (Options.NoQualifierDate), the drain reads every
//     record by id.
//   - docs: cr*Page results are ordered by the legacy key, ascending, and a
//     qualifier can bound that key numerically ("employeeID > 123"): sync
//     pages by key on this (it checks each page's order and fails the walk
//     rather than skip records if Carerix orders otherwise).
//   - stableHash (where the schema has it) is hex SHA-256 over the record's fields, its
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
//   - The realm's sign-in follows Keycloak; what a Carerix realm puts in
//     its tokens is assumed (see "Sign-in through the realm").
//   - Injected faults are plain-text gateway responses (429 with
//     Retry-After in whole seconds, 502/503/504); operation faults are
//     decided when the field resolves, before any change is made.
package carerixemu
