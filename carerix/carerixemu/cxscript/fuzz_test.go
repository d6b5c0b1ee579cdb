package cxscript_test

import (
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/cxscript"
)

// hostileValue is what the fuzz resolver returns for every path; it must
// never reach the output unescaped.
const hostileValue = `<i x='"'>&`

func FuzzRender(f *testing.F) {
	for _, seed := range []string{
		inboxTemplate,
		`<cx:write value="$activity.toEmployee.firstName"/>`,
		`<cx:let name="u" expand="1" value="a=${x.urlEncoded}&amp;b=${y}"/><cx:element tag="a"><cx:parameter name="href" value="$u"/>t</cx:element>`,
		`<cx:foreach list='("a", "b")' item="v"><cx:if condition="v = 'a' and not (userRoles like 'x*')">1</cx:if><cx:else>2</cx:else></cx:foreach>`,
		`<cx:let name="s" condition="x > 0" iftrue="Yes" iffalse="No"><cx:write value="$s"/></cx:let>`,
		`<cx:let name="e" value="$activity.toEmployee"><cx:write value="$e.name.urlEncoded"/></cx:let>`,
		`<p>plain &nbsp; <br> <img src=x></p><!-- <cx:write/> -->`,
		`<cx:fetch/>`, `</cx:if>`, `<cx:if condition="((((a">`, `<cx:write value="${"/>`,
		"<cx:element tag=\"img\"><cx:parameter name=\"src\" value=\"$u\"/></cx:element>",
	} {
		f.Add(seed)
	}
	resolve := func(string) (string, bool) { return hostileValue, true }
	f.Fuzz(func(t *testing.T, src string) {
		res, err := cxscript.RenderWithOptions(src, resolve, cxscript.Options{
			UserRoles: []string{"Admin"}, MaxOutput: 1 << 20, MaxSteps: 100_000,
		})
		if err != nil {
			return
		}
		if !strings.Contains(strings.ToLower(src), "<cx:") && res.HTML != src {
			t.Errorf("template without cx: elements changed:\n got %q\nwant %q", res.HTML, src)
		}
		if strings.Contains(res.HTML, hostileValue) && !strings.Contains(src, hostileValue) {
			t.Errorf("resolved value written unescaped: %q", res.HTML)
		}
	})
}
