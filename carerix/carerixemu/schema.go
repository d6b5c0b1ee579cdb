package carerixemu

import (
	"sync"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/graph-gophers/graphql-go/ast"
)

// fieldSet holds the fields of each object type of a schema, by type name.
type fieldSet map[string]map[string]bool

// schemaFields lists the fields of every object type of a parsed schema,
// by type name: what qualifier keys and sort properties may name.
func schemaFields(schema *graphql.Schema) *fieldSet {
	out := fieldSet{}
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
	return &out
}

// docsFields are the object fields of the docs profile's schema. Built
// once and never modified.
var docsFields = sync.OnceValue(func() *fieldSet {
	sdl, err := SchemaFor(ProfileDocs)
	if err != nil {
		panic("carerixemu: docs schema: " + err.Error())
	}
	return schemaFields(graphql.MustParseSchema(sdl, nil))
})

// docsStore is an empty store that knows the docs schema, for checks that
// need no data (ValidateQualifier).
func docsStore() *Store {
	s := &Store{rules: rulesFor(ProfileDocs)}
	s.fields.Store(docsFields())
	return s
}
