package provisioning_test

import (
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	recruboembed "github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/provisioning"
)

// cxElement is one CxScript element of a template, its attributes as an
// XML parser reads them.
type cxElement struct {
	name  string
	attrs map[string]string
}

// parseCx parses a template's content as XML (CxScript is XML) and
// returns its elements in order.
func parseCx(t *testing.T, content string) []cxElement {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(`<root xmlns:cx="urn:cx">` + content + `</root>`))
	var out []cxElement
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("template is not well-formed XML: %v\n%s", err, content)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local != "root" {
			el := cxElement{name: se.Name.Local, attrs: map[string]string{}}
			for _, a := range se.Attr {
				el.attrs[a.Name.Local] = a.Value
			}
			out = append(out, el)
		}
	}
}

// frameSrc returns the frame URL a template sets (the value of its
// cx:let named src, before CxScript expands it) and the other elements.
func frameSrc(t *testing.T, els []cxElement) string {
	t.Helper()
	for _, el := range els {
		if el.name == "let" && el.attrs["name"] == "src" {
			if el.attrs["expand"] != "1" {
				t.Errorf("the src variable is not expanded: %v", el.attrs)
			}
			return el.attrs["value"]
		}
	}
	t.Fatal("no cx:let named src")
	return ""
}

// cxExpr finds CxScript expressions in a frame URL.
var cxExpr = regexp.MustCompile(`\$\{[^}]*\}`)

// TestTemplateFrameURLs reads each template the way Carerix does (XML,
// then CxScript expansion, here with sample values) and checks the frame
// URL: our page for the tenant, every Carerix expression intact and
// URL-encoded, and exactly the proof parameters of the proof mode.
func TestTemplateFrameURLs(t *testing.T) {
	tn := &recrubo.Tenant{Slug: "acme", Language: recrubo.LangEnglish,
		Embed: recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("signing-key-0123456789abcdef")}}
	pageKey, err := recruboembed.PageKey(tn)
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{
		provisioning.CodeInbox:     "/embed/acme/candidate/${activity.toEmployee.employeeID.urlEncoded}",
		provisioning.CodeVacancy:   "/embed/acme/vacancy/${activity.toVacancy.vacancyID.urlEncoded}",
		provisioning.CodeDashboard: "/embed/acme/dashboard",
		provisioning.CodeVerify:    "/embed/acme/verify",
	}
	record := map[string]string{provisioning.CodeInbox: "toEmployee", provisioning.CodeVacancy: "toVacancy"}
	for _, mode := range []recrubo.EmbedProofMode{recrubo.ProofURL, recrubo.ProofMixed, recrubo.ProofSignIn} {
		tpls, err := provisioning.Templates(tn, publicURL+"/", nil, mode)
		if err != nil {
			t.Fatal(err)
		}
		for _, tpl := range tpls {
			els := parseCx(t, tpl.Content)
			src := frameSrc(t, els)
			want := publicURL + paths[tpl.Code] + "?"
			if !strings.HasPrefix(src, want) {
				t.Errorf("%s %s: frame URL %q does not start with %q", mode, tpl.Code, src, want)
				continue
			}
			// Each expression is Carerix's, written as we wrote it, and
			// URL-encoded by Carerix.
			wantQuery := map[string]string{"lang": "${lang.urlEncoded}"}
			switch {
			case mode == recrubo.ProofSignIn || mode == recrubo.ProofMixed && record[tpl.Code] == "":
				wantQuery["u"] = "${activity.owner.userID.urlEncoded}"
			case record[tpl.Code] != "":
				wantQuery["rh"] = "${activity." + record[tpl.Code] + ".stableHash.urlEncoded}"
				wantQuery["u"] = "${activity.owner.userID.urlEncoded}"
				wantQuery["uh"] = "${activity.owner.stableHash.urlEncoded}"
			default:
				wantQuery["u"] = "${activity.owner.userID.urlEncoded}"
				wantQuery["uh"] = "${activity.owner.stableHash.urlEncoded}"
				wantQuery["dk"] = pageKey
			}
			var gotKeys []string
			for _, kv := range strings.Split(strings.TrimPrefix(src, want), "&") {
				k, v, _ := strings.Cut(kv, "=")
				gotKeys = append(gotKeys, k)
				if wantQuery[k] != v {
					t.Errorf("%s %s: parameter %s = %q, want %q", mode, tpl.Code, k, v, wantQuery[k])
				}
			}
			if len(gotKeys) != len(wantQuery) {
				t.Errorf("%s %s: parameters %v, want %v", mode, tpl.Code, gotKeys, wantQuery)
			}
			for _, e := range cxExpr.FindAllString(src, -1) {
				if !strings.HasSuffix(e, ".urlEncoded}") {
					t.Errorf("%s %s: expression %s goes into the URL unencoded", mode, tpl.Code, e)
				}
			}
			// Expanded, the URL parses with the sample values in place.
			expanded := cxExpr.ReplaceAllString(src, "a%26b%3Dc")
			u, err := url.Parse(expanded)
			if err != nil {
				t.Fatalf("%s %s: expanded URL %q: %v", mode, tpl.Code, expanded, err)
			}
			if u.Query().Get("lang") != "a&b=c" || u.Query().Get("u") != "a&b=c" {
				t.Errorf("%s %s: expanded URL %q does not carry the sample values", mode, tpl.Code, expanded)
			}
			for _, el := range els {
				if el.name == "let" && el.attrs["name"] == "lang" && el.attrs["iftrue"] != recrubo.LangEnglish {
					t.Errorf("%s %s: default language %q, want en", mode, tpl.Code, el.attrs["iftrue"])
				}
				if el.name == "parameter" && el.attrs["name"] == "title" && el.attrs["value"] != tpl.Name {
					t.Errorf("%s %s: frame title %q, want %q", mode, tpl.Code, el.attrs["value"], tpl.Name)
				}
			}
		}
	}
}

