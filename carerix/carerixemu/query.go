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
	}
	panic(fmt.Sprintf("snapshot of %T", rec))
}

// findPage runs a cr*Page query: records of kind matching q, without
// soft-deleted ones unless includeDeleted, ordered by ascending id. It
// returns snapshots of the requested page and the total match count.
func (s *Store) findPage(kind string, q *Qualifier, includeDeleted bool, page, size int) ([]any, int, error) {
	m, err := compileQualifier(q, kind)
	if err != nil {
		return nil, 0, err
	}
	deleted := entityAttrs()[kind]["deleted"]
	s.mu.RLock()
	defer s.mu.RUnlock()
	from := page * size
	var items []any
	total := 0
	for _, rec := range s.rowsLocked(kind) {
		if !includeDeleted && deleted.scalar != nil && deleted.scalar(rec) == true {
			continue
		}
		if m != nil && !m.match(s, rec) {
			continue
		}
		if total >= from && total < from+size {
			items = append(items, snapshot(rec))
		}
		total++
	}
	return items, total, nil
}
