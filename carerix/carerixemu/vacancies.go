package carerixemu

import (
	"context"
	"fmt"
)

// CreateVacancy adds a vacancy and publishes crvacancy:created.
func (s *Store) CreateVacancy(ctx context.Context, f VacancyFields) (Vacancy, error) {
	s.mu.Lock()
	v := &Vacancy{}
	var changed []string
	if err := s.applyVacancyLocked(v, f, &changed); err != nil {
		s.mu.Unlock()
		return Vacancy{}, fmt.Errorf("creating vacancy: %w", err)
	}
	k := s.vacancies.nextKey()
	v.VacancyID, v.ID = k, idString(k)
	v.CreationDate = s.stamp()
	v.ModificationDate = v.CreationDate
	v.rehash()
	s.vacancies.put(k, v)
	out := *v
	s.mu.Unlock()
	s.emit(ctx, KindVacancy, actionCreated, out.ID, changed, out.ModificationDate)
	return out, nil
}

// UpdateVacancy changes a live vacancy; see UpdateEmployee for the rules.
func (s *Store) UpdateVacancy(ctx context.Context, id string, f VacancyFields) (Vacancy, error) {
	s.mu.Lock()
	v, err := s.liveVacancyLocked(id)
	if err != nil {
		s.mu.Unlock()
		return Vacancy{}, fmt.Errorf("updating vacancy: %w", err)
	}
	next := *v
	var changed []string
	if err := s.applyVacancyLocked(&next, f, &changed); err != nil {
		s.mu.Unlock()
		return Vacancy{}, fmt.Errorf("updating vacancy %s: %w", id, err)
	}
	if len(changed) == 0 {
		s.mu.Unlock()
		return *v, nil
	}
	next.ModificationDate = s.stamp()
	next.rev++
	next.rehash()
	*v = next
	s.mu.Unlock()
	s.emit(ctx, KindVacancy, actionUpdated, next.ID, append(changed, "modificationdate"), next.ModificationDate)
	return next, nil
}

// SetVacancyStatus sets a vacancy's toStatusNode to the Vacature-status node
// named by _id, exportCode or value.
func (s *Store) SetVacancyStatus(ctx context.Context, id, status string) (Vacancy, error) {
	return s.UpdateVacancy(ctx, id, VacancyFields{Status: &status})
}

// DeleteVacancy soft-deletes a live vacancy and publishes crvacancy:deleted.
func (s *Store) DeleteVacancy(ctx context.Context, id string) error {
	s.mu.Lock()
	v, err := s.liveVacancyLocked(id)
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("deleting vacancy: %w", err)
	}
	v.Deleted = true
	v.ModificationDate = s.stamp()
	v.rev++
	v.rehash()
	at := v.ModificationDate
	s.mu.Unlock()
	s.emit(ctx, KindVacancy, actionDeleted, id, []string{"deleted", "modificationdate"}, at)
	return nil
}

// HardDeleteVacancy removes a vacancy for good and publishes
// crvacancy:deleted.
func (s *Store) HardDeleteVacancy(ctx context.Context, id string) error {
	s.mu.Lock()
	k, ok := parseKey(id)
	if !ok || s.vacancies.get(k) == nil {
		s.mu.Unlock()
		return fmt.Errorf("purging vacancy: %w", notFound(KindVacancy, id))
	}
	s.vacancies.remove(k)
	s.mu.Unlock()
	s.emit(ctx, KindVacancy, actionDeleted, id, nil, s.stamp())
	return nil
}

// Vacancy returns a vacancy by _id, including soft-deleted ones.
func (s *Store) Vacancy(id string) (Vacancy, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := parseKey(id)
	if !ok || s.vacancies.get(k) == nil {
		return Vacancy{}, notFound(KindVacancy, id)
	}
	return *s.vacancies.get(k), nil
}

// Vacancies returns all vacancies, soft-deleted included, by ascending id.
func (s *Store) Vacancies() []Vacancy {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := s.vacancies.all()
	out := make([]Vacancy, len(rows))
	for i, v := range rows {
		out[i] = *v
	}
	return out
}

func (s *Store) liveVacancyLocked(id string) (*Vacancy, error) {
	k, ok := parseKey(id)
	if !ok {
		return nil, notFound(KindVacancy, id)
	}
	v := s.vacancies.get(k)
	if v == nil || v.Deleted {
		return nil, notFound(KindVacancy, id)
	}
	return v, nil
}

func (s *Store) applyVacancyLocked(v *Vacancy, f VacancyFields, changed *[]string) error {
	if f.Status != nil {
		k, err := s.resolveNodeLocked(NodeTypeVacancyStatus, *f.Status)
		if err != nil {
			return err
		}
		setRef(&v.StatusNodeID, k, "tostatusnode", changed)
	}
	if f.Owner != nil {
		k, err := s.resolveUserLocked(*f.Owner)
		if err != nil {
			return err
		}
		setRef(&v.OwnerID, k, "owner", changed)
	}
	if f.CompanyName != nil {
		setRef(&v.CompanyID, s.companyLocked(*f.CompanyName), "tocompany", changed)
	}
	setText(&v.JobTitle, f.JobTitle, "jobtitle", changed)
	setText(&v.TitleInformation, f.TitleInformation, "titleinformation", changed)
	return nil
}

// rehash recomputes StableHash from the other fields.
func (v *Vacancy) rehash() {
	c := *v
	c.StableHash = ""
	v.StableHash = hashOf(KindVacancy, c.rev, c)
}

// companyLocked returns the key of the company with this name, creating it
// when missing; "" yields 0 (no company). A company made this way sends
// no event of its own (the vacancy's event names tocompany).
func (s *Store) companyLocked(name string) int {
	if name == "" {
		return 0
	}
	for _, c := range s.companies.all() {
		if c.Name == name {
			return c.CompanyID
		}
	}
	k := s.companies.nextKey()
	at := s.stamp()
	s.companies.put(k, &Company{ID: idString(k), CompanyID: k, Name: name, CreationDate: at, ModificationDate: at})
	return k
}
