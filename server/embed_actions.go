package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging"
)

// Limits of what the composer may send.
const (
	maxBodyRunes = 4096
	maxVars      = 10
	maxVarRunes  = 1000
)

// toRequest converts b to a messaging request: free text or a template,
// not both.
func (b sendBody) toRequest(candidateID, senderID string) (messaging.SendRequest, error) {
	req := messaging.SendRequest{CandidateID: candidateID, SenderID: senderID}
	body := strings.TrimSpace(b.Body)
	switch {
	case b.Template != "" && body != "":
		return req, recrubo.E(recrubo.EINVALID, "embed.error.message_or_template")
	case b.Template != "":
		name, lang, ok := strings.Cut(b.Template, "|")
		if !ok || name == "" || lang == "" {
			return req, recrubo.E(recrubo.EINVALID, "embed.error.choose_template")
		}
		req.Template = &messaging.Template{Name: name, Language: lang, Vars: b.Vars}
	case body == "":
		return req, recrubo.E(recrubo.EINVALID, "embed.error.write_first")
	default:
		req.Body = body
	}
	return req, nil
}

// messenger returns the conversations API or EUNAVAILABLE.
func (s *Server) messenger() (EmbedMessenger, error) {
	if s.deps.Embeds.Messenger == nil {
		return nil, recrubo.E(recrubo.EUNAVAILABLE, "embed.error.messaging_unavailable")
	}
	return s.deps.Embeds.Messenger, nil
}

// handleSend sends the composer's message and answers with the thread.
func (s *Server) handleSend(c *fiber.Ctx) error {
	return s.messengerAction(c, func(m EmbedMessenger, ses *embedSession) error {
		var b sendBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		req, err := b.toRequest(ses.Claims.RecordID, ses.Claims.Subject)
		if err != nil {
			return err
		}
		_, err = m.Send(c.UserContext(), ses.Tenant, req)
		return err
	})
}

// handleRetry sends a failed message of the candidate's conversation again.
func (s *Server) handleRetry(c *fiber.Ctx) error {
	return s.conversationAction(c, func(m EmbedMessenger, ses *embedSession, conv *recrubo.Conversation) error {
		msg, err := s.deps.Embeds.Data.Message(c.UserContext(), ses.Tenant.ID, c.Params("mid"))
		if recrubo.ErrorCode(err) == recrubo.ENOTFOUND || err == nil && msg.ConversationID != conv.ID {
			return recrubo.WrapE(recrubo.ENOTFOUND, err, "embed.error.no_message")
		}
		if err != nil {
			return err
		}
		_, err = m.Retry(c.UserContext(), ses.Tenant, msg.ID, ses.Claims.Subject)
		return err
	})
}

// handleMarkRead marks the conversation read for the viewing user.
func (s *Server) handleMarkRead(c *fiber.Ctx) error {
	return s.conversationAction(c, func(m EmbedMessenger, ses *embedSession, conv *recrubo.Conversation) error {
		return m.MarkRead(c.UserContext(), ses.Tenant.ID, conv.ID, ses.Claims.Subject)
	})
}

// handleAssign assigns the conversation to a recruiter of the tenant, or
// to nobody.
func (s *Server) handleAssign(c *fiber.Ctx) error {
	var b assignBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	return s.conversationAction(c, func(m EmbedMessenger, ses *embedSession, conv *recrubo.Conversation) error {
		if b.Assignee != "" {
			if _, err := s.deps.Embeds.Data.Recruiter(c.UserContext(), ses.Tenant.ID, b.Assignee); err != nil {
				if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
					return recrubo.E(recrubo.EINVALID, "embed.error.choose_recruiter")
				}
				return err
			}
		}
		return m.Assign(c.UserContext(), ses.Tenant.ID, conv.ID, b.Assignee, ses.Claims.Subject)
	})
}

// handleSetState opens or closes the conversation.
func (s *Server) handleSetState(c *fiber.Ctx) error {
	var b stateBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	return s.conversationAction(c, func(m EmbedMessenger, ses *embedSession, conv *recrubo.Conversation) error {
		return m.SetState(c.UserContext(), ses.Tenant.ID, conv.ID, b.State)
	})
}

// messengerAction runs fn with the route candidate's session and the
// conversations API, then answers with the thread.
func (s *Server) messengerAction(c *fiber.Ctx, fn func(EmbedMessenger, *embedSession) error) error {
	ses, err := candidateSession(c)
	if err != nil {
		return err
	}
	m, err := s.messenger()
	if err != nil {
		return err
	}
	if err := fn(m, ses); err != nil {
		return err
	}
	s.invalidatePages(ses.Tenant.ID)
	return s.answerThread(c, ses)
}

// conversationAction runs fn on the route candidate's conversation and
// answers with the thread.
func (s *Server) conversationAction(c *fiber.Ctx, fn func(EmbedMessenger, *embedSession, *recrubo.Conversation) error) error {
	return s.messengerAction(c, func(m EmbedMessenger, ses *embedSession) error {
		conv, err := s.candidateConversation(c, ses)
		if err != nil {
			return err
		}
		return fn(m, ses, conv)
	})
}

// candidateConversation returns the session candidate's conversation, or
// ENOTFOUND before the first message.
func (s *Server) candidateConversation(c *fiber.Ctx, ses *embedSession) (*recrubo.Conversation, error) {
	conv, err := s.whatsAppConversation(c.UserContext(), ses.Tenant, ses.Claims.RecordID)
	if err != nil {
		return nil, err
	}
	if conv == nil {
		return nil, recrubo.E(recrubo.ENOTFOUND, "embed.error.no_conversation")
	}
	return conv, nil
}

// answerThread answers an action with the thread as it is now.
func (s *Server) answerThread(c *fiber.Ctx, ses *embedSession) error {
	conv, msgs, _, err := s.loadThread(c.UserContext(), ses.Tenant, ses.Claims.RecordID)
	if err != nil {
		return err
	}
	c.Request().Header.Del(fiber.HeaderIfNoneMatch)
	return s.sendThread(c, ses, conv, msgs)
}
