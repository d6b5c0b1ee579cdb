package messaging

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// MediaJob downloads the file of an inbound message and keeps it.
type MediaJob struct {
	TenantID  string `json:"tenant_id"`
	MessageID string `json:"message_id"`
}

// Kind implements recrubo.JobArgs.
func (MediaJob) Kind() string { return "whatsapp_media" }

// mediaAttempts bounds a download's attempts; a file the provider keeps
// for days is worth a few tries over some minutes.
const mediaAttempts = 8

// HandleMedia is the handler of MediaJob: it asks the provider for the
// file's short-lived URL, downloads it with the tenant's token (at most
// Config.MaxMediaBytes), checks its hash and stores it. A file over the
// limit is recorded as too large; one the provider no longer has, or that
// cannot be fetched after the last attempt, as failed with the reason.
func (s *Service) HandleMedia(ctx context.Context, job MediaJob) error {
	f, err := s.store.MediaFile(ctx, job.TenantID, job.MessageID, false)
	if isCode(err, recrubo.ENOTFOUND) {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	if f.State != recrubo.MediaPending {
		return nil // kept, or given up, already
	}
	tenant, err := s.store.TenantByID(ctx, job.TenantID)
	if err != nil {
		if isCode(err, recrubo.ENOTFOUND) {
			return jobs.Permanent(err)
		}
		return err
	}
	if err := requireWhatsApp(tenant); err != nil {
		return s.mediaFailed(ctx, f, recrubo.ErrorMessage(err))
	}
	client, err := s.client(tenant)
	if err != nil {
		return s.mediaFailed(ctx, f, recrubo.ErrorMessage(err))
	}
	info, err := client.MediaInfo(ctx, f.ProviderID)
	if err == nil {
		if info.FileSize > s.maxMedia {
			f.Size = info.FileSize
			return s.mediaTooLarge(ctx, f)
		}
		var got whatsapp.DownloadedMedia
		got, err = client.DownloadMedia(ctx, info, s.maxMedia)
		if err == nil {
			sum := sha256.Sum256(got.Data)
			f.State, f.Data, f.Size, f.SHA256, f.StoredAt = recrubo.MediaStored, got.Data, int64(len(got.Data)),
				hex.EncodeToString(sum[:]), s.now()
			if f.MimeType == "" {
				f.MimeType = got.ContentType
			}
			if err := s.store.SaveMedia(ctx, f); err != nil {
				return err
			}
			s.log.InfoContext(ctx, "media kept", "tenant", f.TenantID, "message", f.MessageID, "bytes", f.Size)
			return nil
		}
	}
	switch {
	case errors.Is(err, whatsapp.ErrMediaTooLarge):
		return s.mediaTooLarge(ctx, f)
	case ctx.Err() != nil:
		return err
	case permanentMediaError(err):
		return s.mediaFailed(ctx, f, providerReason(err))
	}
	if n, of := jobs.Attempt(ctx); n > 0 && n >= of {
		return s.mediaFailed(ctx, f, providerReason(err))
	}
	// A transient failure, or a download URL that expired between the
	// two calls: the next attempt asks for a fresh URL.
	return wrap(err, "downloading the file of message %s", f.MessageID)
}

// permanentMediaError reports whether retrying cannot help: the provider
// refused the media id or the token, or the content does not match.
func permanentMediaError(err error) bool {
	if errors.Is(err, whatsapp.ErrMediaChecksum) || errors.Is(err, whatsapp.ErrInvalidRequest) {
		return false // a corrupt download may come right next time; a bad id is refused below
	}
	var apiErr *whatsapp.APIError
	if !errors.As(err, &apiErr) || apiErr.Retryable() {
		return false
	}
	// 404 from a download URL means it expired: ask again.
	return apiErr.HTTPStatus != http.StatusNotFound || apiErr.Code != 0
}

func (s *Service) mediaTooLarge(ctx context.Context, f *recrubo.MediaFile) error {
	f.State, f.Data, f.Error = recrubo.MediaTooLarge, nil, ""
	s.log.InfoContext(ctx, "media too large to keep", "tenant", f.TenantID, "message", f.MessageID, "bytes", f.Size, "limit", s.maxMedia)
	return s.store.SaveMedia(ctx, f)
}

func (s *Service) mediaFailed(ctx context.Context, f *recrubo.MediaFile, reason string) error {
	f.State, f.Data, f.Error = recrubo.MediaFailed, nil, reason
	s.log.WarnContext(ctx, "media not kept", "tenant", f.TenantID, "message", f.MessageID, "reason", reason)
	return s.store.SaveMedia(ctx, f)
}
