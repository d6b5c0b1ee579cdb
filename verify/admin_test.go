package verify_test

import (
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/verify"
)

// TestAdminRoles asks the Carerix emulator, over HTTP, who holds an admin
// role: only a whole entry of the user's roles counts, never a role that
// merely contains the admin role's name. Also of a Carerix that takes no
// _id in a qualifier, which is asked by the user's legacy key.
func TestAdminRoles(t *testing.T) {
	for _, noID := range []bool{false, true} {
		t.Run(map[bool]string{false: "by id", true: "by legacy key"}[noID], func(t *testing.T) {
			adminRoles(t, carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme", NoQualifierID: noID}))
		})
	}
}

func adminRoles(t *testing.T, emu *carerixemu.Server) {
	tn := &recrubo.Tenant{Slug: "acme", Carerix: recrubo.CarerixSettings{APIBaseURL: emu.URL(), IdentityBaseURL: emu.URL(),
		Realm: emu.Realm(), Application: "acme",
		ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)}}
	connect := func(t *recrubo.Tenant) (verify.RoleReader, error) {
		cfg := carerix.TenantConfig(t)
		fast(&cfg)
		return carerix.New(cfg)
	}
	for _, tt := range []struct {
		name  string
		roles []string
		admin []string // Roles.Roles; nil for the default
		want  bool
	}{
		{"only administrator", []string{"Administrator"}, nil, true},
		{"administrator first", []string{"Administrator", "Recruiter"}, nil, true},
		{"administrator last", []string{"Recruiter", "Administrator"}, nil, true},
		{"administrator in the middle", []string{"Recruiter", "Administrator", "Planner"}, nil, true},
		{"administrator after a blank", []string{"Recruiter", " Administrator"}, nil, true},
		{"containing the name", []string{"Not Administrator Lite"}, nil, false},
		{"starting with the name", []string{"Administrator Lite"}, nil, false},
		{"ending with the name", []string{"Recruiter", "Not Administrator"}, nil, false},
		{"other case", []string{"administrator"}, nil, false},
		{"no roles", nil, nil, false},
		{"recruiter", []string{"Recruiter"}, nil, false},
		{"configured role", []string{"Recruiter", "Beheerder"}, []string{"Beheerder"}, true},
		{"configured role elsewhere", []string{"Administrator"}, []string{"Beheerder"}, false},
		{"wildcard role never matches", []string{"Administrator"}, []string{"Admin*"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u, err := emu.CreateUser(t.Context(), carerixemu.UserFields{UserName: carerixemu.Str(tt.name), Roles: tt.roles})
			if err != nil {
				t.Fatal(err)
			}
			got, err := (&verify.Roles{Connect: connect, Roles: tt.admin}).IsAdmin(t.Context(), tn, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("user with roles %q (userRolesString %q): admin = %v, want %v", tt.roles, u.RolesString(), got, tt.want)
			}
		})
	}
	if ok, err := (&verify.Roles{Connect: connect}).IsAdmin(t.Context(), tn, ""); ok || err != nil {
		t.Errorf("no user: %v, %v", ok, err)
	}
}
