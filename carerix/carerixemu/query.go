package carerixemu

import "fmt"

// rowsLocked returns the stored records of a kind as pointers, by
// ascending key.
func (s *Store) rowsLocked(kind string) []any {
	var out []any
	add := func(n int) { out = make([]any, 0, n) }
	switch kind {
	case KindEmployee:
		add(s.employees.len())
		for _, r := range s.employees.all() {
			out = append(out, r)
		}
	case KindVacancy:
		add(s.vacancies.len())
		for _, r := range s.vacancies.all() {
			out = append(out, r)
		}
	case KindMatch:
		add(s.matches.len())
		for _, r := range s.matches.all() {
			out = append(out, r)
		}
	case KindUser:
		add(s.users.len())
		for _, r := range s.users.all() {
			out = append(out, r)
		}
	case KindDataNode:
		add(s.nodes.len())
		for _, r := range s.nodes.all() {
			out = append(out, r)
		}
	case KindTemplateReference:
		add(s.templates.len())
		for _, r := range s.templates.all() {
			out = append(out, r)
		}
	case KindStatusInfo:
		for _, r := range s.statusInfos.all() {
			out = append(out, r)
		}
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
