package messaging

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// SendRequest is a recruiter's message to a candidate: to a conversation
// (ConversationID) or to a candidate (CandidateID, whose conversation is
// found or created), as free text (Body) or as a template (Template).
type SendRequest struct {
	ConversationID string
	CandidateID    string
	// SenderID is the Carerix user who sends. Required.
	SenderID string
	Body     string
	Template *Template
	// File is a document or image to send; Body is then its caption.
	File *File
}

// Template names an approved template and fills its {{n}} variables.
type Template struct {
	Name     string
	Language string
	Vars     []string
}

// previewRunes is how much of a message a conversation keeps as preview.
const previewRunes = 120

// preview shortens a message body for conversation lists.
func preview(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(body) <= previewRunes {
		return body
	}
	r := []rune(body)
	return string(r[:previewRunes-1]) + "…"
}

// Send stores a recruiter's message as queued and enqueues its send job in
// the same transaction; see the package documentation for what it refuses.
func (s *Service) Send(ctx context.Context, tenant *recrubo.Tenant, req SendRequest) (*recrubo.Message, error) {
	if err := checkSendRequest(req); err != nil {
		return nil, err
	}
	if err := requireWhatsApp(tenant); err != nil {
		return nil, err
	}
	var (
		conv *recrubo.Conversation
		err  error
	)
	if req.ConversationID != "" {
		conv, err = s.store.Conversation(ctx, tenant.ID, req.ConversationID)
	} else {
		conv, err = s.ConversationForCandidate(ctx, tenant, req.CandidateID)
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	msg := &recrubo.Message{
		TenantID: tenant.ID, ConversationID: conv.ID, Direction: recrubo.Outbound, SenderID: req.SenderID,
		Status: recrubo.StatusQueued, SendAttempt: 1, CreatedAt: now,
	}
	err = s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		// Read again in the transaction: what is saved below (an
		// assignment made meanwhile included) is the conversation as it is.
		cur, err := tx.Conversation(ctx, tenant.ID, conv.ID)
		if err != nil {
			return err
		}
		conv = cur
		if err := refuseOptedOut(ctx, tx, tenant.ID, conv.Phone); err != nil {
			return err
		}
		if req.Template == nil {
			if !conv.WindowOpen(now) {
				return recrubo.E(recrubo.EINVALID, "embed.error.window_closed")
			}
			msg.Kind, msg.Body = recrubo.KindText, req.Body
			if req.File != nil {
				fileMessage(msg, req.File)
			}
		} else {
			tpl, err := findTemplate(ctx, tx, tenant.ID, *req.Template)
			if err != nil {
				return err
			}
			msg.Kind = recrubo.KindTemplate
			msg.TemplateName, msg.TemplateLanguage = tpl.Name, tpl.Language
			msg.TemplateVars = append([]string{}, req.Template.Vars...)
			msg.Body = tpl.Render(req.Template.Vars)
		}
		if _, err := tx.AddMessage(ctx, msg); err != nil {
			return err
		}
		if req.File != nil {
			if err := s.keepOutgoingFile(ctx, tx, msg, req.File); err != nil {
				return err
			}
		}
		return queueSend(ctx, tx, conv, msg, req.SenderID)
	})
	if err != nil {
		return nil, wrap(err, "sending to conversation %s", conv.ID)
	}
	return msg, nil
}

// claim makes an unassigned conversation the sender's: a recruiter who
// starts a conversation, or answers one nobody has taken, owns it. It
// reports whether it changed c.
func claim(c *recrubo.Conversation, senderID string) bool {
	if c.AssigneeID != "" || strings.TrimSpace(senderID) == "" {
		return false
	}
	c.AssigneeID = senderID
	return true
}

// checkSendRequest validates the shape of a request.
func checkSendRequest(req SendRequest) error {
	var problems []recrubo.FieldError
	if strings.TrimSpace(req.SenderID) == "" {
		problems = append(problems, recrubo.FieldError{Field: "sender_id", Message: "is required"})
	}
	if (req.ConversationID == "") == (req.CandidateID == "") {
		problems = append(problems, recrubo.FieldError{Field: "conversation_id", Message: "give a conversation or a candidate"})
	}
	hasBody := strings.TrimSpace(req.Body) != "" || req.File != nil
	switch {
	case req.File != nil && req.Template != nil:
		problems = append(problems, recrubo.FieldError{Field: "file", Message: "send a file or a template, not both"})
	case hasBody == (req.Template != nil):
		problems = append(problems, recrubo.FieldError{Field: "body", Message: "give a text or a template"})
	case hasBody && utf8.RuneCountInString(req.Body) > whatsapp.MaxTextBodyRunes:
		problems = append(problems, recrubo.FieldError{Field: "body",
			Message: "is longer than 4096 characters"})
	}
	if req.File != nil {
		problems = append(problems, checkFile(req.File)...)
	}
	if len(problems) > 0 {
		return &recrubo.Error{Code: recrubo.EINVALID, Key: "embed.error.cannot_send", Fields: problems}
	}
	return nil
}

