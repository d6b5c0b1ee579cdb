package provisioning

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/valyala/fasttemplate"

	recrubo "github.com/recrubo/recrubo-carerix"
	recruboembed "github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/templates"
)

//go:embed templates/*.html
var templateFiles embed.FS

// CodePrefix starts the code of every template we install.
const CodePrefix = "recrubo."

// Template codes.
const (
	CodeInbox     = CodePrefix + "inbox"
	CodeVacancy   = CodePrefix + "vacancy"
	CodeDashboard = CodePrefix + "dashboard"
	CodeVerify    = CodePrefix + "verify"
)

// Carerix levels (targetEntityName) our templates attach to. HomeTarget is
// the overview page; Carerix's own name for it is not documented.
const (
	TargetEmployee = "CREmployee"
	TargetVacancy  = "CRVacancy"
	HomeTarget     = "Home"
)

// DefaultAdminRoles are the Carerix user roles that see the verify
// template unless the tenant names its admin roles.
func DefaultAdminRoles() []string { return recrubo.DefaultAdminRoles() }

// Template is one document template as we want it in Carerix.
type Template struct {
	// Code is our namespaced code, e.g. "recrubo.inbox".
	Code string
	// Name is what Carerix users see.
	Name string
	// Target is the targetEntityName.
	Target string
	// Roles, when set, limit the template to these user roles
	// (userRolesString).
	Roles string
	// Content is the CxScript source, starting with the marker that
	// carries Hash.
	Content string
	// Hash identifies the desired state of every field we set.
	Hash string
}

// templateSpec describes one template before it is filled for a tenant.
type templateSpec struct {
	code, file, target string
	names              map[string]string // language → name
	admin              bool
	kind               recrubo.EmbedKind // the page it frames
	record             string            // the CxScript relation of its record, if any
}

var specs = []templateSpec{
	{code: CodeInbox, file: "inbox.html", target: TargetEmployee, kind: recrubo.EmbedCandidate, record: "toEmployee",
		names: map[string]string{recrubo.LangDutch: "Recrubo WhatsApp-inbox", recrubo.LangEnglish: "Recrubo WhatsApp inbox"}},
	{code: CodeVacancy, file: "vacancy.html", target: TargetVacancy, kind: recrubo.EmbedVacancy, record: "toVacancy",
		names: map[string]string{recrubo.LangDutch: "Recrubo vacaturedashboard", recrubo.LangEnglish: "Recrubo vacancy dashboard"}},
	{code: CodeDashboard, file: "dashboard.html", target: HomeTarget, kind: recrubo.EmbedDashboard,
		names: map[string]string{recrubo.LangDutch: "Recrubo dashboard", recrubo.LangEnglish: "Recrubo dashboard"}},
	{code: CodeVerify, file: "verify.html", target: HomeTarget, admin: true, kind: recrubo.EmbedDashboard,
		names: map[string]string{recrubo.LangDutch: "Recrubo integratie controleren", recrubo.LangEnglish: "Recrubo verify integration"}},
}

// Codes lists the codes of every template we install.
func Codes() []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.code
	}
	return out
}

// markerPattern finds the marker line our templates start with.
var markerPattern = regexp.MustCompile(`<!-- recrubo:template ([a-z.]+) ([0-9a-f]{64}) -->`)

// TemplateHash returns the hash in a template's marker, or "" if its
// content carries none.
func TemplateHash(content string) string {
	if m := markerPattern.FindStringSubmatch(content); m != nil {
		return m[2]
	}
	return ""
}

// Templates fills the template sources for tenant t, served from
// publicURL, for proof mode (see proofURL). adminRoles limit the verify
// template (the tenant's admin roles, else DefaultAdminRoles, when
// empty).
func Templates(t *recrubo.Tenant, publicURL string, adminRoles []string, mode recrubo.EmbedProofMode) ([]Template, error) {
	base, err := url.Parse(publicURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" || base.RawQuery != "" {
		return nil, recrubo.Errorf(recrubo.EINVALID, "The public URL %q is not an absolute http(s) URL.", publicURL)
	}
	if len(adminRoles) == 0 {
		adminRoles = t.Embed.AdminRoles
	}
	if len(adminRoles) == 0 {
		adminRoles = DefaultAdminRoles()
	}
	pageKey, err := recruboembed.PageKey(t)
	if err != nil {
		return nil, err
	}
	lang := t.Language
	if lang != recrubo.LangEnglish {
		lang = recrubo.LangDutch
	}
	frameBase, err := cxValue("public URL", strings.TrimSuffix(base.String(), "/"), templates.EscapeURL)
	if err != nil {
		return nil, err
	}
	out := make([]Template, 0, len(specs))
	for _, s := range specs {
		src, err := templateFiles.ReadFile("templates/" + s.file)
		if err != nil {
			return nil, fmt.Errorf("reading template %s: %w", s.file, err)
		}
		langValue, err := cxValue("language", lang, templates.EscapeAttr)
		if err != nil {
			return nil, err
		}
		title, err := cxValue("template name", s.names[lang], templates.EscapeAttr)
		if err != nil {
			return nil, err
		}
		// Every value lands in a quoted XML attribute of a CxScript
		// element and is escaped for it by the escapers the page
		// templates use; see cxValue.
		body := fasttemplate.ExecuteString(string(src), "{{", "}}", map[string]any{
			"publicURL": frameBase,
			"slug":      templates.EscapeURLComponent(t.Slug),
			"lang":      langValue,
			"title":     title,
			"proof":     templates.EscapeAttr(proofQuery(s, mode, pageKey)),
		})
		tpl := Template{Code: s.code, Name: s.names[lang], Target: s.target}
		if s.admin {
			tpl.Roles = strings.Join(adminRoles, ",")
		}
		// The hash covers every field we set, so a change to any of them
		// (or to our code) rewrites the template.
		tpl.Hash = templateHash(tpl.Code, tpl.Name, tpl.Target, tpl.Roles, body)
		tpl.Content = "<!-- recrubo:template " + tpl.Code + " " + tpl.Hash + " -->\n" + body
		out = append(out, tpl)
	}
	return out, nil
}

