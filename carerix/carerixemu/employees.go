package carerixemu

import (
	"context"
	"fmt"
)

// Webhook event actions.
const (
	actionCreated = "created"
	actionUpdated = "updated"
	actionDeleted = "deleted"
)

// CreateEmployee adds a candidate and publishes cremployee:created.
func (s *Store) CreateEmployee(ctx context.Context, f EmployeeFields) (Employee, error) {
	s.mu.Lock()
	e := &Employee{}
	var changed []string
	if err := s.applyEmployeeLocked(e, f, &changed); err != nil {
		s.mu.Unlock()
		return Employee{}, fmt.Errorf("creating candidate: %w", err)
	}
	k := s.employees.nextKey()
	e.EmployeeID, e.ID = k, idString(k)
	e.CreationDate = s.stamp()
	e.ModificationDate = e.CreationDate
	e.rehash()
	s.employees.put(k, e)
	out := *e
	s.mu.Unlock()
	s.emit(ctx, KindEmployee, actionCreated, out.ID, changed, out.ModificationDate)
	return out, nil
}

// UpdateEmployee changes a live candidate and, when anything changed,
// bumps modificationDate and stableHash and publishes cremployee:updated
// with the changed attribute names (lowercase). A no-op update changes
// nothing and publishes nothing.
func (s *Store) UpdateEmployee(ctx context.Context, id string, f EmployeeFields) (Employee, error) {
	s.mu.Lock()
	e, err := s.liveEmployeeLocked(id)
	if err != nil {
		s.mu.Unlock()
		return Employee{}, fmt.Errorf("updating candidate: %w", err)
	}
	next := *e
	var changed []string
	if err := s.applyEmployeeLocked(&next, f, &changed); err != nil {
		s.mu.Unlock()
		return Employee{}, fmt.Errorf("updating candidate %s: %w", id, err)
	}
	if len(changed) == 0 {
		s.mu.Unlock()
		return *e, nil
	}
	next.ModificationDate = s.stamp()
	next.rev++
	next.rehash()
	*e = next
	s.mu.Unlock()
	s.emit(ctx, KindEmployee, actionUpdated, next.ID, append(changed, "modificationdate"), next.ModificationDate)
	return next, nil
}

// SetEmployeeStatus sets a candidate's toStatusNode to the Kandidaat-status
// node named by _id, exportCode or value.
func (s *Store) SetEmployeeStatus(ctx context.Context, id, status string) (Employee, error) {
	return s.UpdateEmployee(ctx, id, EmployeeFields{Status: &status})
}

// DeleteEmployee soft-deletes a live candidate (deleted = true) and
// publishes cremployee:deleted.
func (s *Store) DeleteEmployee(ctx context.Context, id string) error {
	s.mu.Lock()
	e, err := s.liveEmployeeLocked(id)
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("deleting candidate: %w", err)
	}
	e.Deleted = true
	e.ModificationDate = s.stamp()
	e.rev++
	e.rehash()
	at := e.ModificationDate
	s.mu.Unlock()
	s.emit(ctx, KindEmployee, actionDeleted, id, []string{"deleted", "modificationdate"}, at)
	return nil
}

// HardDeleteEmployee removes a candidate (live or soft-deleted) for good,
// as a purge would, and publishes cremployee:deleted.
func (s *Store) HardDeleteEmployee(ctx context.Context, id string) error {
	s.mu.Lock()
	k, ok := parseKey(id)
	if !ok || s.employees.get(k) == nil {
		s.mu.Unlock()
		return fmt.Errorf("purging candidate: %w", notFound(KindEmployee, id))
	}
	s.employees.remove(k)
	s.mu.Unlock()
	s.emit(ctx, KindEmployee, actionDeleted, id, nil, s.stamp())
	return nil
}

// Employee returns a candidate by _id, including soft-deleted ones.
func (s *Store) Employee(id string) (Employee, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := parseKey(id)
	if !ok || s.employees.get(k) == nil {
		return Employee{}, notFound(KindEmployee, id)
	}
	return *s.employees.get(k), nil
}

// Employees returns all candidates, soft-deleted included, by ascending id.
func (s *Store) Employees() []Employee {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := s.employees.all()
	out := make([]Employee, len(rows))
	for i, e := range rows {
		out[i] = *e
	}
	return out
}

// liveEmployeeLocked returns the stored, not soft-deleted candidate.
func (s *Store) liveEmployeeLocked(id string) (*Employee, error) {
	k, ok := parseKey(id)
	if !ok {
		return nil, notFound(KindEmployee, id)
	}
	e := s.employees.get(k)
	if e == nil || e.Deleted {
		return nil, notFound(KindEmployee, id)
	}
	return e, nil
}

// applyEmployeeLocked copies f onto e, resolving relations.
func (s *Store) applyEmployeeLocked(e *Employee, f EmployeeFields, changed *[]string) error {
	if f.Status != nil {
		k, err := s.resolveNodeLocked(NodeTypeCandidateStatus, *f.Status)
		if err != nil {
			return err
		}
		setRef(&e.StatusNodeID, k, "tostatusnode", changed)
	}
	if f.Owner != nil {
		k, err := s.resolveUserLocked(*f.Owner)
		if err != nil {
			return err
		}
		setRef(&e.OwnerID, k, "owner", changed)
	}
	setText(&e.FirstName, f.FirstName, "firstname", changed)
	setText(&e.LastNamePrefix, f.LastNamePrefix, "lastnameprefix", changed)
	setText(&e.LastName, f.LastName, "lastname", changed)
	setText(&e.EmailAddress, f.EmailAddress, "emailaddress", changed)
	setText(&e.PhoneNumber, f.PhoneNumber, "phonenumber", changed)
	setText(&e.MobileNumber, f.MobileNumber, "mobilenumber", changed)
	setText(&e.City, f.City, "city", changed)
	setText(&e.Notes, f.Notes, "notes", changed)
	return nil
}

// rehash recomputes StableHash from the other fields.
func (e *Employee) rehash() {
	c := *e
	c.StableHash = ""
	e.StableHash = hashOf(KindEmployee, c.rev, c)
}
