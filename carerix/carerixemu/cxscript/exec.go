package cxscript

import (
	"html"
	"net/url"
	"strconv"
	"strings"
)

// Resolver returns the value of a key path such as
// "activity.toEmployee.employeeID"; ok is false when the path is unknown.
type Resolver func(path string) (value string, ok bool)

// Default execution limits.
const (
	DefaultMaxOutput = 8 << 20
	DefaultMaxSteps  = 1_000_000
)

// Options controls Execute.
type Options struct {
	// UserRoles are the roles of the user viewing the document, available
	// to templates as the list variable userRoles.
	UserRoles []string
	// Strict turns unresolved paths into errors instead of empty output.
	Strict bool
	// MaxOutput caps the output size in bytes (default 8 MiB).
	MaxOutput int
	// MaxSteps caps the number of elements executed, counting loop
	// iterations (default 1,000,000).
	MaxSteps int
}

// Result is the outcome of Execute.
type Result struct {
	// HTML is the rendered document.
	HTML string
	// Unresolved lists paths written or interpolated as empty because the
	// Resolver did not know them, in execution order.
	Unresolved []Unresolved
}

// Unresolved is a path that rendered as empty.
type Unresolved struct {
	Line int
	Path string
}

// Render parses and executes src in one step for a user with userRoles.
// Unknown paths render as empty strings; use RenderWithOptions to see them.
func Render(src string, r Resolver, userRoles []string) (string, error) {
	res, err := RenderWithOptions(src, r, Options{UserRoles: userRoles})
	return res.HTML, err
}

// RenderWithOptions parses and executes src.
func RenderWithOptions(src string, r Resolver, opts Options) (Result, error) {
	t, err := Parse(src)
	if err != nil {
		return Result{}, err
	}
	return t.Execute(r, opts)
}

// Execute renders the template. A nil Resolver resolves nothing.
func (t *Template) Execute(r Resolver, opts Options) (Result, error) {
	if opts.MaxOutput <= 0 {
		opts.MaxOutput = DefaultMaxOutput
	}
	if opts.MaxSteps <= 0 {
		opts.MaxSteps = DefaultMaxSteps
	}
	roles := append([]string{}, opts.UserRoles...)
	x := &executor{
		resolve: r,
		opts:    opts,
		out:     &strings.Builder{},
		scopes:  []map[string]value{{"userRoles": {list: roles, isList: true, ok: true}}},
		ifTaken: map[*element]bool{},
	}
	if err := x.run(t.root.children); err != nil {
		return Result{}, err
	}
	return Result{HTML: x.out.String(), Unresolved: x.unresolved}, nil
}

// value is what a variable or path evaluates to.
type value struct {
	s      string
	list   []string
	isList bool
	// alias is the key path a variable stands for when it was bound to a
	// path ($e for $activity.toEmployee); sub-paths resolve through it.
	alias string
	ok    bool
}

// joined renders a list value as text.
func (v value) joined() string { return strings.Join(v.list, ", ") }

// text renders v as text.
func (v value) text() string {
	if v.isList {
		return v.joined()
	}
	return v.s
}

// isNilLike reports whether v counts as nil in a comparison.
func (v value) isNilLike() bool {
	if v.isList {
		return len(v.list) == 0
	}
	return !v.ok || v.s == ""
}

// executor holds the state of one Execute call.
type executor struct {
	resolve    Resolver
	opts       Options
	out        *strings.Builder
	written    int
	steps      int
	scopes     []map[string]value
	params     []*paramFrame
	unresolved []Unresolved
	// ifTaken records, for each cx:if that has a cx:else, whether its
	// content ran the last time it executed.
	ifTaken map[*element]bool
}

// paramFrame collects the cx:parameter attributes of one cx:element.
type paramFrame struct {
	names  []string
	values map[string]string
}

// write appends s to the output within the size limit.
func (x *executor) write(line int, s string) error {
	x.written += len(s)
	if x.written > x.opts.MaxOutput {
		return errorf(line, "output exceeds %d bytes", x.opts.MaxOutput)
	}
	x.out.WriteString(s)
	return nil
}

// step counts one unit of work within the step limit.
func (x *executor) step(line int) error {
	x.steps++
	if x.steps > x.opts.MaxSteps {
		return errorf(line, "template executes more than %d steps", x.opts.MaxSteps)
	}
	return nil
}

