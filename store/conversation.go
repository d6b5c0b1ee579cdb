package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// ConversationChanges are the change kinds after which what a page shows
// of conversations may differ: a conversation's, a message's, and a
// resync (which stands for changes a subscriber missed).
func ConversationChanges() []string {
	return []string{ChangeConversation, ChangeMessage, ChangeResync}
}

// Change kinds of the conversation tables. A conversation's and a
// message's change name the conversation (Change.ID), or none ("") where
// the change may touch several.
const (
	ChangeConversation = "conversation"
	ChangeMessage      = "message"
	ChangeTemplate     = "message_template"
	ChangeConsent      = "consent"
	ChangeCost         = "cost"
)

const conversationColumns = `tenant_id, id, channel, phone, candidate_id, ambiguous, state, assignee_id,
    last_inbound_at, last_outbound_at, last_message_at, last_preview, created_at, updated_at,
    episode_started_at, carerix_activity_id, summary_hash, candidate_name`

func scanConversation(r row) (*recrubo.Conversation, error) {
	var (
		c    recrubo.Conversation
		t    conversationTimes
		dest = conversationDest(&c, &t)
	)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	t.apply(&c)
	return &c, nil
}

// conversationTimes holds a conversation row's times while it is scanned.
type conversationTimes struct {
	inbound, outbound, last, created, updated, episode int64
}

// conversationDest returns the scan destinations of conversationColumns.
func conversationDest(c *recrubo.Conversation, t *conversationTimes) []any {
	return []any{&c.TenantID, &c.ID, &c.Channel, &c.Phone, &c.CandidateID, &c.Ambiguous, &c.State, &c.AssigneeID,
		&t.inbound, &t.outbound, &t.last, &c.LastMessagePreview, &t.created, &t.updated,
		&t.episode, &c.CarerixActivityID, &c.SummaryHash, &c.CandidateName}
}

// apply sets the scanned times on c.
func (t *conversationTimes) apply(c *recrubo.Conversation) {
	c.LastInboundAt, c.LastOutboundAt, c.LastMessageAt = timeMicro(t.inbound), timeMicro(t.outbound), timeMicro(t.last)
	c.CreatedAt, c.UpdatedAt = timeMicro(t.created), timeMicro(t.updated)
	c.EpisodeStartedAt = timeMicro(t.episode)
}

func scanConversations(r rows) (*recrubo.Conversation, error) { return scanConversation(r) }

// checkConversation validates what the schema cannot.
func checkConversation(c *recrubo.Conversation) error {
	var problems []recrubo.FieldError
	if c.TenantID == "" {
		problems = append(problems, recrubo.FieldError{Field: "tenant_id", Message: "is required"})
	}
	if c.Channel != recrubo.ChannelWhatsApp {
		problems = append(problems, recrubo.FieldError{Field: "channel", Message: "must be whatsapp"})
	}
	if !strings.HasPrefix(c.Phone, "+") || len(c.Phone) < 8 {
		problems = append(problems, recrubo.FieldError{Field: "phone", Message: "must be an E.164 number"})
	}
	switch c.State {
	case recrubo.ConversationOpen, recrubo.ConversationClosed:
	default:
		problems = append(problems, recrubo.FieldError{Field: "state", Message: "must be open or closed"})
	}
	if len(problems) > 0 {
		return &recrubo.Error{Code: recrubo.EINVALID, Message: "The conversation is not valid.", Fields: problems}
	}
	return nil
}

// SaveConversation inserts or updates c by ID. A new conversation gets an
// ID and CreatedAt; UpdatedAt is set to now. Returns ECONFLICT when another
// conversation of the tenant has c's channel and phone.
func (q *queries) SaveConversation(ctx context.Context, c *recrubo.Conversation) error {
	if c.State == "" {
		c.State = recrubo.ConversationOpen
	}
	if err := checkConversation(c); err != nil {
		return err
	}
	id := c.ID
	if id == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("generating conversation id: %w", err)
		}
		id = u.String()
	}
	now := q.nowMicro()
	created := microTime(c.CreatedAt)
	if created == 0 {
		created = now
	}
	episode := microTime(c.EpisodeStartedAt) // 0: the first episode
	name, synced, err := q.candidateName(ctx, c)
	if err != nil {
		return err
	}
	// A new episode gets its own activity: the stored activity and hash
	// are dropped when the episode start moves forward.
	newEpisode := `excluded.episode_started_at > conversations.episode_started_at`
	// The candidate's name follows the mirror while the candidate is in
	// it, stays while the conversation keeps a candidate who left it, and
	// goes with the candidate.
	keepName := func(column string) string {
		return `CASE WHEN $16 THEN excluded.` + column + ` WHEN excluded.candidate_id = conversations.candidate_id
            THEN conversations.` + column + ` ELSE '' END`
	}
	_, err = q.q.exec(ctx, `INSERT INTO conversations (`+conversationColumns+`, search, search_version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, '', '', $17, $18, $19)
        ON CONFLICT (tenant_id, id) DO UPDATE SET candidate_id = excluded.candidate_id,
            ambiguous = excluded.ambiguous, state = excluded.state, assignee_id = excluded.assignee_id,
            candidate_name = `+keepName("candidate_name")+`, search = `+keepName("search")+`,
            search_version = excluded.search_version,
            last_inbound_at = `+later("last_inbound_at")+`, last_outbound_at = `+later("last_outbound_at")+`,
            last_preview = CASE WHEN excluded.last_message_at >= conversations.last_message_at
                THEN excluded.last_preview ELSE conversations.last_preview END,
            last_message_at = `+later("last_message_at")+`,
            carerix_activity_id = CASE WHEN `+newEpisode+` THEN '' ELSE conversations.carerix_activity_id END,
            summary_hash = CASE WHEN `+newEpisode+` THEN '' ELSE conversations.summary_hash END,
            episode_started_at = `+later("episode_started_at")+`,
            updated_at = excluded.updated_at`,
		c.TenantID, id, string(c.Channel), c.Phone, c.CandidateID, c.Ambiguous, string(c.State), c.AssigneeID,
		microTime(c.LastInboundAt), microTime(c.LastOutboundAt), microTime(c.LastMessageAt), c.LastMessagePreview,
		created, now, episode, synced, name, searchText(name), searchFoldVersion)
	switch {
	case errors.Is(err, errUniqueViolation):
		return recrubo.WrapError(recrubo.ECONFLICT, err, "A conversation with %s already exists.", c.Phone)
	case err != nil:
		return fmt.Errorf("saving conversation %s: %w", id, fkNotFound(err, c.TenantID))
	}
	stored, err := q.Conversation(ctx, c.TenantID, id)
	if err != nil {
		return err
	}
	*c = *stored
	q.touch(c.TenantID, ChangeConversation, id)
	return nil
}

