package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Group commit of inbound events.
//
// A webhook delivery is acknowledged only once its event row is committed,
// so with one transaction per delivery the commit is most of what a
// delivery costs. The DB's RecordEvent therefore goes through an
// eventWriter. A lone event is committed at once, by its caller; events
// that arrive while a commit is in flight wait for it and form the next
// batch, which the writer's goroutine (started by Open, stopped by Close)
// writes in one transaction with one statement (at most maxEventBatch
// events), commits, and only then answers each caller. Batches grow with
// the load and no event waits for a timer.
//
// An event may come with a job (RecordEventsAndEnqueue): it is enqueued in
// the same transaction when the event is new.
//
// Nothing else changes for a caller: its event is new or a redelivery
// exactly as with a transaction of its own (a second event with the same
// key in the same batch is a redelivery of the first), each new event
// publishes its change on commit, and when a batch fails every event in it
// is written again in a transaction of its own, so an event that cannot be
// stored (an unknown tenant) fails only its own caller.

// Bounds of one batch: events, and bytes of payload.
const (
	maxEventBatch      = 128
	maxEventBatchBytes = 4 << 20
)

// eventBatchTimeout bounds the writing of one batch, so a database that
// stops answering cannot hold the writer, or Close, for ever.
const eventBatchTimeout = 30 * time.Second

// errClosed answers a write that comes after Close.
var errClosed = recrubo.Errorf(recrubo.EUNAVAILABLE, "The store is closed.")

// eventRequest is one caller's event on its way through the writer.
type eventRequest struct {
	ctx context.Context
	// ev is a copy: the writer fills in its ReceivedAt while the caller's
	// event stays the caller's (a caller that gave up may reuse it).
	ev recrubo.InboundEvent
	// job, when set, is enqueued with ev if ev is new.
	job recrubo.JobArgs
	// given is the ReceivedAt the caller gave, restored when a failed
	// batch is written again.
	given time.Time
	isNew bool
	err   error
	done  chan struct{} // closed when isNew and err are set
}

func (r *eventRequest) answer(isNew bool, err error) {
	r.isNew, r.err = isNew, err
	close(r.done)
}

// Who is committing: nobody, a caller committing its own event, or the
// writer's goroutine working through the queue.
const (
	committerIdle = iota
	committerCaller
	committerWorker
)

// eventWriter commits the events of the DB's RecordEvent in batches, in
// the classic leader/follower way: a caller that finds nobody committing
// commits its own event at once, on its own goroutine; callers that come
// while a commit is in flight queue up, and when it ends the writer's
// goroutine takes the queue over and commits it in batches until it is
// empty.
type eventWriter struct {
	db *DB

	mu        sync.Mutex
	queue     []*eventRequest
	committer int // committerIdle, committerCaller or committerWorker
	closed    bool

	wake    chan struct{} // holds a token when the goroutine has something to look at
	stopped chan struct{} // closed when run returns

	// batches counts committed transactions, events the deliveries they
	// held (a duplicate in a batch counts).
	batches, events atomic.Int64
}

