package store_test

import (
	"context"
	"fmt"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func changeBehaviours() []behaviour {
	return []behaviour{
		{name: "ChangesPublishedOnCommitOnly", run: testChangesOnCommit},
		{name: "BulkTransactionPublishesResync", run: testBulkTxResync},
		{name: "MessageChangesNameTheirConversation", run: testMessageChangesNameConversation},
		{name: "ChangesReachOtherInstances", run: testChangesAcrossInstances, only: storetest.Postgres},
		{name: "ListenerReconnectsWithResync", run: testListenerReconnects, only: storetest.Postgres},
	}
}

func isCandidate(id string) func(recrubo.Change) bool {
	return func(c recrubo.Change) bool { return c.Kind == store.ChangeCandidate && c.ID == id }
}

func testChangesOnCommit(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	feed := changes(t, db)
	tn := createTenant(t, db, "acme")
	got := waitFor(t, feed, func(c recrubo.Change) bool { return c.Kind == store.ChangeTenant })
	if got.TenantID != tn.ID || got.ID != tn.ID {
		t.Errorf("tenant change = %+v, want tenant %s", got, tn.ID)
	}

	_ = db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		if _, err := tx.UpsertCandidate(ctx, candidate(tn.ID, "rolled-back", 1)); err != nil {
			return err
		}
		return errBoom
	})
	_, err := db.UpsertCandidate(ctx, candidate(tn.ID, "committed", 1))
	must(t, err)
	// Changes arrive in commit order, so had the rolled-back write been
	// published it would come first.
	got = waitFor(t, feed, func(c recrubo.Change) bool { return c.Kind == store.ChangeCandidate })
	if got != (recrubo.Change{TenantID: tn.ID, Kind: store.ChangeCandidate, ID: "committed"}) {
		t.Errorf("first candidate change = %+v, want the committed one", got)
	}

	// A skipped (older) upsert changes nothing and publishes nothing: the
	// next change is the event recorded after it.
	_, err = db.UpsertCandidate(ctx, candidate(tn.ID, "committed", 0))
	must(t, err)
	_, err = db.RecordEvent(ctx, &recrubo.InboundEvent{TenantID: tn.ID, Source: recrubo.SourceCarerix, ID: "e1", Payload: []byte("{}")})
	must(t, err)
	if c := waitFor(t, feed, func(recrubo.Change) bool { return true }); c.Kind != store.ChangeEvent || c.ID != "e1" {
		t.Errorf("next change = %+v, want the event", c)
	}
	_, err = db.RemoveCandidate(ctx, tn.ID, "committed", at(5))
	must(t, err)
	waitFor(t, feed, isCandidate("committed"))
}

func testBulkTxResync(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	feed := changes(t, db)
	tn := createTenant(t, db, "acme")
	waitFor(t, feed, func(c recrubo.Change) bool { return c.Kind == store.ChangeTenant })
	must(t, db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		for i := range 300 {
			if _, err := tx.UpsertCandidate(ctx, candidate(tn.ID, fmt.Sprintf("c%03d", i), 1)); err != nil {
				return err
			}
		}
		return nil
	}))
	got := waitFor(t, feed, func(recrubo.Change) bool { return true })
	if got != (recrubo.Change{TenantID: tn.ID, Kind: store.ChangeResync}) {
		t.Errorf("bulk transaction published %+v first, want one tenant resync", got)
	}
}

func testChangesAcrossInstances(t *testing.T, e *storetest.Env) {
	a, b := e.Open(t), e.Open(t)
	feedB := changes(t, b)
	tn := createTenant(t, a, "acme")
	waitFor(t, feedB, func(c recrubo.Change) bool { return c.Kind == store.ChangeTenant && c.TenantID == tn.ID })
	_, err := a.UpsertCandidate(t.Context(), candidate(tn.ID, "c1", 1))
	must(t, err)
	waitFor(t, feedB, isCandidate("c1"))
}

// testListenerReconnects kills the LISTEN connection from the server side:
// the store reconnects, tells subscribers to resync (notifications sent
// meanwhile are lost), and hears later changes again.
func testListenerReconnects(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	feed := changes(t, db)
	raw := e.Raw(t)
	var killed int
	must(t, raw.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE application_name = $1`, "recrubo listener recrubo_changes_"+e.Schema).Scan(&killed))
	if killed != 1 {
		t.Fatalf("terminated %d listener connections, want 1", killed)
	}
	got := waitFor(t, feed, func(c recrubo.Change) bool { return c.Kind == store.ChangeResync })
	if got.TenantID != "" {
		t.Errorf("resync after reconnect = %+v, want one for every tenant", got)
	}
	tn := createTenant(t, db, "acme")
	waitFor(t, feed, func(c recrubo.Change) bool { return c.Kind == store.ChangeTenant && c.TenantID == tn.ID })
}

// testMessageChangesNameConversation: every change of a message (stored,
// dispatched, its file saved) names its conversation, so that only the
// pages showing that conversation read it again.
func testMessageChangesNameConversation(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	conv := &recrubo.Conversation{TenantID: tn.ID, Channel: recrubo.ChannelWhatsApp, Phone: "+31612345678", State: recrubo.ConversationOpen}
	must(t, db.SaveConversation(ctx, conv))
	feed := changes(t, db)
	m := &recrubo.Message{TenantID: tn.ID, ConversationID: conv.ID, Direction: recrubo.Inbound, MediaType: "document",
		Status: recrubo.StatusReceived, CreatedAt: at(1), ProviderID: "wamid.named.1"}
	_, err := db.AddMessage(ctx, m)
	must(t, err)
	must(t, db.SetMessageDispatched(ctx, tn.ID, m.ID, at(2)))
	must(t, db.SaveMedia(ctx, &recrubo.MediaFile{TenantID: tn.ID, MessageID: m.ID, ProviderID: "media-1", MimeType: "application/pdf",
		Filename: "cv.pdf", State: recrubo.MediaStored, Data: []byte("%PDF-1.4"), StoredAt: at(3)}))
	for i := range 3 {
		c := waitFor(t, feed, func(c recrubo.Change) bool { return c.Kind == store.ChangeMessage })
		if c.ID != conv.ID {
			t.Errorf("message change %d names %q, want its conversation %q", i+1, c.ID, conv.ID)
		}
	}
}
