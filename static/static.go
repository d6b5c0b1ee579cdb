// Package static holds the CSS, JavaScript and images that browsers load,
// embedded in the binary and served under content-hashed URLs such as
// /static/app.3f2a1c9e.css. The hashes are computed once at startup, so a
// URL names one exact content and can be cached forever
// (CacheControlImmutable). Each file is compressed once at startup, with
// gzip and brotli at their best levels, so a request costs no
// compression. The server serves Lookup results; this package knows
// nothing about HTTP frameworks.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

//go:embed files
var embedded embed.FS

const (
	// Prefix is the URL path under which assets are served.
	Prefix = "/static/"
	// CacheControlImmutable is the Cache-Control value for hashed URLs:
	// their content never changes, so browsers may keep them for a year
	// without revalidating.
	CacheControlImmutable = "public, max-age=31536000, immutable"
	// hashLen is the number of hex digits of the content hash in URLs.
	hashLen = 8
)

// File is one asset, ready to serve.
type File struct {
	// Name is the logical name, the path below static/files, e.g. "app.css".
	Name string
	// Path is the hashed URL path, e.g. "/static/app.3f2a1c9e.css".
	Path string
	// ContentType is the Content-Type header value.
	ContentType string
	// Body is the file content. It is shared: do not modify it.
	Body []byte
	// ETag is the strong entity tag (quoted) of Body.
	ETag string
	// Gzip is Body compressed with gzip, or nil when compression does not
	// save at least a tenth of the size. It is shared: do not modify it.
	Gzip []byte
	// GzipETag is the entity tag of the gzip representation (empty when
	// Gzip is nil).
	GzipETag string
	// Brotli is Body compressed with brotli at its best level, or nil
	// when that does not save at least a tenth of the size. It is shared:
	// do not modify it.
	Brotli []byte
	// BrotliETag is the entity tag of the brotli representation (empty
	// when Brotli is nil).
	BrotliETag string
}

// Assets maps logical names to hashed URLs and hashed URL paths to files.
// It is read-only after New and safe for concurrent use.
type Assets struct {
	urls  map[string]string // name → hashed path
	files map[string]File   // hashed path → file
}

// New returns the assets embedded from static/files. They are hashed and
// compressed once per process (brotli at its best level takes a good
// part of a second on a busy machine), on the first call; every call
// returns the same read-only Assets.
func New() (*Assets, error) {
	return loadEmbedded()
}

// loadEmbedded loads the embedded assets on its first call and returns
// the same result ever after; nothing changes them once loaded.
var loadEmbedded = sync.OnceValues(func() (*Assets, error) {
	sub, err := fs.Sub(embedded, "files")
	if err != nil {
		return nil, fmt.Errorf("opening embedded assets: %w", err)
	}
	return NewFromFS(sub)
})

// NewFromFS loads every file below the root of fsys. Files and directories
// whose names start with '.' are skipped. A file with an extension that has
// no known content type is an error.
func NewFromFS(fsys fs.FS) (*Assets, error) {
	a := &Assets{urls: map[string]string{}, files: map[string]File{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		f, err := newFile(name, body)
		if err != nil {
			return err
		}
		a.urls[name] = f.Path
		a.files[f.Path] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading assets: %w", err)
	}
	return a, nil
}

func newFile(name string, body []byte) (File, error) {
	ext := strings.ToLower(path.Ext(name))
	ctype := contentType(ext)
	if ctype == "" {
		return File{}, fmt.Errorf("asset %s: no content type known for extension %q", name, ext)
	}
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])
	f := File{
		Name:        name,
		Path:        Prefix + hashedName(name, digest[:hashLen]),
		ContentType: ctype,
		Body:        body,
		ETag:        `"` + digest[:32] + `"`,
	}
	gz, err := gzipBytes(body)
	if err != nil {
		return File{}, fmt.Errorf("compressing asset %s: %w", name, err)
	}
	if len(gz) <= len(body)-len(body)/10 {
		f.Gzip = gz
		f.GzipETag = `"` + digest[:32] + `-gz"`
	}
	br, err := brotliBytes(body)
	if err != nil {
		return File{}, fmt.Errorf("compressing asset %s: %w", name, err)
	}
	if len(br) <= len(body)-len(body)/10 {
		f.Brotli = br
		f.BrotliETag = `"` + digest[:32] + `-br"`
	}
	return f, nil
}

// hashedName inserts the hash before the extension: "img/logo.svg" becomes
// "img/logo.<hash>.svg", "LICENSE" becomes "LICENSE.<hash>".
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	if ext == "" || ext == path.Base(name) {
		return name + "." + hash
	}
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// gzipBytes compresses b deterministically (no name or time in the header).
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// brotliBytes compresses b with brotli at its best (slowest) level: it
// runs once per file at startup.
func brotliBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// contentType returns the Content-Type for a lower-case extension, or ""
// for an unknown one. The table is fixed so the result does not depend on
// the host's MIME configuration.
func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	case ".ico":
		return "image/x-icon"
	case ".woff2":
		return "font/woff2"
	case ".woff":
		return "font/woff"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	return ""
}

// URL returns the hashed URL path of the asset with the given logical name
// (e.g. "app.css"), or "" if there is no such asset.
func (a *Assets) URL(name string) string {
	return a.urls[name]
}

// Lookup returns the asset served at urlPath, which must be a hashed path
// as returned by URL. Unhashed paths and stale hashes are not found.
func (a *Assets) Lookup(urlPath string) (File, bool) {
	f, ok := a.files[urlPath]
	return f, ok
}

// Names returns the logical names of all assets, sorted.
func (a *Assets) Names() []string {
	return slices.Sorted(maps.Keys(a.urls))
}
