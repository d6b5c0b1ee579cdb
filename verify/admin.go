package verify

import (
	"context"
	"errors"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/provisioning"
)

// UserReader finds Carerix users; *carerix.Client implements it.
type UserReader interface {
	UserPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.User], error)
}

// Roles decides who is an administrator by asking Carerix whether the user
// holds one of the admin roles (CRUser.userRolesString), the same roles the
// verify template is limited to.
type Roles struct {
	// Connect opens the Carerix client the lookup uses.
	Connect func(t *recrubo.Tenant) (UserReader, error)
	// Roles are the admin roles; provisioning.DefaultAdminRoles when empty.
	Roles []string
}

// IsAdmin reports whether Carerix user userID of t holds an admin role.
func (r *Roles) IsAdmin(ctx context.Context, t *recrubo.Tenant, userID string) (bool, error) {
	if userID == "" {
		return false, nil
	}
	roles := r.Roles
	if len(roles) == 0 {
		roles = provisioning.DefaultAdminRoles
	}
	var any []carerix.Qualifier
	for _, role := range roles {
		any = append(any, carerix.Like("userRolesString", "*"+role+"*"))
	}
	q, err := carerix.And(carerix.Eq("_id", userID), carerix.Or(any...)).Build()
	if err != nil {
		return false, recrubo.WrapError(recrubo.EFORBIDDEN, err, "Forbidden.")
	}
	c, err := r.Connect(t)
	if err != nil {
		return false, err
	}
	page, err := c.UserPage(ctx, carerix.PageRequest{Qualifier: q, Size: 1})
	if errors.Is(err, carerix.ErrInvalidQualifier) {
		return false, nil
	}
	if err != nil {
		return false, recrubo.WrapError(recrubo.EUNAVAILABLE, err, "Carerix could not confirm your role; try again later.")
	}
	for _, u := range page.Items {
		if u.ID == userID {
			return true, nil
		}
	}
	return false, nil
}
