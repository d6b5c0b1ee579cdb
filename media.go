package recrubo

import (
	"context"
	"time"
)

// DefaultMaxMediaBytes is the largest file kept from a message unless
// configured otherwise: CVs, photos and voice notes fit; a larger file is
// recorded as too large and not downloaded.
const DefaultMaxMediaBytes = 16 << 20

// MediaState is where a message's file is.
type MediaState string

// The media states.
const (
	MediaPending  MediaState = "pending"   // announced, not downloaded yet
	MediaStored   MediaState = "stored"    // kept; Data holds it
	MediaTooLarge MediaState = "too_large" // larger than the limit; not kept
	MediaFailed   MediaState = "failed"    // could not be downloaded; Error says why
)

// MediaFile is the file of a message, kept in the store so that every
// instance serves it. (TenantID, MessageID) is unique.
type MediaFile struct {
	TenantID  string
	MessageID string
	// ProviderID is the provider's media id.
	ProviderID string
	MimeType   string
	Filename   string
	Size       int64
	// SHA256 is the hex hash of Data.
	SHA256 string
	State  MediaState
	// Error says why a failed file could not be kept.
	Error string
	// Data is the content; only read when asked for (see MediaStore).
	Data     []byte
	StoredAt time.Time
}

// MediaStore keeps messages' files and reactions.
type MediaStore interface {
	// SaveMedia stores f by (TenantID, MessageID), replacing what was
	// stored. Returns ENOTFOUND if there is no such message.
	SaveMedia(ctx context.Context, f *MediaFile) error
	// MediaFile returns a message's file, with its Data when withData.
	// Returns ENOTFOUND if there is none.
	MediaFile(ctx context.Context, tenantID, messageID string, withData bool) (*MediaFile, error)
	// ConversationMedia returns the files of a conversation's messages,
	// without their Data.
	ConversationMedia(ctx context.Context, tenantID, conversationID string) ([]*MediaFile, error)

	// SetReaction stores r as the reactor's reaction on the message unless
	// the stored one is newer; an empty Emoji removes it. It reports
	// whether anything changed.
	SetReaction(ctx context.Context, r *Reaction) (bool, error)
	// ConversationReactions returns the reactions (never removed ones) on
	// the messages of a conversation, oldest first.
	ConversationReactions(ctx context.Context, tenantID, conversationID string) ([]*Reaction, error)
}
