package cxscript_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/cxscript"
)

func TestParseErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantLine int
		wantMsg  string
	}{
		{"UnknownElement", "<html>\n<body>\n<cx:fetch list=\"e\" entity=\"CREmployee\"/>", 3, "unknown element <cx:fetch>"},
		{"UnknownClosedElement", "<cx:sort>\n</cx:sort>", 1, "unknown element <cx:sort>"},
		{"NeverClosed", "a\n<cx:if condition=\"1 = 1\">\nb", 2, "<cx:if> is never closed"},
		{"Mismatched", "<cx:if condition=\"1 = 1\">\n<cx:foreach list=\"(a)\">\n</cx:if>", 3, "does not match <cx:foreach> opened on line 2"},
		{"StrayClose", "x\n\n</cx:if>", 3, "without an open element"},
		{"UnquotedAttribute", "<cx:write value=$x/>", 1, "must be quoted"},
		{"AttributeWithoutValue", "<cx:if not condition=\"a\">x</cx:if>", 1, "attribute not of <cx:if> has no value"},
		{"UnknownAttribute", "\n<cx:write value=\"x\" invoke=\"toUpperCase\"/>", 2, "does not support attribute invoke"},
		{"MissingRequired", "<cx:let value=\"x\"/>", 1, "needs attribute name"},
		{"LetWithoutValue", "<cx:let name=\"x\"/>", 1, "needs attribute value or condition"},
		{"DuplicateAttribute", "<cx:write value=\"a\" value=\"b\"/>", 1, "repeated"},
		{"UnterminatedTag", "<cx:write value=\"a\"", 1, "not terminated"},
		{"UnterminatedValue", "<cx:write value=\"a/>", 1, "not terminated"},
		{"ElseWithoutIf", "<p>x</p>\n<cx:else>y</cx:else>", 2, "must follow a </cx:if>"},
		{"SecondElse", "<cx:if condition=\"a\">1</cx:if><cx:else>2</cx:else><cx:else>3</cx:else>", 1, "must follow a </cx:if>"},
		{"ParameterOutsideElement", "<cx:parameter name=\"src\" value=\"x\"/>", 1, "must be inside <cx:element>"},
		{"WriteWithContent", "<cx:write value=\"a\">text</cx:write>", 1, "takes no content"},
		{"UnterminatedInterpolation", "\n\n<cx:let name=\"u\" expand=\"1\" value=\"a${b\"/>", 3, "unterminated ${"},
		{"BadInterpolationPath", "<cx:let name=\"u\" expand=\"1\" value=\"${a b}\"/>", 1, "invalid path"},
		{"DollarInCondition", "<cx:if condition=\"$x = 1\">a</cx:if>", 1, "without $"},
		{"BadCondition", "<cx:if condition=\"(a = 1\">a</cx:if>", 1, "missing )"},
		{"EmptyCondition", "<cx:if condition=\" \">a</cx:if>", 1, "empty condition"},
		{"BadOperator", "<cx:if condition=\"a =< 1\">a</cx:if>", 1, "unexpected"},
		{"BadVariableName", "<cx:let name=\"a.b\" value=\"x\"/>", 1, "not a valid variable name"},
		{"BadParameterName", "<cx:element tag=\"a\"><cx:parameter name=\"on click\" value=\"x\"/></cx:element>", 1, "not a valid HTML attribute name"},
		{"BadExpandFlag", "<cx:let name=\"a\" value=\"x\" expand=\"maybe\"/>", 1, "expand must be 1 or 0"},
		{"BatchWithoutCount", "<cx:foreach list=\"(a)\" batch=\"1\">x</cx:foreach>", 1, "batch needs count"},
		{"NegativeCount", "<cx:foreach list=\"(a)\" count=\"-1\">x</cx:foreach>", 1, "non-negative integer"},
		{"MalformedTag", "a <cx: b", 1, "malformed cx: tag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cxscript.Parse(tc.src)
			var cerr *cxscript.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Parse error = %v, want *cxscript.Error", err)
			}
			if cerr.Line != tc.wantLine || !strings.Contains(cerr.Msg, tc.wantMsg) {
				t.Errorf("error = %v, want line %d containing %q", err, tc.wantLine, tc.wantMsg)
			}
			if _, rerr := cxscript.Render(tc.src, resolver, nil); rerr == nil || rerr.Error() != err.Error() {
				t.Errorf("Render error = %v, want the Parse error", rerr)
			}
		})
	}
}

func TestTemplateReuse(t *testing.T) {
	tpl, err := cxscript.Parse(`<cx:write value="$activity.owner.userID"/>`)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"1", "2"} {
		res, err := tpl.Execute(func(string) (string, bool) { return id, true }, cxscript.Options{})
		if err != nil || res.HTML != id {
			t.Errorf("Execute = %q, %v; want %q", res.HTML, err, id)
		}
	}
}
