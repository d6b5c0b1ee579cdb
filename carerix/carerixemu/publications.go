package carerixemu

import (
	"context"
	"fmt"
)

// CreatePublication adds a publication (CRPublication) of a live vacancy
// and publishes crpublication:created.
func (s *Store) CreatePublication(ctx context.Context, f PublicationFields) (Publication, error) {
	if f.Vacancy == nil {
		return Publication{}, fmt.Errorf("creating publication: %w", invalid("toVacancy is required"))
	}
	s.mu.Lock()
	p := &Publication{}
	var changed []string
	if err := s.applyPublicationLocked(p, f, &changed); err != nil {
		s.mu.Unlock()
		return Publication{}, fmt.Errorf("creating publication: %w", err)
	}
	k := s.pubs.nextKey()
	p.PublicationID, p.ID = k, idString(k)
	p.CreationDate = s.stamp()
	p.ModificationDate = p.CreationDate
	s.pubs.put(k, p)
	out := clonePublication(p)
	s.mu.Unlock()
	s.emit(ctx, KindPublication, actionCreated, out.ID, changed, out.ModificationDate)
	return out, nil
}

// UpdatePublication changes a publication and publishes
// crpublication:updated when anything changed.
func (s *Store) UpdatePublication(ctx context.Context, id string, f PublicationFields) (Publication, error) {
	s.mu.Lock()
	k, ok := parseKey(id)
	p := s.pubs.get(k)
	if !ok || p == nil || p.Deleted {
		s.mu.Unlock()
		return Publication{}, fmt.Errorf("updating publication: %w", notFound(KindPublication, id))
	}
	next := clonePublication(p)
	var changed []string
	if err := s.applyPublicationLocked(&next, f, &changed); err != nil {
		s.mu.Unlock()
		return Publication{}, fmt.Errorf("updating publication %s: %w", id, err)
	}
	if len(changed) == 0 {
		s.mu.Unlock()
		return next, nil
	}
	next.ModificationDate = s.stamp()
	*p = next
	out := clonePublication(p)
	s.mu.Unlock()
	s.emit(ctx, KindPublication, actionUpdated, out.ID, append(changed, "modificationdate"), out.ModificationDate)
	return out, nil
}

// Publication returns a publication by _id.
func (s *Store) Publication(id string) (Publication, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := parseKey(id)
	if !ok || s.pubs.get(k) == nil {
		return Publication{}, notFound(KindPublication, id)
	}
	return clonePublication(s.pubs.get(k)), nil
}

// Publications returns all publications by ascending id.
func (s *Store) Publications() []Publication {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := s.pubs.all()
	out := make([]Publication, len(rows))
	for i, p := range rows {
		out[i] = clonePublication(p)
	}
	return out
}

func (s *Store) applyPublicationLocked(p *Publication, f PublicationFields, changed *[]string) error {
	if f.Vacancy != nil {
		v, err := s.liveVacancyLocked(*f.Vacancy)
		if err != nil {
			return invalid("toVacancy: %v", err)
		}
		setRef(&p.VacancyID, v.VacancyID, "tovacancy", changed)
	}
	setText(&p.ApplyURL, f.ApplyURL, "applyurl", changed)
	if err := setDate(&p.PublicationStart, f.PublicationStart, "publicationstart", changed); err != nil {
		return err
	}
	return setDate(&p.PublicationEnd, f.PublicationEnd, "publicationend", changed)
}

func clonePublication(p *Publication) Publication {
	out := *p
	out.ApplyURL = cloneText(p.ApplyURL)
	return out
}
