package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestSQLiteCheckpointsInTheBackground: what commits write to the WAL
// reaches the database file while the store runs, although no commit
// grows the WAL past the writer's own checkpoint bound (some 40 MB): a
// checkpointer copies it. Without one, these 2 MB would stay in the WAL
// until the store closed.
func TestSQLiteCheckpointsInTheBackground(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(t.Context(), store.Config{Cipher: storetest.Cipher(t), DataDir: dir})
	must(t, err)
	defer db.Close()
	tn := newTenant("ckpt")
	must(t, db.CreateTenant(t.Context(), tn))
	file := filepath.Join(dir, "recrubo.db")
	size := func() int64 {
		st, err := os.Stat(file)
		must(t, err)
		return st.Size()
	}
	start := size()
	payload := `{"pad":"` + strings.Repeat("x", 4000) + `"}`
	const events = 500 // some 2 MB
	for i := range events {
		_, err := db.RecordEvent(t.Context(), &recrubo.InboundEvent{TenantID: tn.ID, Source: recrubo.SourceCarerix,
			ID: fmt.Sprintf("ev-%d", i), Type: "cremployee:updated", Payload: []byte(payload)})
		must(t, err)
	}
	if !eventually.True(10*time.Second, func() bool { return size() >= start+events*4000 }) {
		t.Fatalf("the database file holds %d bytes 10 s after %d events of 4 KB (%d before): the WAL was not checkpointed", size(), events, start)
	}
}
