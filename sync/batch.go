package carerixsync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
)

// How a drain batch applies its events.
//
// Events are thin: each names a record, and processing reads what Carerix
// has now. So a burst of edits to a few records needs a few reads, not one
// per event: a batch groups its events by record (entity and id), reads
// each record once and applies the state read, which is the newest, then
// marks all of that record's events processed in one transaction. Where
// the tenant's contract confirms that a qualifier may select several
// records by _id (carerix.Contract.ReadsByIDs), the records of an entity
// are read idChunk to a request; otherwise those Carerix modified lately
// in pages, and the rest by a page query each, several queries to a
// request (recordReader.read), and a batch reads and applies segmentReads
// records at a time so that a drain keeps to its budget even where
// Carerix takes one query to a request.
//
// A read sees every change made before it, so it settles more than the
// batch's events: every waiting event of the record stored before the
// read began (its change came before its delivery, which came before it
// was stored), batch or not. So just before a record (or a request's
// worth of records) is read, the waiting events of those records are
// listed (events carry their record as their subject), and they are
// marked with the batch's. A burst longer than a batch thus still costs
// one read per record: the next batch finds only the records the first
// did not name, and those changed again after their read.
//
// Records are applied in the order of their first event in the batch, so
// a candidate created before its match still arrives first. A record whose
// read or apply fails with invalid data (EINVALID) records the failure on
// its events and the batch goes on; an access error stops the drain; any
// other error ends the job, which is retried.

// recordEvents are the waiting events of one record in a batch, oldest
// first.
type recordEvents struct {
	entity string // the event's entity: cremployee, crvacancy, crmatch, cruser
	id     string
	events []*recrubo.InboundEvent
	// deletedAt is the time of the newest deletion event: when the record
	// went, should Carerix no longer have it.
	deletedAt time.Time
}

// eventSubject names the record a Carerix event is about, as stored with
// the event.
func eventSubject(entity, id string) string {
	if entity == "" || id == "" {
		return ""
	}
	return entity + "/" + id
}

// segmentReads bounds the records a batch reads before it applies them
// where records cannot be selected by _id: where each costs a request of
// its own, at Carerix's default 5 requests a second, a segment takes some
// 20 seconds.
const segmentReads = 100

// applyBatch processes the waiting events ids of a tenant, oldest first.
// Records are read and applied a segment at a time: all of them where the
// contract reads by ids, else segmentReads records. After a segment that
// ends past stop, the rest of the batch is left waiting for the next
// drain.
func (s *Service) applyBatch(ctx context.Context, tenantID string, ids []string, stop time.Time) error {
	records, err := s.groupEvents(ctx, tenantID, ids)
	if err != nil || len(records) == 0 {
		return err
	}
	t, err := s.tenant(ctx, tenantID)
	if err != nil {
		return s.recordsFailed(ctx, tenantID, records, err)
	}
	a, err := s.applier(ctx, t)
	if err != nil {
		return s.recordsFailed(ctx, tenantID, records, err)
	}
	size := len(records)
	if !a.k.ReadsByIDs() {
		size = segmentReads
	}
	for segment := range slices.Chunk(records, size) {
		if err := s.applySegment(ctx, a, segment); err != nil {
			return err
		}
		if s.now().After(stop) {
			return nil
		}
	}
	return nil
}

// applySegment reads the records of a segment, then applies each and
// marks its events.
func (s *Service) applySegment(ctx context.Context, a *applier, records []*recordEvents) error {
	st, err := a.readRecords(ctx, records)
	if err != nil {
		return s.recordsFailed(ctx, a.t.ID, records, err)
	}
	applied := make([]recordOutcome, 0, len(records))
	for _, rec := range records {
		outcome, err := a.applyRecord(ctx, rec, st)
		if err != nil {
			if err := s.recordsFailed(ctx, a.t.ID, []*recordEvents{rec}, err); err != nil {
				return err
			}
			continue
		}
		applied = append(applied, recordOutcome{slices.Concat(rec.events, settledBeyond(rec, st)), outcome})
	}
	return s.markOutcomes(ctx, a.t.ID, applied)
}

// settle lists, just before they are read, the waiting events of the
// records ids of entity: the read will have seen their changes.
func (a *applier) settle(ctx context.Context, entity string, ids []string, st *states) error {
	subjects := make([]string, len(ids))
	for i, id := range ids {
		subjects[i] = eventSubject(entity, id)
	}
	evs, err := a.s.store.WaitingEventsAbout(ctx, a.t.ID, recrubo.SourceCarerix, subjects)
	if err != nil {
		return fmt.Errorf("listing the waiting events of %d %s records: %w", len(ids), entity, err)
	}
	for _, sub := range subjects {
		delete(st.settled, sub) // a later listing holds all an earlier one still waiting
	}
	for _, ev := range evs {
		st.settled[ev.Subject] = append(st.settled[ev.Subject], ev)
	}
	return nil
}

