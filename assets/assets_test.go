package assets_test

import (
	"io/fs"
	"slices"
	"testing"

	"github.com/recrubo/recrubo-carerix/assets"
)

// TestMigrationsInStep checks that both dialects have the same migrations:
// a version added to one and not the other would leave the two databases
// with different schemas.
func TestMigrationsInStep(t *testing.T) {
	names := map[string][]string{}
	for _, d := range []string{assets.DialectSQLite, assets.DialectPostgres} {
		fsys, err := assets.Migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		files, err := fs.Glob(fsys, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no %s migrations", d)
		}
		names[d] = files
	}
	if !slices.Equal(names[assets.DialectSQLite], names[assets.DialectPostgres]) {
		t.Errorf("migrations differ: sqlite %v, postgres %v", names[assets.DialectSQLite], names[assets.DialectPostgres])
	}
	if _, err := assets.Migrations("mysql"); err == nil {
		t.Error("an unknown dialect returned migrations")
	}
}
