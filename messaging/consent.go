package messaging

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Consent sources the service records.
const (
	SourceStopKeyword  = "stop-keyword"
	SourceStartKeyword = "start-keyword"
)

// stopWords opt a sender out; startWords opt them in again. Compared
// case-insensitively with the whole message, without surrounding white
// space and trailing punctuation ("Stop.", "STOP!", " afmelden ").
var (
	stopWords  = []string{"stop", "afmelden", "uitschrijven"}
	startWords = []string{"start", "aanmelden"}
)

// keyword reports what a message body asks for: opt out, opt in, or
// nothing (ok false).
func keyword(body string) (optOut, ok bool) {
	b := strings.TrimSpace(strings.TrimRightFunc(strings.TrimSpace(body), func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSpace(r)
	}))
	for _, w := range stopWords {
		if strings.EqualFold(b, w) {
			return true, true
		}
	}
	for _, w := range startWords {
		if strings.EqualFold(b, w) {
			return false, true
		}
	}
	return false, false
}

// IsOptOut reports whether m is a candidate's message that opted them
// out: a stop keyword, typed or tapped (stored as the button's summary,
// "[button] Stop"). Such a message is no reply to a recruiter; the
// dashboard counts it as none.
func IsOptOut(m *recrubo.Message) bool {
	if m.Direction != recrubo.Inbound || m.MediaType != "" {
		return false
	}
	body := m.Body
	for t := range keywordTypes {
		body = strings.TrimPrefix(body, "["+t+"] ")
	}
	optOut, ok := keyword(body)
	return ok && optOut
}

// OptIn records that the candidate with phone (any common notation) agreed
// to receive WhatsApp messages, and how ("recruiter:<user id>",
// "carerix", ...).
func (s *Service) OptIn(ctx context.Context, tenantID, phone, source string) error {
	return s.setConsent(ctx, tenantID, phone, false, source)
}

// OptOut records that the candidate with phone no longer wants messages.
func (s *Service) OptOut(ctx context.Context, tenantID, phone, source string) error {
	return s.setConsent(ctx, tenantID, phone, true, source)
}

func (s *Service) setConsent(ctx context.Context, tenantID, phone string, out bool, source string) error {
	t, err := s.store.TenantByID(ctx, tenantID)
	if err != nil {
		return err
	}
	e164, err := recrubo.NormalizePhone(phone, t.PhoneRegion)
	if err != nil {
		return err
	}
	if strings.TrimSpace(source) == "" {
		return recrubo.Errorf(recrubo.EINVALID, "Say where the consent comes from.")
	}
	c := &recrubo.Consent{TenantID: tenantID, Phone: e164, OptedOut: out, Source: source, At: s.now()}
	return wrap(s.store.SaveConsent(ctx, c), "recording consent")
}

// refuseOptedOut returns EFORBIDDEN when phone opted out.
func refuseOptedOut(ctx context.Context, ds recrubo.DataStore, tenantID, phone string) error {
	c, err := ds.Consent(ctx, tenantID, phone)
	if err != nil {
		return err
	}
	if c.OptedOut {
		how := "by request"
		if c.Source == SourceStopKeyword {
			how = "by replying STOP"
		}
		return recrubo.WrapE(recrubo.EFORBIDDEN, fmt.Errorf("the candidate opted out of WhatsApp messages %s", how),
			"embed.error.opted_out", c.At)
	}
	return nil
}
