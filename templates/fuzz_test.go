package templates_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/recrubo/recrubo-carerix/templates"
)

// FuzzRenderContexts renders one template with a placeholder in every
// allowed context and checks, on the DOM parsed by golang.org/x/net/html,
// that the structure is the same as for a benign value and that every
// context reads the value back exactly.
func FuzzRenderContexts(f *testing.F) {
	cases := contextCases()
	var src strings.Builder
	for _, cc := range cases {
		src.WriteString(cc.src)
		src.WriteString("\n")
	}
	r := newRegistry(f, map[string]string{"partials/all.html": src.String()})
	benign, err := r.RenderHTML("all", templates.Values{"v": "x"})
	if err != nil {
		f.Fatal(err)
	}
	want := skeleton(parseHTML(f, benign.String()))
	for _, v := range hostileInputs() {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		out, err := r.RenderHTML("all", templates.Values{"v": v})
		if err != nil {
			t.Fatalf("RenderHTML: %v", err)
		}
		if !utf8.ValidString(out.String()) {
			t.Fatal("output is not valid UTF-8")
		}
		doc := parseHTML(t, out.String())
		if got := skeleton(doc); got != want {
			t.Fatalf("DOM changed:\n got: %s\nwant: %s\noutput: %s", got, want, out)
		}
		for _, cc := range cases {
			if err := cc.check(doc, v); err != nil {
				t.Errorf("%s: %v", cc.name, err)
			}
		}
	})
}
