package cxscript

import (
	"html"
	"slices"
	"strconv"
	"strings"
)

// maxDepth bounds element nesting.
const maxDepth = 200

// Template is a parsed CxScript document, safe for concurrent Execute calls.
type Template struct {
	root *element
}

// Parse parses src. Text outside cx: elements (HTML, comments, CDATA) is
// kept verbatim; HTML comments and CDATA sections are not searched for
// cx: elements. Unknown cx: elements, unknown or missing attributes,
// unquoted attribute values, mismatched or unclosed tags and malformed
// expressions or conditions are *Error values carrying the line.
func Parse(src string) (*Template, error) {
	p := &parser{src: src, line: 1}
	root := &element{}
	stack := []*element{root}
	textStart := 0
	flush := func(end int) {
		if end > textStart {
			top := stack[len(stack)-1]
			top.children = append(top.children, &textNode{text: src[textStart:end]})
		}
	}
	for i := 0; i < len(src); {
		j := strings.IndexByte(src[i:], '<')
		if j < 0 {
			break
		}
		i += j
		rest := src[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			i = skipPast(src, i+4, "-->")
		case strings.HasPrefix(rest, "<![CDATA["):
			i = skipPast(src, i+9, "]]>")
		case hasPrefixFold(rest, "</cx:"):
			flush(i)
			line := p.lineAt(i)
			name, next, err := p.endTag(i)
			if err != nil {
				return nil, err
			}
			top := stack[len(stack)-1]
			if len(stack) == 1 {
				return nil, errorf(line, "closing </cx:%s> without an open element", name)
			}
			if top.kind != name {
				return nil, errorf(line, "closing </cx:%s> does not match <cx:%s> opened on line %d", name, top.kind, top.line)
			}
			if err := checkContent(top); err != nil {
				return nil, err
			}
			stack = stack[:len(stack)-1]
			i, textStart = next, next
		case hasPrefixFold(rest, "<cx:"):
			flush(i)
			el, next, err := p.startTag(i)
			if err != nil {
				return nil, err
			}
			parent := stack[len(stack)-1]
			if err := attach(parent, el, stack); err != nil {
				return nil, err
			}
			if !el.selfClosing {
				if len(stack) > maxDepth {
					return nil, errorf(el.line, "elements nested deeper than %d", maxDepth)
				}
				stack = append(stack, el)
			}
			i, textStart = next, next
		default:
			i++
		}
	}
	flush(len(src))
	if len(stack) > 1 {
		top := stack[len(stack)-1]
		return nil, errorf(top.line, "<cx:%s> is never closed", top.kind)
	}
	return &Template{root: root}, nil
}

