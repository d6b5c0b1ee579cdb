package server

import (
	"context"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/dashboard"
	"github.com/recrubo/recrubo-carerix/messaging"
)

// EmbedDeps are what the routes of the inbox and dashboard pages framed inside Carerix need. The zero value disables them.
type EmbedDeps struct {
	// Auth checks the proof in an embed URL.
	Auth recrubo.EmbedAuthenticator
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
	Message(ctx context.Context, tenantID, id string) (*recrubo.Message, error)
	Templates(ctx context.Context, tenantID string) ([]*recrubo.MessageTemplate, error)
	Consent(ctx context.Context, tenantID, phone string) (*recrubo.Consent, error)
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
	g.Get("/candidate/:id", s.handleInboxPage)
	g.Get("/vacancy/:id", s.handleDashboardPage)
	g.Get("/vacancy/:id/broadcast", s.handleBroadcastPage)
	g.Get("/dashboard", s.handleDashboardPage)
	g.Get("/conversations", s.handleConversationsPage)

	api := g.Group("/api", s.requireEmbedToken)
	api.Post("/token", s.handleEmbedRefresh)
	api.Get("/conversations", s.handleConversationList)
	api.Get("/candidate/:id/thread", s.handleThread)
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
