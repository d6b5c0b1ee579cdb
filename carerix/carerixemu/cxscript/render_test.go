package cxscript_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/cxscript"
)

// data is the record context used by most tests.
var data = map[string]string{
	"activity.toEmployee.employeeID":  "42",
	"activity.toEmployee.firstName":   "Jan",
	"activity.toEmployee.lastName":    "van der Berg & Co/?",
	"activity.toEmployee.hostile":     `<script>alert("x")</script>'`,
	"activity.owner.userID":           "7",
	"activity.owner.language":         "nl",
	"utilities.userDefaults.Customer": "acme",
	"activity.toVacancy.tags":         `("urgent", "remote")`,
}

// resolver serves data.
func resolver(path string) (string, bool) {
	v, ok := data[path]
	return v, ok
}

// render runs RenderWithOptions and fails the test on error.
func render(t *testing.T, src string, roles ...string) cxscript.Result {
	t.Helper()
	res, err := cxscript.RenderWithOptions(src, resolver, cxscript.Options{UserRoles: roles})
	if err != nil {
		t.Fatalf("render %q: %v", src, err)
	}
	return res
}

func TestNonCxMarkupPassesThroughUnchanged(t *testing.T) {
	src := "<!DOCTYPE html>\n<html><head><meta charset=utf-8><link rel=stylesheet href=a.css></head>\n" +
		"<body class=x>&nbsp;&amp; <br> <img src=logo.png alt=''> <input disabled>\n" +
		"<!-- <cx:write value=\"$activity.owner.userID\"/> stays a comment -->\n" +
		"<![CDATA[ <cx:fetch/> ]]> <cxfoo>not cx</cxfoo> <x:write value=\"1\"/> a < b && c > d\n" +
		"<script>if (a<b) { x = '$activity.owner.userID'; }</script></body></html>"
	res := render(t, src)
	if res.HTML != src {
		t.Errorf("output differs from input:\n got %q\nwant %q", res.HTML, src)
	}
	if len(res.Unresolved) != 0 {
		t.Errorf("unresolved = %v, want none", res.Unresolved)
	}
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"Path", `<p><cx:write value="$activity.toEmployee.firstName"/></p>`, `<p>Jan</p>`},
		{"LongForm", `<cx:write value="$activity.owner.userID"></cx:write>`, `7`},
		{"Constant", `<cx:write value="Hello World"/>`, `Hello World`},
		{"ConstantEntitiesDecodedThenEscaped", `<cx:write value="a &amp; b &lt;c&gt;"/>`, `a &amp; b &lt;c&gt;`},
		{"HostileValueEscaped", `<cx:write value="$activity.toEmployee.hostile"/>`, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&#39;`},
		{"InsideHTMLAttribute", `<a href="https://x.test/<cx:write value="$activity.toEmployee.employeeID"/>">go</a>`, `<a href="https://x.test/42">go</a>`},
		{"UppercaseTag", `<CX:WRITE VALUE="$activity.owner.userID"/>`, `7`},
		{"SingleQuotes", `<cx:write value='$activity.owner.userID'/>`, `7`},
		{"DollarTextIsConstant", `<cx:write value="costs $5"/>`, `costs $5`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(t, tc.src).HTML; got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestUnknownPathRendersEmptyAndIsReported(t *testing.T) {
	src := "<p>\n<cx:write value=\"$activity.toEmployee.nickname\"/>|" +
		"<cx:let name=\"u\" expand=\"1\" value=\"id=${activity.toEmployee.missing}\"/><cx:write value=\"$u\"/></p>"
	res := render(t, src)
	if res.HTML != "<p>\n|id=</p>" {
		t.Errorf("HTML = %q", res.HTML)
	}
	want := []cxscript.Unresolved{
		{Line: 2, Path: "activity.toEmployee.nickname"},
		{Line: 2, Path: "activity.toEmployee.missing"},
	}
	if diff := cmp.Diff(want, res.Unresolved); diff != "" {
		t.Errorf("unresolved (-want +got):\n%s", diff)
	}

	_, err := cxscript.RenderWithOptions(src, resolver, cxscript.Options{Strict: true})
	var cerr *cxscript.Error
	if !errors.As(err, &cerr) || cerr.Line != 2 || !strings.Contains(cerr.Msg, "$activity.toEmployee.nickname") {
		t.Errorf("strict error = %v, want line 2 naming the path", err)
	}

	out, err := cxscript.Render(`[<cx:write value="$activity.owner.userID"/>]`, nil, nil)
	if err != nil || out != "[]" {
		t.Errorf("nil resolver: %q, %v", out, err)
	}
}

func TestLet(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"SelfClosingBindsForRest", `<cx:let name="n" value="$activity.toEmployee.firstName"/>Hi <cx:write value="$n"/>!`, `Hi Jan!`},
		{"ContentScoped", `<cx:let name="s" value="inner">[<cx:write value="$s"/>]</cx:let>(<cx:write value="$s"/>)`, `[inner]()`},
		{"ShadowingRestored", `<cx:let name="s" value="outer"/><cx:let name="s" value="inner"><cx:write value="$s"/></cx:let>-<cx:write value="$s"/>`, `inner-outer`},
		{"ExpandPathsAndVariables", `<cx:let name="m1" value="Jan"/><cx:let name="m2" value="Feb"/><cx:let name="q" value="${m1}, ${m2}, ${activity.owner.userID}" expand="1"/><cx:write value="$q"/>`, `Jan, Feb, 7`},
		{"NoExpandKeepsBraces", `<cx:let name="q" value="${activity.owner.userID}"/><cx:write value="$q"/>`, `${activity.owner.userID}`},
		{"AliasToObject", `<cx:let name="e" value="$activity.toEmployee"><cx:write value="$e.firstName"/> #<cx:write value="$e.employeeID"/></cx:let>`, `Jan #42`},
		{"CopyOfVariable", `<cx:let name="a" value="x"/><cx:let name="b" value="$a"/><cx:write value="$b"/>`, `x`},
		{"ConditionTrue", `<cx:let name="s" condition="activity.owner.userID > 5" iftrue="big" iffalse="small"/><cx:write value="$s"/>`, `big`},
		{"ConditionFalse", `<cx:let name="s" condition="activity.owner.userID > 50" iftrue="big" iffalse="$activity.toEmployee.firstName"/><cx:write value="$s"/>`, `Jan`},
		{"ScopeOfIf", `<cx:if condition="1 = 1"><cx:let name="z" value="in"/><cx:write value="$z"/></cx:if>|<cx:write value="$z"/>`, `in|`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(t, tc.src).HTML; got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestURLEncoded(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"Write", `<cx:write value="$activity.toEmployee.lastName.urlEncoded"/>`, `van%20der%20Berg%20%26%20Co%2F%3F`},
		{"Expand", `<cx:let name="u" expand="1" value="https://p.test/?n=${activity.toEmployee.lastName.urlEncoded}&amp;id=${activity.toEmployee.employeeID}"/><cx:write value="$u"/>`,
			`https://p.test/?n=van%20der%20Berg%20%26%20Co%2F%3F&amp;id=42`},
		{"Variable", `<cx:let name="n" value="a b&c"/><cx:write value="$n.urlEncoded"/>`, `a%20b%26c`},
		{"LetBoundEncodedPath", `<cx:let name="n" value="$activity.toEmployee.lastName.urlEncoded"/><cx:write value="$n"/>`, `van%20der%20Berg%20%26%20Co%2F%3F`},
		{"Unicode", `<cx:let name="n" value="Zoë"/><cx:write value="$n.urlEncoded"/>`, `Zo%C3%AB`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(t, tc.src).HTML; got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestElementBuildsEscapedAttributes(t *testing.T) {
	src := `<cx:let name="u" expand="1"
  value="https://partner.example/cx?tenant=${utilities.userDefaults.Customer}&amp;employee=${activity.toEmployee.employeeID}&amp;user=${activity.owner.userID}"/>
<cx:element tag="iframe">
  <cx:parameter name="src" value="$u"/>
  <cx:parameter name="style" value="width:100%;height:800px;border:0"/>
</cx:element>`
	want := "\n<iframe src=\"https://partner.example/cx?tenant=acme&amp;employee=42&amp;user=7\" style=\"width:100%;height:800px;border:0\"></iframe>"
	if got := render(t, src).HTML; got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if src, _ := doc.Find("iframe").Attr("src"); src != "https://partner.example/cx?tenant=acme&employee=42&user=7" {
		t.Errorf("browser sees src %q", src)
	}

	hostile := map[string]string{"x": `" onload="alert(1)`, "y": `</iframe><script>alert(2)</script>`}
	out, err := cxscript.Render(`<cx:element tag="iframe"><cx:parameter name="src" value="$x"/><cx:parameter name="title" value="$y"/></cx:element>`,
		func(p string) (string, bool) { v, ok := hostile[p]; return v, ok }, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc, err = goquery.NewDocumentFromReader(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	frame := doc.Find("iframe")
	if n := len(frame.Nodes); n != 1 || len(frame.Nodes[0].Attr) != 2 {
		t.Fatalf("output %q: want one iframe with exactly two attributes", out)
	}
	if _, has := frame.Attr("onload"); has || doc.Find("script").Length() != 0 {
		t.Errorf("hostile parameter escaped its attribute: %q", out)
	}
	if v, _ := frame.Attr("src"); v != hostile["x"] {
		t.Errorf("src = %q, want the literal hostile text", v)
	}
}

func TestElementContentVoidAndErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"Content", `<cx:element tag="a"><cx:parameter name="href" value="https://x.test/?a=1&amp;b=2"/>Open <cx:write value="$activity.toEmployee.firstName"/></cx:element>`, `<a href="https://x.test/?a=1&amp;b=2">Open Jan</a>`},
		{"Void", `<cx:element tag="img"> <cx:parameter name="src" value="/p.png"/> </cx:element>`, `<img src="/p.png">`},
		{"RepeatedParameterReplaces", `<cx:element tag="div"><cx:parameter name="class" value="a"/><cx:parameter name="id" value="i"/><cx:parameter name="class" value="b"/></cx:element>`, `<div class="b" id="i"></div>`},
		{"ParameterInIf", `<cx:element tag="div"><cx:if condition="activity.owner.language = 'nl'"><cx:parameter name="lang" value="nl"/></cx:if></cx:element>`, `<div lang="nl"></div>`},
		{"Nested", `<cx:element tag="div"><cx:parameter name="id" value="o"/><cx:element tag="span"><cx:parameter name="id" value="i"/></cx:element></cx:element>`, `<div id="o"><span id="i"></span></div>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(t, tc.src).HTML; got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	for _, src := range []string{
		`<cx:element tag="$activity.toEmployee.hostile"></cx:element>`,
		`<cx:element tag="img">text</cx:element>`,
	} {
		if _, err := cxscript.Render(src, resolver, nil); err == nil {
			t.Errorf("Render(%q) succeeded, want an error", src)
		}
	}
}

func TestForeach(t *testing.T) {
	tests := []struct {
		name, src, want string
		roles           []string
	}{
		{"ConstantList", `<cx:foreach list='("first", "second", "last")'>[<cx:write value="$index"/>:<cx:write value="$item"/>]</cx:foreach>`, `[0:first][1:second][2:last]`, nil},
		{"NamedItem", `<cx:foreach item="r" index="i" list="$userRoles"><cx:write value="$i"/>=<cx:write value="$r"/>;</cx:foreach>`, `0=Admin;1=Recruiter;`, []string{"Admin", "Recruiter"}},
		{"CountBatch", `<cx:foreach list="(a,b,c,d,e)" count="2" batch="1"><cx:write value="$item"/></cx:foreach>`, `cd`, nil},
		{"ResolverList", `<cx:foreach list="$activity.toVacancy.tags"><cx:write value="$item"/>.</cx:foreach>`, `urgent.remote.`, nil},
		{"EmptyList", `<cx:foreach list="$userRoles">x</cx:foreach>-`, `-`, nil},
		{"Count", `<cx:write value="$userRoles.@count"/>`, `2`, []string{"a", "b"}},
		{"WriteList", `<cx:write value="$userRoles"/>`, `a, b`, []string{"a", "b"}},
		{"IfElsePerIteration", `<cx:foreach list="(1,5,9)"><cx:if condition="item > 4">B</cx:if><cx:else>s</cx:else></cx:foreach>`, `sBB`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(t, tc.src, tc.roles...).HTML; got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestIfElse(t *testing.T) {
	tests := []struct {
		name, cond string
		not        bool
		want       bool
		roles      []string
	}{
		{"RoleEquals", "userRoles = 'Recruiter'", false, true, []string{"Admin", "Recruiter"}},
		{"RoleMissing", "userRoles = 'Recruiter'", false, false, []string{"Admin"}},
		{"RoleNotEquals", "userRoles != 'Recruiter'", false, true, []string{"Admin"}},
		{"RoleLike", "userRoles like 'Recr*'", false, true, []string{"Recruiter"}},
		{"NotAttribute", "userRoles = 'Admin'", true, false, []string{"Admin"}},
		{"NumericCompare", "activity.owner.userID < 10", false, true, nil},
		{"StringCompare", `activity.toEmployee.firstName = &quot;Jan&quot;`, false, true, nil},
		{"CaseInsensitiveLike", "activity.toEmployee.firstName caseInsensitiveLike 'j?n'", false, true, nil},
		{"LikeIsCaseSensitive", "activity.toEmployee.firstName like 'j*'", false, false, nil},
		{"NilForUnknown", "activity.toEmployee.middleName = nil", false, true, nil},
		{"NotNil", "activity.toEmployee.firstName != nil", false, true, nil},
		{"AndOrNotPrecedence", "activity.owner.userID = 1 or not activity.owner.userID = 1 and activity.owner.language = 'nl'", false, true, nil},
		{"Parentheses", "(activity.owner.userID = 1 or activity.owner.userID = 7) and (activity.owner.language = 'en')", false, false, nil},
		{"LoneOperand", "activity.toEmployee.firstName", false, true, nil},
		{"LoneUnknown", "activity.toEmployee.middleName", false, false, nil},
		{"Variable", "n = 'x'", false, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			not := ""
			if tc.not {
				not = ` not="1"`
			}
			src := `<cx:let name="n" value="x"/><cx:if condition="` + tc.cond + `"` + not + `>yes</cx:if>
<cx:else>no</cx:else>`
			want := "\nno"
			if tc.want {
				want = "yes\n"
			}
			if got := render(t, src, tc.roles...).HTML; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	_, err := cxscript.RenderWithOptions(`<cx:foreach list="(a,b,c,d)"><cx:write value="0123456789"/></cx:foreach>`, resolver, cxscript.Options{MaxOutput: 30})
	if err == nil || !strings.Contains(err.Error(), "output exceeds 30 bytes") {
		t.Errorf("output limit: %v", err)
	}
	nested := strings.Repeat(`<cx:foreach list="(a,b,c,d,e,f,g,h,i,j)">`, 8) + strings.Repeat(`</cx:foreach>`, 8)
	_, err = cxscript.RenderWithOptions(nested, resolver, cxscript.Options{MaxSteps: 10_000})
	if err == nil || !strings.Contains(err.Error(), "more than 10000 steps") {
		t.Errorf("step limit: %v", err)
	}
}