// skipPast returns the index after the first end at or after from, or
// len(src) when there is none.
func skipPast(src string, from int, end string) int {
	k := strings.Index(src[from:], end)
	if k < 0 {
		return len(src)
	}
	return from + k + len(end)
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// attach adds el to parent, linking a cx:else to the cx:if before it.
func attach(parent, el *element, stack []*element) error {
	switch el.kind {
	case "else":
		var prev *element
		for _, n := range slices.Backward(parent.children) {
			if t, ok := n.(*textNode); ok && strings.TrimSpace(t.text) == "" {
				continue
			}
			prev, _ = n.(*element)
			break
		}
		if prev == nil || prev.kind != "if" || prev.elseBranch != nil {
			return errorf(el.line, "<cx:else> must follow a </cx:if>")
		}
		prev.elseBranch = el
		el.owner = prev
	case "parameter":
		inside := false
		for _, anc := range stack {
			if anc.kind == "element" {
				inside = true
			}
		}
		if !inside {
			return errorf(el.line, "<cx:parameter> must be inside <cx:element>")
		}
	}
	parent.children = append(parent.children, el)
	return nil
}

// checkContent refuses content in elements that take none.
func checkContent(el *element) error {
	spec, _ := specFor(el.kind)
	if spec.content {
		return nil
	}
	for _, n := range el.children {
		if t, ok := n.(*textNode); ok && strings.TrimSpace(t.text) == "" {
			continue
		}
		return errorf(el.line, "<cx:%s> takes no content", el.kind)
	}
	return nil
}

// parser tracks the line number while scanning src.
type parser struct {
	src     string
	line    int
	linePos int // line is the line number at byte linePos
}

// lineAt returns the 1-based line of byte offset pos (pos never decreases
// between calls except to revisit the current tag).
func (p *parser) lineAt(pos int) int {
	if pos < p.linePos {
		return p.line - strings.Count(p.src[pos:p.linePos], "\n")
	}
	p.line += strings.Count(p.src[p.linePos:pos], "\n")
	p.linePos = pos
	return p.line
}

// endTag parses "</cx:name>" at i.
func (p *parser) endTag(i int) (string, int, error) {
	line := p.lineAt(i)
	j := i + len("</cx:")
	name, j := readName(p.src, j)
	if name == "" {
		return "", 0, errorf(line, "malformed closing cx: tag")
	}
	j = skipSpace(p.src, j)
	if j >= len(p.src) || p.src[j] != '>' {
		return "", 0, errorf(line, "closing </cx:%s> is missing >", name)
	}
	return strings.ToLower(name), j + 1, nil
}

// startTag parses "<cx:name attr="v" ...>" or ".../>" at i and compiles
// its attributes.
func (p *parser) startTag(i int) (*element, int, error) {
	line := p.lineAt(i)
	j := i + len("<cx:")
	name, j := readName(p.src, j)
	if name == "" {
		return nil, 0, errorf(line, "malformed cx: tag")
	}
	kind := strings.ToLower(name)
	spec, ok := specFor(kind)
	if !ok {
		return nil, 0, errorf(line, "unknown element <cx:%s>; supported: %s", name, supportedList)
	}
	el := &element{kind: kind, line: line, attrs: map[string]string{}}
	for {
		j = skipSpace(p.src, j)
		switch {
		case j >= len(p.src):
			return nil, 0, errorf(line, "<cx:%s> tag is not terminated", name)
		case strings.HasPrefix(p.src[j:], "/>"):
			el.selfClosing = true
			if err := compile(el, spec); err != nil {
				return nil, 0, err
			}
			return el, j + 2, nil
		case p.src[j] == '>':
			if err := compile(el, spec); err != nil {
				return nil, 0, err
			}
			return el, j + 1, nil
		}
		attr, k := readName(p.src, j)
		if attr == "" {
			return nil, 0, errorf(line, "unexpected %q in <cx:%s> tag", p.src[j], name)
		}
		attr = strings.ToLower(attr)
		k = skipSpace(p.src, k)
		if k >= len(p.src) || p.src[k] != '=' {
			return nil, 0, errorf(line, "attribute %s of <cx:%s> has no value", attr, name)
		}
		k = skipSpace(p.src, k+1)
		if k >= len(p.src) || (p.src[k] != '"' && p.src[k] != '\'') {
			return nil, 0, errorf(line, "value of attribute %s of <cx:%s> must be quoted", attr, name)
		}
		end := strings.IndexByte(p.src[k+1:], p.src[k])
		if end < 0 {
			return nil, 0, errorf(line, "value of attribute %s of <cx:%s> is not terminated", attr, name)
		}
		if _, dup := el.attrs[attr]; dup {
			return nil, 0, errorf(line, "attribute %s repeated in <cx:%s>", attr, name)
		}
		el.attrs[attr] = html.UnescapeString(p.src[k+1 : k+1+end])
		j = k + 1 + end + 1
	}
}

// readName reads an XML-ish name at j.
func readName(s string, j int) (string, int) {
	k := j
	for k < len(s) {
		c := s[k]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' ||
			k > j && (c >= '0' && c <= '9' || c == '-' || c == '.') {
			k++
			continue
		}
		break
	}
	return s[j:k], k
}

// skipSpace skips ASCII white space.
func skipSpace(s string, j int) int {
	for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
		j++
	}
	return j
}

