package carerixemu

import "fmt"

// rowsLocked returns the stored records of a kind as pointers, by
// ascending key.
func (s *Store) rowsLocked(kind string) []any {
	switch kind {
	case KindEmployee:
		return anyRows(&s.employees)
	case KindVacancy:
		return anyRows(&s.vacancies)
	case KindMatch:
		return anyRows(&s.matches)
	case KindUser:
		return anyRows(&s.users)
	case KindDataNode:
		return anyRows(&s.nodes)
	case KindTemplateReference:
		return anyRows(&s.templates)
	case KindStatusInfo:
		return anyRows(&s.statusInfos)
	case KindCompany:
		return anyRows(&s.companies)
	case KindJob:
		return anyRows(&s.jobs)
	case KindPublication:
		return anyRows(&s.pubs)
	}
	return nil
}

// anyRows returns a table's rows, by ascending key, as untyped pointers.
func anyRows[T any](t *table[T]) []any {
	rows := t.all()
	out := make([]any, 0, len(rows))
	for _, r := range rows {
		out = append(out, r)
	}
	return out
}

// snapshot copies a stored record so it can leave the lock.
func snapshot(rec any) any {
	switch r := rec.(type) {
	case *Employee:
		return *r
	case *Vacancy:
		return *r
	case *Match:
		return *r
	case *User:
		return r.clone()
	case *DataNode:
		return r.clone()
	case *TemplateReference:
		return *r
	case *StatusInfo:
		return *r
	case *Company:
		return cloneCompany(r)
	case *Job:
		return *r
	case *Publication:
		return clonePublication(r)
	}
	panic(fmt.Sprintf("snapshot of %T", rec))
}

// findPage runs a cr*Page query in the profile's default order; see
// findSortedPage.
func (s *Store) findPage(kind string, q *Qualifier, includeDeleted bool, page, size int) ([]any, int, error) {
	return s.findSortedPage(kind, q, includeDeleted, nil, page, size)
}

// findSortedPage runs a cr*Page query: records of kind matching q, without
// soft-deleted ones unless includeDeleted, in the given order (none: the
// profile's default order, see defaultOrder). It returns snapshots of the
// requested page and the total match count.
func (s *Store) findSortedPage(kind string, q *Qualifier, includeDeleted bool, order []sortOrder, page, size int) ([]any, int, error) {
	m, err := compileQualifier(q, kind, s.attrOf)
	if err != nil {
		return nil, 0, err
	}
	if len(order) == 0 {
		order = s.defaultOrder(kind)
	}
	deleted := entityAttrs()[kind]["deleted"]
	s.mu.RLock()
	defer s.mu.RUnlock()
	from := page * size
	var items, matched []any
	total := 0
	for _, rec := range s.rowsLocked(kind) {
		if !includeDeleted && deleted.scalar != nil && deleted.scalar(rec) == true {
			continue
		}
		if m != nil && !m.match(s, rec) {
			continue
		}
		if order != nil {
			matched = append(matched, rec)
		} else if total >= from && total < from+size {
			items = append(items, snapshot(rec))
		}
		total++
	}
	if order != nil {
		sortRecords(matched, order)
		for _, rec := range window(matched, page, size) {
			items = append(items, snapshot(rec))
		}
	}
	return items, total, nil
}

// attrOf returns the attribute name of kind that qualifiers and sort
// orders may use: one the attribute table has and the served schema's
// type has too.
func (s *Store) attrOf(kind, name string) (attr, bool) {
	a, ok := entityAttrs()[kind][name]
	if !ok || !s.hasField(kind, name) {
		return attr{}, false
	}
	return a, true
}
