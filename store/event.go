package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// RecordEvent stores ev unless an event with the same (tenant, source, id)
// exists, and reports whether ev was new. A zero ReceivedAt is set to now.
func (q *queries) RecordEvent(ctx context.Context, ev *recrubo.InboundEvent) (bool, error) {
	if err := validateEvent(ev); err != nil {
		return false, err
	}
	isNew, err := q.insertEvents(ctx, []*recrubo.InboundEvent{ev})
	if err != nil {
		return false, fmt.Errorf("recording %s event %s: %w", ev.Source, ev.ID, fkNotFound(err, ev.TenantID))
	}
	return isNew[0], nil
}

// Event returns ENOTFOUND if there is no such event.
func (q *queries) Event(ctx context.Context, tenantID string, source recrubo.EventSource, id string) (*recrubo.InboundEvent, error) {
	var (
		ev                  = recrubo.InboundEvent{TenantID: tenantID, Source: source, ID: id}
		received, processed int64
	)
	err := q.q.queryRow(ctx, `SELECT type, subject, payload, received_at, processed_at, outcome FROM inbound_events
        WHERE tenant_id = $1 AND source = $2 AND id = $3`, tenantID, string(source), id).
		Scan(&ev.Type, &ev.Subject, &ev.Payload, &received, &processed, &ev.Outcome)
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "Event %q does not exist.", id)
	case err != nil:
		return nil, fmt.Errorf("reading %s event %s: %w", source, id, err)
	}
	ev.ReceivedAt, ev.ProcessedAt = timeMicro(received), timeMicro(processed)
	return &ev, nil
}

// MarkEventProcessed records what processing an event did. Returns
// ENOTFOUND if there is no such event.
func (q *queries) MarkEventProcessed(ctx context.Context, tenantID string, source recrubo.EventSource, id, outcome string, at time.Time) error {
	n, err := q.q.exec(ctx, `UPDATE inbound_events SET processed_at = $4, outcome = $5
        WHERE tenant_id = $1 AND source = $2 AND id = $3`, tenantID, string(source), id, q.stamp(at), outcome)
	if err != nil {
		return fmt.Errorf("marking %s event %s processed: %w", source, id, err)
	}
	if n == 0 {
		return recrubo.Errorf(recrubo.ENOTFOUND, "Event %q does not exist.", id)
	}
	q.touch(tenantID, ChangeEvent, id)
	return nil
}

// WaitingEventsAbout returns the ids and subjects of a tenant's
// unprocessed events from one source about any of subjects, oldest first.
func (q *queries) WaitingEventsAbout(ctx context.Context, tenantID string, source recrubo.EventSource, subjects []string) ([]*recrubo.InboundEvent, error) {
	var out []*recrubo.InboundEvent
	// Chunks keep the statement's parameters well within both databases'
	// limits.
	for chunk := range slices.Chunk(subjects, 500) {
		args := make([]any, 0, 2+len(chunk))
		args = append(args, tenantID, string(source))
		var in strings.Builder
		for i, sub := range chunk {
			if i > 0 {
				in.WriteString(", ")
			}
			args = append(args, sub)
			fmt.Fprintf(&in, "$%d", len(args))
		}
		evs, err := collect(ctx, q.q, func(r rows) (*recrubo.InboundEvent, error) {
			ev := &recrubo.InboundEvent{TenantID: tenantID, Source: source}
			return ev, r.Scan(&ev.ID, &ev.Subject)
		}, `SELECT id, subject FROM inbound_events
        WHERE tenant_id = $1 AND source = $2 AND processed_at = 0 AND subject IN (`+in.String()+`)
        ORDER BY received_at, id`, args...)
		if err != nil {
			return nil, fmt.Errorf("listing waiting %s events of %d records: %w", source, len(chunk), err)
		}
		out = append(out, evs...)
	}
	return out, nil
}

// CountEvents counts a tenant's stored events from one source.
func (q *queries) CountEvents(ctx context.Context, tenantID string, source recrubo.EventSource) (int64, error) {
	var n int64
	if err := q.q.queryRow(ctx, `SELECT count(*) FROM inbound_events WHERE tenant_id = $1 AND source = $2`,
		tenantID, string(source)).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting %s events: %w", source, err)
	}
	return n, nil
}

// WaitingEvents returns up to limit ids of a tenant's unprocessed events
// from one source, oldest first.
func (q *queries) WaitingEvents(ctx context.Context, tenantID string, source recrubo.EventSource, limit int) ([]string, error) {
	if limit <= 0 {
		limit = 100
	}
	ids, err := collect(ctx, q.q, scanString, `SELECT id FROM inbound_events
        WHERE tenant_id = $1 AND source = $2 AND processed_at = 0
        ORDER BY received_at, id LIMIT $3`, tenantID, string(source), limit)
	if err != nil {
		return nil, fmt.Errorf("listing waiting %s events: %w", source, err)
	}
	return ids, nil
}

// TenantsWithWaitingEvents returns the tenants with an unprocessed event
// from source received before the given time.
func (q *queries) TenantsWithWaitingEvents(ctx context.Context, source recrubo.EventSource, receivedBefore time.Time) ([]string, error) {
	ids, err := collect(ctx, q.q, scanString, `SELECT DISTINCT tenant_id FROM inbound_events
        WHERE source = $1 AND processed_at = 0 AND received_at < $2 ORDER BY tenant_id`,
		string(source), microTime(receivedBefore))
	if err != nil {
		return nil, fmt.Errorf("listing tenants with waiting %s events: %w", source, err)
	}
	return ids, nil
}

// EventsOfType returns up to limit of a tenant's events from one source
// whose type equals eventType (ignoring case) and that were received at or
// after since, newest first.
func (q *queries) EventsOfType(ctx context.Context, tenantID string, source recrubo.EventSource, eventType string, since time.Time, limit int) ([]*recrubo.InboundEvent, error) {
	if limit <= 0 {
		limit = 100
	}
	evs, err := collect(ctx, q.q, func(r rows) (*recrubo.InboundEvent, error) {
		ev := &recrubo.InboundEvent{TenantID: tenantID, Source: source}
		var received, processed int64
		if err := r.Scan(&ev.ID, &ev.Type, &ev.Payload, &received, &processed, &ev.Outcome); err != nil {
			return nil, err
		}
		ev.ReceivedAt, ev.ProcessedAt = timeMicro(received), timeMicro(processed)
		return ev, nil
	}, `SELECT id, type, payload, received_at, processed_at, outcome FROM inbound_events
        WHERE tenant_id = $1 AND source = $2 AND received_at >= $3 AND lower(type) = lower($4)
        ORDER BY received_at DESC, id LIMIT $5`, tenantID, string(source), microTime(since), eventType, limit)
	if err != nil {
		return nil, fmt.Errorf("listing %s events of type %s: %w", source, eventType, err)
	}
	return evs, nil
}

func scanString(r rows) (string, error) {
	var v string
	err := r.Scan(&v)
	return v, err
}
