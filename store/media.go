package store

import (
	"context"
	"errors"
	"fmt"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Change kinds of WhatsApp's own tables.
const (
	ChangeWhatsApp  = "whatsapp"
	ChangeBroadcast = "broadcast"
)

const mediaColumns = `tenant_id, message_id, provider_id, mime_type, filename, size, sha256, state, error, stored_at`

func scanMedia(r row, withData bool) (*recrubo.MediaFile, error) {
	var (
		f      recrubo.MediaFile
		stored int64
	)
	dest := []any{&f.TenantID, &f.MessageID, &f.ProviderID, &f.MimeType, &f.Filename, &f.Size, &f.SHA256, &f.State, &f.Error, &stored}
	if withData {
		dest = append(dest, &f.Data)
	}
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	f.StoredAt = timeMicro(stored)
	return &f, nil
}

// SaveMedia stores a message's file, replacing what was stored.
func (q *queries) SaveMedia(ctx context.Context, f *recrubo.MediaFile) error {
	switch f.State {
	case recrubo.MediaPending, recrubo.MediaStored, recrubo.MediaTooLarge, recrubo.MediaFailed:
	default:
		return recrubo.Errorf(recrubo.EINVALID, "%q is not a media state.", f.State)
	}
	if f.TenantID == "" || f.MessageID == "" {
		return recrubo.Errorf(recrubo.EINVALID, "A media file needs a tenant and a message.")
	}
	data := f.Data
	if data == nil {
		data = []byte{}
	}
	_, err := q.q.exec(ctx, `INSERT INTO message_media (`+mediaColumns+`, content)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (tenant_id, message_id) DO UPDATE SET provider_id = excluded.provider_id,
            mime_type = excluded.mime_type, filename = excluded.filename, size = excluded.size,
            sha256 = excluded.sha256, state = excluded.state, error = excluded.error,
            stored_at = excluded.stored_at, content = excluded.content`,
		f.TenantID, f.MessageID, f.ProviderID, f.MimeType, f.Filename, f.Size, f.SHA256, string(f.State), f.Error,
		microTime(f.StoredAt), data)
	if errors.Is(err, errForeignKeyViolation) {
		return recrubo.WrapError(recrubo.ENOTFOUND, err, "Message %q does not exist.", f.MessageID)
	}
	if err != nil {
		return fmt.Errorf("saving the file of message %s: %w", f.MessageID, err)
	}
	// A message change names its conversation, so that only the pages
	// showing it read it again.
	var conv string
	if err := q.q.queryRow(ctx, `SELECT conversation_id FROM messages WHERE tenant_id = $1 AND id = $2`,
		f.TenantID, f.MessageID).Scan(&conv); err != nil {
		return fmt.Errorf("saving the file of message %s: reading its conversation: %w", f.MessageID, err)
	}
	q.touch(f.TenantID, ChangeMessage, conv)
	return nil
}

// MediaFile returns a message's file, with its content when withData.
func (q *queries) MediaFile(ctx context.Context, tenantID, messageID string, withData bool) (*recrubo.MediaFile, error) {
	cols := mediaColumns
	if withData {
		cols += ", content"
	}
	f, err := scanMedia(q.q.queryRow(ctx, `SELECT `+cols+` FROM message_media WHERE tenant_id = $1 AND message_id = $2`,
		tenantID, messageID), withData)
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Message %q has no file.", messageID)
	case err != nil:
		return nil, fmt.Errorf("reading the file of message %s: %w", messageID, err)
	}
	return f, nil
}

// ConversationMedia returns the files of a conversation's messages,
// without their content.
func (q *queries) ConversationMedia(ctx context.Context, tenantID, conversationID string) ([]*recrubo.MediaFile, error) {
	fs, err := collect(ctx, q.q, func(r rows) (*recrubo.MediaFile, error) { return scanMedia(r, false) },
		`SELECT `+prefixed("f.", mediaColumns)+` FROM message_media f
        JOIN messages m ON m.tenant_id = f.tenant_id AND m.id = f.message_id
        WHERE f.tenant_id = $1 AND m.conversation_id = $2`, tenantID, conversationID)
	if err != nil {
		return nil, fmt.Errorf("listing the files of conversation %s: %w", conversationID, err)
	}
	return fs, nil
}

// SetReaction stores a reaction unless the stored one is newer; an empty
// emoji removes it (kept as a removal, so an older reaction arriving late
// stays removed).
func (q *queries) SetReaction(ctx context.Context, r *recrubo.Reaction) (bool, error) {
	if r.TenantID == "" || r.MessageProviderID == "" || r.Reactor == "" {
		return false, recrubo.Errorf(recrubo.EINVALID, "A reaction needs a tenant, a message and who reacted.")
	}
	n, err := q.q.exec(ctx, `INSERT INTO message_reactions (tenant_id, message_provider_id, reactor, conversation_id, emoji, at)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (tenant_id, message_provider_id, reactor) DO UPDATE SET emoji = excluded.emoji, at = excluded.at,
            conversation_id = CASE WHEN excluded.conversation_id <> '' THEN excluded.conversation_id
                ELSE message_reactions.conversation_id END
        WHERE excluded.at >= message_reactions.at`,
		r.TenantID, r.MessageProviderID, r.Reactor, r.ConversationID, r.Emoji, q.stamp(r.At))
	if err != nil {
		return false, fmt.Errorf("saving a reaction: %w", fkNotFound(err, r.TenantID))
	}
	if n == 0 {
		return false, nil
	}
	q.touch(r.TenantID, ChangeMessage, r.ConversationID)
	return true, nil
}

// ConversationReactions returns the reactions on a conversation's
// messages, oldest first; removed ones are left out.
func (q *queries) ConversationReactions(ctx context.Context, tenantID, conversationID string) ([]*recrubo.Reaction, error) {
	rs, err := collect(ctx, q.q, func(r rows) (*recrubo.Reaction, error) {
		x := recrubo.Reaction{TenantID: tenantID, ConversationID: conversationID}
		var at int64
		if err := r.Scan(&x.MessageProviderID, &x.Reactor, &x.Emoji, &at); err != nil {
			return nil, err
		}
		x.At = timeMicro(at)
		return &x, nil
	}, `SELECT message_provider_id, reactor, emoji, at FROM message_reactions
        WHERE tenant_id = $1 AND conversation_id = $2 AND emoji <> '' ORDER BY at, reactor`, tenantID, conversationID)
	if err != nil {
		return nil, fmt.Errorf("listing the reactions of conversation %s: %w", conversationID, err)
	}
	return rs, nil
}
