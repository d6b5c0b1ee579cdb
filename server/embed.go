package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/dashboard"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/messaging"
)

// EmbedDeps are what the routes of the inbox and dashboard pages framed inside Carerix need. The zero value disables them.
type EmbedDeps struct {
	// Auth checks the proof in an embed URL and turns sign-ins into
	// viewers.
	Auth EmbedAuth
	// SignIn runs sign-ins through the tenants' Carerix realms; nil
	// refuses them (pages then open by their URL proof only).
	SignIn embed.RealmSignIn
	// RefusalFloor is the least time a refused page load takes, so a
	// refusal costs the same time whether or not Carerix was asked (an
	// unknown tenant, a wrong proof). Default 300 ms; negative: none.
	RefusalFloor time.Duration
	// Data reads what the pages show.
	Data EmbedData
	// Messenger sends and changes conversations; nil makes every action
	// answer EUNAVAILABLE while pages still render.
	Messenger EmbedMessenger
	// Broadcasts sends templates to a vacancy's matched candidates; nil
	// leaves the vacancy page without it.
	Broadcasts EmbedBroadcaster
	// Pages caches rendered inbox pages; nil renders every request.
	// Feed it the store's changes (Subscribe) so other instances' writes
	// drop stale pages too.
	Pages *EmbedPageCache
	// Waits lets thread polls wait for the next change (?wait=N); nil
	// answers every poll at once. Feed it the store's changes
	// (Subscribe); the server's Shutdown closes it.
	Waits *ChangeWaits
	// Carerix reads from the tenant's Carerix what the mirror does not
	// hold (embed.CarerixRecords); nil leaves it out: an out-of-scope
	// vacancy is shown by its number, and unsynced matches are not
	// counted.
	Carerix EmbedCarerix
	// ThreadPage is how many messages a thread shows at first, and how
	// many older ones each "Older messages" adds. Default 30.
	ThreadPage int
}

// EmbedCarerix reads records outside the mirror from a tenant's Carerix.
type EmbedCarerix interface {
	// Vacancy returns the vacancy as Carerix has it, in scope or not;
	// ENOTFOUND when Carerix has none.
	Vacancy(ctx context.Context, t *recrubo.Tenant, id string) (*recrubo.Vacancy, error)
	// MatchedVacancyIDs returns the vacancies the candidate is matched to
	// in Carerix, whatever their status.
	MatchedVacancyIDs(ctx context.Context, t *recrubo.Tenant, candidateID string) ([]string, error)
}

// EmbedAuth proves who looks at an embedded page (embed.Authenticator).
type EmbedAuth interface {
	recrubo.EmbedAuthenticator
	// AuthenticateShared is Authenticate for a caller that only reads the
	// viewer's tenant, which may then be shared with others. byMirror
	// reports that the mirror alone settled the proof, with no answer of
	// Carerix's involved: the viewer then stays right for that proof
	// until the tenant's next change in the store, or until MayHaveNewer.
	AuthenticateShared(ctx context.Context, p recrubo.EmbedProof) (v *recrubo.EmbedViewer, byMirror bool, err error)
	// MayHaveNewer reports whether Carerix may lately have reported a
	// hash of one of the tenant's records newer than the mirror's: a
	// proof the mirror settled must then be checked again.
	MayHaveNewer(tenantID string) bool
	// SignIn turns a verified sign-in into the viewer of a page.
	SignIn(ctx context.Context, t *recrubo.Tenant, id *embed.Identity, kind recrubo.EmbedKind, recordID, lang string) (*recrubo.EmbedViewer, error)
}

// EmbedData is what the embedded pages read.
type EmbedData interface {
	dashboard.Source
	EmbedWhatsAppData
	TenantBySlug(ctx context.Context, slug string) (*recrubo.Tenant, error)
	Candidate(ctx context.Context, tenantID, id string) (*recrubo.Candidate, error)
	Recruiter(ctx context.Context, tenantID, id string) (*recrubo.Recruiter, error)
	Conversation(ctx context.Context, tenantID, id string) (*recrubo.Conversation, error)
	ConversationsByCandidate(ctx context.Context, tenantID, candidateID string) ([]*recrubo.Conversation, error)
	Messages(ctx context.Context, tenantID, conversationID string, limit int) ([]*recrubo.Message, error)
	MessagesBefore(ctx context.Context, tenantID, conversationID string, before recrubo.MessageCursor, limit int) ([]*recrubo.Message, error)
	Message(ctx context.Context, tenantID, id string) (*recrubo.Message, error)
	Templates(ctx context.Context, tenantID string) ([]*recrubo.MessageTemplate, error)
	Consent(ctx context.Context, tenantID, phone string) (*recrubo.Consent, error)
	StatusNodes(ctx context.Context, tenantID string, kind recrubo.StatusKind) ([]*recrubo.StatusNode, error)
}

// EmbedMessenger is the conversations API the inbox acts through
// (messaging.Service).
type EmbedMessenger interface {
	Send(ctx context.Context, tenant *recrubo.Tenant, req messaging.SendRequest) (*recrubo.Message, error)
	Retry(ctx context.Context, tenant *recrubo.Tenant, messageID, userID string) (*recrubo.Message, error)
	MarkRead(ctx context.Context, tenantID, conversationID, userID string) error
	Assign(ctx context.Context, tenantID, conversationID, assigneeID, byUserID string) error
	SetState(ctx context.Context, tenantID, conversationID string, state recrubo.ConversationState) error
}

// embedPrefix is the route prefix of the embedded pages and their API.
const embedPrefix = "/embed/:slug"

// embedRoutes registers the routes of the inbox and dashboard pages framed inside Carerix.
func (s *Server) embedRoutes() {
	d := s.deps.Embeds
	if d.Auth == nil || d.Data == nil || s.deps.Templates == nil {
		return
	}
	g := s.app.Group(embedPrefix)
	// A page loads by GET with the proof Carerix wrote into its URL, or
	// by POST with the session token (a navigation inside the frame after
	// a sign-in or a first load: the URL then carries no proof).
	for _, r := range []struct {
		path string
		h    fiber.Handler
	}{
		{"/candidate/:id", s.handleInboxPage},
		{"/vacancy/:id", s.handleDashboardPage},
		{"/vacancy/:id/broadcast", s.handleBroadcastPage},
		{"/dashboard", s.handleDashboardPage},
		{"/conversations", s.handleConversationsPage},
	} {
		g.Get(r.path, r.h)
		g.Post(r.path, r.h)
	}
	g.Post("/signin", s.handleSignIn)
	s.app.Get(embed.CallbackPath, s.handleSignInCallback)

	api := g.Group("/api", s.requireEmbedToken)
	api.Post("/token", s.handleEmbedRefresh)
	api.Get("/conversations", s.handleConversationList)
	api.Get("/candidate/:id/thread", s.handleThread)
	api.Get("/candidate/:id/messages", s.handleOlderMessages)
	api.Post("/candidate/:id/send", s.handleSend)
	api.Post("/candidate/:id/read", s.handleMarkRead)
	api.Post("/candidate/:id/assign", s.handleAssign)
	api.Post("/candidate/:id/state", s.handleSetState)
	api.Post("/candidate/:id/messages/:mid/retry", s.handleRetry)
	api.Get("/candidate/:id/media/:mid", s.handleMedia)
	api.Post("/candidate/:id/send-file", s.handleSendFile)
	api.Post("/vacancy/:id/broadcasts", s.handleBroadcastStart)
	api.Get("/vacancy/:id/broadcasts/:bid", s.handleBroadcastProgress)
}
