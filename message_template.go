package recrubo

import "strings"

// TemplateComponent is one part of a message template.
type TemplateComponent struct {
	// Type is header, body, footer or buttons.
	Type string `json:"type"`
	// Format of a header: text, image, video, document or location.
	Format string `json:"format,omitempty"`
	// Text of a text header, the body or the footer, with {{n}}
	// placeholders.
	Text string `json:"text,omitempty"`
	// Examples are the example values given for the placeholders.
	Examples []string `json:"examples,omitempty"`
	// Buttons of a buttons component.
	Buttons []TemplateButton `json:"buttons,omitempty"`
}

// TemplateButton is one button of a template.
type TemplateButton struct {
	// Type is quick_reply, url, phone_number, copy_code, ...
	Type  string `json:"type"`
	Text  string `json:"text"`
	URL   string `json:"url,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// The template component types.
const (
	ComponentHeader  = "header"
	ComponentBody    = "body"
	ComponentFooter  = "footer"
	ComponentButtons = "buttons"
)

// component returns the first component of type typ, or nil.
func (t *MessageTemplate) component(typ string) *TemplateComponent {
	for i := range t.Components {
		if t.Components[i].Type == typ {
			return &t.Components[i]
		}
	}
	return nil
}

// HeaderText returns the template's text header, "" when it has none or
// a media header.
func (t *MessageTemplate) HeaderText() string {
	if h := t.component(ComponentHeader); h != nil && (h.Format == "" || h.Format == "text") {
		return h.Text
	}
	return ""
}

// HeaderVariables is how many of Variables fill the header.
func (t *MessageTemplate) HeaderVariables() int { return CountPlaceholders(t.HeaderText()) }

// Footer returns the template's footer text.
func (t *MessageTemplate) Footer() string {
	if f := t.component(ComponentFooter); f != nil {
		return f.Text
	}
	return ""
}

// Buttons returns the template's buttons.
func (t *MessageTemplate) Buttons() []TemplateButton {
	if b := t.component(ComponentButtons); b != nil {
		return b.Buttons
	}
	return nil
}

// Examples returns the example values of the header's then the body's
// placeholders, as given for review.
func (t *MessageTemplate) Examples() []string {
	var out []string
	for _, typ := range []string{ComponentHeader, ComponentBody} {
		if c := t.component(typ); c != nil {
			out = append(out, c.Examples...)
		}
	}
	return out
}

// CountVariables counts the placeholders a send fills: the text header's
// and the body's.
func (t *MessageTemplate) CountVariables() int {
	return CountPlaceholders(t.HeaderText()) + CountPlaceholders(t.Body)
}

// Why a template cannot be sent from the inbox, besides its status.
const (
	NotSendableMediaHeader = "media_header" // the header is an image, video or document to choose
	NotSendableURLVariable = "url_variable" // a URL button takes a value
	NotSendableStatus      = "status"       // not approved
)

// Sendable reports whether the inbox can send the template, and if not,
// why (one of the NotSendable reasons).
func (t *MessageTemplate) Sendable() (bool, string) {
	if t.Status != TemplateApproved {
		return false, NotSendableStatus
	}
	if h := t.component(ComponentHeader); h != nil && h.Format != "" && h.Format != "text" {
		return false, NotSendableMediaHeader
	}
	for _, b := range t.Buttons() {
		if b.Type == "url" && strings.Contains(b.URL, "{{") {
			return false, NotSendableURLVariable
		}
	}
	return true, ""
}
