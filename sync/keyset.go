package carerixsync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// Paging by key.
//
// A Carerix page is an offset into the records a qualifier selects,
// ordered by their legacy numeric key (employeeID, vacancyID, matchID,
// userID). A walk by offset has no snapshot: when a record on a page
// already read stops matching (a status change), every later record moves
// back one place and the one at the next page boundary is never listed.
// Nothing would bring an unchanged record back: no webhook, no poll.
//
// So every walk here asks for the first page of "qualifier AND key > the
// last key seen" instead: whatever changes behind the walk cannot move an
// unread record past it, and a resumed walk continues after the last key
// it applied. (A record that starts matching behind the walk is missed, as
// it was with offsets; its change brings it, by webhook or the next poll.)
//
// The bound is the legacy key, not _id: it is a number that compares as
// one ("employeeID > 123"), whereas _id is opaque text (match ids can be
// compound, "14.9021") whose comparison need not follow any order. Where
// the tenant's pageable takes a sort (its contract says), every page is
// asked for in ascending key order; elsewhere Carerix's default order is
// relied on. Either way keyPage checks that each page ascends by key above
// the bound, so an API ordering otherwise fails the walk rather than
// silently skip records.

// keyField is the legacy key of one kind of record: the Carerix type and
// logical field a qualifier names (the tenant's contract gives its name)
// and how to read it from a record.
type keyField[T any] struct {
	kind string // for messages
	typ  string // logical Carerix type
	path string // logical key field
	of   func(*T) string
}

// The logical Carerix types sync reads.
const (
	typeEmployee = "CREmployee"
	typeVacancy  = "CRVacancy"
	typeMatch    = "CRMatch"
	typeUser     = "CRUser"
)

// The legacy keys of the records sync walks.
var (
	employeeKey = keyField[carerix.Employee]{"candidate", typeEmployee, "employeeID", func(e *carerix.Employee) string { return e.EmployeeID }}
	vacancyKey  = keyField[carerix.Vacancy]{"vacancy", typeVacancy, "vacancyID", func(v *carerix.Vacancy) string { return v.VacancyID }}
	matchKey    = keyField[carerix.Match]{"match", typeMatch, "matchID", func(m *carerix.Match) string { return m.MatchID }}
	userKey     = keyField[carerix.User]{"user", typeUser, "userID", func(u *carerix.User) string { return u.UserID }}
)

// key returns the legacy key of rec; Carerix's are positive integers.
func (k keyField[T]) key(rec *T) (int64, error) {
	s := k.of(rec)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q is not a positive integer, so the %ss cannot be paged by key", k.path, s, k.kind)
	}
	return n, nil
}

// from describes where a page read after key `after` starts, for messages.
func (k keyField[T]) from(after int64) string {
	if after <= 0 {
		return "from the start"
	}
	return fmt.Sprintf("after %s %d", k.path, after)
}

// keyPage reads the first page of at most size records that where selects
// with a key above after (0: from the first record), soft-deleted ones too
// with noRestrict. It returns the page, the key of its last record (after
// when the page is empty), and whether no record follows.
func keyPage[T any](ctx context.Context, fetch carerix.PageFunc[T], kc *carerix.Contract, k keyField[T], where carerix.Qualifier,
	after int64, size int, noRestrict bool) (page *carerix.Page[T], last int64, done bool, err error) {
	q := where
	if after > 0 {
		path, err := kc.Path(k.typ, k.path)
		if err != nil {
			return nil, 0, false, err
		}
		if where.IsZero() {
			q = carerix.Gt(path, after)
		} else {
			q = carerix.And(where, carerix.Gt(path, after))
		}
	}
	req := carerix.PageRequest{Size: size, NoRestrict: noRestrict}
	if !q.IsZero() {
		if req.Qualifier, err = q.Build(); err != nil {
			return nil, 0, false, fmt.Errorf("building the %s page qualifier: %w", k.kind, err)
		}
	}
	if kc.CanSort() {
		req.SortBy = k.path
	}
	from := k.from(after)
	page, err = fetch(ctx, req)
	if err != nil {
		return nil, 0, false, fmt.Errorf("reading %ss %s: %w", k.kind, from, err)
	}
	last = after
	for i := range page.Items {
		n, err := k.key(&page.Items[i])
		if err != nil {
			return nil, 0, false, fmt.Errorf("reading %ss %s: %w", k.kind, from, err)
		}
		if n <= last {
			return nil, 0, false, fmt.Errorf("reading %ss %s: %s %d came after %d; Carerix did not order the page by %s",
				k.kind, from, k.path, n, last, k.path)
		}
		last = n
	}
	done = page.Last || len(page.Items) == 0 || (page.TotalPages > 0 && page.Page+1 >= page.TotalPages) ||
		(page.Size > 0 && len(page.Items) < page.Size)
	return page, last, done, nil
}