// startEventWriter starts the writer of db's events.
func startEventWriter(db *DB) *eventWriter {
	w := &eventWriter{db: db, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	go w.run()
	return w
}

// record stores evs, each with its job (jobs[i], nil for none), and
// returns once the transactions that hold them have committed or failed,
// or ctx is done, with whether each was new and the first error. A
// caller's events travel together: committed at once in one transaction
// when nobody is committing, else queued in one piece. A caller that
// stops waiting gets ctx's error; its events may still be committed (a
// redelivery will then be recognised as one).
func (w *eventWriter) record(ctx context.Context, evs []*recrubo.InboundEvent, jobs []recrubo.JobArgs) ([]bool, error) {
	isNew := make([]bool, len(evs))
	reqs := make([]*eventRequest, len(evs))
	for i, ev := range evs {
		if err := validateEvent(ev); err != nil {
			return isNew, err
		}
		if err := ctx.Err(); err != nil {
			return isNew, fmt.Errorf("recording %s event %s: %w", ev.Source, ev.ID, err)
		}
		reqs[i] = &eventRequest{ctx: ctx, ev: *ev, job: jobs[i], given: ev.ReceivedAt, done: make(chan struct{})}
	}
	if len(reqs) == 0 {
		return isNew, nil
	}
	w.mu.Lock()
	switch {
	case w.closed:
		w.mu.Unlock()
		return isNew, errClosed
	case w.committer == committerIdle:
		// Nobody is committing, so nothing is queued: commit at once.
		w.committer = committerCaller
		w.mu.Unlock()
		bctx, cancel := context.WithTimeout(ctx, eventBatchTimeout)
		w.commit(bctx, reqs)
		cancel()
		w.mu.Lock()
		if len(w.queue) > 0 {
			w.committer = committerWorker
		} else {
			w.committer = committerIdle
		}
		w.mu.Unlock()
		w.signal() // the queue to take over, or Close waiting for the commit
	default:
		w.queue = append(w.queue, reqs...)
		w.mu.Unlock()
		for _, r := range reqs {
			select {
			case <-r.done:
			case <-ctx.Done():
				return isNew, fmt.Errorf("recording %s event %s: %w", r.ev.Source, r.ev.ID, ctx.Err())
			}
		}
	}
	var first error
	for i, r := range reqs {
		if r.err != nil {
			first = cmp.Or(first, r.err)
			continue
		}
		if isNew[i] = r.isNew; r.isNew {
			evs[i].ReceivedAt = r.ev.ReceivedAt
		}
	}
	return isNew, first
}

func (w *eventWriter) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// close refuses new events, lets the commits in flight and those queued
// finish, and returns when the writer has stopped.
func (w *eventWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.signal()
	<-w.stopped
}

// run works through the queue whenever a caller's commit hands it over,
// and returns once the writer is closed and nobody is committing.
func (w *eventWriter) run() {
	defer close(w.stopped)
	for range w.wake {
		w.mu.Lock()
		state, closed := w.committer, w.closed
		w.mu.Unlock()
		if state == committerWorker {
			w.drain()
			w.mu.Lock()
			state, closed = w.committer, w.closed
			w.mu.Unlock()
		}
		if closed && state == committerIdle {
			return
		}
	}
}

// drain commits the queue in batches until it is empty.
func (w *eventWriter) drain() {
	for {
		batch := w.take()
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), eventBatchTimeout)
		w.commit(ctx, batch)
		cancel()
	}
}

// take removes the next batch from the queue: the oldest events, at most
// maxEventBatch of them and, beyond the first, at most maxEventBatchBytes
// of payload. When the queue is empty it hands the committing back
// (to the next caller).
func (w *eventWriter) take() []*eventRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, size := 0, 0
	for n < len(w.queue) && n < maxEventBatch {
		size += len(w.queue[n].ev.Payload)
		if n > 0 && size > maxEventBatchBytes {
			break
		}
		n++
	}
	if n == 0 {
		w.committer = committerIdle
		return nil
	}
	batch := slices.Clone(w.queue[:n])
	clear(w.queue[:n])
	w.queue = w.queue[n:]
	if len(w.queue) == 0 {
		w.queue = nil // let the backing array go
	}
	return batch
}