// TestTemplateValuesAreEscaped fills the templates with a public URL and
// a slug that need escaping: the XML stays well-formed and reads back as
// the URL the service is reached at, the slug stays one path segment, and
// a public URL with '$' (a CxScript expression) is refused.
func TestTemplateValuesAreEscaped(t *testing.T) {
	tn := &recrubo.Tenant{Slug: `a b/"c"<d>&e`, Language: recrubo.LangDutch,
		Embed: recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("signing-key-0123456789abcdef")}}
	base := `https://recrubo.example/p&q'r"s<t>`
	tpls, err := provisioning.Templates(tn, base, nil, recrubo.ProofURL)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	want := u.String() + "/embed/a%20b%2F%22c%22%3Cd%3E%26e/"
	for _, tpl := range tpls {
		if !strings.Contains(tpl.Content, "p&amp;q") {
			t.Errorf("%s: '&' of the public URL is not escaped:\n%s", tpl.Code, tpl.Content)
		}
		if src := frameSrc(t, parseCx(t, tpl.Content)); !strings.HasPrefix(src, want) {
			t.Errorf("%s: frame URL %q, want it to start with %q", tpl.Code, src, want)
		}
	}
	for bad, reason := range map[string]string{
		"https://recrubo.example/${activity.owner.password}": "CxScript",
		"https://recrubo.example/$wosid":                     "CxScript",
		"javascript:alert(1)":                                "not an absolute http(s) URL",
	} {
		_, err := provisioning.Templates(tn, bad, nil, recrubo.ProofURL)
		var re *recrubo.Error
		if !errors.As(err, &re) || re.Code != recrubo.EINVALID || !strings.Contains(err.Error(), reason) {
			t.Errorf("public URL %q: err = %v, want EINVALID saying %q", bad, err, reason)
		}
	}
}