// compile checks el's attributes against spec and compiles them.
func compile(el *element, spec elementSpec) error {
	for _, req := range spec.required {
		if _, ok := el.attrs[req]; !ok {
			return errorf(el.line, "<cx:%s> needs attribute %s", el.kind, req)
		}
	}
	for a := range el.attrs {
		if !slices.Contains(spec.required, a) && !slices.Contains(spec.optional, a) {
			return errorf(el.line, "<cx:%s> does not support attribute %s", el.kind, a)
		}
	}
	wrap := func(what string, err error) error {
		return errorf(el.line, "<cx:%s> %s: %v", el.kind, what, err)
	}
	var err error
	switch el.kind {
	case "write":
		el.value, err = compileValue(el.attrs["value"], false)
	case "parameter":
		el.name = el.attrs["name"]
		if !validAttrName(el.name) {
			return errorf(el.line, "<cx:parameter> name %q is not a valid HTML attribute name", el.name)
		}
		el.value, err = compileValue(el.attrs["value"], false)
	case "element":
		el.tag, err = compileValue(el.attrs["tag"], false)
	case "if":
		_, el.negate = el.attrs["not"]
		if el.cond, err = compileCondition(el.attrs["condition"]); err != nil {
			return wrap("condition", err)
		}
	case "let":
		return compileLet(el)
	case "foreach":
		return compileForeach(el)
	}
	if err != nil {
		return wrap("value", err)
	}
	return nil
}

// compileLet compiles a cx:let: either value (optionally with expand) or
// condition with iftrue/iffalse.
func compileLet(el *element) error {
	el.name = el.attrs["name"]
	if !validName(el.name) {
		return errorf(el.line, "<cx:let> name %q is not a valid variable name", el.name)
	}
	expand, err := flag(el, "expand")
	if err != nil {
		return err
	}
	val, hasValue := el.attrs["value"]
	cond, hasCond := el.attrs["condition"]
	_, hasTrue := el.attrs["iftrue"]
	_, hasFalse := el.attrs["iffalse"]
	switch {
	case hasCond && hasValue:
		return errorf(el.line, "<cx:let> takes either value or condition, not both")
	case hasCond:
		if el.cond, err = compileCondition(cond); err != nil {
			return errorf(el.line, "<cx:let> condition: %v", err)
		}
		if el.iftrue, err = compileValue(el.attrs["iftrue"], expand); err != nil {
			return errorf(el.line, "<cx:let> iftrue: %v", err)
		}
		if el.iffalse, err = compileValue(el.attrs["iffalse"], expand); err != nil {
			return errorf(el.line, "<cx:let> iffalse: %v", err)
		}
	case hasTrue || hasFalse:
		return errorf(el.line, "<cx:let> iftrue and iffalse need a condition")
	case hasValue:
		if el.value, err = compileValue(val, expand); err != nil {
			return errorf(el.line, "<cx:let> value: %v", err)
		}
	default:
		return errorf(el.line, "<cx:let> needs attribute value or condition")
	}
	return nil
}

// compileForeach compiles a cx:foreach.
func compileForeach(el *element) error {
	var err error
	if el.list, err = compileValue(el.attrs["list"], false); err != nil {
		return errorf(el.line, "<cx:foreach> list: %v", err)
	}
	el.item, el.index = "item", "index"
	if v, ok := el.attrs["item"]; ok {
		el.item = v
	}
	if v, ok := el.attrs["index"]; ok {
		el.index = v
	}
	if !validName(el.item) || !validName(el.index) {
		return errorf(el.line, "<cx:foreach> item and index must be variable names")
	}
	for _, a := range []struct {
		name string
		dst  *int
	}{{"count", &el.count}, {"batch", &el.batch}} {
		v, ok := el.attrs[a.name]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return errorf(el.line, "<cx:foreach> %s must be a non-negative integer, got %q", a.name, v)
		}
		*a.dst = n
	}
	if _, ok := el.attrs["batch"]; ok && el.count == 0 {
		return errorf(el.line, "<cx:foreach> batch needs count")
	}
	return nil
}

// flag reads an optional boolean attribute: absent, "", "0", "false" or
// "NO" is false; "1", "true", "YES" is true.
func flag(el *element, name string) (bool, error) {
	v, ok := el.attrs[name]
	if !ok {
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no":
		return false, nil
	case "1", "true", "yes":
		return true, nil
	}
	return false, errorf(el.line, "<cx:%s> %s must be 1 or 0, got %q", el.kind, name, v)
}

// validAttrName reports whether s can be written as an HTML attribute name.
func validAttrName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range []byte(s) {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// validTag reports whether s is a plain HTML tag name.
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range []byte(s) {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-')) {
			return false
		}
	}
	return true
}
