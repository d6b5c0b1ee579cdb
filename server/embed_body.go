package server

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// The request bodies the embedded pages post. Each field's bounds are its
// `validate` rules (runes, not bytes, for text); what a user reads when a
// field breaks them is the catalog key its body names for it. Rules that
// tie fields together (a message or a template) are the handler's. The
// bounds are maxBodyRunes, maxVars and maxVarRunes (the pages' maxlength
// says the same); a test holds the tags to them.

// sendBody is the JSON the composer posts: free text in Body, or a
// template as "name|language" with its variables.
type sendBody struct {
	Body     string   `json:"body" validate:"max=4096"`
	Template string   `json:"template" validate:"max=600"`
	Vars     []string `json:"vars" validate:"max=10,dive,max=1000"`
}

func (sendBody) fieldKeys() map[string]*recrubo.Error {
	return map[string]*recrubo.Error{
		"body":     recrubo.E(recrubo.EINVALID, "embed.error.message_too_long", maxBodyRunes),
		"template": recrubo.E(recrubo.EINVALID, "embed.error.choose_template"),
		"vars":     recrubo.E(recrubo.EINVALID, "embed.error.too_many_vars", maxVars),
		"vars[]":   recrubo.E(recrubo.EINVALID, "embed.error.var_too_long"),
	}
}

// assignBody assigns a conversation to a recruiter ("" for nobody).
type assignBody struct {
	Assignee string `json:"assignee" validate:"max=128"`
}

func (assignBody) fieldKeys() map[string]*recrubo.Error {
	return map[string]*recrubo.Error{"assignee": recrubo.E(recrubo.EINVALID, "embed.error.choose_recruiter")}
}

// stateBody opens or closes a conversation.
type stateBody struct {
	State recrubo.ConversationState `json:"state" validate:"required,oneof=open closed"`
}

func (stateBody) fieldKeys() map[string]*recrubo.Error {
	return map[string]*recrubo.Error{"state": recrubo.E(recrubo.EINVALID, "embed.error.state")}
}

// broadcastBody is what the broadcast form posts; Key makes a second
// post of the same form find the first broadcast.
type broadcastBody struct {
	Template string   `json:"template" validate:"required,max=600"`
	Vars     []string `json:"vars" validate:"max=10,dive,max=1000"`
	Key      string   `json:"key" validate:"required,min=16,max=64"`
}

func (broadcastBody) fieldKeys() map[string]*recrubo.Error {
	return map[string]*recrubo.Error{
		"template": recrubo.E(recrubo.EINVALID, "embed.error.choose_template"),
		"vars":     recrubo.E(recrubo.EINVALID, "embed.error.too_many_vars", maxVars),
		"vars[]":   recrubo.E(recrubo.EINVALID, "embed.error.var_too_long"),
		"key":      recrubo.E(recrubo.EINVALID, "whatsapp.msg.reload"),
	}
}

// body is a request body with its fields' user texts.
type body interface {
	fieldKeys() map[string]*recrubo.Error
}

// decodeJSON reads a JSON body into dst, refusing anything else (another
// content type, unknown fields, trailing data), and checks dst's
// `validate` rules: a field that breaks them answers with the text dst
// names for it, every broken field listed.
func decodeJSON(c *fiber.Ctx, dst body) error {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return recrubo.E(recrubo.EINVALID, "error.bad_request")
	}
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return recrubo.WrapE(recrubo.EINVALID, err, "error.bad_request")
	}
	if dec.More() {
		return recrubo.E(recrubo.EINVALID, "error.bad_request")
	}
	err := recrubo.Validate(dst)
	if err == nil {
		return nil
	}
	fields := recrubo.ErrorFields(err)
	out := *recrubo.E(recrubo.EINVALID, "error.bad_request")
	if len(fields) > 0 {
		if k, ok := dst.fieldKeys()[fieldKey(fields[0].Field)]; ok {
			out = *k
		}
	}
	out.Err, out.Fields = err, fields
	return &out
}

// fieldKey names a field error's field as fieldKeys does: "vars[2]" is
// "vars[]".
func fieldKey(field string) string {
	if i := strings.IndexByte(field, '['); i >= 0 {
		return field[:i] + "[]"
	}
	return field
}
