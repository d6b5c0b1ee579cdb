package store_test

import (
	"bytes"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func syncBehaviours() []behaviour {
	return []behaviour{
		{name: "SyncRuns", run: testSyncRuns},
		{name: "Checkpoints", run: testCheckpoints},
		{name: "SyncStatus", run: testSyncStatus},
		{name: "EventDedupe", run: testEventDedupe},
		{name: "ConcurrentEventRedelivery", run: testConcurrentEvents},
		{name: "SyncQueries", run: testSyncQueries},
	}
}

func testSyncRuns(t *testing.T, e *storetest.Env) {
	clock := storetest.NewClock(t0)
	db := e.Open(t, withClock(clock))
	ctx := t.Context()
	tn := createTenant(t, db, "acme")

	first := &recrubo.SyncRun{TenantID: tn.ID, Kind: recrubo.SyncInitial}
	must(t, db.CreateSyncRun(ctx, first))
	if first.ID == "" || first.State != recrubo.RunQueued || !first.CreatedAt.Equal(t0) {
		t.Errorf("created run = %+v: want an id, state queued, created at the clock", first)
	}
	clock.Advance(time.Minute)
	second := &recrubo.SyncRun{TenantID: tn.ID, Kind: recrubo.SyncInitial}
	must(t, db.CreateSyncRun(ctx, second))
	must(t, db.CreateSyncRun(ctx, &recrubo.SyncRun{TenantID: tn.ID, Kind: recrubo.SyncReconcile, CreatedAt: at(-10)}))

	second.State, second.StartedAt, second.FinishedAt, second.Error = recrubo.RunFailed, at(2), at(3), "Carerix is unreachable."
	must(t, db.UpdateSyncRun(ctx, second))
	latest, err := db.LatestSyncRun(ctx, tn.ID, recrubo.SyncInitial)
	must(t, err)
	if d := diff(second, latest); d != "" {
		t.Errorf("latest run differs (-want +got):\n%s", d)
	}
	got, err := db.SyncRun(ctx, tn.ID, first.ID)
	must(t, err)
	if d := diff(first, got); d != "" {
		t.Errorf("first run differs (-want +got):\n%s", d)
	}

	_, err = db.LatestSyncRun(ctx, tn.ID, recrubo.SyncRescope)
	wantCode(t, err, recrubo.ENOTFOUND)
	_, err = db.SyncRun(ctx, tn.ID, "missing")
	wantCode(t, err, recrubo.ENOTFOUND)
	other := createTenant(t, db, "other")
	_, err = db.SyncRun(ctx, other.ID, first.ID)
	wantCode(t, err, recrubo.ENOTFOUND)
	wantCode(t, db.UpdateSyncRun(ctx, &recrubo.SyncRun{TenantID: other.ID, ID: first.ID, State: recrubo.RunRunning}), recrubo.ENOTFOUND)
}

func testCheckpoints(t *testing.T, e *storetest.Env) {
	clock := storetest.NewClock(t0)
	db := e.Open(t, withClock(clock))
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	run := &recrubo.SyncRun{TenantID: tn.ID, Kind: recrubo.SyncInitial}
	must(t, db.CreateSyncRun(ctx, run))

	vac := &recrubo.SyncCheckpoint{TenantID: tn.ID, RunID: run.ID, Entity: recrubo.EntityVacancy, NextPage: 1, AfterKey: 4711, Pages: 3, Records: 50, Total: 120}
	cand := &recrubo.SyncCheckpoint{TenantID: tn.ID, RunID: run.ID, Entity: recrubo.EntityCandidate, NextPage: 4, Pages: 4, Records: 400, Total: 400, Done: true}
	must(t, db.SaveCheckpoint(ctx, vac))
	must(t, db.SaveCheckpoint(ctx, cand))
	clock.Advance(time.Minute)
	vac.NextPage, vac.AfterKey, vac.Records = 2, 9001, 100
	must(t, db.SaveCheckpoint(ctx, vac))
	if !vac.UpdatedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("UpdatedAt = %v, want the clock", vac.UpdatedAt)
	}
	got, err := db.Checkpoints(ctx, tn.ID, run.ID)
	must(t, err)
	if d := diff([]*recrubo.SyncCheckpoint{cand, vac}, got); d != "" {
		t.Errorf("checkpoints differ (-want +got):\n%s", d)
	}
	wantCode(t, db.SaveCheckpoint(ctx, &recrubo.SyncCheckpoint{TenantID: tn.ID, RunID: "missing", Entity: recrubo.EntityMatch}), recrubo.ENOTFOUND)
}

