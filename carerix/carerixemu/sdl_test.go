package carerixemu

import (
	"strings"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"
)

const sdlSample = `# comment kept
"A thing."
type Thing {
  id: ID!
  "The name."
  name: String
  nameX(arg: Int): String
}

"Order."
enum Dir {
  ASC
  DESC
}

input In {
  a: Int
  b: Int
}

scalar Time
`

func TestEditSDLRemovesFieldsAndTypes(t *testing.T) {
	got, err := editSDL(sdlSample, []string{"Thing.name", "Dir", "In.b", "Time"})
	if err != nil {
		t.Fatal(err)
	}
	want := `# comment kept
"A thing."
type Thing {
  id: ID!
  nameX(arg: Int): String
}


input In {
  a: Int
}

`
	if got != want {
		t.Errorf("edited SDL:\n%s\nwant:\n%s", got, want)
	}
	// A field with arguments, an enum value; the description of the type stays.
	got, err = editSDL(sdlSample, []string{"Thing.nameX", "Dir.DESC"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "nameX") || strings.Contains(got, "DESC") || !strings.Contains(got, "  name: String") || !strings.Contains(got, `"Order."`) {
		t.Errorf("edited SDL:\n%s", got)
	}
}

func TestEditSDLRefusesWhatIsNotThere(t *testing.T) {
	for _, entry := range []string{"Nope", "Thing.nam", "Thing.Name", "Dir.asc", "In.c"} {
		if _, err := editSDL(sdlSample, []string{entry}); err == nil {
			t.Errorf("removing %q: no error", entry)
		}
	}
	if _, err := editSDL("type A {\n  a: Int\n", nil); err == nil {
		t.Error("an unclosed definition is accepted")
	}
	if _, err := editSDL("type A {\n  a: Int\n}\ntype A {\n  b: Int\n}\n", nil); err == nil {
		t.Error("a type defined twice is accepted")
	}
}

// TestEveryProfileSchemaParses checks the union and each profile's schema
// parse, and that each profile's removals name something (editSDL fails
// otherwise).
func TestEveryProfileSchemaParses(t *testing.T) {
	graphql.MustParseSchema(schemaSDL, nil)
	for _, p := range Profiles() {
		sdl, err := SchemaFor(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if _, err := graphql.ParseSchema(sdl, nil); err != nil {
			t.Errorf("%s schema does not parse: %v", p, err)
		}
	}
	if _, err := SchemaFor("carerix"); err == nil {
		t.Error("unknown profile accepted")
	}
}

// TestQualifierKeysAreSchemaFields keeps the attribute table and the union
// schema in step: every attribute of a typed entity is one of its fields.
func TestQualifierKeysAreSchemaFields(t *testing.T) {
	fields := *schemaFields(graphql.MustParseSchema(schemaSDL, nil))
	for kind, attrs := range entityAttrs() {
		typ, ok := fields[kind]
		if !ok {
			t.Errorf("entity %s has no GraphQL type", kind)
			continue
		}
		for name := range attrs {
			if !typ[name] {
				t.Errorf("qualifier key %s.%s is no field of the schema", kind, name)
			}
		}
	}
}