// settledBeyond returns the events the read of rec settled that are not
// among its events in the batch.
func settledBeyond(rec *recordEvents, st *states) []*recrubo.InboundEvent {
	var out []*recrubo.InboundEvent
	for _, ev := range st.settled[eventSubject(rec.entity, rec.id)] {
		if !slices.ContainsFunc(rec.events, func(own *recrubo.InboundEvent) bool { return own.ID == ev.ID }) {
			out = append(out, ev)
		}
	}
	return out
}

// recordOutcome is what applying a record did, for its events.
type recordOutcome struct {
	events  []*recrubo.InboundEvent
	outcome string
}

// groupEvents reads the events ids and groups those of synced entities by
// record, in the order of each record's first event. Events already
// processed are skipped; events of entities the product does not sync are
// marked ignored here.
func (s *Service) groupEvents(ctx context.Context, tenantID string, ids []string) ([]*recordEvents, error) {
	var records []*recordEvents
	byKey := map[string]*recordEvents{}
	for _, id := range ids {
		ev, err := s.store.Event(ctx, tenantID, recrubo.SourceCarerix, id)
		if err != nil {
			if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
				return nil, jobs.Permanent(err) // the tenant was removed
			}
			return nil, fmt.Errorf("reading event %s: %w", id, err)
		}
		if !ev.ProcessedAt.IsZero() {
			continue
		}
		we, err := carerix.ParseWebhookEvent(ev.Payload)
		if err != nil {
			// Verified at ingest; cannot happen.
			if err := s.markEvents(ctx, tenantID, []*recrubo.InboundEvent{ev}, outcomeIgnored); err != nil {
				return nil, err
			}
			continue
		}
		if !s.synced(we.Entity) {
			if err := s.markEvents(ctx, tenantID, []*recrubo.InboundEvent{ev}, outcomeIgnored); err != nil {
				return nil, err
			}
			continue
		}
		key := we.Entity + "\x00" + we.EntityID
		rec := byKey[key]
		if rec == nil {
			rec = &recordEvents{entity: we.Entity, id: we.EntityID}
			byKey[key] = rec
			records = append(records, rec)
		}
		rec.events = append(rec.events, ev)
		if we.Action == "deleted" && we.Time.After(rec.deletedAt) {
			rec.deletedAt = we.Time
		}
	}
	return records, nil
}

// markEvents records outcome on events of one record (see markOutcomes).
func (s *Service) markEvents(ctx context.Context, tenantID string, evs []*recrubo.InboundEvent, outcome string) error {
	return s.markOutcomes(ctx, tenantID, []recordOutcome{{evs, outcome}})
}

