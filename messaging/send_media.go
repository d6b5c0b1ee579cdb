package messaging

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// File is a document or image a recruiter sends.
type File struct {
	// Name is the file name the candidate sees.
	Name string
	// MimeType is what the file is; it must agree with the content.
	MimeType string
	Data     []byte
}

// Limits of files a recruiter sends (Meta's own, or lower).
const (
	maxImageBytes    = 5 << 20
	maxDocumentBytes = 16 << 20
	maxFilenameRunes = 200
)

// sendableTypes are the file types a recruiter may send, with the kind of
// message each becomes. Images Meta shows inline; the rest are documents.
var sendableTypes = map[string]recrubo.MessageKind{
	"image/jpeg":         recrubo.KindImage,
	"image/png":          recrubo.KindImage,
	"application/pdf":    recrubo.KindDocument,
	"text/plain":         recrubo.KindDocument,
	"application/msword": recrubo.KindDocument,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": recrubo.KindDocument,
	"application/vnd.ms-excel": recrubo.KindDocument,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": recrubo.KindDocument,
}

// sniffed are types whose content http.DetectContentType recognises, so
// a file claiming one must start like one.
var sniffed = map[string]string{"image/jpeg": "image/jpeg", "image/png": "image/png", "application/pdf": "application/pdf"}

// checkFile refuses a file the service would not send.
func checkFile(f *File) []recrubo.FieldError {
	var problems []recrubo.FieldError
	kind, ok := sendableTypes[f.MimeType]
	switch {
	case !ok:
		problems = append(problems, recrubo.FieldError{Field: "file",
			Message: "must be a JPEG or PNG image, a PDF, a Word or Excel document or a text file"})
	case len(f.Data) == 0:
		problems = append(problems, recrubo.FieldError{Field: "file", Message: "is empty"})
	case kind == recrubo.KindImage && len(f.Data) > maxImageBytes:
		problems = append(problems, recrubo.FieldError{Field: "file", Message: "images may be at most 5 MB"})
	case len(f.Data) > maxDocumentBytes:
		problems = append(problems, recrubo.FieldError{Field: "file", Message: "files may be at most 16 MB"})
	}
	if want, ok := sniffed[f.MimeType]; ok && len(f.Data) > 0 {
		if got := http.DetectContentType(f.Data); !strings.HasPrefix(got, want) {
			problems = append(problems, recrubo.FieldError{Field: "file", Message: "is not the type its name says"})
		}
	}
	name := strings.TrimSpace(f.Name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxFilenameRunes || strings.ContainsAny(name, "/\\\x00") {
		problems = append(problems, recrubo.FieldError{Field: "file", Message: "needs a plain file name"})
	}
	return problems
}

// fileMessage makes msg a message of file, whose Body is its caption.
func fileMessage(msg *recrubo.Message, f *File) {
	msg.Kind = sendableTypes[f.MimeType]
	msg.MediaType = string(msg.Kind)
	msg.Content.Media = &recrubo.MediaAttachment{MimeType: f.MimeType, Filename: filepath.Base(f.Name), Caption: msg.Body}
	if msg.Body == "" {
		msg.Body = msg.Content.Media.Filename
	}
}

// keepOutgoingFile stores a recruiter's file with its message, in tx, so
// the inbox shows it and the send job uploads it.
func (s *Service) keepOutgoingFile(ctx context.Context, tx recrubo.Tx, msg *recrubo.Message, f *File) error {
	sum := sha256.Sum256(f.Data)
	return tx.SaveMedia(ctx, &recrubo.MediaFile{TenantID: msg.TenantID, MessageID: msg.ID, MimeType: f.MimeType,
		Filename: msg.Content.Media.Filename, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:]),
		State: recrubo.MediaStored, Data: f.Data, StoredAt: s.now()})
}

// postMedia uploads a message's file (once: the provider's media id is
// kept for a retry) and sends it.
func (s *Service) postMedia(ctx context.Context, c *whatsapp.Client, phone string, m *recrubo.Message) (whatsapp.SendResult, error) {
	f, err := s.store.MediaFile(ctx, m.TenantID, m.ID, true)
	if err != nil {
		return whatsapp.SendResult{}, fmt.Errorf("%w: the message's file is missing: %v", whatsapp.ErrInvalidRequest, err)
	}
	if f.ProviderID == "" {
		id, err := c.UploadMedia(ctx, f.MimeType, f.Filename, f.Data)
		if err != nil {
			return whatsapp.SendResult{}, err
		}
		f.ProviderID = id
		if err := s.store.SaveMedia(ctx, f); err != nil {
			return whatsapp.SendResult{}, err
		}
	}
	caption := ""
	if a := m.Content.Media; a != nil {
		caption = a.Caption
	}
	return c.SendMedia(ctx, phone, whatsapp.MediaMessage{Kind: string(recrubo.KindOf(m)), MediaID: f.ProviderID,
		Caption: caption, Filename: f.Filename}, callbackData(m))
}
