package waemu

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Template statuses, as in Meta's template management API.
const (
	TemplateApproved = "APPROVED"
	TemplatePending  = "PENDING"
	TemplateRejected = "REJECTED"
	TemplatePaused   = "PAUSED"
	TemplateDisabled = "DISABLED"
)

// Template categories, as in Meta's template management API.
const (
	CategoryMarketing      = "MARKETING"
	CategoryUtility        = "UTILITY"
	CategoryAuthentication = "AUTHENTICATION"
)

// Template is a message template in the emulator's registry.
type Template struct {
	// Name is the template name, unique per language.
	Name string `json:"name"`
	// Language is the language/locale code, e.g. "nl" or "en_US".
	Language string `json:"language"`
	// Category is MARKETING, UTILITY or AUTHENTICATION.
	Category string `json:"category"`
	// Status is APPROVED, PENDING, REJECTED, PAUSED or DISABLED.
	Status string `json:"status"`
	// Header is an optional text header with {{n}} placeholders.
	Header string `json:"header,omitempty"`
	// HeaderFormat is IMAGE, VIDEO or DOCUMENT for a media header (Header
	// is then empty); TEXT or empty for a text header.
	HeaderFormat string `json:"header_format,omitempty"`
	// Body is the body text with {{n}} placeholders.
	Body string `json:"body"`
	// Footer is an optional footer text.
	Footer string `json:"footer,omitempty"`
	// Buttons are quick-reply buttons by their text.
	Buttons []string `json:"buttons,omitempty"`
	// URLButton is an optional "visit website" button: its text and URL.
	URLButton *TemplateURLButton `json:"url_button,omitempty"`
	// Examples are the example values of the header's then the body's
	// placeholders, as given for review; made up when empty.
	Examples []string `json:"examples,omitempty"`
	// ID is Meta's template id; assigned when registered.
	ID string `json:"id,omitempty"`
	// Reason says why a template was rejected or paused.
	Reason string `json:"reason,omitempty"`
}

// TemplateURLButton is a template's URL button.
type TemplateURLButton struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

type templateKey struct{ name, language string }

var (
	placeholderRE  = regexp.MustCompile(`\{\{([0-9]{1,2})\}\}`)
	templateNameRE = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
)

// RegisterTemplate adds or replaces a template. Name must be lowercase
// letters, digits and underscores, as Meta requires.
func (e *Emulator) RegisterTemplate(t Template) error {
	t.Category = strings.ToUpper(t.Category)
	t.Status = strings.ToUpper(t.Status)
	if !templateNameRE.MatchString(t.Name) {
		return fmt.Errorf("waemu: template name %q must be lowercase letters, digits and underscores", t.Name)
	}
	t.HeaderFormat = strings.ToUpper(t.HeaderFormat)
	switch t.HeaderFormat {
	case "", "TEXT":
	case "IMAGE", "VIDEO", "DOCUMENT":
		if t.Header != "" {
			return fmt.Errorf("waemu: template %q has a %s header, which has no text", t.Name, t.HeaderFormat)
		}
	default:
		return fmt.Errorf("waemu: template %q has unknown header format %q", t.Name, t.HeaderFormat)
	}
	if t.Language == "" || t.Body == "" {
		return fmt.Errorf("waemu: template %q needs a language and a body", t.Name)
	}
	switch t.Category {
	case CategoryMarketing, CategoryUtility, CategoryAuthentication:
	default:
		return fmt.Errorf("waemu: template %q has unknown category %q", t.Name, t.Category)
	}
	switch t.Status {
	case TemplateApproved, TemplatePending, TemplateRejected, TemplatePaused, TemplateDisabled:
	default:
		return fmt.Errorf("waemu: template %q has unknown status %q", t.Name, t.Status)
	}
	e.mu.Lock()
	k := templateKey{t.Name, t.Language}
	if old, ok := e.templates[k]; ok && t.ID == "" {
		t.ID = old.ID
	}
	if t.ID == "" {
		e.templateSeq++
		t.ID = strconv.FormatInt(900_000_000_000_000+e.templateSeq, 10)
	}
	e.templates[k] = t
	e.mu.Unlock()
	return nil
}

// Templates returns the registry sorted by name and language.
func (e *Emulator) Templates() []Template {
	e.mu.Lock()
	out := make([]Template, 0, len(e.templates))
	for _, t := range e.templates {
		out = append(out, t)
	}
	e.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Language < out[j].Language
	})
	return out
}

func (e *Emulator) template(name, language string) (Template, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.templates[templateKey{name, language}]
	return t, ok
}

// placeholderCount is the number of distinct {{n}} placeholders in s.
func placeholderCount(s string) int {
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		seen[m[1]] = true
	}
	return len(seen)
}

// render replaces {{n}} with params[n-1]; placeholders without a parameter
// are left as they are.
func render(s string, params []string) string {
	return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.Atoi(m[2 : len(m)-2])
		if err != nil || n < 1 || n > len(params) {
			return m
		}
		return params[n-1]
	})
}
