package carerixemu

import (
	"sync"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/graph-gophers/graphql-go/ast"
)

// schemaFields lists the fields of every object type of a parsed schema,
// by type name: what qualifier keys and sort properties may name.
func schemaFields(schema *graphql.Schema) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for name, t := range schema.AST().Types {
		obj, ok := t.(*ast.ObjectTypeDefinition)
		if !ok {
			continue
		}
		fields := make(map[string]bool, len(obj.Fields))
		for _, f := range obj.Fields {
			fields[f.Name] = true
		}
		out[name] = fields
	}
	return out
}

// docsFields are the object fields of the docs profile's schema. Built
// once and never modified.
var docsFields = sync.OnceValue(func() map[string]map[string]bool {
	sdl, err := SchemaFor(ProfileDocs)
	if err != nil {
		panic("carerixemu: docs schema: " + err.Error())
	}
	return schemaFields(graphql.MustParseSchema(sdl, nil))
})

// docsStore is an empty store that knows the docs schema, for checks that
// need no data (ValidateQualifier).
func docsStore() *Store { return &Store{rules: rulesFor(ProfileDocs), fields: docsFields()} }
