package carerixemu

import (
	"context"
	"fmt"
)

// CreateTemplate installs a document template (CRTemplateReference).
// IsActive defaults to true.
func (s *Store) CreateTemplate(_ context.Context, f TemplateFields) (TemplateReference, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &TemplateReference{IsActive: true}
	applyTemplate(t, f)
	k := s.templates.nextKey()
	t.ID, t.TemplateReferenceID = idString(k), k
	t.CreationDate = s.stamp()
	t.ModificationDate = t.CreationDate
	s.templates.put(k, t)
	return *t, nil
}

// UpdateTemplate changes a live document template.
func (s *Store) UpdateTemplate(_ context.Context, id string, f TemplateFields) (TemplateReference, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.liveTemplateLocked(id)
	if err != nil {
		return TemplateReference{}, fmt.Errorf("updating template: %w", err)
	}
	if applyTemplate(t, f) {
		t.ModificationDate = s.stamp()
		t.rev++
	}
	return *t, nil
}

// DeleteTemplate soft-deletes a document template; it no longer renders.
func (s *Store) DeleteTemplate(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.liveTemplateLocked(id)
	if err != nil {
		return fmt.Errorf("deleting template: %w", err)
	}
	t.Deleted = true
	t.ModificationDate = s.stamp()
	t.rev++
	return nil
}

// Template returns a document template by _id, including deleted ones.
func (s *Store) Template(id string) (TemplateReference, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := parseKey(id)
	if !ok || s.templates.get(k) == nil {
		return TemplateReference{}, notFound(KindTemplateReference, id)
	}
	return *s.templates.get(k), nil
}

// Templates returns all document templates by ascending id.
func (s *Store) Templates() []TemplateReference {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := s.templates.all()
	out := make([]TemplateReference, len(rows))
	for i, t := range rows {
		out[i] = *t
	}
	return out
}

func (s *Store) liveTemplateLocked(id string) (*TemplateReference, error) {
	k, ok := parseKey(id)
	if !ok {
		return nil, notFound(KindTemplateReference, id)
	}
	t := s.templates.get(k)
	if t == nil || t.Deleted {
		return nil, notFound(KindTemplateReference, id)
	}
	return t, nil
}

// applyTemplate copies f onto t and reports whether anything changed.
// Template text is stored verbatim: "" is kept as an empty value.
func applyTemplate(t *TemplateReference, f TemplateFields) bool {
	var changed []string
	for _, p := range []struct {
		dst **string
		src *string
	}{
		{&t.Name, f.Name}, {&t.Code, f.Code}, {&t.Content, f.Content}, {&t.RawContent, f.RawContent},
		{&t.TargetEntityName, f.TargetEntityName}, {&t.TemplateTypeKey, f.TemplateTypeKey},
		{&t.UserRolesString, f.UserRolesString}, {&t.LanguagesString, f.LanguagesString},
		{&t.FileName, f.FileName},
	} {
		if p.src != nil && !textEqual(*p.dst, p.src) {
			*p.dst = cloneText(p.src)
			changed = append(changed, "x")
		}
	}
	setFlag(&t.IsEmbedded, f.IsEmbedded, "isembedded", &changed)
	setFlag(&t.IsActive, f.IsActive, "isactive", &changed)
	setFlag(&t.ShowInMenu, f.ShowInMenu, "showinmenu", &changed)
	return len(changed) > 0
}
