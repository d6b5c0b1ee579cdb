package templates_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/recrubo/recrubo-carerix/templates"
)

// TestCatalogsHaveSameKeys checks that the embedded nl and en catalogs
// have identical key sets and the same fmt verbs per message.
func TestCatalogsHaveSameKeys(t *testing.T) {
	c, err := templates.NewCatalog()
	if err != nil {
		t.Fatalf("NewCatalog: %v", err)
	}
	if got := c.Languages(); !slices.Equal(got, []string{"en", "nl"}) {
		t.Fatalf("Languages() = %v, want [en nl]", got)
	}
	en, nl := c.Keys("en"), c.Keys("nl")
	if len(en) == 0 {
		t.Fatal("English catalog is empty")
	}
	for _, k := range en {
		if !slices.Contains(nl, k) {
			t.Errorf("key %q is in en.json but not in nl.json", k)
		}
	}
	for _, k := range nl {
		if !slices.Contains(en, k) {
			t.Errorf("key %q is in nl.json but not in en.json", k)
		}
	}
	verbs := regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)
	for _, k := range en {
		m1, _ := c.Lookup("en", k)
		m2, _ := c.Lookup("nl", k)
		v1, v2 := verbs.FindAllString(m1, -1), verbs.FindAllString(m2, -1)
		slices.Sort(v1)
		slices.Sort(v2)
		if !slices.Equal(v1, v2) {
			t.Errorf("key %q: verbs %v (en) and %v (nl) differ", k, v1, v2)
		}
		if strings.TrimSpace(m1) == "" || strings.TrimSpace(m2) == "" {
			t.Errorf("key %q has an empty message", k)
		}
	}
}

func TestCatalogLookupAndFallback(t *testing.T) {
	c, err := templates.NewCatalogFromFS(fstest.MapFS{
		"locales/en.json": {Data: []byte(`{"a": "Apple", "b": "Hello, %s!", "only_en": "English"}`)},
		"locales/nl.json": {Data: []byte(`{"a": "Appel", "b": "Hallo, %s!"}`)},
	})
	if err != nil {
		t.Fatalf("NewCatalogFromFS: %v", err)
	}
	tests := []struct {
		lang, key string
		want      string
		ok        bool
	}{
		{"nl", "a", "Appel", true},
		{"nl_NL", "a", "Appel", true},
		{"NL-be", "a", "Appel", true},
		{"en", "a", "Apple", true},
		{"de", "a", "Apple", true},
		{"", "a", "Apple", true},
		{"nl", "only_en", "English", true},
		{"nl", "missing", "", false},
	}
	for _, tc := range tests {
		got, ok := c.Lookup(tc.lang, tc.key)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Lookup(%q, %q) = %q, %v; want %q, %v", tc.lang, tc.key, got, ok, tc.want, tc.ok)
		}
	}
	if got := c.T("nl", "b", "Anna"); got != "Hallo, Anna!" {
		t.Errorf("T(nl, b) = %q", got)
	}
	if got := c.T("nl", "missing"); got != "missing" {
		t.Errorf("T(nl, missing) = %q, want the key", got)
	}
}

func TestCatalogErrors(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no English":   {"locales/nl.json": {Data: []byte(`{}`)}},
		"bad JSON":     {"locales/en.json": {Data: []byte(`{"a": `)}},
		"nested value": {"locales/en.json": {Data: []byte(`{"a": {"b": "c"}}`)}},
		"key in two area files": {
			"locales/en.json":       {Data: []byte(`{"a": "1"}`)},
			"locales/inbox.en.json": {Data: []byte(`{"a": "2"}`)},
		},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := templates.NewCatalogFromFS(fsys); err == nil {
				t.Error("NewCatalogFromFS succeeded, want an error")
			}
		})
	}
}

func TestCatalogMergesAreaFiles(t *testing.T) {
	c, err := templates.NewCatalogFromFS(fstest.MapFS{
		"locales/en.json":        {Data: []byte(`{"a": "A"}`)},
		"locales/verify.en.json": {Data: []byte(`{"b": "B"}`)},
		"locales/verify.nl.json": {Data: []byte(`{"b": "Bee"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("en", "b"); got != "B" {
		t.Errorf("T(en, b) = %q, want B", got)
	}
	if got := c.T("nl", "b"); got != "Bee" {
		t.Errorf("T(nl, b) = %q, want Bee", got)
	}
	if got := c.T("nl", "a"); got != "A" {
		t.Errorf("T(nl, a) = %q, want the English fallback A", got)
	}
}

func TestNormalizeLang(t *testing.T) {
	for in, want := range map[string]string{
		"nl": "nl", "NL": "nl", "nl-NL": "nl", "nl_BE": "nl", "en": "en", "en-US": "en", "en_US": "en", "de_DE": "en", "": "en", "nld": "nl", "Dutch": "nl", "Nederlands": "nl", "English": "en", "Deutsch": "en",
	} {
		if got := templates.NormalizeLang(in); got != want {
			t.Errorf("NormalizeLang(%q) = %q, want %q", in, got, want)
		}
	}
}
