package carerixemu

import (
	"context"
	"fmt"
	"strings"
)

// CreateMatch links a candidate to a vacancy and publishes crmatch:created.
// Employee and Vacancy are required and must be live; Stage defaults to the
// first stage.
func (s *Store) CreateMatch(ctx context.Context, f MatchFields) (Match, error) {
	s.mu.Lock()
	m := &Match{}
	var changed []string
	if f.Employee == nil || f.Vacancy == nil {
		s.mu.Unlock()
		return Match{}, fmt.Errorf("creating match: %w", invalid("toEmployee and toVacancy are required"))
	}
	if f.Stage == nil {
		first := s.statusInfos.all()[0].ID
		f.Stage = &first
	}
	if err := s.applyMatchLocked(m, f, &changed); err != nil {
		s.mu.Unlock()
		return Match{}, fmt.Errorf("creating match: %w", err)
	}
	k := s.matches.nextKey()
	m.MatchID, m.ID = k, s.matchIDFor(m.EmployeeID, k)
	m.CreationDate = s.stamp()
	m.ModificationDate = m.CreationDate
	m.rehash()
	s.matches.put(k, m)
	out := *m
	s.mu.Unlock()
	s.emit(ctx, KindMatch, actionCreated, out.ID, changed, out.ModificationDate)
	return out, nil
}

// UpdateMatch changes a live match; see UpdateEmployee for the rules.
func (s *Store) UpdateMatch(ctx context.Context, id string, f MatchFields) (Match, error) {
	s.mu.Lock()
	m, err := s.liveMatchLocked(id)
	if err != nil {
		s.mu.Unlock()
		return Match{}, fmt.Errorf("updating match: %w", err)
	}
	next := *m
	var changed []string
	if err := s.applyMatchLocked(&next, f, &changed); err != nil {
		s.mu.Unlock()
		return Match{}, fmt.Errorf("updating match %s: %w", id, err)
	}
	if len(changed) == 0 {
		s.mu.Unlock()
		return *m, nil
	}
	next.ModificationDate = s.stamp()
	next.rev++
	next.rehash()
	*m = next
	s.mu.Unlock()
	s.emit(ctx, KindMatch, actionUpdated, next.ID, append(changed, "modificationdate"), next.ModificationDate)
	return next, nil
}

// SetMatchStage moves a match to the stage named by _id, statusName or
// displayName.
func (s *Store) SetMatchStage(ctx context.Context, id, stage string) (Match, error) {
	return s.UpdateMatch(ctx, id, MatchFields{Stage: &stage})
}

// DeleteMatch soft-deletes a live match and publishes crmatch:deleted.
func (s *Store) DeleteMatch(ctx context.Context, id string) error {
	s.mu.Lock()
	m, err := s.liveMatchLocked(id)
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("deleting match: %w", err)
	}
	m.Deleted = true
	m.ModificationDate = s.stamp()
	m.rev++
	m.rehash()
	at, mid := m.ModificationDate, m.ID
	s.mu.Unlock()
	s.emit(ctx, KindMatch, actionDeleted, mid, []string{"deleted", "modificationdate"}, at)
	return nil
}

// HardDeleteMatch removes a match for good and publishes crmatch:deleted.
func (s *Store) HardDeleteMatch(ctx context.Context, id string) error {
	s.mu.Lock()
	k, ok := s.matchKeyLocked(id)
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("purging match: %w", notFound(KindMatch, id))
	}
	mid := s.matches.get(k).ID
	s.matches.remove(k)
	s.mu.Unlock()
	s.emit(ctx, KindMatch, actionDeleted, mid, nil, s.stamp())
	return nil
}

// Match returns a match by _id, including soft-deleted ones. Where match
// _ids are composite ("14.9021") the bare matchID ("9021") finds it too.
func (s *Store) Match(id string) (Match, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.matchKeyLocked(id)
	if !ok {
		return Match{}, notFound(KindMatch, id)
	}
	return *s.matches.get(k), nil
}

// matchIDFor returns the _id of a new match: its matchID as documented,
// "<employeeID>.<matchID>" where the profile has composite ids. The _id
// never changes afterwards, even if the match moves to another candidate.
func (s *Store) matchIDFor(employeeID, matchID int) string {
	if s.rules.compositeMatchIDs {
		return idString(employeeID) + "." + idString(matchID)
	}
	return idString(matchID)
}

// matchKeyLocked finds the key of a stored match from its _id or, where
// _ids are composite, from its bare matchID.
func (s *Store) matchKeyLocked(id string) (int, bool) {
	if s.rules.compositeMatchIDs {
		if _, mk, composite := strings.Cut(id, "."); composite {
			k, ok := parseKey(mk)
			if !ok || s.matches.get(k) == nil || s.matches.get(k).ID != id {
				return 0, false
			}
			return k, true
		}
	}
	k, ok := parseKey(id)
	if !ok || s.matches.get(k) == nil {
		return 0, false
	}
	return k, true
}

// isMatchID reports whether id is the _id of a stored match, exactly: the
// GraphQL API finds matches by _id only, as Carerix would.
func (s *Store) isMatchID(id string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.matchKeyLocked(id)
	return ok && s.matches.get(k).ID == id
}

// Matches returns all matches, soft-deleted included, by ascending id.
func (s *Store) Matches() []Match {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := s.matches.all()
	out := make([]Match, len(rows))
	for i, m := range rows {
		out[i] = *m
	}
	return out
}

// StatusInfos returns the match stages by ascending sortOrder.
func (s *Store) StatusInfos() []StatusInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := s.statusInfos.all()
	out := make([]StatusInfo, len(rows))
	for i, si := range rows {
		out[i] = *si
	}
	return out
}

func (s *Store) liveMatchLocked(id string) (*Match, error) {
	k, ok := s.matchKeyLocked(id)
	if !ok {
		return nil, notFound(KindMatch, id)
	}
	m := s.matches.get(k)
	if m == nil || m.Deleted {
		return nil, notFound(KindMatch, id)
	}
	return m, nil
}

func (s *Store) applyMatchLocked(m *Match, f MatchFields, changed *[]string) error {
	if f.Employee != nil {
		e, err := s.liveEmployeeLocked(*f.Employee)
		if err != nil {
			return invalid("toEmployee: %v", err)
		}
		setRef(&m.EmployeeID, e.EmployeeID, "toemployee", changed)
	}
	if f.Vacancy != nil {
		v, err := s.liveVacancyLocked(*f.Vacancy)
		if err != nil {
			return invalid("toVacancy: %v", err)
		}
		setRef(&m.VacancyID, v.VacancyID, "tovacancy", changed)
	}
	if f.Stage != nil {
		k, err := s.resolveStageLocked(*f.Stage)
		if err != nil {
			return err
		}
		setRef(&m.StatusInfoID, k, "statusinfo", changed)
	}
	return nil
}

// resolveStageLocked finds a match stage by _id, statusName or displayName.
func (s *Store) resolveStageLocked(ref string) (int, error) {
	if k, ok := parseKey(ref); ok && s.statusInfos.get(k) != nil {
		return k, nil
	}
	for _, si := range s.statusInfos.all() {
		if strings.EqualFold(si.StatusName, ref) || strings.EqualFold(si.DisplayName, ref) {
			return si.StatusInfoID, nil
		}
	}
	return 0, invalid("no match stage %q", ref)
}

// rehash recomputes StableHash from the other fields.
func (m *Match) rehash() {
	c := *m
	c.StableHash = ""
	m.StableHash = hashOf(KindMatch, c.rev, c)
}
