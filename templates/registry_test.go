package templates_test

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/templates"
)

func TestNewLoadsEmbeddedTemplates(t *testing.T) {
	r, err := templates.New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, page := range []string{"error", "hello"} {
		if !slices.Contains(r.Pages(), page) {
			t.Errorf("Pages() = %v, missing %q", r.Pages(), page)
		}
	}
	for _, partial := range []string{"hello_item", "layout"} {
		if !slices.Contains(r.Partials(), partial) {
			t.Errorf("Partials() = %v, missing %q", r.Partials(), partial)
		}
	}
}

func TestRenderUnknownTemplate(t *testing.T) {
	r := newRegistry(t, map[string]string{"pages/a.html": "<p>a</p>", "partials/b.html": "<b>b</b>"})
	var buf bytes.Buffer
	if err := r.Render(&buf, "nope", templates.Values{}); !errors.Is(err, templates.ErrUnknownTemplate) {
		t.Errorf("Render(nope) = %v, want ErrUnknownTemplate", err)
	}
	// A partial is not a page and a page is not a partial.
	if err := r.Render(&buf, "b", templates.Values{}); !errors.Is(err, templates.ErrUnknownTemplate) {
		t.Errorf("Render(partial b) = %v, want ErrUnknownTemplate", err)
	}
	if _, err := r.RenderHTML("a", templates.Values{}); !errors.Is(err, templates.ErrUnknownTemplate) {
		t.Errorf("RenderHTML(page a) = %v, want ErrUnknownTemplate", err)
	}
	if buf.Len() != 0 {
		t.Errorf("failed renders wrote %q", buf.String())
	}
}

func TestRenderValueErrors(t *testing.T) {
	r := newRegistry(t, map[string]string{
		"pages/p.html": `<h1>{{title}}</h1><div>{{raw:body}}</div>`,
	})
	tests := []struct {
		name string
		v    templates.Values
		want error
		// inMsg is a substring the error message must contain.
		inMsg string
	}{
		{"missing value", templates.Values{"body": templates.TrustedHTML("<b>x</b>")}, templates.ErrMissingValue, "{{title}}"},
		{"typo in key", templates.Values{"titel": "x", "body": templates.TrustedHTML("")}, templates.ErrMissingValue, "{{title}}"},
		{"string in raw", templates.Values{"title": "x", "body": "<b>x</b>"}, templates.ErrNotHTML, "{{raw:body}}"},
		{"HTML in escaped", templates.Values{"title": templates.TrustedHTML("<b>x</b>"), "body": templates.TrustedHTML("")}, templates.ErrUnexpectedHTML, "{{title}}"},
		{"unsupported type", templates.Values{"title": []string{"x"}, "body": templates.TrustedHTML("")}, templates.ErrUnsupportedType, "[]string"},
		{"nil value", templates.Values{"title": nil, "body": templates.TrustedHTML("")}, templates.ErrUnsupportedType, "{{title}}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := r.Render(&buf, "p", tc.v)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Render = %v, want %v", err, tc.want)
			}
			for _, part := range []string{tc.inMsg, `"p"`, "pages/p.html"} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not mention %s", err, part)
				}
			}
			if buf.Len() != 0 {
				t.Errorf("failed render wrote %q", buf.String())
			}
		})
	}
}

