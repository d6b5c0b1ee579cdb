package recrubo_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// tenantLists are the lists of a tenant, in the order of their fields.
func tenantLists(t *recrubo.Tenant) []*[]string {
	return []*[]string{
		&t.FrameOrigins, &t.Carerix.Scopes, &t.Admin.Scopes,
		&t.Filters.CandidateStatuses, &t.Filters.VacancyStatuses,
		&t.Embed.AdminRoles, &t.Embed.ManagerRoles,
	}
}

func TestTenantCloneCopiesEveryList(t *testing.T) {
	orig := &recrubo.Tenant{ID: "t1", Slug: "acme"}
	for i, l := range tenantLists(orig) {
		*l = []string{string(rune('a' + i)), string(rune('A' + i))}
	}
	want := &recrubo.Tenant{}
	for i, l := range tenantLists(want) {
		*l = slices.Clone(*tenantLists(orig)[i])
	}

	c := orig.Clone()
	for i, l := range tenantLists(c) {
		if !slices.Equal(*l, *tenantLists(orig)[i]) {
			t.Fatalf("list %d of the copy is %q, want %q", i, *l, *tenantLists(orig)[i])
		}
		(*l)[0] = "scribbled"
		*l = append(*l, "appended")
	}
	for i, l := range tenantLists(orig) {
		if !slices.Equal(*l, *tenantLists(want)[i]) {
			t.Errorf("list %d of the original became %q through the copy, want %q", i, *l, *tenantLists(want)[i])
		}
	}
	// Appending to one list of the copy leaves the next one alone.
	for i, l := range tenantLists(c) {
		if got := (*l)[1]; got != (*tenantLists(want)[i])[1] {
			t.Errorf("list %d of the copy holds %q at 1, want %q", i, got, (*tenantLists(want)[i])[1])
		}
	}
}

func TestTenantCloneKeepsNilAndEmptyLists(t *testing.T) {
	orig := &recrubo.Tenant{FrameOrigins: []string{}, Carerix: recrubo.CarerixSettings{Scopes: []string{"x"}}}
	c := orig.Clone()
	if c.FrameOrigins == nil || len(c.FrameOrigins) != 0 {
		t.Errorf("empty FrameOrigins became %#v", c.FrameOrigins)
	}
	if c.Admin.Scopes != nil || c.Embed.AdminRoles != nil {
		t.Errorf("nil lists became %#v and %#v", c.Admin.Scopes, c.Embed.AdminRoles)
	}
	if (*recrubo.Tenant)(nil).Clone() != nil {
		t.Error("the copy of nil is not nil")
	}
}

// TestTenantCloneKnowsEveryList: every field of a tenant that a copy of
// the struct would share (a slice, map or pointer, at any depth) is one
// of the lists Clone copies, so a list added to Tenant later cannot be
// shared between the cache and a caller by mistake.
func TestTenantCloneKnowsEveryList(t *testing.T) {
	var shared []string
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			p := path + "." + f.Name
			switch f.Type.Kind() {
			case reflect.Struct:
				if f.Type == reflect.TypeFor[time.Time]() {
					continue // its location is never changed
				}
				walk(f.Type, p)
			case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func:
				shared = append(shared, p)
			}
		}
	}
	walk(reflect.TypeFor[recrubo.Tenant](), "Tenant")
	want := []string{
		"Tenant.FrameOrigins", "Tenant.Carerix.Scopes", "Tenant.Admin.Scopes",
		"Tenant.Filters.CandidateStatuses", "Tenant.Filters.VacancyStatuses",
		"Tenant.Embed.AdminRoles", "Tenant.Embed.ManagerRoles",
	}
	slices.Sort(shared)
	slices.Sort(want)
	if !slices.Equal(shared, want) {
		t.Errorf("a tenant's shareable fields are %q; Clone copies %q", shared, want)
	}
}
