package recrubo_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is this module's path; every package of it starts with it.
const module = "github.com/recrubo/recrubo-carerix"

// listedPackage is what `go list -json` says about a package.
type listedPackage struct {
	ImportPath   string
	Name         string
	Dir          string
	Imports      []string // of its non-test files
	Deps         []string // everything its non-test files need, transitively
	TestImports  []string
	XTestImports []string
	GoFiles      []string // the non-test files a build compiles
	EmbedFiles   []string // the files its go:embed directives name
	TestGoFiles  []string
	XTestGoFiles []string
}

// rel is the package's path inside the module ("" for the root package).
func (p listedPackage) rel() string {
	return strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
}

// goList runs `go list -json` with args in the module's root and decodes
// the packages it prints.
func goList(t *testing.T, args ...string) []listedPackage {
	t.Helper()
	return goListEnv(t, nil, args...)
}

// goListEnv is goList with env added to the go tool's environment.
func goListEnv(t *testing.T, env []string, args ...string) []listedPackage {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the layering is read with the go tool: %v", err)
	}
	cmd := exec.Command(goTool, append([]string{"list",
		"-json=ImportPath,Name,Dir,Imports,Deps,TestImports,XTestImports,GoFiles,EmbedFiles,TestGoFiles,XTestGoFiles"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list's output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list %s listed no package", strings.Join(args, " "))
	}
	return pkgs
}

// ours reports whether path is a package of this module.
func ours(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

// under reports whether rel is dir or a package below it.
func under(rel, dir string) bool { return rel == dir || strings.HasPrefix(rel, dir+"/") }

// isEmulator reports whether rel is an emulator or one of its packages.
func isEmulator(rel string) bool {
	return under(rel, "carerix/carerixemu") || under(rel, "whatsapp/waemu")
}

// isTestHelper reports whether p is a package for tests only: a helper
// whose own files import testing (storetest, synctest, eventually, …), or
// the browser tests.
func isTestHelper(p listedPackage) bool {
	return slices.Contains(p.Imports, "testing") || under(p.rel(), "e2e")
}

// isProduction reports whether p may ship in the production binary: every
// package but the emulators, the test helpers and the demo's command.
func isProduction(p listedPackage) bool {
	return !isEmulator(p.rel()) && !isTestHelper(p) && p.rel() != "cmd/recrubo-demo"
}

// TestLayering pins the dependency rules README.md ("How it works") states,
// with what `go list` reads from the source.
func TestLayering(t *testing.T) {
	pkgs := goList(t, "./...")
	byRel, byPath := map[string]listedPackage{}, map[string]listedPackage{}
	for _, p := range pkgs {
		byRel[p.rel()], byPath[p.ImportPath] = p, p
	}
	// The rules below name these packages; a rename must update them.
	for _, rel := range []string{"", "server", "store", "carerix", "whatsapp", "cli", "cmd/recrubo-carerix", "cmd/recrubo-demo",
		"carerix/carerixemu", "whatsapp/waemu"} {
		if _, ok := byRel[rel]; !ok {
			t.Fatalf("go list has no package %q; update the layering rules", rel)
		}
	}

	t.Run("only server imports Fiber", func(t *testing.T) {
		for _, p := range pkgs {
			if under(p.rel(), "server") {
				continue
			}
			for _, imp := range slices.Concat(p.Imports, p.TestImports, p.XTestImports) {
				if strings.HasPrefix(imp, "github.com/gofiber/") {
					t.Errorf("%s imports %s: only server/ speaks Fiber", p.ImportPath, imp)
				}
			}
		}
	})

	t.Run("the root package imports no package of the module", func(t *testing.T) {
		for _, dep := range byRel[""].Deps {
			if ours(dep) {
				t.Errorf("package recrubo depends on %s: the domain imports nothing of the module", dep)
			}
		}
	})

	t.Run("the Carerix and WhatsApp clients import only the root package", func(t *testing.T) {
		for _, rel := range []string{"carerix", "whatsapp"} {
			for _, dep := range byRel[rel].Deps {
				if ours(dep) && dep != module {
					t.Errorf("%s depends on %s: a client speaks its API and the domain types only", rel, dep)
				}
			}
		}
	})

	t.Run("store depends on no service package", func(t *testing.T) {
		// The store may use the domain and its embedded migrations; the
		// services (sync, messaging, provisioning, verify, embed,
		// dashboard, server, jobs, the clients, …) depend on it, never
		// the other way round.
		allowed := []string{module, module + "/assets"}
		for _, p := range pkgs {
			if !under(p.rel(), "store") || isTestHelper(p) {
				continue
			}
			for _, dep := range p.Deps {
				if ours(dep) && !slices.Contains(allowed, dep) && !under(strings.TrimPrefix(dep, module+"/"), "store") {
					t.Errorf("%s depends on %s: the store depends on the domain and its migrations only", p.ImportPath, dep)
				}
			}
		}
	})

	t.Run("no production package depends on an emulator or a test helper", func(t *testing.T) {
		for _, p := range pkgs {
			if !isProduction(p) {
				continue
			}
			for _, dep := range p.Deps {
				if d, mine := byPath[dep]; mine && !isProduction(d) {
					t.Errorf("%s depends on %s, which is for tests and the demo only", p.ImportPath, dep)
				}
			}
		}
	})

	t.Run("the production command ships production packages only", func(t *testing.T) {
		cmd := byRel["cmd/recrubo-carerix"]
		for _, dep := range append([]string{cmd.ImportPath}, cmd.Deps...) {
			if d, mine := byPath[dep]; mine && !isProduction(d) {
				t.Errorf("cmd/recrubo-carerix ships %s, an emulator or a package that imports testing", dep)
			}
		}
	})
}

// TestProductionCommandHoldsNoEmulator is the check the Docker image
// relies on: the production command's dependencies list neither emulator.
func TestProductionCommandHoldsNoEmulator(t *testing.T) {
	pkgs := goList(t, "-deps", "./cmd/recrubo-carerix")
	var seen bool
	for _, p := range pkgs {
		rel, mine := strings.CutPrefix(p.ImportPath, module+"/")
		if mine && isEmulator(rel) {
			t.Errorf("go list -deps ./cmd/recrubo-carerix lists %s", p.ImportPath)
		}
		seen = seen || p.ImportPath == module+"/server"
	}
	if !seen {
		t.Fatal("go list -deps ./cmd/recrubo-carerix does not list the server: the command is not the product")
	}
}
