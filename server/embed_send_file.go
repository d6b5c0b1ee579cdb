package server

import (
	"io"
	"mime"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging"
)

// handleSendFile sends a document or image from the composer: a
// multipart form with the file and its caption ("body"). The request is
// bounded by the server's body limit; messaging checks the file's type
// against its content.
func (s *Server) handleSendFile(c *fiber.Ctx) error {
	return s.messengerAction(c, func(m EmbedMessenger, ses *embedSession) error {
		fh, err := c.FormFile("file")
		if err != nil {
			return recrubo.WrapE(recrubo.EINVALID, err, "whatsapp.msg.choose_file")
		}
		caption := strings.TrimSpace(c.FormValue("body"))
		if utf8.RuneCountInString(caption) > maxBodyRunes || !utf8.ValidString(caption) {
			return recrubo.E(recrubo.EINVALID, "whatsapp.msg.caption_too_long", maxBodyRunes)
		}
		f, err := fh.Open()
		if err != nil {
			return recrubo.WrapE(recrubo.EINVALID, err, "whatsapp.msg.file_unreadable")
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, int64(s.cfg.BodyLimit)+1))
		if err != nil {
			return recrubo.WrapE(recrubo.EINVALID, err, "whatsapp.msg.file_unreadable")
		}
		mt := baseType(fh.Header.Get(fiber.HeaderContentType))
		if mt == "" || mt == "application/octet-stream" {
			mt = baseType(mime.TypeByExtension(strings.ToLower(filepath.Ext(fh.Filename))))
		}
		req := messaging.SendRequest{CandidateID: ses.Claims.RecordID, SenderID: ses.Claims.Subject, Body: caption,
			File: &messaging.File{Name: strings.Clone(fh.Filename), MimeType: mt, Data: data}}
		_, err = m.Send(c.UserContext(), ses.Tenant, req)
		return err
	})
}
