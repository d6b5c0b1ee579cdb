package carerixemu

import (
	"context"
	"fmt"
)

// CreateToDo adds an activity (CRToDo) and publishes crtodo:created.
func (s *Store) CreateToDo(ctx context.Context, f ToDoFields) (ToDo, error) {
	s.mu.Lock()
	td := &ToDo{}
	var changed []string
	if err := s.applyToDoLocked(td, f, &changed); err != nil {
		s.mu.Unlock()
		return ToDo{}, fmt.Errorf("creating activity: %w", err)
	}
	k := s.todos.nextKey()
	td.ToDoID, td.ID = k, idString(k)
	td.CreationDate = s.stamp()
	td.ModificationDate = td.CreationDate
	s.todos.put(k, td)
	out := *td
	s.mu.Unlock()
	s.emit(ctx, KindToDo, actionCreated, out.ID, changed, out.ModificationDate)
	return out, nil
}

// UpdateToDo changes a live activity and publishes crtodo:updated when
// anything changed; an update that changes nothing publishes nothing.
func (s *Store) UpdateToDo(ctx context.Context, id string, f ToDoFields) (ToDo, error) {
	s.mu.Lock()
	td, err := s.liveToDoLocked(id)
	if err != nil {
		s.mu.Unlock()
		return ToDo{}, fmt.Errorf("updating activity: %w", err)
	}
	next := *td
	var changed []string
	if err := s.applyToDoLocked(&next, f, &changed); err != nil {
		s.mu.Unlock()
		return ToDo{}, fmt.Errorf("updating activity %s: %w", id, err)
	}
	if len(changed) == 0 {
		s.mu.Unlock()
		return *td, nil
	}
	next.ModificationDate = s.stamp()
	next.rev++
	*td = next
	s.mu.Unlock()
	s.emit(ctx, KindToDo, actionUpdated, next.ID, append(changed, "modificationdate"), next.ModificationDate)
	return next, nil
}

// DeleteToDo soft-deletes a live activity and publishes crtodo:deleted.
func (s *Store) DeleteToDo(ctx context.Context, id string) error {
	s.mu.Lock()
	td, err := s.liveToDoLocked(id)
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("deleting activity: %w", err)
	}
	td.Deleted = true
	td.ModificationDate = s.stamp()
	td.rev++
	at := td.ModificationDate
	s.mu.Unlock()
	s.emit(ctx, KindToDo, actionDeleted, id, []string{"deleted", "modificationdate"}, at)
	return nil
}

// ToDo returns an activity by _id, including soft-deleted ones.
func (s *Store) ToDo(id string) (ToDo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := parseKey(id)
	if !ok || s.todos.get(k) == nil {
		return ToDo{}, notFound(KindToDo, id)
	}
	return *s.todos.get(k), nil
}

// ToDos returns all activities, soft-deleted included, by ascending id.
func (s *Store) ToDos() []ToDo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := s.todos.all()
	out := make([]ToDo, len(rows))
	for i, td := range rows {
		out[i] = *td
	}
	return out
}

func (s *Store) liveToDoLocked(id string) (*ToDo, error) {
	k, ok := parseKey(id)
	if !ok {
		return nil, notFound(KindToDo, id)
	}
	td := s.todos.get(k)
	if td == nil || td.Deleted {
		return nil, notFound(KindToDo, id)
	}
	return td, nil
}

func (s *Store) applyToDoLocked(td *ToDo, f ToDoFields, changed *[]string) error {
	if f.Owner != nil {
		k, err := s.resolveUserLocked(*f.Owner)
		if err != nil {
			return err
		}
		setRef(&td.OwnerID, k, "owner", changed)
	}
	if f.Employee != nil {
		k := 0
		if *f.Employee != "" {
			e, err := s.liveEmployeeLocked(*f.Employee)
			if err != nil {
				return invalid("no candidate %q", *f.Employee)
			}
			k = e.EmployeeID
		}
		setRef(&td.EmployeeID, k, "toemployee", changed)
	}
	setText(&td.Subject, f.Subject, "subject", changed)
	setText(&td.Notes, f.Notes, "notes", changed)
	setText(&td.TodoTypeKey, f.TodoTypeKey, "todotypekey", changed)
	return nil
}
