package server

import (
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/templates"
)

// Files of messages are served only to a viewer of their conversation:
// the request carries the inbox's session token for the candidate whose
// conversation the message is in. The page fetches them with the token
// and shows them from memory (blob URLs), so the token never lands in a
// URL. A file is shown inline only when it is an image of a type every
// browser shows as a picture and its content says so; everything else
// (an SVG, an HTML file, a PDF) is a download, as
// application/octet-stream unless its type is a harmless one, under a
// sandboxing policy.

// inlineTypes are the types served for showing in the page.
var inlineTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// downloadTypes are types served as themselves, as attachments.
var downloadTypes = map[string]string{
	"application/pdf": "PDF", "text/plain": "TXT", "application/msword": "DOC",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
	"application/vnd.ms-excel": "XLS",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
	"audio/ogg": "OGG", "audio/mpeg": "MP3", "audio/mp4": "M4A", "audio/aac": "AAC", "audio/amr": "AMR",
	"video/mp4": "MP4", "video/3gpp": "3GP", "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP",
	"image/gif": "GIF",
}

// baseType is a MIME type without parameters, lower case.
func baseType(mt string) string {
	if t, _, err := mime.ParseMediaType(mt); err == nil {
		return t
	}
	return strings.ToLower(strings.TrimSpace(strings.SplitN(mt, ";", 2)[0]))
}

// inlineImage reports whether a file of type mt is shown in the page.
func inlineImage(mt string) bool { return inlineTypes[baseType(mt)] }

// fileTypeLabel is a short name of a file's type for the inbox, "" when
// unknown.
func fileTypeLabel(mt string) string { return downloadTypes[baseType(mt)] }

// servedAs decides how a file is served: its Content-Type and whether it
// may show inline. An image is inline only when its content sniffs as the
// same image type; a type outside the known ones is an octet stream.
func servedAs(f *recrubo.MediaFile) (contentType string, inline bool) {
	bt := baseType(f.MimeType)
	if inlineTypes[bt] && baseType(http.DetectContentType(f.Data)) == bt {
		return bt, true
	}
	if _, ok := downloadTypes[bt]; ok && !strings.HasPrefix(bt, "image/") {
		return bt, false
	}
	return "application/octet-stream", false
}

// downloadName is the file name a download is saved as: the sender's
// file name without any path, or one made from the kind and type.
func downloadName(f *recrubo.MediaFile, kind recrubo.MessageKind) string {
	name := strings.TrimSpace(path.Base(strings.ReplaceAll(f.Filename, "\\", "/")))
	if name == "" || name == "." || name == "/" {
		name = string(kind) + extension(f.MimeType)
	}
	return name
}

// preferredExtensions name files of the common types as people expect.
var preferredExtensions = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif", "application/pdf": ".pdf",
	"audio/ogg": ".ogg", "audio/mpeg": ".mp3", "audio/mp4": ".m4a", "audio/aac": ".aac", "audio/amr": ".amr",
	"video/mp4": ".mp4", "video/3gpp": ".3gp", "text/plain": ".txt",
}

// extension is the file name extension of a MIME type, "" when unknown.
func extension(mt string) string {
	bt := baseType(mt)
	if e, ok := preferredExtensions[bt]; ok {
		return e
	}
	if ext, _ := mime.ExtensionsByType(bt); len(ext) > 0 {
		return ext[0]
	}
	return ""
}

// contentDisposition builds the header for a file name: an ASCII
// fallback and the UTF-8 name (RFC 6266).
func contentDisposition(disposition, name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == ';' {
			return '_'
		}
		return r
	}, name)
	return disposition + `; filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// handleMedia serves the file of a message of the session candidate's
// conversation.
func (s *Server) handleMedia(c *fiber.Ctx) error {
	ses, err := candidateSession(c)
	if err != nil {
		return err
	}
	conv, err := s.candidateConversation(c, ses)
	if err != nil {
		return err
	}
	d := s.deps.Embeds.Data
	msg, err := d.Message(c.UserContext(), ses.Tenant.ID, c.Params("mid"))
	if err != nil {
		return err
	}
	if msg.ConversationID != conv.ID {
		return recrubo.E(recrubo.ENOTFOUND, "whatsapp.msg.no_file")
	}
	f, err := d.MediaFile(c.UserContext(), ses.Tenant.ID, msg.ID, true)
	if err != nil {
		return err
	}
	if f.State != recrubo.MediaStored {
		return recrubo.E(recrubo.ENOTFOUND, "whatsapp.msg.file_unavailable")
	}
	ct, inline := servedAs(f)
	disposition := "attachment"
	if inline {
		disposition = "inline"
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderContentDisposition, contentDisposition(disposition, downloadName(f, recrubo.KindOf(msg))))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox; frame-ancestors 'none'")
	c.Set("Cross-Origin-Resource-Policy", "same-origin")
	return c.Send(f.Data)
}

// formatBytes shows a file size: "820 B", "12 KB", "3.4 MB".
func formatBytes(lang string, n int64) string {
	switch {
	case n < 1024:
		return templates.FormatInt(lang, n) + " B"
	case n < 1024*1024:
		return templates.FormatInt(lang, (n+512)/1024) + " KB"
	}
	return templates.FormatNumber(lang, float64(n)/(1024*1024), 1) + " MB"
}
