package carerixemu

import (
	"context"
	"fmt"
)

// CreateCompany adds a company (CRCompany) and publishes crcompany:created.
func (s *Store) CreateCompany(ctx context.Context, f CompanyFields) (Company, error) {
	if f.Name == nil || *f.Name == "" {
		return Company{}, fmt.Errorf("creating company: %w", invalid("name is required"))
	}
	s.mu.Lock()
	c := &Company{}
	var changed []string
	applyCompany(c, f, &changed)
	k := s.companies.nextKey()
	c.CompanyID, c.ID = k, idString(k)
	c.CreationDate = s.stamp()
	c.ModificationDate = c.CreationDate
	s.companies.put(k, c)
	out := cloneCompany(c)
	s.mu.Unlock()
	s.emit(ctx, KindCompany, actionCreated, out.ID, changed, out.ModificationDate)
	return out, nil
}

// UpdateCompany changes a company and publishes crcompany:updated when
// anything changed. A name cannot be cleared.
func (s *Store) UpdateCompany(ctx context.Context, id string, f CompanyFields) (Company, error) {
	if f.Name != nil && *f.Name == "" {
		return Company{}, fmt.Errorf("updating company %s: %w", id, invalid("name cannot be cleared"))
	}
	s.mu.Lock()
	k, ok := parseKey(id)
	c := s.companies.get(k)
	if !ok || c == nil || c.Deleted {
		s.mu.Unlock()
		return Company{}, fmt.Errorf("updating company: %w", notFound(KindCompany, id))
	}
	var changed []string
	applyCompany(c, f, &changed)
	if len(changed) > 0 {
		c.ModificationDate = s.stamp()
	}
	out := cloneCompany(c)
	s.mu.Unlock()
	if len(changed) > 0 {
		s.emit(ctx, KindCompany, actionUpdated, out.ID, append(changed, "modificationdate"), out.ModificationDate)
	}
	return out, nil
}

// Company returns a company by _id.
func (s *Store) Company(id string) (Company, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := parseKey(id)
	if !ok || s.companies.get(k) == nil {
		return Company{}, notFound(KindCompany, id)
	}
	return cloneCompany(s.companies.get(k)), nil
}

// Companies returns all companies by ascending id.
func (s *Store) Companies() []Company {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := s.companies.all()
	out := make([]Company, len(rows))
	for i, c := range rows {
		out[i] = cloneCompany(c)
	}
	return out
}

func applyCompany(c *Company, f CompanyFields, changed *[]string) {
	if f.Name != nil && *f.Name != c.Name {
		c.Name = *f.Name
		*changed = append(*changed, "name")
	}
	setText(&c.VisitCity, f.VisitCity, "visitcity", changed)
}

func cloneCompany(c *Company) Company {
	out := *c
	out.VisitCity = cloneText(c.VisitCity)
	return out
}
