package waemu

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	maxRequestBytes      = 1 << 20
	maxTextRunes         = 4096
	maxCallbackDataRunes = 512
)

var versionRE = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,3}$`)

// sendBody is the messages request body as the emulator reads it.
type sendBody struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Text             *struct {
		Body       string `json:"body"`
		PreviewURL bool   `json:"preview_url"`
	} `json:"text"`
	Template *struct {
		Name     string `json:"name"`
		Language *struct {
			Code   string `json:"code"`
			Policy string `json:"policy"`
		} `json:"language"`
		Components []struct {
			Type       string `json:"type"`
			Parameters []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"parameters"`
		} `json:"components"`
	} `json:"template"`
	BizOpaqueCallbackData string     `json:"biz_opaque_callback_data"`
	Status                string     `json:"status"`
	MessageID             string     `json:"message_id"`
	Image                 *sendMedia `json:"image"`
	Video                 *sendMedia `json:"video"`
	Audio                 *sendMedia `json:"audio"`
	Document              *sendMedia `json:"document"`
}

// sendMedia is the media object of a media message: an uploaded file's id
// (links are not supported by the emulator).
type sendMedia struct {
	ID       string `json:"id"`
	Link     string `json:"link"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

func badParam(details string) Fault {
	return Fault{HTTPStatus: http.StatusBadRequest, Code: codeInvalidParameter, Details: details}
}

func missingParam(details string) Fault {
	return Fault{HTTPStatus: http.StatusBadRequest, Code: codeRequiredParameterMissing, Details: details}
}

// handleMessages serves POST /{version}/{phone-number-id}/messages.
func (e *Emulator) handleMessages(w http.ResponseWriter, r *http.Request) {
	phoneID, ok := e.phoneCall(w, r)
	if !ok {
		return
	}
	if f, ok := e.popFault(); ok {
		writeGraphError(w, f)
		return
	}
	var req sendBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err := dec.Decode(&req); err != nil {
		writeGraphError(w, badParam("Request body is not valid JSON: "+err.Error()))
		return
	}
	switch req.MessagingProduct {
	case "whatsapp":
	case "":
		writeGraphError(w, Fault{HTTPStatus: http.StatusBadRequest, Code: codeInvalidParameter, Message: "(#100) The parameter messaging_product is required."})
		return
	default:
		writeGraphError(w, badParam(fmt.Sprintf("Param messaging_product must be one of {WHATSAPP} - got %q.", req.MessagingProduct)))
		return
	}
	if req.Status != "" {
		e.markRead(w, phoneID, req)
		return
	}
	if e.popDrop() {
		// Process the send, then lose the answer: the caller cannot tell
		// whether the message was accepted.
		e.send(httptest.NewRecorder(), phoneID, req)
		dropConnection(w)
		return
	}
	e.send(w, phoneID, req)
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// knownVersion reports whether version is a Graph API version ("v21.0");
// if not, it answers as the Graph API does.
func knownVersion(w http.ResponseWriter, version string) bool {
	if !versionRE.MatchString(version) {
		writeGraphError(w, Fault{HTTPStatus: http.StatusBadRequest, Code: 2500, Message: "Unknown path components: /" + version})
		return false
	}
	return true
}

// phoneCall checks the version and the access token of a call on a phone
// number's edge (/{version}/{phone-number-id}/...) and returns the phone
// number id; if the call is refused, it has answered it.
func (e *Emulator) phoneCall(w http.ResponseWriter, r *http.Request) (string, bool) {
	phoneID := r.PathValue("phoneID")
	if !knownVersion(w, r.PathValue("version")) {
		return "", false
	}
	if f, ok := e.authorize(r, phoneID); !ok {
		writeGraphError(w, f)
		return "", false
	}
	return phoneID, true
}

// authorize checks the bearer token for phoneID. A token that belongs to
// another configured number gets the "object does not exist" error Graph
// gives for ids the token cannot see.
func (e *Emulator) authorize(r *http.Request, phoneID string) (Fault, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok && token != "" {
		if want, known := e.opts.AccessTokens[phoneID]; known && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1 {
			return Fault{}, true
		}
		for _, other := range e.opts.AccessTokens {
			if subtle.ConstantTimeCompare([]byte(token), []byte(other)) == 1 {
				return Fault{
					HTTPStatus: http.StatusBadRequest, Code: codeInvalidParameter, Subcode: 33, Type: "GraphMethodException",
					Message: fmt.Sprintf("Unsupported post request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", phoneID),
				}, false
			}
		}
	}
	return Fault{HTTPStatus: http.StatusUnauthorized, Code: codeAccessToken, Message: codeTitle(codeAccessToken)}, false
}

// send validates a text or template request, records it and schedules its
// status webhooks.
func (e *Emulator) send(w http.ResponseWriter, phoneID string, req sendBody) {
	to, ok := normalizeNumber(req.To)
	if req.To == "" {
		writeGraphError(w, missingParam("The parameter to is required."))
		return
	}
	if !ok {
		writeGraphError(w, badParam(fmt.Sprintf("Invalid WhatsApp phone number in parameter to: %q", req.To)))
		return
	}
	if req.RecipientType != "" && req.RecipientType != "individual" {
		writeGraphError(w, badParam("Param recipient_type must be individual."))
		return
	}
	if utf8.RuneCountInString(req.BizOpaqueCallbackData) > maxCallbackDataRunes {
		writeGraphError(w, badParam("Param biz_opaque_callback_data must be at most 512 characters long."))
		return
	}
	now := e.now()
	msg := SentMessage{
		ID: newWAMID(), PhoneNumberID: phoneID, To: to, Type: req.Type,
		BizOpaqueCallbackData: req.BizOpaqueCallbackData, AcceptedAt: now,
	}
	if msg.Type == "" {
		msg.Type = "text"
	}
	var category string
	switch msg.Type {
	case "text":
		if req.Text == nil || req.Text.Body == "" {
			writeGraphError(w, missingParam("The parameter text['body'] is required."))
			return
		}
		if utf8.RuneCountInString(req.Text.Body) > maxTextRunes {
			writeGraphError(w, badParam("Param text['body'] must be at most 4096 characters long."))
			return
		}
		msg.Body, msg.PreviewURL, category = req.Text.Body, req.Text.PreviewURL, "service"
	case "template":
		t, f, ok := e.resolveTemplate(req, &msg)
		if !ok {
			writeGraphError(w, f)
			return
		}
		category = strings.ToLower(t.Category)
	case "image", "video", "audio", "document":
		m := map[string]*sendMedia{"image": req.Image, "video": req.Video, "audio": req.Audio, "document": req.Document}[msg.Type]
		if m == nil || (m.ID == "" && m.Link == "") {
			writeGraphError(w, missingParam(fmt.Sprintf("The parameter %s['id'] is required.", msg.Type)))
			return
		}
		if m.ID == "" {
			writeGraphError(w, badParam("Media links are not supported by the emulator; upload the file and send its id."))
			return
		}
		e.mu.Lock()
		f, ok := e.media[m.ID]
		e.mu.Unlock()
		if !ok || f.phoneID != phoneID {
			writeGraphError(w, Fault{HTTPStatus: http.StatusBadRequest, Code: codeMediaUpload,
				Details: fmt.Sprintf("Media id %s does not exist for this phone number.", m.ID)})
			return
		}
		msg.MediaID, msg.Body, msg.Filename, category = m.ID, m.Caption, m.Filename, "service"
	default:
		writeGraphError(w, badParam(fmt.Sprintf("Param type %q is not supported by the emulator; use text, template, image, video, audio or document.", msg.Type)))
		return
	}
	if err := e.accept(&msg, category, now); err != nil {
		if errors.Is(err, errQueueFull) {
			writeGraphError(w, Fault{HTTPStatus: http.StatusTooManyRequests, Code: codeRateLimitHit})
			return
		}
		writeGraphError(w, Fault{HTTPStatus: http.StatusServiceUnavailable, Code: 2, Type: "OAuthException", Message: "(#2) Service temporarily unavailable"})
		return
	}
	resp := map[string]any{
		"messaging_product": "whatsapp",
		"contacts":          []map[string]string{{"input": req.To, "wa_id": to}},
	}
	if msg.Type == "template" {
		resp["messages"] = []map[string]string{{"id": msg.ID, "message_status": "accepted"}}
	} else {
		resp["messages"] = []map[string]string{{"id": msg.ID}}
	}
	writeJSON(w, http.StatusOK, resp)
}

// resolveTemplate checks the template against the registry and fills msg.
func (e *Emulator) resolveTemplate(req sendBody, msg *SentMessage) (Template, Fault, bool) {
	tr := req.Template
	if tr == nil || tr.Name == "" {
		return Template{}, missingParam("The parameter template['name'] is required."), false
	}
	if tr.Language == nil || tr.Language.Code == "" {
		return Template{}, missingParam("The parameter template['language']['code'] is required."), false
	}
	t, found := e.template(tr.Name, tr.Language.Code)
	notFound := Fault{HTTPStatus: http.StatusNotFound, Code: codeTemplateNotFound,
		Details: fmt.Sprintf("template name (%s) does not exist in %s", tr.Name, tr.Language.Code)}
	if !found {
		return Template{}, notFound, false
	}
	switch t.Status {
	case TemplateApproved:
	case TemplatePaused:
		return Template{}, Fault{HTTPStatus: http.StatusBadRequest, Code: codeTemplatePaused, Details: "Template is paused due to low quality."}, false
	case TemplateDisabled:
		return Template{}, Fault{HTTPStatus: http.StatusBadRequest, Code: codeTemplateDisabled, Details: "Template is disabled due to low quality."}, false
	default:
		return Template{}, notFound, false
	}
	var header, body []string
	for _, c := range tr.Components {
		var params []string
		for _, p := range c.Parameters {
			if p.Type != "text" {
				return Template{}, badParam(fmt.Sprintf("Parameter type %q is not supported by the emulator; use text.", p.Type)), false
			}
			params = append(params, p.Text)
		}
		switch strings.ToLower(c.Type) {
		case "header":
			header = params
		case "body":
			body = params
		default:
			return Template{}, badParam(fmt.Sprintf("Component type %q is not supported by the emulator.", c.Type)), false
		}
	}
	for _, part := range []struct {
		name   string
		text   string
		params []string
	}{{"header", t.Header, header}, {"body", t.Body, body}} {
		if want := placeholderCount(part.text); want != len(part.params) {
			return Template{}, Fault{HTTPStatus: http.StatusBadRequest, Code: codeTemplateParamCount,
				Details: fmt.Sprintf("%s: number of localizable_params (%d) does not match the expected number of params (%d)", part.name, len(part.params), want)}, false
		}
	}
	msg.TemplateName, msg.TemplateLanguage = t.Name, t.Language
	msg.TemplateParams = append(append([]string{}, header...), body...)
	msg.Body = render(t.Body, body)
	if t.Header != "" {
		msg.Body = render(t.Header, header) + "\n" + msg.Body
	}
	return t, Fault{}, true
}

// markRead handles {"status":"read","message_id":...} for an inbound message.
func (e *Emulator) markRead(w http.ResponseWriter, phoneID string, req sendBody) {
	if req.Status != "read" {
		writeGraphError(w, badParam(fmt.Sprintf("Param status must be read - got %q.", req.Status)))
		return
	}
	if req.MessageID == "" {
		writeGraphError(w, missingParam("The parameter message_id is required."))
		return
	}
	e.mu.Lock()
	found := false
	for i := range e.inbound {
		if e.inbound[i].ID == req.MessageID && e.inbound[i].PhoneNumberID == phoneID {
			if e.inbound[i].ReadAt.IsZero() {
				e.inbound[i].ReadAt = e.now()
			}
			found = true
			break
		}
	}
	e.mu.Unlock()
	if !found {
		writeGraphError(w, badParam(fmt.Sprintf("Invalid message_id %q.", req.MessageID)))
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// accept records msg and schedules its status webhooks.
func (e *Emulator) accept(msg *SentMessage, category string, now time.Time) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	last, seen := e.windows[windowKey{msg.PhoneNumberID, msg.To}]
	inWindow := seen && now.Sub(last) < e.opts.Window
	var statuses []hookStatus
	switch {
	case e.invalidNumber(msg.To):
		statuses = []hookStatus{e.failedStatus(msg, now, codeMessageUndeliverable,
			"Unable to deliver message. The recipient phone number is not a WhatsApp phone number.")}
	case msg.Type != "template" && !inWindow:
		statuses = []hookStatus{e.failedStatus(msg, now, codeReengagement,
			"Message failed to send because more than 24 hours have passed since the customer last replied to this number.")}
	default:
		statuses = e.deliveredStatuses(msg, category, inWindow, now)
	}
	if e.opts.StatusOrder == Reversed {
		for i, j := 0, len(statuses)-1; i < j; i, j = i+1, j-1 {
			statuses[i], statuses[j] = statuses[j], statuses[i]
		}
	}
	var steps []step
	for i, st := range statuses {
		body, err := e.envelope(msg.PhoneNumberID, hookValue{Statuses: []hookStatus{st}})
		if err != nil {
			return fmt.Errorf("encoding status webhook: %w", err)
		}
		delay := e.opts.StatusDelay
		if i == 0 {
			delay = 0
		}
		copies := 1
		if e.opts.DuplicateStatuses {
			copies = 2
		}
		for c := range copies {
			s := step{kind: "status", messageID: msg.ID, status: st.Status, body: body}
			if c == 0 {
				s.delay = delay
			}
			steps = append(steps, s)
			msg.Statuses = append(msg.Statuses, st.Status)
		}
		if len(st.Errors) > 0 {
			msg.ErrorCode = st.Errors[0].Code
		}
	}
	if err := e.enqueueLocked(steps); err != nil {
		return err
	}
	e.sent = append(e.sent, *msg)
	return nil
}

func (e *Emulator) invalidNumber(to string) bool {
	for _, p := range e.opts.InvalidNumberPrefixes {
		if p != "" && strings.HasPrefix(to, p) {
			return true
		}
	}
	return false
}

func (e *Emulator) failedStatus(msg *SentMessage, now time.Time, code int, details string) hookStatus {
	return hookStatus{
		ID: msg.ID, Status: "failed", Timestamp: unixString(now), RecipientID: msg.To,
		BizOpaqueCallbackData: msg.BizOpaqueCallbackData,
		Errors:                []hookError{newHookError(code, details)},
	}
}

// deliveredStatuses builds sent, delivered and read (unless SkipRead) with
// conversation and pricing objects. Must be called with e.mu held.
func (e *Emulator) deliveredStatuses(msg *SentMessage, category string, inWindow bool, now time.Time) []hookStatus {
	conv := e.conversationLocked(msg.PhoneNumberID, msg.To, category, now)
	billable, pricingType := true, "regular"
	if category == "service" || (category == "utility" && inWindow) {
		billable, pricingType = false, "free_customer_service"
	}
	names := []string{"sent", "delivered", "read"}
	if e.opts.SkipRead {
		names = names[:2]
	}
	out := make([]hookStatus, len(names))
	for i, name := range names {
		hc := &hookConversation{ID: conv.id}
		hc.Origin.Type = category
		if name == "sent" {
			hc.ExpirationTimestamp = unixString(conv.expires)
		}
		out[i] = hookStatus{
			ID: msg.ID, Status: name, Timestamp: unixString(now.Add(time.Duration(i) * time.Second)),
			RecipientID: msg.To, BizOpaqueCallbackData: msg.BizOpaqueCallbackData,
			Conversation: hc,
			Pricing:      &hookPricing{Billable: billable, PricingModel: "PMP", Category: category, Type: pricingType},
		}
	}
	return out
}

type windowKey struct{ phoneID, waID string }

type convKey struct{ phoneID, waID, category string }

type conversation struct {
	id      string
	expires time.Time
}

// conversationLocked returns the open conversation for the key, starting a
// new 24-hour one when none is open. Must be called with e.mu held.
func (e *Emulator) conversationLocked(phoneID, waID, category string, now time.Time) conversation {
	k := convKey{phoneID, waID, category}
	if c, ok := e.convs[k]; ok && now.Before(c.expires) {
		return c
	}
	c := conversation{id: newConversationID(), expires: now.Add(24 * time.Hour)}
	e.convs[k] = c
	return c
}

// normalizeNumber drops a leading "+", spaces and dashes and requires 7 to
// 15 digits not starting with 0.
func normalizeNumber(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "+")
	s = strings.NewReplacer(" ", "", "-", "").Replace(s)
	if !isDigits(s, 7, 15) || s[0] == '0' {
		return "", false
	}
	return s, true
}

func isDigits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
