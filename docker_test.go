package recrubo_test

import (
	"bufio"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// dockerIgnore reads .dockerignore's patterns as Docker does: one a line,
// blank lines and # comments skipped, each cleaned and taken from the
// context's root. Exceptions (!pattern) are refused: excluded does not
// know them.
func dockerIgnore(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(".dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var patterns []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			t.Fatalf(".dockerignore: %q: this test does not read exceptions; teach excluded them", line)
		}
		patterns = append(patterns, strings.TrimPrefix(path.Clean(line), "/"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return patterns
}

// excluded reports whether the slash-separated path p, from the context's
// root, is left out of the build context: as with Docker, when a pattern
// matches p or one of its parent directories, "*" matching within one
// name and "**" any number of directories.
func excluded(patterns []string, p string) bool {
	parts := strings.Split(p, "/")
	for _, pat := range patterns {
		for i := 1; i <= len(parts); i++ {
			if matchNames(strings.Split(pat, "/"), parts[:i]) {
				return true
			}
		}
	}
	return false
}

// matchNames matches a pattern's names against a path's.
func matchNames(pat, names []string) bool {
	if len(pat) == 0 {
		return len(names) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(names); i++ {
			if matchNames(pat[1:], names[i:]) {
				return true
			}
		}
		return false
	}
	if len(names) == 0 {
		return false
	}
	ok, err := path.Match(pat[0], names[0])
	return err == nil && ok && matchNames(pat[1:], names[1:])
}

// TestDockerContext checks the Docker build context that .dockerignore
// leaves: it holds every file the Dockerfile's build of
// cmd/recrubo-carerix reads (go.mod, go.sum, each source file and embedded
// file of the packages that command needs), and none of the emulators,
// the demo, the tests or what is built or kept here.
func TestDockerContext(t *testing.T) {
	patterns := dockerIgnore(t)
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel := func(file string) string {
		r, err := filepath.Rel(root, file)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.ToSlash(r)
	}

	// What the image's build reads (CGO_ENABLED=0, on linux/amd64).
	needed := []string{"go.mod", "go.sum"}
	var shipped int
	for _, p := range goListEnv(t, []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64"}, "-deps", "./cmd/recrubo-carerix") {
		if !ours(p.ImportPath) {
			continue
		}
		shipped++
		for _, f := range p.GoFiles {
			needed = append(needed, rel(filepath.Join(p.Dir, f)))
		}
		for _, f := range p.EmbedFiles {
			needed = append(needed, rel(filepath.Join(p.Dir, f)))
		}
	}
	if shipped < 10 {
		t.Fatalf("go list found %d packages of the module behind cmd/recrubo-carerix", shipped)
	}
	for _, f := range needed {
		if excluded(patterns, f) {
			t.Errorf("the production build needs %s, which .dockerignore leaves out", f)
		}
	}

	// What it must not see.
	unwanted := []string{".git/HEAD", "artifacts/e2e/screenshot.png", "data/recrubo.db", ".cache/axe/node_modules/axe-core/axe.min.js",
		"recrubo-carerix", "recrubo-demo",
		"e2e/doc.go", "examples/tenant.yaml"}
	for _, p := range goList(t, "./...") {
		r := p.rel()
		if !isProduction(p) {
			for _, f := range p.GoFiles {
				unwanted = append(unwanted, path.Join(r, f))
			}
		}
		for _, f := range append(p.TestGoFiles, p.XTestGoFiles...) {
			unwanted = append(unwanted, path.Join(r, f))
		}
	}
	for _, f := range unwanted {
		if !excluded(patterns, f) {
			t.Errorf("the Docker build context holds %s, which the production binary does not need", f)
		}
	}
}