// commit writes batch in one transaction and answers every request in it.
// Requests whose caller has gone are answered with its error and left
// out. If the transaction fails, each request is written again in a
// transaction of its own, so it fails only the requests it must.
func (w *eventWriter) commit(ctx context.Context, batch []*eventRequest) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.answer(false, fmt.Errorf("recording %s event %s: %w", r.ev.Source, r.ev.ID, err))
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	if len(live) == 1 {
		w.one(ctx, live[0])
		return
	}
	evs := make([]*recrubo.InboundEvent, len(live))
	for i, r := range live {
		evs[i] = &r.ev
	}
	var isNew []bool
	err := w.db.InTx(ctx, func(ctx context.Context, rtx recrubo.Tx) error {
		tx := rtx.(*dbTx)
		var err error
		if isNew, err = tx.insertEvents(ctx, evs); err != nil {
			return err
		}
		for i, r := range live {
			if isNew[i] && r.job != nil {
				if err := tx.Enqueue(ctx, r.job, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		w.db.log.Warn("recording a batch of events failed; recording them one by one", "events", len(live), "err", err)
		for _, r := range live {
			r.ev.ReceivedAt = r.given
			if err := r.ctx.Err(); err != nil {
				r.answer(false, fmt.Errorf("recording %s event %s: %w", r.ev.Source, r.ev.ID, err))
				continue
			}
			// Each alone, with time of its own: the batch may have failed
			// for running out of its time.
			rctx, cancel := context.WithTimeout(r.ctx, eventBatchTimeout)
			w.one(rctx, r)
			cancel()
		}
		return
	}
	w.batches.Add(1)
	w.events.Add(int64(len(live)))
	for i, r := range live {
		r.answer(isNew[i], nil)
	}
}

// one writes a single request in a transaction of its own.
func (w *eventWriter) one(ctx context.Context, r *eventRequest) {
	var isNew bool
	err := w.db.InTx(ctx, func(ctx context.Context, rtx recrubo.Tx) error {
		var err error
		isNew, err = rtx.(*dbTx).recordEvent(ctx, &r.ev, r.job)
		return err
	})
	if err == nil {
		w.batches.Add(1)
		w.events.Add(1)
	}
	r.answer(isNew, err)
}

// EventCommits reports how many transactions RecordEvent's writer has
// committed since Open and how many deliveries they held (an event
// delivered twice in one batch counts twice): their ratio is the mean
// batch size.
func (db *DB) EventCommits() (commits, deliveries int64) {
	return db.events.batches.Load(), db.events.events.Load()
}

// validateEvent checks what every stored event needs.
func validateEvent(ev *recrubo.InboundEvent) error {
	if ev.TenantID == "" || ev.Source == "" || ev.ID == "" {
		return recrubo.Errorf(recrubo.EINVALID, "An event needs a tenant, a source and an id.")
	}
	return nil
}

// eventKey is an event's identity: (tenant, source, id).
type eventKey struct {
	tenantID, source, id string
}

func keyOf(ev *recrubo.InboundEvent) eventKey {
	return eventKey{ev.TenantID, string(ev.Source), ev.ID}
}

// insertEvents stores each of evs unless an event with the same (tenant,
// source, id) is stored or comes earlier in evs, with one statement, and
// reports for each whether it was new. A new event's zero ReceivedAt is
// set to now, and its change published on commit. The rows are inserted
// in key order, so two instances writing overlapping batches take their
// row locks in the same order.
func (q *queries) insertEvents(ctx context.Context, evs []*recrubo.InboundEvent) ([]bool, error) {
	isNew := make([]bool, len(evs))
	if len(evs) == 0 {
		return isNew, nil
	}
	first := make(map[eventKey]int, len(evs))
	var uniq []int
	for i, ev := range evs {
		if err := validateEvent(ev); err != nil {
			return nil, err
		}
		if _, dup := first[keyOf(ev)]; !dup {
			first[keyOf(ev)] = i
			uniq = append(uniq, i)
		}
	}
	slices.SortFunc(uniq, func(a, b int) int {
		ka, kb := keyOf(evs[a]), keyOf(evs[b])
		return cmp.Or(strings.Compare(ka.tenantID, kb.tenantID), strings.Compare(ka.source, kb.source), strings.Compare(ka.id, kb.id))
	})
	var sb strings.Builder
	sb.WriteString(`INSERT INTO inbound_events (tenant_id, source, id, type, subject, payload, received_at, processed_at, outcome) VALUES `)
	args := make([]any, 0, 9*len(uniq))
	received := make([]int64, len(evs))
	for j, i := range uniq {
		ev := evs[i]
		if j > 0 {
			sb.WriteString(", ")
		}
		p := len(args)
		fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9)
		payload := ev.Payload
		if payload == nil {
			payload = []byte{}
		}
		received[i] = q.stamp(ev.ReceivedAt)
		args = append(args, ev.TenantID, string(ev.Source), ev.ID, ev.Type, ev.Subject, payload, received[i], microTime(ev.ProcessedAt), ev.Outcome)
	}
	sb.WriteString(` ON CONFLICT (tenant_id, source, id) DO NOTHING RETURNING tenant_id, source, id`)
	inserted, err := collect(ctx, q.q, func(r rows) (eventKey, error) {
		var k eventKey
		err := r.Scan(&k.tenantID, &k.source, &k.id)
		return k, err
	}, sb.String(), args...)
	if err != nil {
		return nil, err
	}
	for _, k := range inserted {
		i, ok := first[k]
		if !ok {
			return nil, fmt.Errorf("recording %d events: the database returned an event that was not written: %s %s", len(evs), k.source, k.id)
		}
		isNew[i] = true
	}
	for i, ev := range evs {
		if isNew[i] {
			ev.ReceivedAt = timeMicro(received[i])
			q.touch(ev.TenantID, ChangeEvent, ev.ID)
		}
	}
	return isNew, nil
}
