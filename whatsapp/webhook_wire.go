package whatsapp

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// Wire types for the webhook payload. Unknown fields are ignored by
// encoding/json, which keeps the parser tolerant of Meta adding fields.

type wireWebhook struct {
	Object string      `json:"object"`
	Entry  []wireEntry `json:"entry"`
}

type wireEntry struct {
	ID      string       `json:"id"`
	Time    unixTime     `json:"time"`
	Changes []wireChange `json:"changes"`
}

type wireChange struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type wireValue struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []wireContact `json:"contacts"`
	Messages []wireMessage `json:"messages"`
	Statuses []wireStatus  `json:"statuses"`
	Errors   []wireError   `json:"errors"`
}

type wireContact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID string `json:"wa_id"`
}

type wireMessage struct {
	From      string   `json:"from"`
	ID        string   `json:"id"`
	Timestamp unixTime `json:"timestamp"`
	Type      string   `json:"type"`
	Text      *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *wireMedia `json:"image"`
	Document *wireMedia `json:"document"`
	Audio    *wireMedia `json:"audio"`
	Video    *wireMedia `json:"video"`
	Sticker  *wireMedia `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
		URL       string  `json:"url"`
	} `json:"location"`
	Contacts []wireSharedContact `json:"contacts"`
	Button   *struct {
		Text    string `json:"text"`
		Payload string `json:"payload"`
	} `json:"button"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Context *struct {
		From string `json:"from"`
		ID   string `json:"id"`
	} `json:"context"`
	Errors []wireError `json:"errors"`
}

type wireMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
	Animated bool   `json:"animated"`
}

// wireSharedContact is one card of a contacts message.
type wireSharedContact struct {
	Name struct {
		FormattedName string `json:"formatted_name"`
		FirstName     string `json:"first_name"`
		LastName      string `json:"last_name"`
	} `json:"name"`
	Org struct {
		Company    string `json:"company"`
		Department string `json:"department"`
		Title      string `json:"title"`
	} `json:"org"`
	Phones []struct {
		Phone string `json:"phone"`
		WaID  string `json:"wa_id"`
		Type  string `json:"type"`
	} `json:"phones"`
	Emails []struct {
		Email string `json:"email"`
	} `json:"emails"`
	URLs []struct {
		URL string `json:"url"`
	} `json:"urls"`
}

// wireTemplateUpdate is the value of a message_template_status_update change.
type wireTemplateUpdate struct {
	Event    string     `json:"event"`
	ID       flexString `json:"message_template_id"`
	Name     string     `json:"message_template_name"`
	Language string     `json:"message_template_language"`
	Reason   string     `json:"reason"`
	Category string     `json:"message_template_category"`
}

// flexString reads an id Meta sends as a JSON number or a string.
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

type wireStatus struct {
	ID                    string   `json:"id"`
	Status                string   `json:"status"`
	Timestamp             unixTime `json:"timestamp"`
	RecipientID           string   `json:"recipient_id"`
	BizOpaqueCallbackData string   `json:"biz_opaque_callback_data"`
	Conversation          *struct {
		ID     string `json:"id"`
		Origin struct {
			Type string `json:"type"`
		} `json:"origin"`
	} `json:"conversation"`
	Pricing *struct {
		Billable     bool   `json:"billable"`
		PricingModel string `json:"pricing_model"`
		Category     string `json:"category"`
	} `json:"pricing"`
	Errors []wireError `json:"errors"`
}

type wireError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

// unixTime is a Unix time in seconds, sent by Meta as a decimal string. A
// JSON number is accepted too.
type unixTime int64

// Bounds for plausible timestamps: 2001-09-09 to 5138-11-16.
const (
	minUnixTime = 1_000_000_000
	maxUnixTime = 99_999_999_999
)

var errBadTimestamp = errors.New("timestamp must be Unix seconds")

// UnmarshalJSON implements json.Unmarshaler.
func (t *unixTime) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if s == "null" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < minUnixTime || n > maxUnixTime {
		return errBadTimestamp
	}
	*t = unixTime(n)
	return nil
}

// Time converts to time.Time in UTC.
func (t unixTime) Time() time.Time { return time.Unix(int64(t), 0).UTC() }

func (e wireError) toStatusError() StatusError {
	return StatusError{Code: e.Code, Title: e.Title, Message: e.Message, Details: e.ErrorData.Details}
}

func convertErrors(in []wireError) []StatusError {
	if len(in) == 0 {
		return nil
	}
	out := make([]StatusError, len(in))
	for i, e := range in {
		out[i] = e.toStatusError()
	}
	return out
}
