package carerix

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// PageRequest selects one page of a cr*Page query.
type PageRequest struct {
	// Qualifier filters the records (EOF qualifier syntax; build it with
	// the Qualifier constructors). Empty selects all records.
	Qualifier string
	// Page is the zero-based page number. For walks it is the page to
	// start from, which is how a checkpointed sync resumes.
	Page int
	// Size is the page size; 0 means DefaultPageSize, and values above
	// MaxPageSize, or above what the tenant reported it takes, are
	// clamped.
	Size int
	// NoRestrict also returns soft-deleted records (Carerix "norestrict"),
	// where the tenant's query takes the argument.
	NoRestrict bool
	// SortBy asks for the records in ascending order of this logical field
	// (e.g. "employeeID"), where the tenant's pageable takes a sort
	// (Contract.CanSort); asking another tenant is an ErrContract error.
	SortBy string
}

// normalized returns r with Size defaulted and clamped.
func (r PageRequest) normalized() (PageRequest, error) {
	if r.Page < 0 {
		return r, fmt.Errorf("carerix: page %d: must not be negative", r.Page)
	}
	if r.Size < 0 {
		return r, fmt.Errorf("carerix: page size %d: must not be negative", r.Size)
	}
	r.Size = min(r.Size, MaxPageSize)
	return r, nil
}

// PageInfo is the paging metadata of one page, as Carerix reports it.
type PageInfo struct {
	// Page is the zero-based page number.
	Page int `json:"page"`
	// Size is the requested page size.
	Size int `json:"size"`
	// TotalElements is the number of records matching the qualifier.
	TotalElements int `json:"totalElements"`
	// TotalPages is the number of pages at this size.
	TotalPages int `json:"totalPages"`
	// NumberOfElements is the number of items on this page.
	NumberOfElements int `json:"numberOfElements"`
	// First and Last mark the first and last page.
	First bool `json:"first"`
	Last  bool `json:"last"`
}

// Page is one page of records.
type Page[T any] struct {
	PageInfo
	// Items are the records of this page, in Carerix's order.
	Items []T `json:"items"`
}

// isLast reports whether no page follows p.
func (p *Page[T]) isLast() bool {
	return p.Last || len(p.Items) == 0 || (p.TotalPages > 0 && p.Page+1 >= p.TotalPages) ||
		(p.Size > 0 && len(p.Items) < p.Size)
}

// PageFunc fetches one page; the typed *Page methods of Client have this
// shape.
type PageFunc[T any] func(ctx context.Context, r PageRequest) (*Page[T], error)

// PagesFunc fetches several pages in one request, the i-th answering the
// i-th request; the typed *Pages methods of Client have this shape.
type PagesFunc[T any] func(ctx context.Context, rs []PageRequest) ([]*Page[T], error)

// Pager walks the pages of a query one at a time, holding only the current
// page. It never fetches a page twice unless the caller retries after an
// error, and it stops after the last page without an extra request.
//
// Offset paging has no snapshot: records created, deleted or changed to
// (no longer) match the qualifier during a walk can shift items across page
// boundaries. Callers needing completeness re-read with a watermark.
//
// A Pager is not safe for concurrent use.
type Pager[T any] struct {
	fetch PageFunc[T]
	req   PageRequest
	next  int
	done  bool
	info  PageInfo
	err   error

	// OnPage, if set, is called after every page is fetched, before its
	// items are handed out. Use it to report progress or to checkpoint
	// (the next page to fetch is info.Page+1).
	OnPage func(PageInfo)
}

// NewPager returns a Pager that starts at r.Page.
func NewPager[T any](fetch PageFunc[T], r PageRequest) *Pager[T] {
	p := &Pager[T]{fetch: fetch}
	p.req, p.err = r.normalized()
	p.next = p.req.Page
	return p
}

// More reports whether Next may return another page.
func (p *Pager[T]) More() bool { return !p.done }

// NextPage is the page number the next call to Next fetches; persist it to
// resume a walk with PageRequest.Page after a restart.
func (p *Pager[T]) NextPage() int { return p.next }

// Info returns the metadata of the most recently fetched page.
func (p *Pager[T]) Info() PageInfo { return p.info }

// Next fetches the next page. After a failure the same page is fetched
// again on the next call, so a caller may retry without re-walking.
func (p *Pager[T]) Next(ctx context.Context) (*Page[T], error) {
	if p.err != nil {
		p.done = true
		return nil, p.err
	}
	if p.done {
		return nil, errors.New("carerix: no more pages")
	}
	r := p.req
	r.Page = p.next
	page, err := p.fetch(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("fetching page %d: %w", r.Page, err)
	}
	p.info = page.PageInfo
	p.next = r.Page + 1
	if page.isLast() {
		p.done = true
	}
	if p.OnPage != nil {
		p.OnPage(page.PageInfo)
	}
	return page, nil
}

// All returns an iterator over every remaining item. Iteration stops at
// the first error, which is yielded with a zero item; NextPage then tells
// where to resume.
func (p *Pager[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for p.More() {
			page, err := p.Next(ctx)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
		}
	}
}
