package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func TestEventWriter(t *testing.T) {
	runBehaviours(t, []behaviour{
		{name: "ConcurrentEventsStoredOnce", run: testConcurrentDeliveries},
		{name: "BatchDuplicates", run: testBatchDuplicates},
		{name: "FailingRowFailsAlone", run: testBatchFailingRow},
		{name: "CancelledCaller", run: testEventCancelledCaller},
		{name: "CloseDrains", run: testEventWriterClose},
		{name: "WaitingEventsShareACommit", run: testEventsShareACommit, only: storetest.SQLite},
		{name: "NewEventsEnqueueTheirJob", run: testEventsWithJobs},
	})
}

func carerixEvent(tenantID, id string) *recrubo.InboundEvent {
	return &recrubo.InboundEvent{TenantID: tenantID, Source: recrubo.SourceCarerix, ID: id, Type: "cremployee:updated",
		Payload: []byte(`{"id":"` + id + `"}`)}
}

// testConcurrentDeliveries records 100 events, each delivered twice, from 200
// goroutines released together: every event is stored once, exactly one
// of its two deliveries is told it is new, and each new event publishes
// its change.
func testConcurrentDeliveries(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	feed := changes(t, db)
	const events = 100
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		mu    sync.Mutex
		fresh = map[string]int{}
		errs  []error
	)
	for i := range 2 * events {
		wg.Go(func() {
			<-start
			id := fmt.Sprintf("e%03d", i%events)
			ev := carerixEvent(tn.ID, id)
			isNew, err := db.RecordEvent(ctx, ev)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if isNew {
				fresh[id]++
				if ev.ReceivedAt.IsZero() {
					errs = append(errs, fmt.Errorf("new event %s has no ReceivedAt", id))
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for i := range events {
		if id := fmt.Sprintf("e%03d", i); fresh[id] != 1 {
			t.Errorf("%s reported new %d times, want 1", id, fresh[id])
		}
	}
	n, err := db.CountEvents(ctx, tn.ID, recrubo.SourceCarerix)
	must(t, err)
	if n != events {
		t.Errorf("stored %d events, want %d", n, events)
	}
	seen := map[string]bool{}
	for len(seen) < events {
		c := waitFor(t, feed, func(c recrubo.Change) bool { return c.Kind == store.ChangeEvent })
		seen[c.ID] = true
	}
	if batches, held := db.EventCommits(); held != 2*events || batches > held {
		t.Errorf("writer committed %d deliveries in %d transactions, want %d deliveries", held, batches, 2*events)
	}
}

// testBatchDuplicates checks that, in one batch, the second delivery of an
// event is a redelivery, and so is an event stored by an earlier batch.
func testBatchDuplicates(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	_, err := db.RecordEvent(ctx, carerixEvent(tn.ID, "old"))
	must(t, err)
	given := t0
	evs := []*recrubo.InboundEvent{
		carerixEvent(tn.ID, "b"), carerixEvent(tn.ID, "a"), carerixEvent(tn.ID, "old"), carerixEvent(tn.ID, "a"),
		{TenantID: tn.ID, Source: recrubo.SourceWhatsApp, ID: "a", Payload: []byte("{}"), ReceivedAt: given},
	}
	isNew, errs := store.RecordEventBatch(db, contexts(ctx, len(evs)), evs)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	if want := []bool{true, true, false, false, true}; fmt.Sprint(isNew) != fmt.Sprint(want) {
		t.Errorf("new = %v, want %v", isNew, want)
	}
	if !evs[4].ReceivedAt.Equal(given) || evs[0].ReceivedAt.IsZero() || !evs[3].ReceivedAt.IsZero() {
		t.Errorf("ReceivedAt = %v, %v, %v", evs[4].ReceivedAt, evs[0].ReceivedAt, evs[3].ReceivedAt)
	}
	got, err := db.Event(ctx, tn.ID, recrubo.SourceWhatsApp, "a")
	must(t, err)
	if !got.ReceivedAt.Equal(given) || string(got.Payload) != "{}" {
		t.Errorf("stored %+v", got)
	}
	for src, want := range map[recrubo.EventSource]int64{recrubo.SourceCarerix: 3, recrubo.SourceWhatsApp: 1} {
		n, err := db.CountEvents(ctx, tn.ID, src)
		must(t, err)
		if n != want {
			t.Errorf("%s events = %d, want %d", src, n, want)
		}
	}
	// A later batch with the same events only finds redeliveries.
	isNew, errs = store.RecordEventBatch(db, contexts(ctx, 2), []*recrubo.InboundEvent{carerixEvent(tn.ID, "a"), carerixEvent(tn.ID, "b")})
	if isNew[0] || isNew[1] || errs[0] != nil || errs[1] != nil {
		t.Errorf("second batch = %v, %v; want two redeliveries", isNew, errs)
	}
}

// testBatchFailingRow checks that an event for an unknown tenant fails
// its own caller only: the rest of its batch is stored.
func testBatchFailingRow(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	evs := []*recrubo.InboundEvent{
		carerixEvent(tn.ID, "a"), carerixEvent("00000000-0000-0000-0000-000000000000", "bad"), carerixEvent(tn.ID, "b"),
		carerixEvent(tn.ID, "a"),
	}
	isNew, errs := store.RecordEventBatch(db, contexts(ctx, len(evs)), evs)
	if recrubo.ErrorCode(errs[1]) != recrubo.ENOTFOUND {
		t.Errorf("unknown tenant: %v, want not found", errs[1])
	}
	for _, i := range []int{0, 2, 3} {
		if errs[i] != nil {
			t.Errorf("event %d: %v", i, errs[i])
		}
	}
	if want := []bool{true, false, true, false}; fmt.Sprint(isNew) != fmt.Sprint(want) {
		t.Errorf("new = %v, want %v", isNew, want)
	}
	n, err := db.CountEvents(ctx, tn.ID, recrubo.SourceCarerix)
	must(t, err)
	if n != 2 {
		t.Errorf("stored %d events, want 2", n)
	}
	// Through the writer too: the bad event fails, the good one is stored.
	if _, err := db.RecordEvent(ctx, carerixEvent("00000000-0000-0000-0000-000000000000", "bad")); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		t.Errorf("unknown tenant alone: %v, want not found", err)
	}
	if _, err := db.RecordEvent(ctx, &recrubo.InboundEvent{TenantID: tn.ID, Source: recrubo.SourceCarerix}); recrubo.ErrorCode(err) != recrubo.EINVALID {
		t.Errorf("event without id: %v, want invalid", err)
	}
}

// testEventCancelledCaller checks that a caller whose context is done is
// answered with its context's error and its event is left out.
func testEventCancelledCaller(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.RecordEvent(gone, carerixEvent(tn.ID, "early")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: %v, want context.Canceled", err)
	}
	evs := []*recrubo.InboundEvent{carerixEvent(tn.ID, "a"), carerixEvent(tn.ID, "gone"), carerixEvent(tn.ID, "b")}
	ctxs := contexts(ctx, len(evs))
	ctxs[1] = gone
	isNew, errs := store.RecordEventBatch(db, ctxs, evs)
	if !errors.Is(errs[1], context.Canceled) || isNew[1] {
		t.Errorf("cancelled in batch: %v, %v; want context.Canceled", isNew[1], errs[1])
	}
	if errs[0] != nil || errs[2] != nil || !isNew[0] || !isNew[2] {
		t.Errorf("others: %v, %v", isNew, errs)
	}
	for _, id := range []string{"early", "gone"} {
		if _, err := db.Event(ctx, tn.ID, recrubo.SourceCarerix, id); recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
			t.Errorf("event %s: %v, want not stored", id, err)
		}
	}
	// A caller that gives up while its event waits is answered at once;
	// the event may still be committed, and a redelivery is recognised.
	short, cancel := context.WithTimeout(ctx, time.Microsecond)
	defer cancel()
	_, err := db.RecordEvent(short, carerixEvent(tn.ID, "late"))
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timed out caller: %v", err)
	}
	if _, err := db.RecordEvent(ctx, carerixEvent(tn.ID, "late")); err != nil {
		t.Errorf("redelivery after a timeout: %v", err)
	}
}

// testEventWriterClose closes the store while events are being recorded:
// each call either succeeds, and its event is stored, or is told the store
// is closed; calls after Close are refused.
func testEventWriterClose(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	const events = 200
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		stored  []string
		refused int
		errs    []error
	)
	for i := range events {
		wg.Go(func() {
			id := fmt.Sprintf("e%03d", i)
			_, err := db.RecordEvent(ctx, carerixEvent(tn.ID, id))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				stored = append(stored, id)
			case recrubo.ErrorCode(err) == recrubo.EUNAVAILABLE:
				refused++
			default:
				errs = append(errs, err)
			}
		})
		if i == events/2 {
			must(t, db.Close())
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if refused == 0 {
		t.Error("no call was refused after Close")
	}
	if _, err := db.RecordEvent(ctx, carerixEvent(tn.ID, "after")); recrubo.ErrorCode(err) != recrubo.EUNAVAILABLE {
		t.Errorf("after Close: %v, want unavailable", err)
	}
	again := e.Open(t)
	n, err := again.CountEvents(ctx, tn.ID, recrubo.SourceCarerix)
	must(t, err)
	if n != int64(len(stored)) {
		t.Errorf("stored %d events, %d calls succeeded", n, len(stored))
	}
	for _, id := range stored {
		if _, err := again.Event(ctx, tn.ID, recrubo.SourceCarerix, id); err != nil {
			t.Errorf("acknowledged event %s: %v", id, err)
		}
	}
}

// testEventsShareACommit holds SQLite's one write connection while events
// arrive: the first waits for it in the writer, the rest queue behind and
// are committed together once it is free.
func testEventsShareACommit(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	const events = 50
	release, held := make(chan struct{}), make(chan struct{})
	var txErr error
	var txDone sync.WaitGroup
	txDone.Go(func() {
		txErr = db.InTx(ctx, func(context.Context, recrubo.Tx) error {
			close(held)
			<-release
			return nil
		})
	})
	<-held
	batches0, _ := db.EventCommits()
	var wg sync.WaitGroup
	errs := make([]error, events)
	for i := range events {
		wg.Go(func() { _, errs[i] = db.RecordEvent(ctx, carerixEvent(tn.ID, fmt.Sprintf("e%03d", i))) })
	}
	for deadline := time.Now().Add(15 * time.Second); store.QueuedEvents(db) < events-1; {
		if time.Now().After(deadline) {
			t.Fatalf("%d events queued, want %d", store.QueuedEvents(db), events-1)
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	txDone.Wait()
	must(t, txErr)
	for i, err := range errs {
		if err != nil {
			t.Errorf("event %d: %v", i, err)
		}
	}
	if batches, _ := db.EventCommits(); batches-batches0 != 2 {
		t.Errorf("%d events took %d transactions, want 2", events, batches-batches0)
	}
}

func contexts(ctx context.Context, n int) []context.Context {
	ctxs := make([]context.Context, n)
	for i := range ctxs {
		ctxs[i] = ctx
	}
	return ctxs
}

// eventJob is a job enqueued with an event.
type eventJob struct {
	EventID string `json:"event_id"`
}

func (eventJob) Kind() string { return "test.event" }

// testEventsWithJobs records 60 events with a job each, each delivered
// twice from goroutines released together; then one delivery of three
// events, one of them already stored; then one more event in a
// transaction of the caller's, twice: every new event enqueued exactly
// one job, and no redelivery did.
func testEventsWithJobs(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	before, err := db.JobCounts(ctx)
	must(t, err)
	const events = 60
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		mu    sync.Mutex
		fresh int
		errs  []error
	)
	for i := range 2 * events {
		wg.Go(func() {
			<-start
			id := fmt.Sprintf("w%03d", i%events)
			isNew, err := db.RecordEventsAndEnqueue(ctx, []*recrubo.InboundEvent{carerixEvent(tn.ID, id)}, []recrubo.JobArgs{eventJob{EventID: id}})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if isNew[0] {
				fresh++
			}
		})
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ids := []string{"d1", "w000", "d2"}
	var evs []*recrubo.InboundEvent
	var jobs []recrubo.JobArgs
	for _, id := range ids {
		evs = append(evs, carerixEvent(tn.ID, id))
		jobs = append(jobs, eventJob{EventID: id})
	}
	isNew, err := db.RecordEventsAndEnqueue(ctx, evs, jobs)
	must(t, err)
	if !slices.Equal(isNew, []bool{true, false, true}) {
		t.Errorf("one delivery of %v: new %v, want [true false true]", ids, isNew)
	}
	for range 2 {
		must(t, db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
			isNew, err := tx.RecordEventsAndEnqueue(ctx, []*recrubo.InboundEvent{carerixEvent(tn.ID, "in-tx")}, []recrubo.JobArgs{eventJob{EventID: "in-tx"}})
			if err == nil && isNew[0] {
				fresh++
			}
			return err
		}))
	}
	if fresh != events+1 {
		t.Errorf("%d deliveries were told they were new, want %d", fresh, events+1)
	}
	after, err := db.JobCounts(ctx)
	must(t, err)
	if got := after["available"] - before["available"]; got != events+3 {
		t.Errorf("%d jobs enqueued, want one per new event (%d)", got, events+3)
	}
	for _, bad := range [][]recrubo.JobArgs{{nil}, {}} {
		if _, err := db.RecordEventsAndEnqueue(ctx, []*recrubo.InboundEvent{carerixEvent(tn.ID, "no job")}, bad); recrubo.ErrorCode(err) != recrubo.EINVALID {
			t.Errorf("an event without its job (%v): %v, want EINVALID", bad, err)
		}
	}
}