// findTemplate returns the approved template req names, checking its
// variables.
func findTemplate(ctx context.Context, ds recrubo.DataStore, tenantID string, req Template) (*recrubo.MessageTemplate, error) {
	ts, err := ds.Templates(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.Name != req.Name || t.Language != req.Language {
			continue
		}
		if ok, why := t.Sendable(); !ok {
			if why == recrubo.NotSendableStatus {
				return nil, recrubo.WrapE(recrubo.EINVALID, fmt.Errorf("template %q (%s) is %s, not approved", t.Name, t.Language, t.Status), "embed.error.template_unavailable")
			}
			return nil, recrubo.WrapE(recrubo.EINVALID, fmt.Errorf("template %q (%s) needs a file or a link value", t.Name, t.Language), "whatsapp.msg.template_not_sendable")
		}
		if len(req.Vars) != t.Variables {
			return nil, recrubo.E(recrubo.EINVALID, "embed.error.template_values", t.Variables, len(req.Vars))
		}
		for i, v := range req.Vars {
			if strings.TrimSpace(v) == "" {
				return nil, recrubo.E(recrubo.EINVALID, "embed.error.value_empty", i+1)
			}
		}
		return t, nil
	}
	return nil, recrubo.WrapE(recrubo.EINVALID, fmt.Errorf("no template %q in language %q", req.Name, req.Language), "embed.error.template_unavailable")
}

// checkMessageTemplate returns EINVALID when m is a template message whose
// template is no longer there, no longer approved, or no longer takes m's
// variables: what Send checked may have changed since.
func checkMessageTemplate(ctx context.Context, ds recrubo.DataStore, m *recrubo.Message) error {
	_, err := messageTemplate(ctx, ds, m)
	return err
}

// messageTemplate returns the template of a template message, checked as
// checkMessageTemplate does; nil for other messages.
func messageTemplate(ctx context.Context, ds recrubo.DataStore, m *recrubo.Message) (*recrubo.MessageTemplate, error) {
	if m.TemplateName == "" {
		return nil, nil
	}
	return findTemplate(ctx, ds, m.TenantID, Template{Name: m.TemplateName, Language: m.TemplateLanguage, Vars: m.TemplateVars})
}

// Retry sends a failed message again as a new attempt, by userID. Returns
// ECONFLICT when the message is not failed, and refuses as Send does when
// the candidate opted out, free text is outside the window, or the
// template is no longer approved or takes another number of values.
func (s *Service) Retry(ctx context.Context, tenant *recrubo.Tenant, messageID, userID string) (*recrubo.Message, error) {
	if strings.TrimSpace(userID) == "" {
		return nil, recrubo.Errorf(recrubo.EINVALID, "Sending a message again needs a user.")
	}
	if err := requireWhatsApp(tenant); err != nil {
		return nil, err
	}
	var msg *recrubo.Message
	err := s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		m, err := tx.Message(ctx, tenant.ID, messageID)
		if err != nil {
			return err
		}
		if m.Direction != recrubo.Outbound || m.Status != recrubo.StatusFailed {
			return recrubo.E(recrubo.ECONFLICT, "embed.error.retry_failed_only")
		}
		conv, err := tx.Conversation(ctx, tenant.ID, m.ConversationID)
		if err != nil {
			return err
		}
		if err := refuseOptedOut(ctx, tx, tenant.ID, conv.Phone); err != nil {
			return err
		}
		if m.TemplateName == "" && !conv.WindowOpen(s.now()) {
			return recrubo.E(recrubo.EINVALID, "embed.error.window_closed")
		}
		if err := checkMessageTemplate(ctx, tx, m); err != nil {
			return err
		}
		if msg, err = tx.RequeueMessage(ctx, tenant.ID, messageID); err != nil {
			return err
		}
		if claim(conv, userID) {
			if err := tx.SaveConversation(ctx, conv); err != nil {
				return err
			}
		}
		s.log.InfoContext(ctx, "message requeued", "tenant", tenant.ID, "message", messageID, "by", userID,
			"attempt", msg.SendAttempt)
		return tx.Enqueue(ctx, SendJob{TenantID: tenant.ID, MessageID: msg.ID, Attempt: msg.SendAttempt}, nil)
	})
	if err != nil {
		return nil, wrap(err, "retrying message %s", messageID)
	}
	return msg, nil
}

// queueSend records msg, just added, on its conversation (its last
// message, reopened when closed, the sender's when it is nobody's) and
// queues its send, in tx.
func queueSend(ctx context.Context, tx recrubo.Tx, conv *recrubo.Conversation, msg *recrubo.Message, sender string) error {
	conv.LastOutboundAt, conv.LastMessageAt, conv.LastMessagePreview = msg.CreatedAt, msg.CreatedAt, previewOf(msg)
	if conv.State == recrubo.ConversationClosed {
		conv.State = recrubo.ConversationOpen
	}
	claim(conv, sender)
	if err := tx.SaveConversation(ctx, conv); err != nil {
		return err
	}
	return tx.Enqueue(ctx, SendJob{TenantID: msg.TenantID, MessageID: msg.ID, Attempt: msg.SendAttempt}, nil)
}
