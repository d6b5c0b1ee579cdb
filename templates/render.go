package templates

import (
	"fmt"
	"io"

	"github.com/valyala/bytebufferpool"
	"github.com/valyala/fasttemplate"
)

// renderState carries the values of one template execution into the
// fasttemplate tag function. States are pooled so that a render allocates
// neither a closure nor a state.
type renderState struct {
	values Values
	// content is the rendered page body while the layout executes.
	content    []byte
	hasContent bool
	// rawText: an inserted HTML value has a raw text element.
	rawText bool
	tagFunc fasttemplate.TagFunc
}

func newRenderState() *renderState {
	s := &renderState{}
	s.tagFunc = s.tag
	return s
}

// tag writes the escaped value of one placeholder. key is the placeholder
// as rewritten at load time: its first byte is the escaping context, the
// rest is the value name.
func (s *renderState) tag(w io.Writer, key string) (int, error) {
	buf := w.(*bytebufferpool.ByteBuffer)
	ctx, name := escContext(key[0]), key[1:]
	start := len(buf.B)
	if ctx == ctxRaw && s.hasContent && name == layoutContent {
		buf.B = append(buf.B, s.content...)
		return len(buf.B) - start, nil
	}
	v, ok := s.values[name]
	if !ok {
		return 0, fmt.Errorf("placeholder {{%s}}: %w", name, ErrMissingValue)
	}
	if ctx == ctxRaw || ctx == ctxRawForeign {
		h, ok := v.(HTML)
		if !ok {
			return 0, fmt.Errorf("placeholder {{raw:%s}}: %w, got %T", name, ErrNotHTML, v)
		}
		if ctx == ctxRawForeign && h.rawText {
			return 0, fmt.Errorf("placeholder {{raw:%s}}: %w", name, ErrHTMLInForeign)
		}
		s.rawText = s.rawText || h.rawText
		buf.B = append(buf.B, h.s...)
		return len(buf.B) - start, nil
	}
	var err error
	buf.B, err = appendValue(buf.B, ctx, v)
	if err != nil {
		buf.B = buf.B[:start]
		return 0, fmt.Errorf("placeholder {{%s}}: %w", name, err)
	}
	return len(buf.B) - start, nil
}

// execute runs t with v into buf. When isLayout is set, content fills the
// layout's {{raw:content}} placeholder. rawText reports whether the
// output has a raw text element (see HTML).
func (r *Registry) execute(buf *bytebufferpool.ByteBuffer, t *compiled, v Values, content []byte, isLayout bool) (rawText bool, err error) {
	s := r.states.Get().(*renderState)
	s.values, s.content, s.hasContent, s.rawText = v, content, isLayout, false
	_, err = t.tmpl.ExecuteFunc(buf, s.tagFunc)
	rawText = s.rawText || t.rawElements
	s.values, s.content, s.hasContent, s.rawText = nil, nil, false, false
	r.states.Put(s)
	if err != nil {
		return false, fmt.Errorf("%s: %w", t.file, err)
	}
	return rawText, nil
}

// Render renders page into the layout and writes the result to w. The
// layout reads its values (see Layout) from the same v as the page. Nothing
// is written to w unless rendering succeeds.
func (r *Registry) Render(w io.Writer, page string, v Values) error {
	p, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("rendering page %q: %w", page, ErrUnknownTemplate)
	}
	body := r.buffers.Get()
	defer r.buffers.Put(body)
	if _, err := r.execute(body, p, v, nil, false); err != nil {
		return fmt.Errorf("rendering page %q: %w", page, err)
	}
	out := r.buffers.Get()
	defer r.buffers.Put(out)
	if _, err := r.execute(out, r.layout, v, body.B, true); err != nil {
		return fmt.Errorf("rendering page %q into layout: %w", page, err)
	}
	if _, err := w.Write(out.B); err != nil {
		return fmt.Errorf("writing page %q: %w", page, err)
	}
	return nil
}

// RenderHTML renders a partial and returns its output as HTML, ready for a
// {{raw:...}} placeholder of another template or for Join.
func (r *Registry) RenderHTML(partial string, v Values) (HTML, error) {
	p, ok := r.partials[partial]
	if !ok {
		return HTML{}, fmt.Errorf("rendering partial %q: %w", partial, ErrUnknownTemplate)
	}
	buf := r.buffers.Get()
	defer r.buffers.Put(buf)
	rawText, err := r.execute(buf, p, v, nil, false)
	if err != nil {
		return HTML{}, fmt.Errorf("rendering partial %q: %w", partial, err)
	}
	return HTML{s: string(buf.B), rawText: rawText}, nil
}
