package whatsapp

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// MessageTemplate is a message template of a WhatsApp Business Account, as
// GET /{waba-id}/message_templates returns it.
type MessageTemplate struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Language string `json:"language"`
	// Status is APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL,
	// PENDING_DELETION, ARCHIVED, LIMIT_EXCEEDED, ...
	Status string `json:"status"`
	// Category is MARKETING, UTILITY or AUTHENTICATION.
	Category string `json:"category"`
	// RejectedReason says why a template was rejected ("NONE" otherwise).
	RejectedReason string              `json:"rejected_reason"`
	Components     []TemplateComponent `json:"components"`
}

// TemplateComponent is one part of a template: its HEADER, BODY, FOOTER
// or BUTTONS.
type TemplateComponent struct {
	// Type is HEADER, BODY, FOOTER or BUTTONS.
	Type string `json:"type"`
	// Format of a header: TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION.
	Format string `json:"format,omitempty"`
	// Text of a text header, the body or the footer, with {{n}}
	// placeholders.
	Text string `json:"text,omitempty"`
	// Example holds the example values given for review.
	Example *TemplateExample `json:"example,omitempty"`
	// Buttons of a BUTTONS component.
	Buttons []TemplateButton `json:"buttons,omitempty"`
}

// TemplateExample holds a component's example values.
type TemplateExample struct {
	HeaderText []string   `json:"header_text,omitempty"`
	BodyText   [][]string `json:"body_text,omitempty"`
}

// TemplateButton is one button of a template.
type TemplateButton struct {
	// Type is QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, ...
	Type        string   `json:"type"`
	Text        string   `json:"text"`
	URL         string   `json:"url,omitempty"`
	PhoneNumber string   `json:"phone_number,omitempty"`
	Example     []string `json:"example,omitempty"`
}

// templatePage is one page of the message_templates edge.
type templatePage struct {
	Data   []MessageTemplate `json:"data"`
	Paging struct {
		Cursors struct {
			Before string `json:"before"`
			After  string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// Template paging bounds.
const (
	// TemplatePageSize is how many templates one request asks for.
	TemplatePageSize = 100
	// maxTemplatePages bounds a listing, so a provider that keeps
	// answering with a next page cannot make it run forever.
	maxTemplatePages = 200
)

var templateFields = "id,name,language,status,category,rejected_reason,components"

// MessageTemplates lists every message template of the WhatsApp Business
// Account wabaID, whatever its status, following the listing's paging
// (paging.cursors.after while paging.next is present). pageSize 0 takes
// TemplatePageSize.
func (c *Client) MessageTemplates(ctx context.Context, wabaID string, pageSize int) ([]MessageTemplate, error) {
	if !phoneNumberIDRE.MatchString(wabaID) {
		return nil, fmt.Errorf("%w: business account id %q must be digits", ErrInvalidRequest, wabaID)
	}
	if pageSize <= 0 || pageSize > TemplatePageSize {
		pageSize = TemplatePageSize
	}
	var out []MessageTemplate
	seen := map[string]bool{}
	after := ""
	for page := 0; ; page++ {
		if page == maxTemplatePages {
			return nil, fmt.Errorf("listing templates of %s: %w: more than %d pages", wabaID, ErrMalformedResponse, maxTemplatePages)
		}
		q := url.Values{"fields": {templateFields}, "limit": {strconv.Itoa(pageSize)}}
		if after != "" {
			q.Set("after", after)
		}
		var p templatePage
		if err := c.get(ctx, wabaID+"/message_templates", q, &p); err != nil {
			return nil, fmt.Errorf("listing templates of %s: %w", wabaID, err)
		}
		for _, t := range p.Data {
			if strings.TrimSpace(t.Name) == "" || strings.TrimSpace(t.Language) == "" {
				return nil, fmt.Errorf("listing templates of %s: %w: a template without name or language", wabaID, ErrMalformedResponse)
			}
			out = append(out, t)
		}
		next := p.Paging.Cursors.After
		if p.Paging.Next == "" || next == "" || len(p.Data) == 0 {
			return out, nil
		}
		if seen[next] {
			return nil, fmt.Errorf("listing templates of %s: %w: the cursor %q came back", wabaID, ErrMalformedResponse, next)
		}
		seen[next] = true
		after = next
	}
}
