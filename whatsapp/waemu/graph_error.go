package waemu

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
)

// Fault is a Graph API error the send endpoint returns instead of
// processing the next request (see FailNextSend).
type Fault struct {
	// HTTPStatus is the response status, e.g. 429 or 500.
	HTTPStatus int `json:"http_status"`
	// Code is the Graph error code, e.g. 130429.
	Code int `json:"code"`
	// Subcode is error_subcode; omitted when zero.
	Subcode int `json:"error_subcode,omitempty"`
	// Type is the exception type; "OAuthException" when empty.
	Type string `json:"type,omitempty"`
	// Message is the error message; generated from Code when empty.
	Message string `json:"message,omitempty"`
	// Details is error_data.details; omitted when empty.
	Details string `json:"details,omitempty"`
}

// FailNextSend queues f: the next request to the messages endpoint that
// passes authentication gets f instead of being processed. Faults queue up
// in order.
func (e *Emulator) FailNextSend(f Fault) error {
	if f.HTTPStatus < 400 || f.HTTPStatus > 599 {
		return fmt.Errorf("waemu: fault HTTP status %d is not an error status", f.HTTPStatus)
	}
	if f.Code == 0 {
		return fmt.Errorf("waemu: fault needs an error code")
	}
	e.mu.Lock()
	e.faults = append(e.faults, f)
	e.mu.Unlock()
	return nil
}

// DropNextResponse makes the next send request that passes
// authentication succeed (the message is accepted and its status webhooks
// follow) while its HTTP answer is lost: the connection is closed without
// a response, as when a network fails after Meta accepted a message.
func (e *Emulator) DropNextResponse() {
	e.mu.Lock()
	e.drops++
	e.mu.Unlock()
}

func (e *Emulator) popDrop() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.drops == 0 {
		return false
	}
	e.drops--
	return true
}

func (e *Emulator) popFault() (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.faults) == 0 {
		return Fault{}, false
	}
	f := e.faults[0]
	e.faults = e.faults[1:]
	return f, true
}

// writeGraphError writes the Graph API error envelope.
func writeGraphError(w http.ResponseWriter, f Fault) {
	if f.Type == "" {
		f.Type = "OAuthException"
	}
	if f.Message == "" {
		f.Message = fmt.Sprintf("(#%d) %s", f.Code, codeTitle(f.Code))
	}
	body := map[string]any{
		"message":    f.Message,
		"type":       f.Type,
		"code":       f.Code,
		"fbtrace_id": randomTraceID(),
	}
	if f.Subcode != 0 {
		body["error_subcode"] = f.Subcode
	}
	if f.Details != "" {
		body["error_data"] = map[string]string{"messaging_product": "whatsapp", "details": f.Details}
	}
	writeJSON(w, f.HTTPStatus, map[string]any{"error": body})
}

// codeTitle returns Meta's title for the codes the emulator produces.
func codeTitle(code int) string {
	switch code {
	case codeInvalidParameter:
		return "Invalid parameter"
	case codeAccessToken:
		return "Invalid OAuth access token - Cannot parse access token"
	case codeRateLimitHit:
		return "Rate limit hit"
	case codeRequiredParameterMissing:
		return "Required parameter is missing"
	case codeMessageUndeliverable:
		return "Message undeliverable"
	case codeReengagement:
		return "Re-engagement message"
	case codeUnsupportedType:
		return "Message type unknown"
	case codeMediaUpload:
		return "Media upload error"
	case codePairRateLimit:
		return "(Business Account, Consumer Account) pair rate limit hit"
	case codeTemplateParamCount:
		return "Number of parameters does not match the expected number of params"
	case codeTemplateNotFound:
		return "Template name does not exist in the translation"
	case codeTemplatePaused:
		return "Template is paused"
	case codeTemplateDisabled:
		return "Template is disabled"
	}
	return "Error"
}

// Error codes the emulator produces.
const (
	codeInvalidParameter         = 100
	codeAccessToken              = 190
	codeRateLimitHit             = 130429
	codeRequiredParameterMissing = 131008
	codeMessageUndeliverable     = 131026
	codeReengagement             = 131047
	codeUnsupportedType          = 131051
	codeMediaUpload              = 131053
	codePairRateLimit            = 131056
	codeTemplateParamCount       = 132000
	codeTemplateNotFound         = 132001
	codeTemplatePaused           = 132015
	codeTemplateDisabled         = 132016
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// randomBytes returns n random bytes from crypto/rand, which does not fail
// on supported platforms.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// newWAMID returns an id shaped like Meta's: "wamid." and base64 text.
func newWAMID() string { return "wamid." + base64.StdEncoding.EncodeToString(randomBytes(30)) }

func randomTraceID() string { return base64.RawURLEncoding.EncodeToString(randomBytes(17)) }

func newConversationID() string { return hex.EncodeToString(randomBytes(16)) }