func TestLayoutValuesAreStrict(t *testing.T) {
	r := newRegistry(t, map[string]string{
		"partials/layout.html": `<html lang="{{lang}}"><body>{{raw:content}}</body></html>`,
		"pages/p.html":         `<p>{{x}}</p>`,
	})
	var buf bytes.Buffer
	if err := r.Render(&buf, "p", templates.Values{"x": "1"}); !errors.Is(err, templates.ErrMissingValue) || !strings.Contains(err.Error(), "{{lang}}") {
		t.Errorf("Render without lang = %v, want ErrMissingValue for {{lang}}", err)
	}
	if err := r.Render(&buf, "p", templates.Values{"x": "1", "lang": "nl"}); err != nil {
		t.Fatalf("Render: %v", err)
	}
	if got, want := buf.String(), `<html lang="nl"><body><p>1</p></body></html>`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestLayoutContentIsThePage(t *testing.T) {
	// A "content" value given by the caller does not replace the page in
	// the layout, and the page itself may still use a value named content.
	r := newRegistry(t, map[string]string{
		"partials/layout.html": `<main>{{raw:content}}</main>`,
		"pages/p.html":         `<p>{{content}}</p>`,
	})
	var buf bytes.Buffer
	if err := r.Render(&buf, "p", templates.Values{"content": "<i>"}); err != nil {
		t.Fatalf("Render: %v", err)
	}
	if got, want := buf.String(), `<main><p>&lt;i&gt;</p></main>`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestLayoutRequired(t *testing.T) {
	for name, layout := range map[string]string{
		"no raw content":      `<main>{{content}}</main>`,
		"raw with other name": `<main>{{raw:body}}</main>`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := registryFromFiles(map[string]string{"partials/layout.html": layout})
			if err == nil || !strings.Contains(err.Error(), "{{raw:content}}") {
				t.Errorf("NewFromFS = %v, want an error about {{raw:content}}", err)
			}
		})
	}
}

func TestBadTemplateFileName(t *testing.T) {
	_, err := registryFromFiles(map[string]string{"pages/Inbox Page.html": "<p>x</p>"})
	if err == nil || !strings.Contains(err.Error(), "Inbox Page.html") {
		t.Errorf("NewFromFS = %v, want an error naming the file", err)
	}
}

func TestComposeWithPartials(t *testing.T) {
	r := newRegistry(t, map[string]string{
		"partials/item.html": `<li>{{name}}</li>`,
		"pages/list.html":    `<ul>{{raw:items}}</ul>`,
	})
	var items []templates.HTML
	for _, name := range []string{"<a>", "b&c"} {
		h, err := r.RenderHTML("item", templates.Values{"name": name})
		if err != nil {
			t.Fatalf("RenderHTML: %v", err)
		}
		items = append(items, h)
	}
	var buf bytes.Buffer
	if err := r.Render(&buf, "list", templates.Values{"items": templates.Join(items)}); err != nil {
		t.Fatalf("Render: %v", err)
	}
	if got, want := buf.String(), `<ul><li>&lt;a&gt;</li><li>b&amp;c</li></ul>`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := templates.Join(nil).String(); got != "" {
		t.Errorf("Join(nil) = %q", got)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestRenderWriteError(t *testing.T) {
	r := newRegistry(t, map[string]string{"pages/p.html": `<p>x</p>`})
	err := r.Render(failingWriter{}, "p", templates.Values{})
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("Render = %v, want the write error", err)
	}
}

func TestPageValues(t *testing.T) {
	r, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.PageValues("error")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"heading", "lang", "message", "next", "nextHeading", "nonce", "requestID", "requestIDLabel", "scriptURL", "status", "stylesheetURL", "title"}
	if !slices.Equal(got, want) {
		t.Errorf("PageValues(error) = %v, want %v", got, want)
	}
	if _, err := r.PageValues("nope"); !errors.Is(err, templates.ErrUnknownTemplate) {
		t.Errorf("PageValues(nope) = %v, want ErrUnknownTemplate", err)
	}
}

// TestConcurrentRenders renders from many goroutines; run with -race.
func TestConcurrentRenders(t *testing.T) {
	r := newRegistry(t, map[string]string{"partials/c.html": `<p title="{{a}}">{{b}}</p>`})
	done := make(chan error)
	for i := range 8 {
		go func() {
			for j := range 200 {
				v := strings.Repeat("<", i+j)
				got, err := r.RenderHTML("c", templates.Values{"a": v, "b": j})
				if err == nil && got.String() != `<p title="`+strings.Repeat("&lt;", i+j)+`">`+strconv.Itoa(j)+`</p>` {
					err = errors.New("wrong output: " + got.String())
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
