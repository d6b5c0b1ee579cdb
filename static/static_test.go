package static_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"

	"github.com/recrubo/recrubo-carerix/static"
)

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, body := range files {
		m[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return m
}

func mustNew(t *testing.T, fsys fs.FS) *static.Assets {
	t.Helper()
	a, err := static.NewFromFS(fsys)
	if err != nil {
		t.Fatalf("NewFromFS: %v", err)
	}
	return a
}

// TestEmbeddedAssets checks every file in static/files: it has a hashed
// URL, and looking that URL up returns the file's bytes from disk.
func TestEmbeddedAssets(t *testing.T) {
	a, err := static.New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	var onDisk []string
	err = filepath.WalkDir("files", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel("files", p)
			onDisk = append(onDisk, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(onDisk)
	if got := a.Names(); !slices.Equal(got, onDisk) {
		t.Fatalf("Names() = %v, want the files on disk %v", got, onDisk)
	}
	for _, want := range []string{"app.css", "app.js"} {
		if !slices.Contains(onDisk, want) {
			t.Errorf("missing asset %s", want)
		}
	}
	urlRE := regexp.MustCompile(`^/static/[a-z0-9_/-]+\.[0-9a-f]{8}\.[a-z0-9]+$`)
	for _, name := range onDisk {
		u := a.URL(name)
		if !urlRE.MatchString(u) {
			t.Errorf("URL(%q) = %q, not a hashed /static/ URL", name, u)
			continue
		}
		f, ok := a.Lookup(u)
		if !ok {
			t.Errorf("Lookup(URL(%q)) not found", name)
			continue
		}
		disk, err := os.ReadFile(filepath.Join("files", filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Body, disk) || f.Name != name || f.Path != u {
			t.Errorf("Lookup(%q) = %s at %s with %d bytes, want %s with %d bytes", u, f.Name, f.Path, len(f.Body), name, len(disk))
		}
	}
}

func TestCSSIsBalanced(t *testing.T) {
	css, err := os.ReadFile("files/app.css")
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	for _, c := range string(css) {
		switch c {
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				t.Fatal("app.css has an unmatched '}'")
			}
		}
	}
	if depth != 0 {
		t.Fatalf("app.css has %d unclosed '{'", depth)
	}
}

func TestURLChangesWithContent(t *testing.T) {
	v1 := mustNew(t, mapFS(map[string]string{"app.css": "body{color:red}", "app.js": "export {};"}))
	v2 := mustNew(t, mapFS(map[string]string{"app.css": "body{color:blue}", "app.js": "export {};"}))
	again := mustNew(t, mapFS(map[string]string{"app.css": "body{color:red}", "app.js": "export {};"}))

	if v1.URL("app.css") == v2.URL("app.css") {
		t.Errorf("app.css URL %q did not change with its content", v1.URL("app.css"))
	}
	if v1.URL("app.js") != v2.URL("app.js") {
		t.Errorf("app.js URL changed (%q, %q) although its content did not", v1.URL("app.js"), v2.URL("app.js"))
	}
	if v1.URL("app.css") != again.URL("app.css") {
		t.Errorf("URL not deterministic: %q, %q", v1.URL("app.css"), again.URL("app.css"))
	}
	// The old URL is not served by the new version.
	if _, ok := v2.Lookup(v1.URL("app.css")); ok {
		t.Error("new assets serve the old hashed URL")
	}
	f1, _ := v1.Lookup(v1.URL("app.css"))
	f2, _ := v2.Lookup(v2.URL("app.css"))
	if f1.ETag == f2.ETag || !strings.HasPrefix(f1.ETag, `"`) || !strings.HasSuffix(f1.ETag, `"`) {
		t.Errorf("ETags %s and %s: want distinct quoted tags", f1.ETag, f2.ETag)
	}
}

func TestLookupRejectsUnhashedPaths(t *testing.T) {
	a := mustNew(t, mapFS(map[string]string{"app.css": "body{}", "img/logo.svg": "<svg/>"}))
	u := a.URL("app.css")
	hash := strings.Split(u, ".")[1]
	for _, p := range []string{
		"/static/app.css",
		"app.css",
		strings.TrimPrefix(u, "/static/"),
		"/static/app.00000000.css",
		"/static/app." + hash + ".js",
		u + "x",
		"/static/img/logo.svg",
		"/static/../app.css",
		"",
	} {
		if _, ok := a.Lookup(p); ok {
			t.Errorf("Lookup(%q) found a file", p)
		}
	}
	if got := a.URL("nope.css"); got != "" {
		t.Errorf("URL(unknown) = %q, want empty", got)
	}
	logo := a.URL("img/logo.svg")
	if !regexp.MustCompile(`^/static/img/logo\.[0-9a-f]{8}\.svg$`).MatchString(logo) {
		t.Errorf("URL(img/logo.svg) = %q", logo)
	}
	if _, ok := a.Lookup(logo); !ok {
		t.Errorf("Lookup(%q) not found", logo)
	}
}

func TestContentTypes(t *testing.T) {
	tests := map[string]string{
		"a.css":        "text/css; charset=utf-8",
		"a.js":         "text/javascript; charset=utf-8",
		"a.mjs":        "text/javascript; charset=utf-8",
		"a.svg":        "image/svg+xml",
		"a.png":        "image/png",
		"a.JPG":        "image/jpeg",
		"a.webp":       "image/webp",
		"a.ico":        "image/x-icon",
		"a.woff2":      "font/woff2",
		"a.json":       "application/json",
		"fonts/b.woff": "font/woff",
	}
	files := map[string]string{}
	for name := range tests {
		files[name] = "x" + name
	}
	a := mustNew(t, mapFS(files))
	for name, want := range tests {
		f, ok := a.Lookup(a.URL(name))
		if !ok {
			t.Errorf("%s not found", name)
			continue
		}
		if f.ContentType != want {
			t.Errorf("%s: content type %q, want %q", name, f.ContentType, want)
		}
	}
}

func TestUnknownExtensionIsAnError(t *testing.T) {
	_, err := static.NewFromFS(mapFS(map[string]string{"app.css": "x", "notes.docx": "x"}))
	if err == nil || !strings.Contains(err.Error(), "notes.docx") {
		t.Errorf("NewFromFS = %v, want an error naming notes.docx", err)
	}
}

func TestDotFilesSkipped(t *testing.T) {
	a := mustNew(t, mapFS(map[string]string{"app.css": "x", ".DS_Store": "x", ".git/config": "x"}))
	if got := a.Names(); !slices.Equal(got, []string{"app.css"}) {
		t.Errorf("Names() = %v, want [app.css]", got)
	}
}

func TestGzip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 4096)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	css := strings.Repeat(".list-item { display: flex; padding: 8px 0; }\n", 200)
	a := mustNew(t, mapFS(map[string]string{"app.css": css, "noise.png": string(noise)}))

	f, _ := a.Lookup(a.URL("app.css"))
	if f.Gzip == nil {
		t.Fatal("compressible CSS has no gzip variant")
	}
	if len(f.Gzip) >= len(f.Body) {
		t.Errorf("gzip %d bytes is not smaller than %d", len(f.Gzip), len(f.Body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(f.Gzip))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != css {
		t.Error("gzip round trip changed the content")
	}
	if f.GzipETag == "" || f.GzipETag == f.ETag {
		t.Errorf("GzipETag %q must differ from ETag %q", f.GzipETag, f.ETag)
	}

	n, _ := a.Lookup(a.URL("noise.png"))
	if n.Gzip != nil || n.GzipETag != "" {
		t.Errorf("incompressible file got a gzip variant (%d of %d bytes)", len(n.Gzip), len(n.Body))
	}
}

func TestBrotli(t *testing.T) {
	css := strings.Repeat(".list-item { display: flex; padding: 8px 0; }\n", 200)
	a := mustNew(t, mapFS(map[string]string{"app.css": css, "tiny.svg": "<svg/>"}))
	f, _ := a.Lookup(a.URL("app.css"))
	if f.Brotli == nil || len(f.Brotli) >= len(f.Gzip) {
		t.Fatalf("brotli %d bytes, gzip %d: brotli must exist and beat gzip on CSS", len(f.Brotli), len(f.Gzip))
	}
	got, err := io.ReadAll(brotli.NewReader(bytes.NewReader(f.Brotli)))
	if err != nil || string(got) != css {
		t.Errorf("brotli round trip changed the content (%v)", err)
	}
	if f.BrotliETag == "" || f.BrotliETag == f.ETag || f.BrotliETag == f.GzipETag {
		t.Errorf("BrotliETag %q must differ from %q and %q", f.BrotliETag, f.ETag, f.GzipETag)
	}
	tiny, _ := a.Lookup(a.URL("tiny.svg"))
	if tiny.Brotli != nil || tiny.BrotliETag != "" {
		t.Errorf("a file compression does not shrink got a brotli variant")
	}
}
