package templates_test

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/templates"
)

// TestExportedEscapersMatchRender checks that the exported escapers give
// what Render writes for the same value in the same context, for every
// hostile input.
func TestExportedEscapersMatchRender(t *testing.T) {
	r := newRegistry(t, map[string]string{
		"partials/attr.html": `<p title="{{v}}"></p>`,
		"partials/part.html": `<a href="/c/{{v}}"></a>`,
		"partials/url.html":  `<a href="{{v}}"></a>`,
	})
	for _, v := range hostileInputs() {
		for _, c := range []struct {
			partial, before, after string
			escape                 func(string) string
		}{
			{"attr", `<p title="`, `"></p>`, templates.EscapeAttr},
			{"part", `<a href="/c/`, `"></a>`, templates.EscapeURLComponent},
			{"url", `<a href="`, `"></a>`, templates.EscapeURL},
		} {
			out, err := r.RenderHTML(c.partial, templates.Values{"v": v})
			if err != nil {
				t.Fatal(err)
			}
			if want := c.before + c.escape(v) + c.after; out.String() != want {
				t.Errorf("%s of %q: escaper gives %q, Render %q", c.partial, trim(v), trim(want), trim(out.String()))
			}
		}
	}
}

// TestEscapeAttrIsXML checks that EscapeAttr's output is an XML attribute
// value that an XML parser reads back as the input, for values without
// the control characters XML 1.0 cannot carry.
func TestEscapeAttrIsXML(t *testing.T) {
	for _, v := range append(hostileInputs(), `${activity.owner.userID} & "x" <y> 'z'`) {
		v = strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
				return -1
			}
			return r
		}, validUTF8(v))
		for _, q := range []string{`"`, `'`} {
			var got struct {
				V string `xml:"v,attr"`
			}
			doc := "<e v=" + q + templates.EscapeAttr(v) + q + "/>"
			if err := xml.Unmarshal([]byte(doc), &got); err != nil {
				t.Errorf("%q: %v", trim(doc), err)
				continue
			}
			if got.V != v {
				t.Errorf("%q read back as %q, want %q", trim(doc), trim(got.V), trim(v))
			}
		}
	}
}