// candidateName returns the name of c's candidate as the mirror holds it
// now; synced is false when c has no single candidate or the candidate is
// not in the mirror.
func (q *queries) candidateName(ctx context.Context, c *recrubo.Conversation) (name string, synced bool, err error) {
	if c.CandidateID == "" || c.Ambiguous {
		return "", false, nil
	}
	k, err := q.Candidate(ctx, c.TenantID, c.CandidateID)
	switch {
	case recrubo.ErrorCode(err) == recrubo.ENOTFOUND:
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("reading the candidate of a conversation: %w", err)
	}
	return k.FullName(), true, nil
}

// later is the SQL that keeps the later of a conversation's stored and new
// time: activity times never move backwards, whatever order writers
// commit in.
func later(column string) string {
	return `CASE WHEN excluded.` + column + ` > conversations.` + column + ` THEN excluded.` + column +
		` ELSE conversations.` + column + ` END`
}

// SetConversationActivity records the Carerix activity and notes hash of
// the conversation's episode that started at episode; it writes nothing
// and reports false when another episode has started since.
func (q *queries) SetConversationActivity(ctx context.Context, tenantID, id string, episode time.Time, activityID, hash string) (bool, error) {
	n, err := q.q.exec(ctx, `UPDATE conversations SET carerix_activity_id = $4, summary_hash = $5
        WHERE tenant_id = $1 AND id = $2 AND episode_started_at = $3`, tenantID, id, microTime(episode), activityID, hash)
	if err != nil {
		return false, fmt.Errorf("recording the Carerix activity of conversation %s: %w", id, err)
	}
	if n == 0 {
		if _, err := q.Conversation(ctx, tenantID, id); err != nil {
			return false, err
		}
		return false, nil
	}
	q.touch(tenantID, ChangeConversation, id)
	return true, nil
}

