package verify

import (
	"context"
	"errors"
	"fmt"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// RoleReader asks Carerix whether a user holds a role;
// *carerix.Client implements it.
type RoleReader interface {
	UserHasRole(ctx context.Context, userID string, roles []string) (bool, error)
}

// Roles decides who is an administrator by asking Carerix whether the
// user holds one of the admin roles (carerix.Client.UserHasRole), the
// same roles the verify template is limited to.
type Roles struct {
	// Connect opens the Carerix client the lookup uses.
	Connect func(t *recrubo.Tenant) (RoleReader, error)
	// Roles are the admin roles; the tenant's (recrubo.DefaultAdminRoles
	// when it names none) when empty.
	Roles []string
}

// IsAdmin reports whether Carerix user userID of t holds an admin role.
func (r *Roles) IsAdmin(ctx context.Context, t *recrubo.Tenant, userID string) (bool, error) {
	if userID == "" {
		return false, nil
	}
	roles := r.Roles
	if len(roles) == 0 {
		roles = t.Embed.AdminRoles
	}
	if len(roles) == 0 {
		roles = recrubo.DefaultAdminRoles()
	}
	c, err := r.Connect(t)
	if err != nil {
		return false, fmt.Errorf("connecting to Carerix to check the user's role: %w", err)
	}
	ok, err := c.UserHasRole(ctx, userID, roles)
	if errors.Is(err, carerix.ErrContract) {
		return false, nil // no roles through the API: not an admin by it
	}
	if err != nil {
		return false, recrubo.WrapError(recrubo.EUNAVAILABLE, err, "Carerix could not confirm your role; try again later.")
	}
	return ok, nil
}
