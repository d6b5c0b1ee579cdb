package carerixemu

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// CreateUser adds a user; UserName is required and must be unique.
// IsActive defaults to true and Language to "Dutch". Publishes
// cruser:created.
func (s *Store) CreateUser(ctx context.Context, f UserFields) (User, error) {
	s.mu.Lock()
	u := &User{IsActive: true, Language: "Dutch"}
	var changed []string
	if f.UserName == nil || *f.UserName == "" {
		s.mu.Unlock()
		return User{}, fmt.Errorf("creating user: %w", invalid("userName is required"))
	}
	if err := s.applyUserLocked(u, f, &changed); err != nil {
		s.mu.Unlock()
		return User{}, fmt.Errorf("creating user: %w", err)
	}
	k := s.users.nextKey()
	u.UserID, u.ID = k, idString(k)
	u.CreationDate = s.stamp()
	u.ModificationDate = u.CreationDate
	u.rehash()
	s.users.put(k, u)
	out := u.clone()
	s.mu.Unlock()
	s.emit(ctx, KindUser, actionCreated, out.ID, changed, out.ModificationDate)
	return out, nil
}

// UpdateUser changes a live user; see UpdateEmployee for the rules.
func (s *Store) UpdateUser(ctx context.Context, id string, f UserFields) (User, error) {
	s.mu.Lock()
	u, err := s.liveUserLocked(id)
	if err != nil {
		s.mu.Unlock()
		return User{}, fmt.Errorf("updating user: %w", err)
	}
	next := u.clone()
	var changed []string
	if err := s.applyUserLocked(&next, f, &changed); err != nil {
		s.mu.Unlock()
		return User{}, fmt.Errorf("updating user %s: %w", id, err)
	}
	if len(changed) == 0 {
		s.mu.Unlock()
		return next, nil
	}
	next.ModificationDate = s.stamp()
	next.rev++
	next.rehash()
	*u = next
	out := u.clone()
	s.mu.Unlock()
	s.emit(ctx, KindUser, actionUpdated, out.ID, append(changed, "modificationdate"), out.ModificationDate)
	return out, nil
}

// DeleteUser soft-deletes a live user and publishes cruser:deleted.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	s.mu.Lock()
	u, err := s.liveUserLocked(id)
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("deleting user: %w", err)
	}
	u.Deleted = true
	u.ModificationDate = s.stamp()
	u.rev++
	u.rehash()
	at := u.ModificationDate
	s.mu.Unlock()
	s.emit(ctx, KindUser, actionDeleted, id, []string{"deleted", "modificationdate"}, at)
	return nil
}

// User returns a user by _id, including soft-deleted ones.
func (s *Store) User(id string) (User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := parseKey(id)
	if !ok || s.users.get(k) == nil {
		return User{}, notFound(KindUser, id)
	}
	return s.users.get(k).clone(), nil
}

// Users returns all users by ascending id.
func (s *Store) Users() []User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := s.users.all()
	out := make([]User, len(rows))
	for i, u := range rows {
		out[i] = u.clone()
	}
	return out
}

func (s *Store) liveUserLocked(id string) (*User, error) {
	k, ok := parseKey(id)
	if !ok {
		return nil, notFound(KindUser, id)
	}
	u := s.users.get(k)
	if u == nil || u.Deleted {
		return nil, notFound(KindUser, id)
	}
	return u, nil
}

func (s *Store) applyUserLocked(u *User, f UserFields, changed *[]string) error {
	if f.UserName != nil && *f.UserName != u.UserName {
		if *f.UserName == "" {
			return invalid("userName must not be empty")
		}
		for _, o := range s.users.all() {
			if o.UserName == *f.UserName {
				return invalid("userName %q is taken", *f.UserName)
			}
		}
		u.UserName = *f.UserName
		*changed = append(*changed, "username")
	}
	setText(&u.FirstName, f.FirstName, "firstname", changed)
	setText(&u.LastName, f.LastName, "lastname", changed)
	setText(&u.EmailAddress, f.EmailAddress, "emailaddress", changed)
	setFlag(&u.IsActive, f.IsActive, "isactive", changed)
	if f.Language != nil && *f.Language != u.Language {
		u.Language = *f.Language
		*changed = append(*changed, "language")
	}
	if f.Roles != nil && !slices.Equal(f.Roles, u.Roles) {
		for _, r := range f.Roles {
			if strings.TrimSpace(r) == "" || strings.Contains(r, ",") {
				return invalid("role name %q must be non-empty and contain no comma", r)
			}
			s.roleLocked(r)
		}
		u.Roles = slices.Clone(f.Roles)
		*changed = append(*changed, "touserrole")
	}
	return nil
}

// roleLocked returns the key of the role with this name, creating it.
func (s *Store) roleLocked(name string) int {
	for _, r := range s.roles.all() {
		if r.Name == name {
			return r.UserRoleID
		}
	}
	k := s.roles.nextKey()
	s.roles.put(k, &UserRole{ID: idString(k), UserRoleID: k, Name: name})
	return k
}

// resolveUserLocked finds a live user by _id or userName; "" yields 0.
func (s *Store) resolveUserLocked(ref string) (int, error) {
	if ref == "" {
		return 0, nil
	}
	if k, ok := parseKey(ref); ok {
		if u := s.users.get(k); u != nil && !u.Deleted {
			return k, nil
		}
	}
	for _, u := range s.users.all() {
		if !u.Deleted && u.UserName == ref {
			return u.UserID, nil
		}
	}
	return 0, invalid("no user %q", ref)
}

// clone returns a copy sharing no slices.
func (u *User) clone() User {
	c := *u
	c.Roles = slices.Clone(u.Roles)
	return c
}

// RolesString renders Roles as Carerix's userRolesString (comma-separated).
func (u User) RolesString() string { return strings.Join(u.Roles, ",") }

// LessFormalName is the name CxScript's lessFormalName yields: the first
// name, or the user name when there is none.
func (u User) LessFormalName() string {
	if u.FirstName != nil {
		return *u.FirstName
	}
	return u.UserName
}

// rehash recomputes StableHash from the other fields.
func (u *User) rehash() {
	c := u.clone()
	c.StableHash = ""
	u.StableHash = hashOf(KindUser, c.rev, c)
}