// keyWalk iterates over every record where selects, by ascending key, one
// page of size at a time. Iteration stops at the first error, which is
// yielded with a zero record.
func keyWalk[T any](ctx context.Context, fetch carerix.PageFunc[T], kc *carerix.Contract, k keyField[T], where carerix.Qualifier,
	size int, noRestrict bool) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for after := int64(0); ; {
			page, last, done, err := keyPage(ctx, fetch, kc, k, where, after, size, noRestrict)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, rec := range page.Items {
				if !yield(rec, nil) {
					return
				}
			}
			if done {
				return
			}
			after = last
		}
	}
}

// resumeAfter returns the key a checkpointed walk continues after; ok is
// false for a checkpoint saved before walks paged by key (pages applied but
// no key): an offset into a set that may have shifted since says nothing
// about keys, so that entity starts over.
func resumeAfter(cp *recrubo.SyncCheckpoint) (after int64, ok bool) {
	if cp.AfterKey == 0 && cp.NextPage > 0 {
		return 0, false
	}
	return cp.AfterKey, true
}

// pagesOf is how many pages of size hold total records (0 when unknown).
func pagesOf(total int64, size int) int {
	if size <= 0 || total <= 0 {
		return 0
	}
	return int((total + int64(size) - 1) / int64(size))
}

// fetchByIDs reads the records of rr with the given _ids (at most
// idChunk), soft-deleted ones included; an id Carerix no longer has
// (purged) has no record among them. Where the contract k allows it (and
// Carerix has not refused _id in a qualifier since), they are read in one
// page query selecting them all; else, or where Carerix
// refuses that, by a page query each, aliasChunk to a request, and where
// Carerix refuses that too, one at a time (fetchByID, which notes in
// *noIDs whether Carerix refuses _id in a qualifier).
func fetchByIDs[T any](ctx context.Context, k *carerix.Contract, rr recordReader[T], ids []string, noIDs *bool) ([]T, error) {
	kind := rr.key.kind
	path := idPath(k, rr)
	if path != "" && k.ReadsByIDs() && !*noIDs {
		recs, err := fetchSelected(ctx, rr.page, path, ids)
		if err == nil {
			return recs, nil
		}
		if !errors.Is(err, carerix.ErrInvalidQualifier) && !errors.Is(err, carerix.ErrBadRequest) {
			return nil, fmt.Errorf("reading %ss by id: %w", kind, err)
		}
	}
	out := make([]T, 0, len(ids))
	for chunk := range slices.Chunk(ids, aliasChunk) {
		if !*noIDs && path != "" {
			rs, err := idPageRequests(path, chunk)
			if err != nil {
				return nil, err
			}
			pages, err := rr.pages(ctx, rs)
			if err == nil {
				for _, p := range pages {
					out = append(out, p.Items...)
				}
				continue
			}
			if isAccessError(err) || ctx.Err() != nil {
				return nil, fmt.Errorf("reading %ss by id: %w", kind, err)
			}
		}
		recs, err := fetchEach(ctx, rr, path, chunk, noIDs)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// fetchEach reads the records ids of rr one at a time (fetchByID).
func fetchEach[T any](ctx context.Context, rr recordReader[T], path string, ids []string, noIDs *bool) ([]T, error) {
	var out []T
	for _, id := range ids {
		rec, err := fetchByID(ctx, rr, path, id, noIDs)
		if err != nil {
			return nil, fmt.Errorf("reading %s %s: %w", rr.key.kind, id, err)
		}
		if rec != nil {
			out = append(out, *rec)
		}
	}
	return out, nil
}

// idPath is the tenant's name of rr's _id in a qualifier, as its contract
// k resolves it; "" where the contract has none, and records are then
// read by their own queries (crX(_id)).
func idPath[T any](k *carerix.Contract, rr recordReader[T]) string {
	path, err := k.Path(rr.key.typ, "_id")
	if err != nil {
		return ""
	}
	return path
}

// fetchSelected reads the records with the given ids (at most idChunk)
// in page queries selecting them all by path, the tenant's _id.
func fetchSelected[T any](ctx context.Context, fetch carerix.PageFunc[T], path string, ids []string) ([]T, error) {
	q, err := carerix.In(path, ids...).Build()
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(ids))
	p := carerix.NewPager(fetch, carerix.PageRequest{Qualifier: q, Size: idChunk, NoRestrict: true})
	for rec, err := range p.All(ctx) {
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// idPageRequests are the page queries reading the records ids, one each,
// soft-deleted ones included.
func idPageRequests(path string, ids []string) ([]carerix.PageRequest, error) {
	rs := make([]carerix.PageRequest, len(ids))
	for i, id := range ids {
		var err error
		if rs[i], err = idPageRequest(path, id); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// idPageRequest is the page query reading the record id, soft-deleted or
// not, by path, the tenant's _id (idPath).
func idPageRequest(path, id string) (carerix.PageRequest, error) {
	q, err := carerix.Eq(path, id).Build()
	if err != nil {
		return carerix.PageRequest{}, err
	}
	return carerix.PageRequest{Qualifier: q, Size: 1, NoRestrict: true}, nil
}
