package carerixemu

import (
	"context"
	"crypto/rsa"
	_ "embed" // schema.graphql
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// schemaSDL is the union of every profile's schema; see profile.go.
//
//go:embed schema.graphql
var schemaSDL string

// Schema returns the GraphQL SDL the emulator serves by default (profile
// docs). SchemaFor returns another profile's; Server.SDL a server's own.
func Schema() string {
	sdl, err := SchemaFor(ProfileDocs)
	if err != nil {
		panic("carerixemu: docs schema: " + err.Error())
	}
	return sdl
}

// Defaults of Options fields left zero.
const (
	DefaultClientID      = "emulator.apps.carerix.io"
	DefaultClientSecret  = "emulator-secret"
	DefaultTokenLifetime = time.Hour
	DefaultMaxPageSize   = 100
	DefaultPageSize      = 20
)

// Options configures a Server.
type Options struct {
	// Tenant is the Carerix application name (the "acme" of
	// acme.carerix.net). Required.
	Tenant string
	// Profile is the form of the Carerix API served: ProfileDocs (the
	// default), ProfileObserved or ProfileHostile. It sets the schema, the
	// match _ids, event type spelling, page order, the webhook signing key
	// and the defaults of TokenLifetime and MaxPageSize; see doc.go.
	Profile Profile
	// RemoveFields are fields ("Type.field", e.g. "CRMatch.statusInfo")
	// removed from the profile's schema, for tests that need one missing:
	// introspection no longer shows them, queries selecting them fail
	// validation and qualifiers and sort orders cannot name them. An entry
	// naming no field of the profile's schema makes New fail.
	RemoveFields []string
	// Realm is the identity realm; default Tenant.
	Realm string
	// BaseURL is the externally visible base URL, used for the token
	// issuer and discovery. Default: the listener URL after Start, or the
	// request's Host when Handler is mounted elsewhere.
	BaseURL string
	// Clients are the OAuth2 clients; default one client with
	// DefaultClientID, DefaultClientSecret and AllScopes().
	Clients []Client
	// Now is the clock for records, tokens and webhooks; default time.Now.
	Now func() time.Time
	// Logger receives diagnostics; default discards.
	Logger *slog.Logger
	// SigningKey signs access tokens; nil generates an RSA-2048 key.
	SigningKey *rsa.PrivateKey
	// TokenLifetime is the access-token lifetime; default 1 h
	// (ObservedTokenLifetime, 300 s, in the observed and hostile profiles).
	TokenLifetime time.Duration
	// MaxPageSize caps pageable.size (larger sizes are clamped); default
	// 100 (ObservedMaxPageSize, 500, in the observed and hostile profiles).
	MaxPageSize int
	// EnglishStatusLabels installs English status values ("Active")
	// instead of Dutch ones ("Actief"). Export codes are the same.
	EnglishStatusLabels bool
	// ReadDeletedByID makes crX(_id) return soft-deleted records (with
	// deleted: true) instead of NOT_FOUND.
	ReadDeletedByID bool
	// NoQualifierOr makes page queries refuse a qualifier that joins
	// comparisons with OR (INVALID_QUALIFIER), as a tenant would whose
	// qualifiers take no disjunction: several records can then not be
	// read by id in one request.
	NoQualifierOr bool
	// NoQualifierIDOr makes page queries refuse a qualifier in which OR
	// joins comparisons of _id (INVALID_QUALIFIER), while other
	// disjunctions still work: several records can then not be read by id
	// in one page query, as on a tenant whose _id is not an ordinary key
	// of its qualifiers.
	NoQualifierIDOr bool
	// NoQualifierID makes page queries refuse a qualifier that names _id
	// at all (INVALID_QUALIFIER), as a tenant whose qualifiers know
	// records only by their legacy keys would: a record is then read by
	// id through its own query (crX(_id)), which finds no soft-deleted
	// record.
	NoQualifierID bool
	// NoQualifierDate makes page queries refuse a qualifier that compares
	// with a date (INVALID_QUALIFIER), as a tenant would that cannot be
	// asked for the records modified since a time: reconciliation's poll
	// then fails, and drains read records one request each.
	NoQualifierDate bool
	// MaxSelections bounds the fields one query may select, nested ones
	// included (0: no bound to speak of); a larger query is refused whole
	// (BAD_REQUEST), as a tenant bounding the size of a query would.
	// Several records can then not be read in one request by asking for
	// their page queries under aliases, where the bound is below the
	// selections of two of them.
	MaxSelections int
	// AdminToken, when set, is required as "Authorization: Bearer <token>"
	// on /_emulator/ requests.
	AdminToken string
	// NoIntrospection makes the GraphQL API answer introspection
	// (__schema, __type) with nothing, as a tenant that switched it off
	// would; clients must then probe.
	NoIntrospection bool
	// Webhooks configures the webhook service. Tenant, Now and Logger
	// default to the fields above; Authorize is always set by the server,
	// and GlobalSignatureKey by the profile.
	Webhooks webhooks.Options
	// PublicClients are the realm's public OpenID Connect clients
	// (authorization code with PKCE S256, no secret); default one
	// DefaultPublicClientID accepting loopback redirect URIs (oidc.go).
	PublicClients []PublicClient
	// UserPassword is every user's realm password until SetUserPassword
	// sets another; default DefaultUserPassword.
	UserPassword string
	// NoRecordPageSignIn stops the record and home pages from signing
	// their viewer in to the realm (the SSO cookie), so a sign-in through
	// the realm shows the login form.
	NoRecordPageSignIn bool
	// SSOSessionLifetime bounds a realm SSO session; default 10 h.
	SSOSessionLifetime time.Duration
}

// Server is one emulated Carerix tenant: identity (realm), GraphQL API,
// webhooks, record pages and the emulator admin API. Server embeds *Store,
// so the data methods (CreateEmployee, ...) are available on it directly.
type Server struct {
	*Store

	opts  Options
	rules profileRules
	log   *slog.Logger
	ident *identity
	realm *realmState
	hooks *webhooks.Service
	// served is the GraphQL schema served now, with its SDL.
	served atomic.Pointer[servedSchema]
	faults *faultState

	// noOr is Options.NoQualifierOr, as RefuseQualifierOr last set it;
	// noID is Options.NoQualifierID, as RefuseQualifierID last set it.
	noOr, noID atomic.Bool

	schemaMu sync.Mutex // serialises RemoveFields
	lifeMu   sync.Mutex
	base     string
	httpSrv  *http.Server
	serveErr chan error
	started  bool
}

// New builds a Server with the default data nodes, stages and roles and no
// records (see Seed). It starts nothing; call Start, or mount Handler and
// call StartWebhooks.
func New(opts Options) (*Server, error) {
	if opts.Tenant == "" {
		return nil, errors.New("carerixemu: Options.Tenant is required")
	}
	profile, err := ParseProfile(string(opts.Profile))
	if err != nil {
		return nil, fmt.Errorf("carerixemu: Options.Profile: %w", err)
	}
	opts.Profile = profile
	rules := rulesFor(profile)
	sdl, err := servedSDL(rules, opts.RemoveFields)
	if err != nil {
		return nil, fmt.Errorf("carerixemu: %s schema: %w", profile, err)
	}
	if opts.Realm == "" {
		opts.Realm = opts.Tenant
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.TokenLifetime == 0 {
		opts.TokenLifetime = rules.tokenLifetime
	}
	if opts.MaxPageSize == 0 {
		opts.MaxPageSize = rules.maxPageSize
	}
	if opts.MaxPageSize < 1 {
		return nil, errors.New("carerixemu: Options.MaxPageSize must be positive")
	}
	if len(opts.Clients) == 0 {
		opts.Clients = []Client{{ID: DefaultClientID, Secret: DefaultClientSecret}}
	}
	s := &Server{opts: opts, rules: rules, log: opts.Logger, faults: newFaultState(), base: strings.TrimRight(opts.BaseURL, "/")}
	s.noOr.Store(opts.NoQualifierOr)
	s.noID.Store(opts.NoQualifierID)
	ident, err := newIdentity(opts.Realm, opts.SigningKey, opts.Clients, opts.TokenLifetime, opts.Now)
	if err != nil {
		return nil, fmt.Errorf("carerixemu: %w", err)
	}
	s.ident = ident
	if s.realm, err = newRealmState(opts); err != nil {
		return nil, fmt.Errorf("carerixemu: %w", err)
	}
	wo := opts.Webhooks
	if wo.Tenant == "" {
		wo.Tenant = opts.Tenant
	}
	if wo.Now == nil {
		wo.Now = opts.Now
	}
	if wo.Logger == nil {
		wo.Logger = opts.Logger
	}
	wo.Authorize = s.authorizeWebhooks
	wo.GlobalSignatureKey = rules.globalSignatureKey
	if s.hooks, err = webhooks.New(wo); err != nil {
		return nil, fmt.Errorf("carerixemu: %w", err)
	}
	s.Store = newStore(opts.Tenant, opts.Now, s.hooks, opts.EnglishStatusLabels, rules)
	if err := s.serve(sdl); err != nil {
		return nil, err
	}
	return s, nil
}

// servedSchema is a parsed GraphQL schema and its SDL.
type servedSchema struct {
	sdl    string
	schema *graphql.Schema
}

// serve parses sdl and serves it from now on.
func (s *Server) serve(sdl string) error {
	introspection := !s.opts.NoIntrospection
	opts := []graphql.SchemaOpt{
		graphql.MaxDepth(20),
		graphql.MaxQueryLength(1 << 20),
		graphql.UseStringDescriptions(),
		graphql.RestrictIntrospection(func(context.Context) bool { return introspection }),
	}
	if s.opts.MaxSelections > 0 {
		opts = append(opts, graphql.MaxSelections(s.opts.MaxSelections))
	}
	schema, err := graphql.ParseSchema(sdl, &resolver{srv: s}, opts...)
	if err != nil {
		return fmt.Errorf("carerixemu: parsing the %s schema: %w", s.opts.Profile, err)
	}
	s.Store.fields.Store(schemaFields(schema))
	s.served.Store(&servedSchema{sdl: sdl, schema: schema})
	return nil
}

// RefuseQualifierOr makes page queries refuse (on) or take (off) a
// qualifier that joins comparisons with OR from now on, as
// Options.NoQualifierOr does from the start: as when a tenant's Carerix
// stops taking what it took when an integration read its contract.
func (s *Server) RefuseQualifierOr(on bool) { s.noOr.Store(on) }

// RefuseQualifierID makes page queries refuse (on) or take (off) a
// qualifier naming _id from now on, as Options.NoQualifierID does from
// the start.
func (s *Server) RefuseQualifierID(on bool) { s.noID.Store(on) }

// RemoveFields takes fields ("Type.field", as Options.RemoveFields) out of
// the served schema from now on, as when a tenant's Carerix changes under
// a running integration: queries that select them fail validation.
func (s *Server) RemoveFields(fields ...string) error {
	s.schemaMu.Lock()
	defer s.schemaMu.Unlock()
	if err := checkFieldNames(fields); err != nil {
		return fmt.Errorf("carerixemu: %w", err)
	}
	edited, err := editSDL(s.served.Load().sdl, fields)
	if err != nil {
		return fmt.Errorf("carerixemu: %w", err)
	}
	return s.serve(edited)
}

// Profile returns the profile the server serves.
func (s *Server) Profile() Profile { return s.opts.Profile }

// SDL returns the GraphQL schema the server serves: its profile's, without
// Options.RemoveFields.
func (s *Server) SDL() string { return s.served.Load().sdl }

// Webhooks returns the tenant's webhook service (delivery jobs, webhook
// fault injection).
func (s *Server) Webhooks() *webhooks.Service { return s.hooks }

// Realm returns the identity realm name.
func (s *Server) Realm() string { return s.opts.Realm }

// URL returns the base URL: Options.BaseURL, else the listener URL after
// Start, else "".
func (s *Server) URL() string {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	return s.base
}

// GraphQLURL returns the GraphQL endpoint URL.
func (s *Server) GraphQLURL() string { return s.URL() + graphQLPath }

// TokenURL returns the realm's token endpoint URL.
func (s *Server) TokenURL() string {
	return s.URL() + "/auth/realms/" + s.opts.Realm + "/protocol/openid-connect/token"
}

// Issuer returns the iss claim of the tokens this server issues.
func (s *Server) Issuer() string { return s.ident.issuer(s.URL()) }

// baseFor returns the base URL for a request.
func (s *Server) baseFor(r *http.Request) string {
	if b := s.URL(); b != "" {
		return b
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// SetFaults replaces the fault-injection settings.
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

// Faults returns the remaining fault-injection settings.
func (s *Server) Faults() Faults { return s.faults.get() }

// Stats returns the API traffic counters.
func (s *Server) Stats() Stats { return s.faults.snapshot() }

// ResetStats zeroes the API traffic counters.
func (s *Server) ResetStats() { s.faults.reset() }

// IssueToken returns an access token for a configured client without an
// HTTP round trip (nil scopes = all the client's scopes).
func (s *Server) IssueToken(clientID string, scopes []string) (string, error) {
	c, ok := s.ident.clients[clientID]
	if !ok {
		return "", fmt.Errorf("issuing token: unknown client %q", clientID)
	}
	if scopes == nil {
		scopes = c.Scopes
	}
	lifetime := s.opts.TokenLifetime
	if c.TokenLifetime > 0 {
		lifetime = c.TokenLifetime
	}
	return s.ident.issue(clientID, scopes, lifetime, s.URL())
}

// StartWebhooks starts webhook delivery workers; Start calls it. Use it
// when serving Handler from your own http.Server.
func (s *Server) StartWebhooks(ctx context.Context) error {
	if err := s.hooks.Start(ctx); err != nil {
		return fmt.Errorf("starting webhook delivery: %w", err)
	}
	return nil
}

// Start listens on addr (e.g. "127.0.0.1:0"), serves Handler and starts
// webhook delivery. Delivery stops when ctx ends or on Close.
func (s *Server) Start(ctx context.Context, addr string) error {
	s.lifeMu.Lock()
	if s.started {
		s.lifeMu.Unlock()
		return errors.New("carerixemu: server already started")
	}
	s.started = true
	s.lifeMu.Unlock()
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("carerixemu: listening on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.lifeMu.Lock()
	if s.base == "" {
		s.base = "http://" + l.Addr().String()
	}
	s.httpSrv = srv
	s.serveErr = make(chan error, 1)
	s.lifeMu.Unlock()
	if err := s.StartWebhooks(ctx); err != nil {
		_ = l.Close()
		return err
	}
	go func() { s.serveErr <- srv.Serve(l) }()
	s.log.Info("carerix emulator listening", "tenant", s.opts.Tenant, "url", s.URL())
	return nil
}

// Close stops the HTTP server (if started) and the webhook workers.
func (s *Server) Close() error {
	s.lifeMu.Lock()
	srv, serveErr := s.httpSrv, s.serveErr
	s.httpSrv = nil
	s.lifeMu.Unlock()
	var errs []error
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutting down HTTP server: %w", err))
		}
		if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("serving: %w", err))
		}
	}
	if err := s.hooks.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing webhooks: %w", err))
	}
	return errors.Join(errs...)
}

// authorizeWebhooks checks a webhook REST request's bearer token for scope.
func (s *Server) authorizeWebhooks(r *http.Request, scope string) error {
	p, err := s.ident.verify(r, s.baseFor(r))
	if err != nil {
		return fmt.Errorf("%w: %v", webhooks.ErrUnauthenticated, err)
	}
	if !hasAnyScope(p.scopes, []string{scope}) {
		return fmt.Errorf("%w: token lacks %s", webhooks.ErrForbidden, scope)
	}
	return nil
}
