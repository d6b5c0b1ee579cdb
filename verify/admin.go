package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
//
// userRolesString lists a user's roles separated by commas. A role counts
// only as a whole entry of that list, compared exactly (blanks around the
// commas aside): "Administrator" does not admit "Not Administrator Lite".
// The client's CRUser does not carry userRolesString, so the comparison is
// made by Carerix: the qualifier matches the role as the whole string or
// as its first, last or a middle entry.
type Roles struct {
	// Connect opens the Carerix client the lookup uses.
	Connect func(t *recrubo.Tenant) (UserReader, error)
	// Roles are the admin roles; provisioning.DefaultAdminRoles when empty.
	// A role containing a comma or a like wildcard (* or ?) never matches.
	Roles []string
}

// roleQualifier matches a userRolesString that holds role as one entry of
// its comma-separated list, with at most one blank on either side of a
// comma.
func roleQualifier(role string) (carerix.Qualifier, bool) {
	role = strings.TrimSpace(role)
	if role == "" || strings.ContainsAny(role, ",*?") {
		return carerix.Qualifier{}, false
	}
	var any []carerix.Qualifier
	for _, before := range []string{"", "*,", "*, "} {
		for _, after := range []string{"", ",*", " ,*"} {
			any = append(any, carerix.Like("userRolesString", before+role+after))
		}
	}
	return carerix.Or(any...), true
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
		if q, ok := roleQualifier(role); ok {
			any = append(any, q)
		}
	}
	if len(any) == 0 {
		return false, nil
	}
	q, err := carerix.And(carerix.Eq("_id", userID), carerix.Or(any...)).Build()
	if err != nil {
		return false, recrubo.WrapError(recrubo.EFORBIDDEN, err, "Forbidden.")
	}
	c, err := r.Connect(t)
	if err != nil {
		return false, fmt.Errorf("connecting to Carerix to check the user's role: %w", err)
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
