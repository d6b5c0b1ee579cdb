package carerixemu

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CreateJob adds a placement (CRJob) of a live candidate on a live vacancy
// and publishes crjob:created.
func (s *Store) CreateJob(ctx context.Context, f JobFields) (Job, error) {
	if f.Employee == nil || f.Vacancy == nil {
		return Job{}, fmt.Errorf("creating placement: %w", invalid("toEmployee and toVacancy are required"))
	}
	s.mu.Lock()
	j := &Job{}
	var changed []string
	if err := s.applyJobLocked(j, f, &changed); err != nil {
		s.mu.Unlock()
		return Job{}, fmt.Errorf("creating placement: %w", err)
	}
	k := s.jobs.nextKey()
	j.JobID, j.ID = k, idString(k)
	j.CreationDate = s.stamp()
	j.ModificationDate = j.CreationDate
	s.jobs.put(k, j)
	out := *j
	s.mu.Unlock()
	s.emit(ctx, KindJob, actionCreated, out.ID, changed, out.ModificationDate)
	return out, nil
}

// UpdateJob changes a placement and publishes crjob:updated when anything
// changed.
func (s *Store) UpdateJob(ctx context.Context, id string, f JobFields) (Job, error) {
	s.mu.Lock()
	k, ok := parseKey(id)
	j := s.jobs.get(k)
	if !ok || j == nil || j.Deleted {
		s.mu.Unlock()
		return Job{}, fmt.Errorf("updating placement: %w", notFound(KindJob, id))
	}
	next := *j
	var changed []string
	if err := s.applyJobLocked(&next, f, &changed); err != nil {
		s.mu.Unlock()
		return Job{}, fmt.Errorf("updating placement %s: %w", id, err)
	}
	if len(changed) == 0 {
		s.mu.Unlock()
		return next, nil
	}
	next.ModificationDate = s.stamp()
	*j = next
	s.mu.Unlock()
	s.emit(ctx, KindJob, actionUpdated, next.ID, append(changed, "modificationdate"), next.ModificationDate)
	return next, nil
}

// Job returns a placement by _id.
func (s *Store) Job(id string) (Job, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := parseKey(id)
	if !ok || s.jobs.get(k) == nil {
		return Job{}, notFound(KindJob, id)
	}
	return *s.jobs.get(k), nil
}

// Jobs returns all placements by ascending id.
func (s *Store) Jobs() []Job {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := s.jobs.all()
	out := make([]Job, len(rows))
	for i, j := range rows {
		out[i] = *j
	}
	return out
}

func (s *Store) applyJobLocked(j *Job, f JobFields, changed *[]string) error {
	if f.Employee != nil {
		e, err := s.liveEmployeeLocked(*f.Employee)
		if err != nil {
			return invalid("toEmployee: %v", err)
		}
		setRef(&j.EmployeeID, e.EmployeeID, "toemployee", changed)
	}
	if f.Vacancy != nil {
		v, err := s.liveVacancyLocked(*f.Vacancy)
		if err != nil {
			return invalid("toVacancy: %v", err)
		}
		setRef(&j.VacancyID, v.VacancyID, "tovacancy", changed)
	}
	if err := setDate(&j.StartDate, f.StartDate, "startdate", changed); err != nil {
		return err
	}
	return setDate(&j.EndDate, f.EndDate, "enddate", changed)
}

// setDate applies an optional date update: nil leaves *dst alone, ""
// clears it, other text is read as qualifier dates are (whole seconds).
func setDate(dst *time.Time, src *string, name string, changed *[]string) error {
	if src == nil {
		return nil
	}
	var t time.Time
	if strings.TrimSpace(*src) != "" {
		p, err := parseCalendarDate(*src)
		if err != nil {
			return invalid("%s: %v", name, err)
		}
		t = p.Truncate(time.Second).In(amsterdam)
	}
	if t.Equal(*dst) {
		return nil
	}
	*dst = t
	*changed = append(*changed, name)
	return nil
}
