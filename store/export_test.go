package store

import (
	"context"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// RecordEventBatch hands evs to db's event writer as one batch, as if they
// had all arrived while a commit was in flight, each caller with its
// context in ctxs, and returns what each caller is told.
func RecordEventBatch(db *DB, ctxs []context.Context, evs []*recrubo.InboundEvent) ([]bool, []error) {
	reqs := make([]*eventRequest, len(evs))
	for i, ev := range evs {
		reqs[i] = &eventRequest{ctx: ctxs[i], ev: *ev, given: ev.ReceivedAt, done: make(chan struct{})}
	}
	db.events.commit(context.Background(), reqs)
	isNew, errs := make([]bool, len(evs)), make([]error, len(evs))
	for i, r := range reqs {
		<-r.done
		isNew[i], errs[i] = r.isNew, r.err
		if r.isNew {
			evs[i].ReceivedAt = r.ev.ReceivedAt
		}
	}
	return isNew, errs
}

// QueuedEvents reports how many events wait for db's event writer.
func QueuedEvents(db *DB) int {
	db.events.mu.Lock()
	defer db.events.mu.Unlock()
	return len(db.events.queue)
}
