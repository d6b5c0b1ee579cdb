package cxscript

// node is a piece of a parsed template: *textNode or *element.
type node interface{ isNode() }

// textNode is literal template text, copied to the output unchanged.
type textNode struct{ text string }

// element is a cx: element with its compiled attributes.
type element struct {
	kind        string // "write", "let", ...; "" for the root
	line        int
	attrs       map[string]string
	selfClosing bool
	children    []node

	// Compiled attributes (which are set depends on kind).
	value      *valueExpr // write, let, parameter
	iftrue     *valueExpr // let
	iffalse    *valueExpr // let
	cond       condNode   // if, let
	negate     bool       // if: not attribute present
	list       *valueExpr // foreach
	tag        *valueExpr // element
	count      int        // foreach: 0 = all
	batch      int        // foreach
	name       string     // let, parameter
	item       string     // foreach
	index      string     // foreach
	elseBranch *element   // if: the following cx:else
	owner      *element   // else: the cx:if it belongs to
}

func (*textNode) isNode() {}
func (*element) isNode()  {}

// elementSpec lists the attributes an element accepts.
type elementSpec struct {
	required []string
	optional []string
	// content reports whether the element may have non-blank content.
	content bool
}

// specFor describes the supported elements; ok is false for anything else.
func specFor(kind string) (spec elementSpec, ok bool) {
	switch kind {
	case "write":
		return elementSpec{required: []string{"value"}}, true
	case "let":
		return elementSpec{required: []string{"name"}, optional: []string{"value", "expand", "condition", "iftrue", "iffalse"}, content: true}, true
	case "if":
		return elementSpec{required: []string{"condition"}, optional: []string{"not"}, content: true}, true
	case "else":
		return elementSpec{content: true}, true
	case "foreach":
		return elementSpec{required: []string{"list"}, optional: []string{"item", "index", "count", "batch"}, content: true}, true
	case "element":
		return elementSpec{required: []string{"tag"}, content: true}, true
	case "parameter":
		return elementSpec{required: []string{"name", "value"}}, true
	}
	return elementSpec{}, false
}

// supportedList is the element list quoted in "unknown element" errors.
const supportedList = "cx:write, cx:let, cx:if, cx:else, cx:foreach, cx:element, cx:parameter"
