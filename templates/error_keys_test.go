package templates

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// keyedCall is one place an error with a catalog key is made.
type keyedCall struct {
	where string
	key   string
	args  int // -1: args... (not counted)
}

// errorKeyCalls finds every recrubo.E, recrubo.WrapE and
// recrubo.Error{Key: …} in the module's Go files (tests excluded), and
// every recrubo.Errorf or recrubo.WrapError of a code other than
// EINTERNAL in the files match selects.
func errorKeyCalls(t *testing.T, match func(path string) bool) (calls []keyedCall, unkeyed []string) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "recrubo" {
					return true
				}
				where := fset.Position(n.Pos()).String()
				switch sel.Sel.Name {
				case "E", "WrapE":
					at := map[string]int{"E": 1, "WrapE": 2}[sel.Sel.Name]
					if len(n.Args) <= at {
						t.Errorf("%s: no key", where)
						return true
					}
					args := len(n.Args) - at - 1
					if n.Ellipsis.IsValid() {
						args = -1
					}
					calls = append(calls, keyedCall{where, literal(t, where, n.Args[at]), args})
				case "Errorf", "WrapError":
					if code, ok := n.Args[0].(*ast.SelectorExpr); ok && code.Sel.Name == "EINTERNAL" {
						return true
					}
					if match(path) {
						unkeyed = append(unkeyed, where)
					}
				}
			case *ast.CompositeLit:
				sel, ok := n.Type.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Error" {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "recrubo" {
					return true
				}
				for _, e := range n.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "Key" {
							where := fset.Position(n.Pos()).String()
							calls = append(calls, keyedCall{where, literal(t, where, kv.Value), 0})
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return calls, unkeyed
}

// literal is the string a key expression spells; a key must be a
// literal, so this test can check it.
func literal(t *testing.T, where string, e ast.Expr) string {
	t.Helper()
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		t.Errorf("%s: the key is not a string literal, so it cannot be checked", where)
		return ""
	}
	s, _ := strconv.Unquote(lit.Value)
	return s
}

// formatVerbs counts the arguments a catalog text consumes.
var formatVerbs = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)

func argsUsed(text string) int {
	n, next := 0, 0
	for _, m := range formatVerbs.FindAllStringSubmatch(text, -1) {
		if strings.HasSuffix(m[0], "%") {
			continue
		}
		if m[1] != "" {
			next, _ = strconv.Atoi(m[1])
		} else {
			next++
		}
		n = max(n, next)
	}
	return n
}

// TestEveryErrorHasATextInEveryLanguage: every error made with a catalog
// key names a key each language's own catalog has, with as many verbs as
// the error passes values; every code has a general message in each
// language; and the pages of recruiters and admins (server/embed*.go,
// server/verify*.go) make no error without a key. Since Catalog.Error
// tells a keyed error by its key and any other by its code's general
// message, every error an embedded page can return has a Dutch text.
func TestEveryErrorHasATextInEveryLanguage(t *testing.T) {
	cat, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	pages := func(path string) bool {
		dir, file := filepath.Split(filepath.ToSlash(path))
		return dir == "../server/" && (strings.HasPrefix(file, "embed") || strings.HasPrefix(file, "verify"))
	}
	calls, unkeyed := errorKeyCalls(t, pages)
	if len(calls) < 50 {
		t.Fatalf("found only %d errors with a key; is the walk wrong?", len(calls))
	}
	for _, where := range unkeyed {
		t.Errorf("%s: a page's error without a catalog key (use recrubo.E)", where)
	}
	for _, c := range calls {
		for _, lang := range cat.Languages() {
			text, ok := cat.messages[lang][c.key]
			if !ok {
				t.Errorf("%s: key %q is not in the %s catalog", c.where, c.key, lang)
				continue
			}
			if c.args >= 0 && argsUsed(text) != c.args {
				t.Errorf("%s: %s in %s takes %d values, the error gives %d", c.where, c.key, lang, argsUsed(text), c.args)
			}
		}
	}
	for _, code := range []recrubo.Code{recrubo.EINVALID, recrubo.ENOTFOUND, recrubo.ECONFLICT, recrubo.EUNAUTHORIZED,
		recrubo.EFORBIDDEN, recrubo.ETOOLARGE, recrubo.EUNAVAILABLE, recrubo.ERATELIMITED, recrubo.EINTERNAL} {
		for _, lang := range cat.Languages() {
			if _, ok := cat.messages[lang][codeKeys[code]]; !ok {
				t.Errorf("code %s has no general message in %s", code, lang)
			}
		}
	}
}

// TestCatalogError tells errors as a user reads them.
func TestCatalogError(t *testing.T) {
	cat, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	optedOut := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	operator := recrubo.Errorf(recrubo.ECONFLICT, "Something only an operator will read.")
	for _, tt := range []struct {
		err      error
		lang     string
		want     string
		scenario string
	}{
		{operator, "en", "Something only an operator will read.", "English keeps a message without a key"},
		{operator, "nl_NL", "Dit is intussen gewijzigd. Laad de pagina opnieuw en probeer het nog eens.", "other languages get the code's message"},
		{recrubo.Errorf("no such code", "x"), "nl", "Er is een interne fout opgetreden. Probeer het later opnieuw.", "an unknown code is internal"},
		{recrubo.WrapError(recrubo.EINTERNAL, errors.New("db at 10.0.0.1"), "db down"), "en", "An internal error occurred. Please try again later.", "internal errors say nothing"},
		{errors.New("plain"), "en", "An internal error occurred. Please try again later.", "a plain error is internal"},
		{recrubo.E(recrubo.EINVALID, "embed.error.too_many_vars", 10), "nl", "Een sjabloon heeft hoogstens 10 variabelen.", "values fill the text"},
		{recrubo.E(recrubo.EINVALID, "embed.error.too_many_vars", 10), "en", "A template has at most 10 variables.", "in English too"},
		{recrubo.WrapE(recrubo.EFORBIDDEN, errors.New("by STOP"), "embed.error.opted_out", optedOut), "nl",
			"De kandidaat heeft zich op 24 november 2026 afgemeld voor WhatsApp-berichten.", "dates are written out"},
		{nil, "nl", "", "no error"},
	} {
		if got := cat.Error(tt.lang, tt.err); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.scenario, got, tt.want)
		}
	}
}