// proofQuery is the proof part of a frame's URL query, each parameter
// followed by '&', unescaped (Templates escapes it for the attribute):
//
//   - a record page under the URL proof (modes url and mixed): the
//     record's and the user's stableHash (rh, u, uh), which Carerix
//     computes when it renders the template;
//   - a tenant-wide page under the URL proof (mode url): the user's
//     stableHash and the page key (u, uh, dk), which only this page's
//     template writes;
//   - a page that signs its viewer in: the user's id alone (u), a hint
//     the page does not trust.
//
// The ${...} expressions are CxScript, which Carerix expands (the frame's
// src is a cx:let with expand="1") into URL-encoded values.
func proofQuery(s templateSpec, mode recrubo.EmbedProofMode, pageKey string) string {
	const user = "u=${activity.owner.userID.urlEncoded}&"
	const userHash = "uh=${activity.owner.stableHash.urlEncoded}&"
	if recruboembed.NeedsSignIn(mode, s.kind) {
		return user
	}
	if s.record != "" {
		return "rh=${activity." + s.record + ".stableHash.urlEncoded}&" + user + userHash
	}
	return user + userHash + "dk=" + templates.EscapeURLComponent(pageKey) + "&"
}

// cxValue escapes value, named what in errors, with escape for a quoted
// attribute of a CxScript element. CxScript reads '$' in attribute values
// as the start of an expression ("$src", "${...}" where expand="1") and
// documents no way to escape it, and XML 1.0 cannot carry most control
// characters; a value with either is refused rather than passed on.
func cxValue(what, value string, escape func(string) string) (string, error) {
	if i := strings.IndexFunc(value, func(r rune) bool { return r == '$' || r < 0x20 || r == 0x7F }); i >= 0 {
		return "", recrubo.Errorf(recrubo.EINVALID, "The %s %q cannot go into a Carerix template: it holds %q, which CxScript or XML would read differently.", what, value, value[i:i+1])
	}
	return escape(value), nil
}

// templateHash identifies a template: its code, the fields we set and its
// body as normalizeBody leaves it, so a Carerix that stores the body with
// other line endings or without trailing blanks keeps the same hash.
func templateHash(code, name, target, roles, body string) string {
	return contentHash(code, strings.Join([]string{name, target, roles, normalizeBody(body)}, "\x00"))
}

// contentHash is the hex SHA-256 of code and body.
func contentHash(code, body string) string {
	sum := sha256.Sum256([]byte(code + "\x00" + body))
	return hex.EncodeToString(sum[:])
}

// normalizeBody gives every line LF endings and no trailing spaces or
// tabs, drops trailing blank lines and ends a non-empty body with one
// newline. Our own template files are already in this form, so it leaves
// them (and their hashes) unchanged.
func normalizeBody(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.TrimRight(strings.Join(lines, "\n"), "\n")
	if s == "" {
		return ""
	}
	return s + "\n"
}

// storedHash recomputes the hash of a template as Carerix stores it: the
// body after our marker line, normalized, with the fields of want (which
// templateDiff compares on their own). It returns "" when content does
// not start with our marker.
func storedHash(content string, want Template) string {
	content = strings.TrimLeft(normalizeBody(content), "\n")
	first, body, _ := strings.Cut(content, "\n")
	m := markerPattern.FindStringSubmatch(strings.TrimSpace(first))
	if m == nil || m[0] != strings.TrimSpace(first) || m[1] != want.Code {
		return ""
	}
	return templateHash(want.Code, want.Name, want.Target, want.Roles, body)
}