// Conversation returns ENOTFOUND if there is no such conversation.
func (q *queries) Conversation(ctx context.Context, tenantID, id string) (*recrubo.Conversation, error) {
	c, err := scanConversation(q.q.queryRow(ctx, `SELECT `+conversationColumns+` FROM conversations
        WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Conversation %q does not exist.", id)
	case err != nil:
		return nil, fmt.Errorf("reading conversation %s: %w", id, err)
	}
	return c, nil
}

// ConversationByPhone returns ENOTFOUND if there is none.
func (q *queries) ConversationByPhone(ctx context.Context, tenantID string, ch recrubo.Channel, phone string) (*recrubo.Conversation, error) {
	c, err := scanConversation(q.q.queryRow(ctx, `SELECT `+conversationColumns+` FROM conversations
        WHERE tenant_id = $1 AND channel = $2 AND phone = $3`, tenantID, string(ch), phone))
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "There is no conversation with %s.", phone)
	case err != nil:
		return nil, fmt.Errorf("reading conversation by phone: %w", err)
	}
	return c, nil
}

// ConversationsByCandidate returns the candidate's conversations, newest
// activity first.
func (q *queries) ConversationsByCandidate(ctx context.Context, tenantID, candidateID string) ([]*recrubo.Conversation, error) {
	if candidateID == "" {
		return nil, nil
	}
	cs, err := collect(ctx, q.q, scanConversations, `SELECT `+conversationColumns+` FROM conversations
        WHERE tenant_id = $1 AND candidate_id = $2 ORDER BY last_message_at DESC, id`, tenantID, candidateID)
	if err != nil {
		return nil, fmt.Errorf("listing conversations of candidate %s: %w", candidateID, err)
	}
	return cs, nil
}

// ConversationsChangedSince returns the tenant's matched conversations
// with a message or a change at or after since, by id.
func (q *queries) ConversationsChangedSince(ctx context.Context, tenantID string, since time.Time) ([]*recrubo.Conversation, error) {
	cs, err := collect(ctx, q.q, scanConversations, `SELECT `+conversationColumns+` FROM conversations
        WHERE tenant_id = $1 AND candidate_id <> '' AND NOT ambiguous
            AND (last_message_at >= $2 OR updated_at >= $2) ORDER BY id`, tenantID, since.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("listing conversations changed since %s: %w", since.Format(time.RFC3339), err)
	}
	return cs, nil
}

// readThreshold is the SQL of the time up to which the candidate's
// messages of conversation c count as read by reader (a read marker time,
// 0 when none): the later of it and the last recruiter message, since an
// answer reads what came before it.
func readThreshold(reader string) string {
	return `CASE WHEN c.last_outbound_at > ` + reader + ` THEN c.last_outbound_at ELSE ` + reader + ` END`
}

// unreadCount is the SQL counting the candidate's messages of an open
// conversation c after the threshold of reader; closed conversations have
// none.
func unreadCount(reader string) string {
	return `(CASE WHEN c.state = 'open' THEN (SELECT count(*) FROM messages m
        WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id AND m.direction = 'inbound'
            AND m.created_at > ` + readThreshold(reader) + `) ELSE 0 END)`
}

// conversationReader is the SQL of when conversation c was last read by
// the one responsible for it: its assignee, or, unassigned, anyone.
const conversationReader = `COALESCE((SELECT max(r.read_at) FROM read_markers r
        WHERE r.tenant_id = c.tenant_id AND r.conversation_id = c.id
            AND (c.assignee_id = '' OR r.user_id = c.assignee_id)), 0)`

// viewerReader is the SQL of when the viewer ($2) last read conversation c.
const viewerReader = `COALESCE((SELECT r.read_at FROM read_markers r
        WHERE r.tenant_id = c.tenant_id AND r.conversation_id = c.id AND r.user_id = $2), 0)`

// ListConversations returns the inbox list, newest activity first, with
// the candidate's name, the conversation's unread count (the same for
// every viewer), the viewer's own, and the phone number's consent.
func (q *queries) ListConversations(ctx context.Context, tenantID string, f recrubo.ConversationFilter) ([]*recrubo.ConversationSummary, error) {
	var (
		where = []string{"c.tenant_id = $1"}
		args  = []any{tenantID, f.ViewerID}
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.AssigneeID != "" {
		where = append(where, "c.assignee_id = "+arg(f.AssigneeID))
	}
	if f.Unassigned {
		where = append(where, "c.assignee_id = ''")
	}
	if f.Unmatched {
		where = append(where, "(c.candidate_id = '' OR c.ambiguous)")
	}
	if qs := strings.TrimSpace(f.Query); qs != "" {
		p := arg(likePattern(qs))
		match := []string{"c.search LIKE " + p + ` ESCAPE '\'`, "COALESCE(k.search, '') LIKE " + p + ` ESCAPE '\'`}
		if digits := recrubo.PhoneSearchDigits(qs, f.PhoneRegion); digits != "" {
			match = append(match, "c.phone LIKE "+arg("%"+likeEscape(digits)+"%")+` ESCAPE '\'`)
		}
		where = append(where, "("+strings.Join(match, " OR ")+")")
	}
	if f.After != nil {
		at, id := arg(microTime(f.After.LastMessageAt)), arg(f.After.ID)
		where = append(where, "(c.last_message_at < "+at+" OR (c.last_message_at = "+at+" AND c.id > "+id+"))")
	}
	unread := unreadCount(conversationReader)
	if f.UnreadOnly {
		where = append(where, unread+" > 0")
	}
	query := `SELECT ` + prefixed("c.", conversationColumns) + `, k.id IS NOT NULL,
            ` + unread + `, ` + unreadCount(viewerReader) + `, COALESCE(o.opted_out, FALSE)
        FROM conversations c
        LEFT JOIN candidates k ON k.tenant_id = c.tenant_id AND k.id = c.candidate_id AND NOT c.ambiguous AND NOT k.removed
        LEFT JOIN consents o ON o.tenant_id = c.tenant_id AND o.phone = c.phone
        WHERE ` + strings.Join(where, " AND ") +
		" ORDER BY c.last_message_at DESC, c.id LIMIT " + arg(listLimit(f.Limit))
	out, err := collect(ctx, q.q, func(r rows) (*recrubo.ConversationSummary, error) {
		var (
			s recrubo.ConversationSummary
			t conversationTimes
		)
		c := &s.Conversation
		if err := r.Scan(append(conversationDest(c, &t), &s.CandidateSynced, &s.Unread, &s.UnreadForViewer, &s.OptedOut)...); err != nil {
			return nil, err
		}
		t.apply(c)
		return &s, nil
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("listing conversations: %w", err)
	}
	return out, nil
}

// prefixed qualifies each column of a column list with p.
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
