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
	Time    int64        `json:"time"`
	Changes []hookChange `json:"changes"`
}

type hookChange struct {
	Value json.RawMessage `json:"value"`
	Field string          `json:"field"`
}

type hookValue struct {
	MessagingProduct string        `json:"messaging_product"`
	Metadata         hookMetadata  `json:"metadata"`
	Contacts         []hookContact `json:"contacts,omitempty"`
	Messages         []hookMessage `json:"messages,omitempty"`
	Statuses         []hookStatus  `json:"statuses,omitempty"`
	Errors           []hookError   `json:"errors,omitempty"`
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
	// Interactive is an interactive reply (a tapped reply button or list row).
	Interactive *hookInteractive  `json:"interactive,omitempty"`
	Contacts    []hookContactCard `json:"contacts,omitempty"`
	Reaction    *hookReaction     `json:"reaction,omitempty"`
	Errors      []hookError       `json:"errors,omitempty"`
}

// hookReaction is a reaction; Meta omits the emoji when it is removed.
type hookReaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji,omitempty"`
}

// hookContactCard is a shared contact card.
type hookContactCard struct {
	Name struct {
		FormattedName string `json:"formatted_name"`
		FirstName     string `json:"first_name,omitempty"`
		LastName      string `json:"last_name,omitempty"`
	} `json:"name"`
	Org struct {
		Company string `json:"company,omitempty"`
	} `json:"org"`
	Phones []hookContactPhone `json:"phones,omitempty"`
	Emails []hookContactEmail `json:"emails,omitempty"`
}

type hookContactPhone struct {
	Phone string `json:"phone"`
	WaID  string `json:"wa_id,omitempty"`
	Type  string `json:"type"`
}

type hookContactEmail struct {
	Email string `json:"email"`
	Type  string `json:"type"`
}

// hookButton is a tapped quick-reply button of a template message.
type hookButton struct {
	Payload string `json:"payload"`
	Text    string `json:"text"`
}

type hookInteractive struct {
	Type        string           `json:"type"`
	ButtonReply *hookButtonReply `json:"button_reply,omitempty"`
	ListReply   *hookListReply   `json:"list_reply,omitempty"`
}

type hookButtonReply struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type hookListReply struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
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
	URL       string  `json:"url,omitempty"`
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
	return e.changeEnvelope("messages", v)
}

// changeEnvelope wraps one change of field with value v for the business
// account.
func (e *Emulator) changeEnvelope(field string, v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	env := hookEnvelope{
		Object: "whatsapp_business_account",
		Entry: []hookEntry{{
			ID:      e.opts.BusinessAccountID,
			Time:    e.now().Unix(),
			Changes: []hookChange{{Value: raw, Field: field}},
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
