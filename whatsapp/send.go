package whatsapp

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits the client checks before sending.
const (
	// MaxTextBodyRunes is Meta's limit on a text message body.
	MaxTextBodyRunes = 4096
	// MaxCallbackDataRunes is the documented limit of biz_opaque_callback_data.
	MaxCallbackDataRunes = 512
)

// SendResult is what the Cloud API returns for an accepted message.
type SendResult struct {
	// MessageID is the wamid; status webhooks refer to it.
	MessageID string
	// WaID is the recipient's WhatsApp id as resolved by Meta.
	WaID string
	// Input is the recipient as sent.
	Input string
	// MessageStatus is messages[0].message_status when Meta includes it
	// (e.g. "accepted", "held_for_quality_assessment"); often empty.
	MessageStatus string
}

// Template identifies an approved message template and its parameters.
type Template struct {
	// Name is the template name as approved.
	Name string
	// Language is the template language/locale code, e.g. "nl" or "en_US".
	Language string
	// HeaderParams fill a text header's {{n}} placeholders in order.
	HeaderParams []string
	// BodyParams fill the body's {{n}} placeholders in order.
	BodyParams []string
}

// sendRequest is the messages request body.
type sendRequest struct {
	MessagingProduct      string          `json:"messaging_product"`
	RecipientType         string          `json:"recipient_type"`
	To                    string          `json:"to"`
	Type                  string          `json:"type"`
	Text                  *textObject     `json:"text,omitempty"`
	Template              *templateObject `json:"template,omitempty"`
	Image                 *mediaObject    `json:"image,omitempty"`
	Video                 *mediaObject    `json:"video,omitempty"`
	Audio                 *mediaObject    `json:"audio,omitempty"`
	Document              *mediaObject    `json:"document,omitempty"`
	BizOpaqueCallbackData string          `json:"biz_opaque_callback_data,omitempty"`
}

type textObject struct {
	PreviewURL bool   `json:"preview_url"`
	Body       string `json:"body"`
}

type templateObject struct {
	Name       string              `json:"name"`
	Language   templateLanguage    `json:"language"`
	Components []templateComponent `json:"components,omitempty"`
}

type templateLanguage struct {
	Policy string `json:"policy"`
	Code   string `json:"code"`
}

type templateComponent struct {
	Type       string          `json:"type"`
	Parameters []textParameter `json:"parameters"`
}

type textParameter struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// sendResponse is the success body of the messages endpoint.
type sendResponse struct {
	MessagingProduct string `json:"messaging_product"`
	Contacts         []struct {
		Input string `json:"input"`
		WaID  string `json:"wa_id"`
	} `json:"contacts"`
	Messages []struct {
		ID            string `json:"id"`
		MessageStatus string `json:"message_status"`
	} `json:"messages"`
}

// SendText sends a free-form text message. It is only delivered inside the
// 24-hour customer service window; outside it Meta accepts the request and
// later reports a failed status with code 131047.
//
// callbackData is sent as biz_opaque_callback_data and comes back on every
// status webhook for this message; pass the caller's own message id (its
// idempotency key) so statuses and duplicates can be correlated. Empty omits it.
func (c *Client) SendText(ctx context.Context, to, body string, previewURL bool, callbackData string) (SendResult, error) {
	recipient, err := normalizeRecipient(to)
	if err != nil {
		return SendResult{}, err
	}
	if strings.TrimSpace(body) == "" {
		return SendResult{}, fmt.Errorf("%w: empty text body", ErrInvalidRequest)
	}
	if n := utf8.RuneCountInString(body); n > MaxTextBodyRunes {
		return SendResult{}, fmt.Errorf("%w: text body has %d characters, limit %d", ErrInvalidRequest, n, MaxTextBodyRunes)
	}
	if err := checkCallbackData(callbackData); err != nil {
		return SendResult{}, err
	}
	req := sendRequest{
		MessagingProduct:      "whatsapp",
		RecipientType:         "individual",
		To:                    recipient,
		Type:                  "text",
		Text:                  &textObject{PreviewURL: previewURL, Body: body},
		BizOpaqueCallbackData: callbackData,
	}
	res, err := c.send(ctx, req)
	if err != nil {
		return SendResult{}, fmt.Errorf("sending text to %s: %w", recipient, err)
	}
	return res, nil
}

