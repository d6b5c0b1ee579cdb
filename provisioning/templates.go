package provisioning

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"

	"github.com/valyala/fasttemplate"

	recrubo "github.com/recrubo/recrubo-carerix"
	recruboembed "github.com/recrubo/recrubo-carerix/embed"
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
	out := make([]Template, 0, len(specs))
	for _, s := range specs {
		src, err := templateFiles.ReadFile("templates/" + s.file)
		if err != nil {
			return nil, fmt.Errorf("reading template %s: %w", s.file, err)
		}
		// Every value lands in a quoted XML attribute of a CxScript
		// element, so it is escaped for that context.
		body := fasttemplate.ExecuteString(string(src), "{{", "}}", map[string]any{
			"publicURL": html.EscapeString(strings.TrimSuffix(base.String(), "/")),
			"slug":      html.EscapeString(url.PathEscape(t.Slug)),
			"lang":      html.EscapeString(lang),
			"title":     html.EscapeString(s.names[lang]),
			"proof":     proofQuery(s, mode, pageKey),
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
// followed by "&amp;" (CxScript writes the URL in an XML attribute):
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
// The fragment is ours (CxScript expressions and a base64url key), so it
// is not escaped further.
func proofQuery(s templateSpec, mode recrubo.EmbedProofMode, pageKey string) string {
	const user = "u=${activity.owner.userID.urlEncoded}&amp;"
	const userHash = "uh=${activity.owner.stableHash.urlEncoded}&amp;"
	if recruboembed.NeedsSignIn(mode, s.kind) {
		return user
	}
	if s.record != "" {
		return "rh=${activity." + s.record + ".stableHash.urlEncoded}&amp;" + user + userHash
	}
	return user + userHash + "dk=" + html.EscapeString(pageKey) + "&amp;"
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
