package webhooks

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// reservedHeaders are custom-header names Carerix refuses (Confirmed).
var reservedHeaders = []string{"Cx-Signature", "Cx-Payload-Schema-Version", "Content-Type"}

// maxURLLen bounds webhook URLs.
const maxURLLen = 2048

// validateWebhookRequest checks req and returns a normalised copy.
func (s *Service) validateWebhookRequest(req WebhookRequest) (WebhookRequest, error) {
	out := WebhookRequest{URL: strings.TrimSpace(req.URL)}
	if err := validateURL(out.URL); err != nil {
		return WebhookRequest{}, err
	}
	switch {
	case len(req.Filters) == 0:
		return WebhookRequest{}, invalidf("at least one filter is required")
	case len(req.Filters) > s.opts.MaxFilters:
		return WebhookRequest{}, invalidf("too many filters: %d, at most %d allowed", len(req.Filters), s.opts.MaxFilters)
	}
	for i, f := range req.Filters {
		et := strings.TrimSpace(f.EventType)
		if err := validateEventType(et); err != nil {
			return WebhookRequest{}, invalidf("filters[%d]: %s", i, err)
		}
		out.Filters = append(out.Filters, Filter{EventType: et})
	}
	seen := map[string]bool{}
	for i, h := range req.CustomHeaders {
		name := strings.TrimSpace(h.Name)
		if err := validateHeader(name, h.Value); err != nil {
			return WebhookRequest{}, invalidf("customHeaders[%d]: %s", i, err)
		}
		key := strings.ToLower(name)
		if seen[key] {
			return WebhookRequest{}, invalidf("customHeaders[%d]: duplicate header %q", i, name)
		}
		seen[key] = true
		out.CustomHeaders = append(out.CustomHeaders, Header{Name: name, Value: h.Value})
	}
	return out, nil
}

// validateURL requires an absolute http or https URL with a host.
func validateURL(raw string) error {
	if raw == "" {
		return invalidf("url is required")
	}
	if len(raw) > maxURLLen {
		return invalidf("url is longer than %d bytes", maxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return invalidf("url %q is not a valid URL", raw)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalidf("url %q must be an absolute http or https URL", raw)
	}
	return nil
}

// validateEventType requires "<entity>:<action>" with non-empty word parts.
func validateEventType(et string) error {
	if et == "" {
		return errors.New("eventType is required")
	}
	entity, action, ok := strings.Cut(et, ":")
	if !ok || !isWord(entity) || !isWord(action) {
		return fmt.Errorf("eventType %q must look like \"cremployee:updated\"", et)
	}
	return nil
}

// isWord reports whether s is non-empty ASCII letters, digits or '_'.
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// validateHeader checks a custom header's name and value.
func validateHeader(name, value string) error {
	if name == "" {
		return errors.New("header name is required")
	}
	for _, r := range name {
		if !isTokenChar(r) {
			return fmt.Errorf("header name %q is not a valid HTTP header name", name)
		}
	}
	for _, reserved := range reservedHeaders {
		if strings.EqualFold(name, reserved) {
			return fmt.Errorf("header name %q is reserved", name)
		}
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return fmt.Errorf("header %q value contains a line break or NUL", name)
	}
	return nil
}

// isTokenChar reports whether r may appear in an HTTP token (RFC 9110).
func isTokenChar(r rune) bool {
	if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
		return true
	}
	return strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}