// SendTemplate sends an approved template message, which may open a
// conversation outside the customer service window. callbackData works as
// in [Client.SendText].
func (c *Client) SendTemplate(ctx context.Context, to string, tpl Template, callbackData string) (SendResult, error) {
	recipient, err := normalizeRecipient(to)
	if err != nil {
		return SendResult{}, err
	}
	if tpl.Name == "" || tpl.Language == "" {
		return SendResult{}, fmt.Errorf("%w: template name and language are required", ErrInvalidRequest)
	}
	if err := checkCallbackData(callbackData); err != nil {
		return SendResult{}, err
	}
	obj := &templateObject{
		Name:     tpl.Name,
		Language: templateLanguage{Policy: "deterministic", Code: tpl.Language},
	}
	if len(tpl.HeaderParams) > 0 {
		obj.Components = append(obj.Components, templateComponent{Type: "header", Parameters: textParams(tpl.HeaderParams)})
	}
	if len(tpl.BodyParams) > 0 {
		obj.Components = append(obj.Components, templateComponent{Type: "body", Parameters: textParams(tpl.BodyParams)})
	}
	req := sendRequest{
		MessagingProduct:      "whatsapp",
		RecipientType:         "individual",
		To:                    recipient,
		Type:                  "template",
		Template:              obj,
		BizOpaqueCallbackData: callbackData,
	}
	res, err := c.send(ctx, req)
	if err != nil {
		return SendResult{}, fmt.Errorf("sending template %q to %s: %w", tpl.Name, recipient, err)
	}
	return res, nil
}

// MarkRead marks an inbound message as read, which shows blue ticks to the
// candidate.
func (c *Client) MarkRead(ctx context.Context, messageID string) error {
	if messageID == "" {
		return fmt.Errorf("%w: message id is required", ErrInvalidRequest)
	}
	req := struct {
		MessagingProduct string `json:"messaging_product"`
		Status           string `json:"status"`
		MessageID        string `json:"message_id"`
	}{"whatsapp", "read", messageID}
	var resp struct {
		Success bool `json:"success"`
	}
	if err := c.post(ctx, req, &resp); err != nil {
		return fmt.Errorf("marking %s read: %w", messageID, err)
	}
	if !resp.Success {
		return fmt.Errorf("marking %s read: %w: success is false", messageID, ErrMalformedResponse)
	}
	return nil
}

func (c *Client) send(ctx context.Context, req sendRequest) (SendResult, error) {
	var resp sendResponse
	if err := c.post(ctx, req, &resp); err != nil {
		return SendResult{}, err
	}
	if len(resp.Messages) == 0 || resp.Messages[0].ID == "" {
		return SendResult{}, fmt.Errorf("%w: no message id", ErrMalformedResponse)
	}
	res := SendResult{MessageID: resp.Messages[0].ID, MessageStatus: resp.Messages[0].MessageStatus, Input: req.To}
	if len(resp.Contacts) > 0 {
		res.WaID, res.Input = resp.Contacts[0].WaID, resp.Contacts[0].Input
	}
	return res, nil
}

func textParams(values []string) []textParameter {
	out := make([]textParameter, len(values))
	for i, v := range values {
		out[i] = textParameter{Type: "text", Text: v}
	}
	return out
}

// normalizeRecipient accepts an international number with an optional
// leading "+" and returns its digits. E.164 numbers have at most 15 digits.
func normalizeRecipient(to string) (string, error) {
	digits := strings.TrimPrefix(strings.TrimSpace(to), "+")
	if len(digits) < 7 || len(digits) > 15 || digits[0] == '0' {
		return "", fmt.Errorf("%w: recipient %q is not an international phone number", ErrInvalidRequest, to)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", fmt.Errorf("%w: recipient %q is not an international phone number", ErrInvalidRequest, to)
		}
	}
	return digits, nil
}

func checkCallbackData(s string) error {
	if n := utf8.RuneCountInString(s); n > MaxCallbackDataRunes {
		return fmt.Errorf("%w: callback data has %d characters, limit %d", ErrInvalidRequest, n, MaxCallbackDataRunes)
	}
	return nil
}
