package messaging

import (
	"context"
	"fmt"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// ConversationForCandidate returns the candidate's WhatsApp conversation,
// found or created by the candidate's phone number (PhoneE164). A
// conversation that was unmatched or ambiguous for that number is linked
// to the candidate. Returns ENOTFOUND for an unknown candidate and EINVALID
// for one without a usable mobile number (a landline is never used).
func (s *Service) ConversationForCandidate(ctx context.Context, tenant *recrubo.Tenant, candidateID string) (*recrubo.Conversation, error) {
	if tenant == nil {
		return nil, recrubo.Errorf(recrubo.EINVALID, "No tenant given.")
	}
	cand, err := s.store.Candidate(ctx, tenant.ID, candidateID)
	if err != nil {
		return nil, err
	}
	if cand.PhoneE164 == "" || !recrubo.IsMobilePhone(cand.PhoneE164) {
		// A landline synced before numbers were checked is refused too.
		return nil, recrubo.WrapE(recrubo.EINVALID, fmt.Errorf("candidate %s has no usable mobile number", cand.ID), "whatsapp.msg.no_mobile")
	}
	var conv *recrubo.Conversation
	err = s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		var err error
		conv, err = candidateConversation(ctx, tx, tenant, cand)
		return err
	})
	if err != nil {
		return nil, wrap(err, "finding the conversation of candidate %s", candidateID)
	}
	return conv, nil
}

// candidateConversation finds or creates, in tx, the WhatsApp
// conversation of cand's number, linking it to cand.
func candidateConversation(ctx context.Context, tx recrubo.Tx, tenant *recrubo.Tenant, cand *recrubo.Candidate) (*recrubo.Conversation, error) {
	c, err := tx.ConversationByPhone(ctx, tenant.ID, recrubo.ChannelWhatsApp, cand.PhoneE164)
	switch {
	case isCode(err, recrubo.ENOTFOUND):
		c = &recrubo.Conversation{TenantID: tenant.ID, Channel: recrubo.ChannelWhatsApp,
			Phone: cand.PhoneE164, State: recrubo.ConversationOpen}
	case err != nil:
		return nil, err
	case c.CandidateID == cand.ID && !c.Ambiguous:
		return c, nil
	}
	// Opened from the candidate's page: the recruiter chose this
	// candidate, which settles an ambiguous number.
	c.CandidateID, c.Ambiguous = cand.ID, false
	if err := tx.SaveConversation(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// MarkRead records that userID has read the conversation up to now.
func (s *Service) MarkRead(ctx context.Context, tenantID, conversationID, userID string) error {
	if strings.TrimSpace(userID) == "" {
		return recrubo.Errorf(recrubo.EINVALID, "Marking a conversation read needs a user.")
	}
	if _, err := s.store.Conversation(ctx, tenantID, conversationID); err != nil {
		return err
	}
	return wrap(s.store.MarkRead(ctx, tenantID, conversationID, userID, s.now()), "marking %s read", conversationID)
}

// Assign gives the conversation to assigneeID (empty unassigns); byUserID
// is who did it.
func (s *Service) Assign(ctx context.Context, tenantID, conversationID, assigneeID, byUserID string) error {
	if strings.TrimSpace(byUserID) == "" {
		return recrubo.Errorf(recrubo.EINVALID, "Assigning a conversation needs the user who does it.")
	}
	return s.update(ctx, tenantID, conversationID, func(c *recrubo.Conversation) error {
		c.AssigneeID = strings.TrimSpace(assigneeID)
		s.log.InfoContext(ctx, "conversation assigned", "tenant", tenantID, "conversation", conversationID,
			"assignee", c.AssigneeID, "by", byUserID)
		return nil
	})
}

// SetState opens or closes the conversation. Reopening a closed
// conversation starts a new episode (a new activity in Carerix); closing
// enqueues the job that writes the episode's summary to Carerix
// ([SummaryJob]) in the same transaction.
func (s *Service) SetState(ctx context.Context, tenantID, conversationID string, state recrubo.ConversationState) error {
	if state != recrubo.ConversationOpen && state != recrubo.ConversationClosed {
		return recrubo.Errorf(recrubo.EINVALID, "A conversation is open or closed, not %q.", state)
	}
	return s.updateTx(ctx, tenantID, conversationID, func(c *recrubo.Conversation) error {
		if state == recrubo.ConversationOpen && c.State == recrubo.ConversationClosed {
			// Whole seconds: inbound messages carry the provider's
			// timestamp in seconds, and one written right after the
			// reopen belongs to the new episode.
			c.EpisodeStartedAt = s.now().Truncate(time.Second)
		}
		c.State = state
		return nil
	}, func(ctx context.Context, tx recrubo.Tx, c *recrubo.Conversation) error {
		if state != recrubo.ConversationClosed {
			return nil
		}
		return s.enqueueSummary(ctx, tx, c)
	})
}

// update changes one conversation in a transaction.
func (s *Service) update(ctx context.Context, tenantID, conversationID string, change func(*recrubo.Conversation) error) error {
	return s.updateTx(ctx, tenantID, conversationID, change, nil)
}

// updateTx changes one conversation in a transaction and, when after is
// not nil, calls it with the saved conversation in the same transaction.
func (s *Service) updateTx(ctx context.Context, tenantID, conversationID string, change func(*recrubo.Conversation) error,
	after func(context.Context, recrubo.Tx, *recrubo.Conversation) error) error {
	err := s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		c, err := tx.Conversation(ctx, tenantID, conversationID)
		if err != nil {
			return err
		}
		if err := change(c); err != nil {
			return err
		}
		if err := tx.SaveConversation(ctx, c); err != nil {
			return err
		}
		if after == nil {
			return nil
		}
		return after(ctx, tx, c)
	})
	return wrap(err, "updating conversation %s", conversationID)
}
