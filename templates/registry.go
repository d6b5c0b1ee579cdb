package templates

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/valyala/bytebufferpool"
	"github.com/valyala/fasttemplate"
)

//go:embed pages/*.html partials/*.html
var templateFiles embed.FS

const (
	pagesDir      = "pages"
	partialsDir   = "partials"
	layoutName    = "layout"
	layoutContent = "content"
)

// Registry holds every page and partial, parsed and analysed once at
// startup. It is safe for concurrent use.
type Registry struct {
	pages    map[string]*compiled
	partials map[string]*compiled
	layout   *compiled
	buffers  bytebufferpool.Pool
	states   sync.Pool
}

// compiled is one analysed template.
type compiled struct {
	file string // e.g. "pages/hello.html"
	tmpl *fasttemplate.Template
	tags []string // distinct value names, sorted
	// rawElements: the template has an element whose text browsers parse
	// differently inside <svg> and <math> (see HTML).
	rawElements bool
}

// New loads the templates embedded in the binary. An error means a
// template is broken and the service must not start.
func New() (*Registry, error) {
	return NewFromFS(templateFiles)
}

// NewFromFS loads pages/*.html and partials/*.html from fsys. Every
// template is analysed; all problems found are returned together. The
// partial "layout" must exist and contain {{raw:content}}.
func NewFromFS(fsys fs.FS) (*Registry, error) {
	r := &Registry{
		pages:    map[string]*compiled{},
		partials: map[string]*compiled{},
	}
	r.states.New = func() any { return newRenderState() }
	var errs []error
	for _, set := range []struct {
		dir string
		m   map[string]*compiled
	}{{pagesDir, r.pages}, {partialsDir, r.partials}} {
		files, err := fs.Glob(fsys, set.dir+"/*.html")
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", set.dir, err)
		}
		for _, file := range files {
			c, err := loadTemplate(fsys, file)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			set.m[strings.TrimSuffix(path.Base(file), ".html")] = c
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("loading templates: %w", err)
	}
	r.layout = r.partials[layoutName]
	if r.layout == nil {
		return nil, fmt.Errorf("loading templates: %s/%s.html is missing", partialsDir, layoutName)
	}
	if !r.layout.hasRaw(layoutContent) {
		return nil, fmt.Errorf("loading templates: %s/%s.html has no {{raw:%s}}", partialsDir, layoutName, layoutContent)
	}
	return r, nil
}

func loadTemplate(fsys fs.FS, file string) (*compiled, error) {
	base := strings.TrimSuffix(path.Base(file), ".html")
	if !validName(base, false) {
		return nil, fmt.Errorf("template %s: file name must be lower case letters, digits, '_' or '-'", file)
	}
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("reading template %s: %w", file, err)
	}
	return compile(file, string(src))
}

// validName reports whether s is a valid template name (lower case, digits,
// '_', '-') or, with value set, a valid value name (a letter, then letters,
// digits, '_' or '.').
func validName(s string, value bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
		case value && 'A' <= c && c <= 'Z':
		case i > 0 && '0' <= c && c <= '9', i > 0 && c == '_':
		case i > 0 && !value && c == '-', i > 0 && value && c == '.':
		default:
			return false
		}
	}
	return true
}

// compile analyses src and rewrites every placeholder to "{{" + context
// byte + name + "}}", so that the tag function knows the escaper without a
// lookup.
func compile(file, src string) (*compiled, error) {
	sc := newScanner(file)
	var out strings.Builder
	out.Grow(len(src))
	seen := map[string]bool{}
	var tags []string
	rest := src
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			break
		}
		if err := sc.literal(rest[:i]); err != nil {
			return nil, err
		}
		out.WriteString(rest[:i])
		rest = rest[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return nil, &ParseError{Template: file, Line: sc.line, Reason: `"{{" without a closing "}}"`}
		}
		inner := rest[:j]
		rest = rest[j+2:]
		written := "{{" + inner + "}}"
		raw := false
		name := inner
		if k := strings.IndexByte(inner, ':'); k >= 0 {
			if inner[:k] != "raw" {
				return nil, &ParseError{Template: file, Line: sc.line, Tag: written,
					Reason: fmt.Sprintf("unknown kind %q; the only kind is raw", inner[:k])}
			}
			raw, name = true, inner[k+1:]
		}
		if !validName(name, true) {
			return nil, &ParseError{Template: file, Line: sc.line, Tag: written,
				Reason: "a placeholder name starts with a letter and has only letters, digits, '_' and '.'"}
		}
		ctx, err := sc.placeholder(written, raw)
		if err != nil {
			return nil, err
		}
		out.WriteString("{{")
		out.WriteByte(byte(ctx))
		out.WriteString(name)
		out.WriteString("}}")
		if !seen[name] {
			seen[name] = true
			tags = append(tags, name)
		}
	}
	if err := sc.literal(rest); err != nil {
		return nil, err
	}
	out.WriteString(rest)
	if err := sc.end(); err != nil {
		return nil, err
	}
	t, err := fasttemplate.NewTemplate(out.String(), "{{", "}}")
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", file, err)
	}
	slices.Sort(tags)
	return &compiled{file: file, tmpl: t, tags: tags, rawElements: sc.rawElements}, nil
}

// hasRaw reports whether the template has {{raw:name}}.
func (c *compiled) hasRaw(name string) bool {
	var found bool
	c.tmpl.ExecuteFuncString(func(_ io.Writer, key string) (int, error) {
		if escContext(key[0]) == ctxRaw && key[1:] == name {
			found = true
		}
		return 0, nil
	})
	return found
}

// Pages returns the names of all pages, sorted.
func (r *Registry) Pages() []string {
	return sortedKeys(r.pages)
}

// Partials returns the names of all partials, sorted. The layout is the
// partial "layout".
func (r *Registry) Partials() []string {
	return sortedKeys(r.partials)
}

// PageValues returns the value names a page and the layout read, sorted;
// every one of them must be present in the Values passed to Render.
func (r *Registry) PageValues(page string) ([]string, error) {
	p, ok := r.pages[page]
	if !ok {
		return nil, fmt.Errorf("page %q: %w", page, ErrUnknownTemplate)
	}
	names := slices.Clone(p.tags)
	for _, n := range r.layout.tags {
		if n != layoutContent && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

func sortedKeys(m map[string]*compiled) []string {
	return slices.Sorted(maps.Keys(m))
}
