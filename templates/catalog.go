package templates

import (
	recrubo "github.com/recrubo/recrubo-carerix"

	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"time"
)

//go:embed locales/*.json
var localeFiles embed.FS

// Supported languages. English is the fallback for missing messages.
const (
	LangEN = recrubo.LangEnglish
	LangNL = recrubo.LangDutch
)

// NormalizeLang maps a language as Carerix or a browser writes it to
// LangNL or LangEN; see recrubo.NormalizeLang.
func NormalizeLang(s string) string { return recrubo.NormalizeLang(s) }

// Catalog holds the translated messages per language. Callers translate
// text and pass it to templates as values.
type Catalog struct {
	messages map[string]map[string]string // lang → key → message
}

// NewCatalog loads the catalogs embedded in the binary.
func NewCatalog() (*Catalog, error) {
	return NewCatalogFromFS(localeFiles)
}

// NewCatalogFromFS loads the locale files from fsys: locales/<lang>.json
// and, per area of the product, locales/<area>.<lang>.json. Each file is a
// flat JSON object of message key to message; the files of one language
// are merged and a key defined twice is an error. English is required.
func NewCatalogFromFS(fsys fs.FS) (*Catalog, error) {
	files, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("listing locales: %w", err)
	}
	c := &Catalog{messages: map[string]map[string]string{}}
	for _, file := range files {
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", file, err)
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("parsing %s: %w", file, err)
		}
		name := strings.TrimSuffix(path.Base(file), ".json")
		lang := name[strings.LastIndexByte(name, '.')+1:]
		if c.messages[lang] == nil {
			c.messages[lang] = make(map[string]string, len(m))
		}
		for k, v := range m {
			if _, dup := c.messages[lang][k]; dup {
				return nil, fmt.Errorf("loading %s: message %q is defined twice for %q", file, k, lang)
			}
			c.messages[lang][k] = v
		}
	}
	if c.messages[LangEN] == nil {
		return nil, fmt.Errorf("loading locales: locales/%s.json is missing", LangEN)
	}
	return c, nil
}

// Lookup returns the message for key in lang, falling back to English. ok
// is false if neither has the key.
func (c *Catalog) Lookup(lang, key string) (msg string, ok bool) {
	if msg, ok = c.messages[NormalizeLang(lang)][key]; ok {
		return msg, true
	}
	msg, ok = c.messages[LangEN][key]
	return msg, ok
}

// T returns the message for key in lang formatted with args (fmt verbs;
// use indexed verbs such as %[2]s when languages order arguments
// differently). A missing key yields the key itself so it shows up in
// tests and on screen rather than an empty string.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.Lookup(lang, key)
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Languages returns the languages that have a catalog, sorted.
func (c *Catalog) Languages() []string {
	return slices.Sorted(maps.Keys(c.messages))
}

// Keys returns the message keys of lang's own catalog, sorted.
func (c *Catalog) Keys(lang string) []string {
	return slices.Sorted(maps.Keys(c.messages[lang]))
}

// codeKeys are each error code's general message: what a user reads of an
// error that has no catalog key of its own, in languages other than
// English.
var codeKeys = map[recrubo.Code]string{
	recrubo.EINVALID:      "error.bad_request",
	recrubo.EUNAUTHORIZED: "error.unauthorized",
	recrubo.EFORBIDDEN:    "error.forbidden",
	recrubo.ENOTFOUND:     "error.not_found",
	recrubo.ECONFLICT:     "error.conflict",
	recrubo.ETOOLARGE:     "error.too_large",
	recrubo.ERATELIMITED:  "error.rate_limited",
	recrubo.EUNAVAILABLE:  "error.unavailable",
	recrubo.EINTERNAL:     "error.internal",
}

// Error returns what a user reading lang is told of err: its catalog text
// (a date among its arguments written out in lang); an internal error's
// general message; an error without a key its English message in
// English, else its code's general message.
func (c *Catalog) Error(lang string, err error) string {
	if err == nil {
		return ""
	}
	code := recrubo.ErrorCode(err)
	if code == recrubo.EINTERNAL {
		return c.T(lang, codeKeys[recrubo.EINTERNAL])
	}
	if key, args := recrubo.ErrorKey(err); key != "" {
		if len(args) > 0 {
			args = slices.Clone(args)
			for i, a := range args {
				if d, ok := a.(time.Time); ok {
					args[i] = FormatDate(lang, d, d.Location())
				}
			}
		}
		return c.T(lang, key, args...)
	}
	if NormalizeLang(lang) == LangEN {
		return recrubo.ErrorMessage(err)
	}
	key, ok := codeKeys[code]
	if !ok {
		key = codeKeys[recrubo.EINTERNAL]
	}
	return c.T(lang, key)
}