// withScope runs f in a new variable scope.
func (x *executor) withScope(vars map[string]value, f func() error) error {
	if vars == nil {
		vars = map[string]value{}
	}
	x.scopes = append(x.scopes, vars)
	defer func() { x.scopes = x.scopes[:len(x.scopes)-1] }()
	return f()
}

// variable looks a name up from the innermost scope out.
func (x *executor) variable(name string) (value, bool) {
	for i := len(x.scopes) - 1; i >= 0; i-- {
		if v, ok := x.scopes[i][name]; ok {
			return v, true
		}
	}
	return value{}, false
}

// run executes nodes in order.
func (x *executor) run(nodes []node) error {
	for _, n := range nodes {
		switch n := n.(type) {
		case *textNode:
			if err := x.write(0, n.text); err != nil {
				return err
			}
		case *element:
			if err := x.step(n.line); err != nil {
				return err
			}
			if err := x.exec(n); err != nil {
				return err
			}
		}
	}
	return nil
}

// exec executes one element.
func (x *executor) exec(el *element) error {
	switch el.kind {
	case "write":
		v, err := x.eval(el.value, el.line, true)
		if err != nil {
			return err
		}
		return x.write(el.line, html.EscapeString(v.text()))
	case "let":
		return x.execLet(el)
	case "if":
		take := el.cond.eval(x) != el.negate
		if el.elseBranch != nil {
			x.ifTaken[el] = take
		}
		if !take {
			return nil
		}
		return x.withScope(nil, func() error { return x.run(el.children) })
	case "else":
		if x.ifTaken[el.owner] {
			return nil
		}
		return x.withScope(nil, func() error { return x.run(el.children) })
	case "foreach":
		return x.execForeach(el)
	case "element":
		return x.execElement(el)
	case "parameter":
		return x.execParameter(el)
	}
	return errorf(el.line, "internal: unhandled element <cx:%s>", el.kind)
}

// execLet binds a variable: for the content when the element has content,
// otherwise for the rest of the enclosing scope.
func (x *executor) execLet(el *element) error {
	var v value
	var err error
	switch {
	case el.cond != nil:
		branch := el.iffalse
		if el.cond.eval(x) {
			branch = el.iftrue
		}
		v, err = x.eval(branch, el.line, false)
	default:
		v, err = x.eval(el.value, el.line, false)
	}
	if err != nil {
		return err
	}
	if el.selfClosing {
		x.scopes[len(x.scopes)-1][el.name] = v
		return nil
	}
	return x.withScope(map[string]value{el.name: v}, func() error { return x.run(el.children) })
}

// execForeach repeats the content for each list item.
func (x *executor) execForeach(el *element) error {
	lv, err := x.eval(el.list, el.line, true)
	if err != nil {
		return err
	}
	items := lv.list
	if !lv.isList {
		items = parseList(lv.s)
	}
	if el.count > 0 {
		start := min(el.batch*el.count, len(items))
		items = items[start:min(start+el.count, len(items))]
	}
	for i, item := range items {
		if err := x.step(el.line); err != nil {
			return err
		}
		vars := map[string]value{
			el.item:  {s: item, ok: true},
			el.index: {s: strconv.Itoa(i), ok: true},
		}
		if err := x.withScope(vars, func() error { return x.run(el.children) }); err != nil {
			return err
		}
	}
	return nil
}

// voidTags are HTML elements written without a closing tag.
func isVoidTag(tag string) bool {
	switch strings.ToLower(tag) {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr":
		return true
	}
	return false
}

// execElement writes an HTML element whose attributes come from the
// cx:parameter elements in its content.
func (x *executor) execElement(el *element) error {
	tv, err := x.eval(el.tag, el.line, true)
	if err != nil {
		return err
	}
	tag := strings.TrimSpace(tv.text())
	if !validTag(tag) {
		return errorf(el.line, "<cx:element> tag %q is not a valid HTML tag name", tag)
	}
	frame := &paramFrame{values: map[string]string{}}
	outer := x.out
	inner := &strings.Builder{}
	x.out = inner
	x.params = append(x.params, frame)
	err = x.withScope(nil, func() error { return x.run(el.children) })
	x.params = x.params[:len(x.params)-1]
	x.out = outer
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("<" + tag)
	for _, name := range frame.names {
		b.WriteString(" " + name + `="` + html.EscapeString(frame.values[name]) + `"`)
	}
	b.WriteString(">")
	content := inner.String()
	if strings.TrimSpace(content) == "" {
		content = ""
	}
	if isVoidTag(tag) {
		if content != "" {
			return errorf(el.line, "<cx:element> void element <%s> cannot have content", tag)
		}
	} else {
		b.WriteString(content)
		b.WriteString("</" + tag + ">")
	}
	// The content was already counted when written to inner.
	x.written -= len(inner.String())
	return x.write(el.line, b.String())
}