func testSyncStatus(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	st, err := db.SyncStatus(ctx, tn.ID)
	must(t, err)
	if d := diff(&recrubo.SyncStatus{TenantID: tn.ID}, st); d != "" {
		t.Errorf("never-synced status differs (-want +got):\n%s", d)
	}
	want := &recrubo.SyncStatus{TenantID: tn.ID, LastEventAt: at(1), LastAppliedAt: at(2), LastReconcileAt: at(3),
		Watermark: at(4), LastError: "token expired", LastErrorAt: at(5)}
	must(t, db.SaveSyncStatus(ctx, want))
	want.LastError, want.LastErrorAt = "", time.Time{}
	must(t, db.SaveSyncStatus(ctx, want))
	st, err = db.SyncStatus(ctx, tn.ID)
	must(t, err)
	if d := diff(want, st); d != "" {
		t.Errorf("status differs (-want +got):\n%s", d)
	}
}

func testEventDedupe(t *testing.T, e *storetest.Env) {
	clock := storetest.NewClock(t0)
	db := e.Open(t, withClock(clock))
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	payload := []byte("{\"id\":\"e1\",\"bytes\":\"\x00\xff exact\"}")
	ev := &recrubo.InboundEvent{TenantID: tn.ID, Source: recrubo.SourceCarerix, ID: "e1", Type: "cremployee:updated", Payload: payload}
	isNew, err := db.RecordEvent(ctx, ev)
	must(t, err)
	if !isNew || !ev.ReceivedAt.Equal(t0) {
		t.Errorf("first delivery: new %v, received %v", isNew, ev.ReceivedAt)
	}
	again := &recrubo.InboundEvent{TenantID: tn.ID, Source: recrubo.SourceCarerix, ID: "e1", Type: "changed", Payload: []byte("other")}
	isNew, err = db.RecordEvent(ctx, again)
	must(t, err)
	if isNew {
		t.Error("redelivery reported new")
	}
	// The same id from another source is another event.
	isNew, err = db.RecordEvent(ctx, &recrubo.InboundEvent{TenantID: tn.ID, Source: recrubo.SourceWhatsApp, ID: "e1", Payload: []byte("{}")})
	must(t, err)
	if !isNew {
		t.Error("the same id from WhatsApp was taken for the Carerix event")
	}

	got, err := db.Event(ctx, tn.ID, recrubo.SourceCarerix, "e1")
	must(t, err)
	if !bytes.Equal(got.Payload, payload) || got.Type != "cremployee:updated" || !got.ProcessedAt.IsZero() {
		t.Errorf("stored event = %+v: want the first delivery, unprocessed", got)
	}
	must(t, db.MarkEventProcessed(ctx, tn.ID, recrubo.SourceCarerix, "e1", "applied", at(9)))
	got, err = db.Event(ctx, tn.ID, recrubo.SourceCarerix, "e1")
	must(t, err)
	if got.Outcome != "applied" || !got.ProcessedAt.Equal(at(9)) {
		t.Errorf("processed event = %+v", got)
	}
	wantCode(t, db.MarkEventProcessed(ctx, tn.ID, recrubo.SourceCarerix, "nope", "x", at(9)), recrubo.ENOTFOUND)
	_, err = db.Event(ctx, tn.ID, recrubo.SourceCarerix, "nope")
	wantCode(t, err, recrubo.ENOTFOUND)
	if n, err := db.CountEvents(ctx, tn.ID, recrubo.SourceCarerix); err != nil || n != 1 {
		t.Errorf("CountEvents = %d, %v; want 1", n, err)
	}
}

func testConcurrentEvents(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	tn := createTenant(t, db, "acme")
	var (
		wg    sync.WaitGroup
		fresh atomic.Int32
	)
	for range 12 {
		wg.Go(func() {
			isNew, err := db.RecordEvent(t.Context(), &recrubo.InboundEvent{TenantID: tn.ID, Source: recrubo.SourceWhatsApp, ID: "wamid.1", Payload: []byte("{}")})
			if err != nil {
				t.Error(err)
			}
			if isNew {
				fresh.Add(1)
			}
		})
	}
	wg.Wait()
	if fresh.Load() != 1 {
		t.Errorf("%d concurrent deliveries were taken as new, want exactly 1", fresh.Load())
	}
}
