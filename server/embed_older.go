package server

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/templates"
)

// A thread shows its newest page of messages; "Older messages" above them
// loads the page before, again and again, back to the first message. The
// place to load from is a cursor the server hands out: the created time
// (in microseconds, as stored) and id of the oldest message shown, opaque
// to the page.

// olderPage is the JSON answer to a request for older messages.
type olderPage struct {
	// HTML is the messages, oldest first, to put above the thread.
	HTML string `json:"html"`
	// Cursor loads the page before these; empty when More is false.
	Cursor string `json:"cursor"`
	// More reports older messages still.
	More bool `json:"more"`
}

// encodeCursor writes c as the opaque cursor of a URL.
func encodeCursor(c recrubo.MessageCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + "." + c.ID))
}

// parseCursor reads a cursor of encodeCursor; anything else is EINVALID.
func parseCursor(s string) (recrubo.MessageCursor, error) {
	bad := recrubo.E(recrubo.EINVALID, "embed.error.bad_cursor")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || s == "" {
		return recrubo.MessageCursor{}, bad
	}
	micros, id, ok := strings.Cut(string(raw), ".")
	us, err := strconv.ParseInt(micros, 10, 64)
	if !ok || err != nil || us <= 0 || id == "" {
		return recrubo.MessageCursor{}, bad
	}
	return recrubo.MessageCursor{CreatedAt: time.UnixMicro(us), ID: id}, nil
}

// olderControl is the "Older messages" button above msgs (a page of the
// thread, oldest first), or nothing when there are no older ones.
func (p *embedPage) olderControl(msgs []*recrubo.Message, more bool) templates.HTML {
	if !more || len(msgs) == 0 {
		return templates.HTML{}
	}
	return p.partial("embed_older", templates.Values{"cursor": encodeCursor(msgs[0].Cursor()), "label": p.t("embed.older")})
}

// handleOlderMessages answers the page of messages before the cursor in
// ?before, of the session candidate's conversation in the session's
// tenant, as JSON (olderPage).
func (s *Server) handleOlderMessages(c *fiber.Ctx) error {
	ses, err := candidateSession(c)
	if err != nil {
		return err
	}
	before, err := parseCursor(c.Query("before"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	c.Set(fiber.HeaderCacheControl, "no-store")
	conv, err := s.whatsAppConversation(ctx, ses.Tenant, ses.Claims.RecordID)
	if err != nil {
		return err
	}
	if conv == nil {
		return c.JSON(olderPage{})
	}
	n := s.threadPage()
	msgs, err := s.deps.Embeds.Data.MessagesBefore(ctx, ses.Tenant.ID, conv.ID, before, n+1)
	if err != nil {
		return err
	}
	var out olderPage
	if msgs, out.More = pageOfThread(msgs, n); out.More {
		out.Cursor = encodeCursor(msgs[0].Cursor())
	}
	if len(msgs) == 0 {
		return c.JSON(out)
	}
	p := s.newEmbedPage(ses.Claims.Lang, ses.Tenant)
	if p.extras, err = s.loadThreadExtras(ctx, ses.Tenant, ses.Claims.RecordID, conv, msgs); err != nil {
		return err
	}
	h, err := s.renderThread(ctx, p, ses.Tenant.ID, msgs, "")
	if err != nil {
		return err
	}
	out.HTML = h.String()
	return c.JSON(out)
}
