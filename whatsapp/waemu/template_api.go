package waemu

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The message template management API: GET /{waba-id}/message_templates,
// paged as Graph pages edges, and the message_template_status_update
// webhook announcing a template's new status.

// maxTemplateLimit is the largest page the listing serves.
const maxTemplateLimit = 1000

// templateComponent is a template component as the listing returns it.
type templateComponent struct {
	Type    string            `json:"type"`
	Format  string            `json:"format,omitempty"`
	Text    string            `json:"text,omitempty"`
	Example map[string]any    `json:"example,omitempty"`
	Buttons []templateButtonW `json:"buttons,omitempty"`
}

type templateButtonW struct {
	Type string `json:"type"`
	Text string `json:"text"`
	URL  string `json:"url,omitempty"`
}

type templateEntry struct {
	Name           string              `json:"name"`
	Components     []templateComponent `json:"components"`
	Language       string              `json:"language"`
	Status         string              `json:"status"`
	Category       string              `json:"category"`
	ID             string              `json:"id"`
	RejectedReason string              `json:"rejected_reason,omitempty"`
}

// components returns t as Meta's components, with example values.
func (t Template) components() []templateComponent {
	examples := t.Examples
	example := func(i int) string {
		if i < len(examples) {
			return examples[i]
		}
		return "voorbeeld " + strconv.Itoa(i+1)
	}
	var out []templateComponent
	n := 0
	switch {
	case t.HeaderFormat != "" && t.HeaderFormat != "TEXT":
		out = append(out, templateComponent{Type: "HEADER", Format: t.HeaderFormat,
			Example: map[string]any{"header_handle": []string{"4::aW1hZ2U=:waemu"}}})
	case t.Header != "":
		c := templateComponent{Type: "HEADER", Format: "TEXT", Text: t.Header}
		if k := placeholderCount(t.Header); k > 0 {
			var ex []string
			for range k {
				ex = append(ex, example(n))
				n++
			}
			c.Example = map[string]any{"header_text": ex}
		}
		out = append(out, c)
	}
	body := templateComponent{Type: "BODY", Text: t.Body}
	if k := placeholderCount(t.Body); k > 0 {
		var ex []string
		for range k {
			ex = append(ex, example(n))
			n++
		}
		body.Example = map[string]any{"body_text": [][]string{ex}}
	}
	out = append(out, body)
	if t.Footer != "" {
		out = append(out, templateComponent{Type: "FOOTER", Text: t.Footer})
	}
	var buttons []templateButtonW
	for _, b := range t.Buttons {
		buttons = append(buttons, templateButtonW{Type: "QUICK_REPLY", Text: b})
	}
	if b := t.URLButton; b != nil {
		buttons = append(buttons, templateButtonW{Type: "URL", Text: b.Text, URL: b.URL})
	}
	if len(buttons) > 0 {
		out = append(out, templateComponent{Type: "BUTTONS", Buttons: buttons})
	}
	return out
}

// handleTemplateListing serves GET /{version}/{waba-id}/message_templates
// with limit, after and before cursors; every status is listed.
func (e *Emulator) handleTemplateListing(w http.ResponseWriter, r *http.Request) {
	version, waba := r.PathValue("version"), r.PathValue("waba")
	if !knownVersion(w, version) {
		return
	}
	if _, ok := e.anyToken(r); !ok {
		writeGraphError(w, Fault{HTTPStatus: http.StatusUnauthorized, Code: codeAccessToken, Message: codeTitle(codeAccessToken)})
		return
	}
	if waba != e.opts.BusinessAccountID {
		writeGraphError(w, unknownObject(waba, "get"))
		return
	}
	q := r.URL.Query()
	limit := e.opts.TemplatePageSize
	if limit <= 0 {
		limit = 25
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxTemplateLimit {
			writeGraphError(w, badParam(fmt.Sprintf("Param limit must be a number between 1 and %d.", maxTemplateLimit)))
			return
		}
		limit = n
	}
	all := e.Templates()
	start := 0
	if after := q.Get("after"); after != "" {
		i, err := decodeCursor(after)
		if err != nil || i > len(all) {
			writeGraphError(w, badParam("Invalid cursor."))
			return
		}
		start = i
	}
	if status := strings.ToUpper(q.Get("status")); status != "" {
		var kept []Template
		for _, t := range all {
			if t.Status == status {
				kept = append(kept, t)
			}
		}
		all = kept
		start = min(start, len(all))
	}
	end := min(start+limit, len(all))
	data := make([]templateEntry, 0, end-start)
	for _, t := range all[start:end] {
		entry := templateEntry{Name: t.Name, Components: t.components(), Language: t.Language, Status: t.Status,
			Category: t.Category, ID: t.ID}
		if t.Status == TemplateRejected {
			entry.RejectedReason = t.Reason
			if entry.RejectedReason == "" {
				entry.RejectedReason = "INVALID_FORMAT"
			}
		}
		data = append(data, entry)
	}
	resp := map[string]any{"data": data}
	if len(data) > 0 {
		paging := map[string]any{"cursors": map[string]string{"before": encodeCursor(start), "after": encodeCursor(end)}}
		if end < len(all) {
			next := url.Values{}
			for k, v := range q {
				next[k] = v
			}
			next.Set("limit", strconv.Itoa(limit))
			next.Set("after", encodeCursor(end))
			paging["next"] = "http://" + r.Host + r.URL.Path + "?" + next.Encode()
		}
		resp["paging"] = paging
	}
	writeJSON(w, http.StatusOK, resp)
}

func encodeCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("waemu:" + strconv.Itoa(i)))
}

func decodeCursor(s string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, err
	}
	n, ok := strings.CutPrefix(string(b), "waemu:")
	if !ok {
		return 0, errors.New("not a cursor")
	}
	return strconv.Atoi(n)
}

// TemplateStatusChange changes a registered template's status, as Meta's
// review or quality checks do.
type TemplateStatusChange struct {
	Name     string `json:"name"`
	Language string `json:"language"`
	// Status is APPROVED, PENDING, REJECTED, PAUSED or DISABLED.
	Status string `json:"status"`
	// Reason is sent with the webhook ("NONE" when empty).
	Reason string `json:"reason,omitempty"`
}

// SetTemplateStatus changes a template's status and queues the signed
// message_template_status_update webhook that announces it.
func (e *Emulator) SetTemplateStatus(c TemplateStatusChange) error {
	c.Status = strings.ToUpper(c.Status)
	switch c.Status {
	case TemplateApproved, TemplatePending, TemplateRejected, TemplatePaused, TemplateDisabled:
	default:
		return fmt.Errorf("waemu: unknown template status %q", c.Status)
	}
	reason := c.Reason
	if reason == "" {
		reason = "NONE"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	k := templateKey{c.Name, c.Language}
	t, ok := e.templates[k]
	if !ok {
		return fmt.Errorf("waemu: no template %q in %q", c.Name, c.Language)
	}
	t.Status, t.Reason = c.Status, c.Reason
	e.templates[k] = t
	id, err := strconv.ParseInt(t.ID, 10, 64)
	if err != nil {
		return fmt.Errorf("waemu: template id %q: %w", t.ID, err)
	}
	body, err := e.changeEnvelope("message_template_status_update", map[string]any{
		"event": c.Status, "message_template_id": id, "message_template_name": t.Name,
		"message_template_language": t.Language, "reason": reason, "message_template_category": t.Category,
	})
	if err != nil {
		return fmt.Errorf("waemu: encoding template webhook: %w", err)
	}
	return e.enqueueLocked([]step{{kind: "template", messageID: t.ID, status: c.Status, body: body}})
}

// ValueError is a problem Meta reports about a number or the app, not
// about one message: a "messages" change with only errors.
type ValueError struct {
	// PhoneNumberID may be empty when exactly one number is configured.
	PhoneNumberID string `json:"phone_number_id"`
	Code          int    `json:"code"`
	Title         string `json:"title,omitempty"`
	Details       string `json:"details,omitempty"`
}

// SimulateError queues a signed value-level errors webhook.
func (e *Emulator) SimulateError(v ValueError) error {
	phoneID, err := e.inboundPhoneID(v.PhoneNumberID)
	if err != nil {
		return err
	}
	if v.Code == 0 {
		return errors.New("waemu: a value-level error needs a code")
	}
	he := newHookError(v.Code, v.Details)
	if v.Title != "" {
		he.Title, he.Message = v.Title, v.Title
	}
	body, err := e.envelope(phoneID, hookValue{Errors: []hookError{he}})
	if err != nil {
		return fmt.Errorf("waemu: encoding error webhook: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.enqueueLocked([]step{{kind: "error", status: strconv.Itoa(v.Code), body: body}})
}

// handleTemplateStatus serves POST /_emulator/templates/status.
func (e *Emulator) handleTemplateStatus(w http.ResponseWriter, r *http.Request) {
	var c TemplateStatusChange
	if !decodeAdmin(w, r, &c) {
		return
	}
	if err := e.SetTemplateStatus(c); err != nil {
		writeJSON(w, http.StatusBadRequest, adminError{err.Error()})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleErrorCreate serves POST /_emulator/errors.
func (e *Emulator) handleErrorCreate(w http.ResponseWriter, r *http.Request) {
	var v ValueError
	if !decodeAdmin(w, r, &v) {
		return
	}
	if err := e.SimulateError(v); err != nil {
		writeJSON(w, http.StatusBadRequest, adminError{err.Error()})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