// markOutcomes records what applying records did on their events, in one
// transaction. A record's first event gets the outcome; where that is a
// change, the later ones are "unchanged", as they would be had each read
// the record again (so are those outside the batch that its read
// settled).
func (s *Service) markOutcomes(ctx context.Context, tenantID string, outs []recordOutcome) error {
	if len(outs) == 0 {
		return nil
	}
	now := s.now()
	n, changed := 0, false
	err := s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		n, changed = 0, false
		for _, out := range outs {
			change := out.outcome == outcomeApplied || out.outcome == outcomeRemoved || out.outcome == outcomeOutOfScope
			changed = changed || change
			for i, ev := range out.events {
				o := out.outcome
				if i > 0 && change {
					o = outcomeUnchanged
				}
				if err := tx.MarkEventProcessed(ctx, tenantID, recrubo.SourceCarerix, ev.ID, o, now); err != nil {
					return err
				}
				n++
			}
		}
		if changed {
			return tx.NoteSyncApplied(ctx, tenantID, now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording the outcome of %d events: %w", n, err)
	}
	return nil
}

// recordsFailed handles err met processing records. An error that
// retrying cannot mend and that concerns these records alone (invalid
// data) is recorded as their events' outcome, and as the tenant's last
// sync error, so it does not hold up the events behind them; an access
// error stops the drain (every event would fail alike; they wait until
// the credentials are mended and the sweep drains them) and is recorded
// on the tenant's sync status; anything else is returned, and the drain
// is retried.
func (s *Service) recordsFailed(ctx context.Context, tenantID string, records []*recordEvents, err error) error {
	if isAccessError(err) {
		return s.jobFailed(ctx, tenantID, err)
	}
	if recrubo.ErrorCode(err) != recrubo.EINVALID {
		return err
	}
	s.log.WarnContext(ctx, "webhook events failed", "tenant", tenantID, "records", len(records), "err", err)
	if serr := s.noteError(ctx, tenantID, recrubo.ErrorMessage(err)); serr != nil {
		s.log.WarnContext(ctx, "recording sync error", "tenant", tenantID, "err", serr)
	}
	outcome := "failed: " + recrubo.ErrorMessage(err)
	for _, rec := range records {
		if err := s.markEvents(ctx, tenantID, rec.events, outcome); err != nil {
			return err
		}
	}
	return nil
}

// states are the records of a batch as read from Carerix, by id; an id
// read and absent is a record Carerix no longer has (nil). failed holds
// the records whose own read failed with invalid data. readAt is when the
// reads began.
type states struct {
	candidates map[string]*carerix.Employee
	vacancies  map[string]*carerix.Vacancy
	matches    map[string]*carerix.Match
	users      map[string]*carerix.User
	failed     map[string]error // by entity + "\x00" + id
	readAt     time.Time
	// settled are the waiting events of each record read, by subject,
	// listed just before its read: the read saw their changes.
	settled map[string][]*recrubo.InboundEvent
	// since is, by entity, when the oldest of its events in the segment
	// was received.
	since map[string]time.Time
}

// readRecords reads every record of the batch once. Users the mirror does
// not have are not read: their events are ignored (recruiterByID).
func (a *applier) readRecords(ctx context.Context, records []*recordEvents) (*states, error) {
	st := &states{failed: map[string]error{}, readAt: a.s.now(),
		settled: map[string][]*recrubo.InboundEvent{}, since: map[string]time.Time{}}
	ids := map[string][]string{}
	for _, rec := range records {
		for _, ev := range rec.events {
			if at, ok := st.since[rec.entity]; !ok || ev.ReceivedAt.Before(at) {
				st.since[rec.entity] = ev.ReceivedAt
			}
		}
		if rec.entity == "cruser" {
			stored, err := notFound(a.s.store.Recruiter(ctx, a.t.ID, rec.id))
			if err != nil {
				return nil, err
			}
			if stored == nil {
				continue
			}
		}
		ids[rec.entity] = append(ids[rec.entity], rec.id)
	}
	var err error
	if st.candidates, err = employeeReader(a.r).read(ctx, a, ids["cremployee"], st); err != nil {
		return nil, err
	}
	if st.vacancies, err = vacancyReader(a.r).read(ctx, a, ids["crvacancy"], st); err != nil {
		return nil, err
	}
	if st.matches, err = matchReader(a.r).read(ctx, a, ids["crmatch"], st); err != nil {
		return nil, err
	}
	if st.users, err = userReader(a.r).read(ctx, a, ids["cruser"], st); err != nil {
		return nil, err
	}
	return st, nil
}

// recordReader reads the records of one entity by id.
type recordReader[T any] struct {
	entity string // the entity as events name it
	key    keyField[T]
	page   carerix.PageFunc[T]
	pages  carerix.PagesFunc[T]
	// own reads one record by its own query, crX(_id).
	own  func(ctx context.Context, id string) (*T, error)
	idOf func(*T) string
}

func employeeReader(r Reader) recordReader[carerix.Employee] {
	return recordReader[carerix.Employee]{"cremployee", employeeKey, r.EmployeePage, r.EmployeePages, r.Employee,
		func(e *carerix.Employee) string { return e.ID }}
}

func vacancyReader(r Reader) recordReader[carerix.Vacancy] {
	return recordReader[carerix.Vacancy]{"crvacancy", vacancyKey, r.VacancyPage, r.VacancyPages, r.Vacancy,
		func(v *carerix.Vacancy) string { return v.ID }}
}

func matchReader(r Reader) recordReader[carerix.Match] {
	return recordReader[carerix.Match]{"crmatch", matchKey, r.MatchPage, r.MatchPages, r.Match,
		func(m *carerix.Match) string { return m.ID }}
}

func userReader(r Reader) recordReader[carerix.User] {
	return recordReader[carerix.User]{"cruser", userKey, r.UserPage, r.UserPages, r.User,
		func(u *carerix.User) string { return u.ID }}
}

// read reads the records ids, soft-deleted ones included: idChunk to a
// request where the contract allows selecting several by _id (and Carerix
// has not refused _id in a qualifier since); else, where
// there are enough of them, first those Carerix modified lately a page at
// a time (changed), then the rest by their own page queries, several to a
// request (each). A chunk Carerix refuses to read by _id (its qualifier
// or request rejected) is read by each too. A record whose own read fails
// with invalid data (EINVALID) is put in st.failed, so it does not fail
// the others. Other errors are returned.
func (rr recordReader[T]) read(ctx context.Context, a *applier, ids []string, st *states) (map[string]*T, error) {
	out := make(map[string]*T, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	path, perr := a.k.Path(rr.key.typ, "_id")
	if !a.k.ReadsByIDs() || perr != nil || a.noIDs {
		if len(ids) >= pollFrom {
			changed, err := rr.changed(ctx, a, ids, st)
			if err != nil {
				return nil, err
			}
			maps.Copy(out, changed)
			ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { _, ok := changed[id]; return ok })
		}
		return out, rr.each(ctx, a, ids, st, out)
	}
	var rest []string
	for chunk := range slices.Chunk(ids, idChunk) {
		if len(chunk) == 1 {
			rest = append(rest, chunk...)
			continue
		}
		if err := a.settle(ctx, rr.entity, chunk, st); err != nil {
			return nil, err
		}
		recs, err := fetchSelected(ctx, rr.page, path, chunk)
		if err != nil {
			if !errors.Is(err, carerix.ErrInvalidQualifier) && !errors.Is(err, carerix.ErrBadRequest) {
				return nil, fmt.Errorf("reading %ss by id: %w", rr.entity, err)
			}
			a.s.log.WarnContext(ctx, "carerix refused reading several records by id; reading each by its own query",
				"tenant", a.t.ID, "entity", rr.entity, "err", err)
			rest = append(rest, chunk...)
			continue
		}
		for _, id := range chunk {
			out[id] = nil
		}
		for i := range recs {
			if id := rr.idOf(&recs[i]); slices.Contains(chunk, id) {
				out[id] = &recs[i]
			}
		}
	}
	return out, rr.each(ctx, a, rest, st, out)
}

// aliasChunk is how many page queries, one per record, a drain first asks
// for in one request (see each).
const aliasChunk = 20

// each reads the records ids by their own page queries (_id = id), up to
// a.aliases of them to a request, each query under an alias, into out.
// Where Carerix refuses such a request other than for access (a tenant
// bounding the size of a query), the same records are asked for in
// halves, and the applier keeps the smaller number for the rest of its
// batch and for the drains of the next hour (Service.refused); at one to
// a request, or where Carerix refuses _id in a qualifier, each record is
// read alone (one).
func (rr recordReader[T]) each(ctx context.Context, a *applier, ids []string, st *states, out map[string]*T) error {
	path := idPath(a.k, rr)
	for len(ids) > 0 {
		n := min(a.aliases, len(ids))
		if n <= 1 || a.noIDs || path == "" {
			if err := rr.one(ctx, a, ids[0], st, out); err != nil {
				return err
			}
			ids = ids[1:]
			continue
		}
		chunk := ids[:n]
		if err := a.settle(ctx, rr.entity, chunk, st); err != nil {
			return err
		}
		rs, err := idPageRequests(path, chunk)
		if err != nil {
			return err
		}
		pages, err := rr.pages(ctx, rs)
		if err != nil {
			if isAccessError(err) || ctx.Err() != nil {
				return fmt.Errorf("reading %d %ss by id: %w", n, rr.entity, err)
			}
			if errors.Is(err, carerix.ErrInvalidQualifier) {
				// Not the request's size: their own reads find out.
				for _, id := range chunk {
					if err := rr.one(ctx, a, id, st, out); err != nil {
						return err
					}
				}
				ids = ids[n:]
				continue
			}
			a.s.log.WarnContext(ctx, "carerix refused reading several records in one request; asking for fewer",
				"tenant", a.t.ID, "entity", rr.entity, "records", n, "err", err)
			a.aliases = n / 2
			a.s.refused.note(a.t.ID, a.s.now(), func(f *refusal) { f.aliases = a.aliases })
			continue
		}
		for i, id := range chunk {
			out[id] = nil
			if len(pages[i].Items) > 0 {
				out[id] = &pages[i].Items[0]
			}
		}
		ids = ids[n:]
	}
	return nil
}

// one reads the record id alone into out.
func (rr recordReader[T]) one(ctx context.Context, a *applier, id string, st *states, out map[string]*T) error {
	if err := a.settle(ctx, rr.entity, []string{id}, st); err != nil {
		return err
	}
	rec, err := readByID(ctx, a, rr, id)
	switch {
	case err == nil:
		out[id] = rec
	case recrubo.ErrorCode(err) == recrubo.EINVALID && !isAccessError(err):
		st.failed[rr.entity+"\x00"+id] = fmt.Errorf("reading %s %s: %w", rr.entity, id, err)
	default:
		return fmt.Errorf("reading %s %s: %w", rr.entity, id, err)
	}
	return nil
}

// pollFrom is how many records of an entity a segment must read by id
// before changed tries to read them in pages; pollRatio bounds its pages
// to one per pollRatio records asked for, so that where Carerix has many
// more changes than the segment needs, trying costs at most a tenth more
// than reading them by id.
const (
	pollFrom  = 5
	pollRatio = 10
)

// changed is how a tenant whose Carerix cannot select several records by
// _id still reads a burst's records in few requests: it reads the records
// of the entity that Carerix modified since the segment's oldest event of
// it was received (less the overlap the reconciliation poll allows for
// clock skew), soft-deleted ones too, a page of up to the page size at a
// time by key, and returns those among ids; it reads at most one page per
// pollRatio ids. The records it does not find (not modified since,
// purged, or past its pages) are left to their own reads. Where the
// contract has no modification date for the entity, or Carerix refused
// the date qualifier within the last hour (Service.refused), it reads
// nothing; where a page fails other than for access, it logs why and
// returns what it found.
func (rr recordReader[T]) changed(ctx context.Context, a *applier, ids []string, st *states) (map[string]*T, error) {
	k := rr.key
	since, ok := st.since[rr.entity]
	if !ok || !a.k.Has(k.typ, "modificationDate") || a.s.refused.get(a.t.ID, a.s.now()).noDates {
		return nil, nil
	}
	if err := a.settle(ctx, rr.entity, ids, st); err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	where := a.sc.date(k.typ, "modificationDate", carerix.OpGe, since.Add(-a.s.overlap))
	found := map[string]*T{}
	after := int64(0)
	for range max(1, len(ids)/pollRatio) {
		pg, last, done, err := keyPage(ctx, rr.page, a.k, k, where, after, a.s.pageSize, true)
		if err != nil {
			if isAccessError(err) || ctx.Err() != nil {
				return nil, fmt.Errorf("reading the %ss modified lately: %w", k.kind, err)
			}
			// Whatever else went wrong (a refused qualifier, a page out
			// of order, Carerix unreachable), the records' own reads
			// follow: they either work or fail the way that counts.
			a.s.log.WarnContext(ctx, "reading the records modified lately failed; reading them by id",
				"tenant", a.t.ID, "entity", rr.entity, "err", err)
			if errors.Is(err, carerix.ErrInvalidQualifier) {
				a.s.refused.note(a.t.ID, a.s.now(), func(f *refusal) { f.noDates = true })
			}
			return found, nil
		}
		for i := range pg.Items {
			if id := rr.idOf(&pg.Items[i]); want[id] {
				found[id] = &pg.Items[i]
			}
		}
		if done || len(found) == len(want) {
			break
		}
		after = last
	}
	return found, nil
}

// applyRecord applies the state read of one record under its lock and
// returns what it did.
func (a *applier) applyRecord(ctx context.Context, rec *recordEvents, st *states) (string, error) {
	if err := st.failed[rec.entity+"\x00"+rec.id]; err != nil {
		return "", err
	}
	id, at := rec.id, rec.deletedAt
	switch rec.entity {
	case "cremployee":
		defer a.lock(recrubo.EntityCandidate, id)()
		return a.candidate(ctx, id, st.candidates[id], at)
	case "crvacancy":
		defer a.lock(recrubo.EntityVacancy, id)()
		return a.vacancy(ctx, id, st.vacancies[id], at)
	case "crmatch":
		defer a.lock(recrubo.EntityMatch, id)()
		return a.match(ctx, id, st.matches[id], at)
	default: // "cruser"
		u, read := st.users[id]
		if !read {
			return outcomeIgnored, nil // the mirror does not have it
		}
		defer a.lock(recrubo.EntityRecruiter, id)()
		stored, err := notFound(a.s.store.Recruiter(ctx, a.t.ID, id))
		if err != nil || stored == nil {
			return outcomeIgnored, err
		}
		return a.recruiter(ctx, stored, u, st.readAt)
	}
}
