package waemu

import (
	"encoding/json"
	"strconv"
	"time"
)

// Webhook payload types, written independently of the whatsapp package so
// that a mistake in one side's field names shows up in tests.

type hookEnvelope struct {
	Object string      `json:"object"`
	Entry  []hookEntry `json:"entry"`
}

type hookEntry struct {
	ID      string       `json:"id"`
	Changes []hookChange `json:"changes"`
}

type hookChange struct {
	Value hookValue `json:"value"`
	Field string    `json:"field"`
}

type hookValue struct {
	MessagingProduct string        `json:"messaging_product"`
	Metadata         hookMetadata  `json:"metadata"`
	Contacts         []hookContact `json:"contacts,omitempty"`
	Messages         []hookMessage `json:"messages,omitempty"`
	Statuses         []hookStatus  `json:"statuses,omitempty"`
}

type hookMetadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

type hookContact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID string `json:"wa_id"`
}

type hookMessage struct {
	Context   *hookContext  `json:"context,omitempty"`
	From      string        `json:"from"`
	ID        string        `json:"id"`
	Timestamp string        `json:"timestamp"`
	Type      string        `json:"type"`
	Text      *hookText     `json:"text,omitempty"`
	Image     *hookMedia    `json:"image,omitempty"`
	Document  *hookMedia    `json:"document,omitempty"`
	Audio     *hookMedia    `json:"audio,omitempty"`
	Video     *hookMedia    `json:"video,omitempty"`
	Sticker   *hookMedia    `json:"sticker,omitempty"`
	Location  *hookLocation `json:"location,omitempty"`
	Button    *hookButton   `json:"button,omitempty"`
	// Interactive is an interactive reply (a tapped reply button).
	Interactive *hookInteractive `json:"interactive,omitempty"`
	Errors      []hookError      `json:"errors,omitempty"`
}

// hookButton is a tapped quick-reply button of a template message.
type hookButton struct {
	Payload string `json:"payload"`
	Text    string `json:"text"`
}

type hookInteractive struct {
	Type        string `json:"type"`
	ButtonReply *struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"button_reply,omitempty"`
}

type hookContext struct {
	From string `json:"from"`
	ID   string `json:"id"`
}

type hookText struct {
	Body string `json:"body"`
}

type hookMedia struct {
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	ID       string `json:"id"`
	Voice    bool   `json:"voice,omitempty"`
}

type hookLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
}

type hookStatus struct {
	ID                    string            `json:"id"`
	Status                string            `json:"status"`
	Timestamp             string            `json:"timestamp"`
	RecipientID           string            `json:"recipient_id"`
	BizOpaqueCallbackData string            `json:"biz_opaque_callback_data,omitempty"`
	Conversation          *hookConversation `json:"conversation,omitempty"`
	Pricing               *hookPricing      `json:"pricing,omitempty"`
	Errors                []hookError       `json:"errors,omitempty"`
}

type hookConversation struct {
	ID                  string `json:"id"`
	ExpirationTimestamp string `json:"expiration_timestamp,omitempty"`
	Origin              struct {
		Type string `json:"type"`
	} `json:"origin"`
}

type hookPricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model"`
	Category     string `json:"category"`
	Type         string `json:"type,omitempty"`
}

type hookError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
	Href string `json:"href,omitempty"`
}

const errorCodesHref = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

func newHookError(code int, details string) hookError {
	he := hookError{Code: code, Title: codeTitle(code), Message: codeTitle(code), Href: errorCodesHref}
	he.ErrorData.Details = details
	return he
}

func unixString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// envelope wraps one "messages" change value for phoneID.
func (e *Emulator) envelope(phoneID string, v hookValue) ([]byte, error) {
	v.MessagingProduct = "whatsapp"
	v.Metadata = hookMetadata{DisplayPhoneNumber: e.displayNumber(phoneID), PhoneNumberID: phoneID}
	env := hookEnvelope{
		Object: "whatsapp_business_account",
		Entry: []hookEntry{{
			ID:      e.opts.BusinessAccountID,
			Changes: []hookChange{{Value: v, Field: "messages"}},
		}},
	}
	return json.Marshal(env)
}

func (e *Emulator) displayNumber(phoneID string) string {
	if d, ok := e.opts.DisplayPhoneNumbers[phoneID]; ok && d != "" {
		return d
	}
	return "31200000000"
}