// execParameter adds an attribute to the innermost cx:element; a repeated
// name replaces the earlier value.
func (x *executor) execParameter(el *element) error {
	if len(x.params) == 0 {
		return errorf(el.line, "<cx:parameter> must be inside <cx:element>")
	}
	v, err := x.eval(el.value, el.line, true)
	if err != nil {
		return err
	}
	f := x.params[len(x.params)-1]
	if _, seen := f.values[el.name]; !seen {
		f.names = append(f.names, el.name)
	}
	f.values[el.name] = v.text()
	return nil
}

// eval computes a value expression. With report, an unresolved lone $path
// is recorded (cx:let defers that to where its variable is used).
func (x *executor) eval(e *valueExpr, line int, report bool) (value, error) {
	if e.path != "" {
		if report {
			return x.lookup(e.path, line)
		}
		return x.bindPath(e.path, line)
	}
	if len(e.parts) == 1 && e.parts[0].path == "" {
		return value{s: e.parts[0].literal, ok: true}, nil
	}
	var b strings.Builder
	for _, p := range e.parts {
		if p.path == "" {
			b.WriteString(p.literal)
			continue
		}
		v, err := x.lookup(p.path, line)
		if err != nil {
			return value{}, err
		}
		b.WriteString(v.text())
	}
	return value{s: b.String(), ok: true}, nil
}

// bindPath evaluates the value of a cx:let bound to a $path: a variable's
// value is copied, any other path becomes an alias resolved when used.
func (x *executor) bindPath(path string, line int) (value, error) {
	if strings.HasSuffix(path, "."+urlEncodedKey) {
		return x.lookup(path, line) // an encoded value, not an object
	}
	head, rest, _ := strings.Cut(path, ".")
	v, isVar := x.variable(head)
	switch {
	case isVar && rest == "":
		return v, nil
	case isVar && v.alias != "":
		return value{alias: v.alias + "." + rest, ok: true}, nil
	case isVar:
		return x.lookup(path, line)
	}
	return value{alias: path, ok: true}, nil
}

// lookup resolves a path through variables and the Resolver, applying a
// trailing .urlEncoded, and records it when unresolved.
func (x *executor) lookup(path string, line int) (value, error) {
	v, resolvedPath := x.find(path)
	if !v.ok {
		if x.opts.Strict {
			return value{}, errorf(line, "unknown path $%s", path)
		}
		x.unresolved = append(x.unresolved, Unresolved{Line: line, Path: resolvedPath})
	}
	return v, nil
}

// find resolves path without recording; it also returns the key path that
// was asked of the Resolver (or the variable path).
func (x *executor) find(path string) (value, string) {
	encode := false
	if base, ok := strings.CutSuffix(path, "."+urlEncodedKey); ok {
		path, encode = base, true
	}
	v, full := x.findRaw(path)
	if encode && v.ok {
		s := strings.ReplaceAll(url.QueryEscape(v.text()), "+", "%20")
		v = value{s: s, ok: true}
	}
	return v, full
}

// findRaw resolves path through variables and the Resolver.
func (x *executor) findRaw(path string) (value, string) {
	head, rest, hasRest := strings.Cut(path, ".")
	if v, isVar := x.variable(head); isVar {
		switch {
		case v.alias != "" && hasRest:
			return x.fromResolver(v.alias + "." + rest)
		case v.alias != "":
			return x.fromResolver(v.alias)
		case !hasRest:
			return v, path
		case v.isList && rest == "@count":
			return value{s: strconv.Itoa(len(v.list)), ok: true}, path
		}
		return value{}, path
	}
	return x.fromResolver(path)
}

// fromResolver asks the Resolver for path.
func (x *executor) fromResolver(path string) (value, string) {
	if x.resolve == nil {
		return value{}, path
	}
	s, ok := x.resolve(path)
	return value{s: s, ok: ok}, path
}

// operandValue evaluates a condition operand; unresolved paths are nil
// and are not recorded.
func (x *executor) operandValue(o operand) value {
	switch {
	case o.isNil:
		return value{}
	case o.path != "":
		v, _ := x.find(o.path)
		return v
	}
	return value{s: o.lit, ok: true}
}
