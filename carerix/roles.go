package carerix

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// UserHasRole reports whether user userID (_id) holds one of roles, as
// Carerix lists them in the user's userRolesString: a comma-separated
// list in which a role counts only as a whole entry, compared exactly
// (blanks around the commas aside), so "Administrator" does not admit
// "Not Administrator Lite". Carerix makes the comparison: the qualifier
// matches the role as the whole string or as its first, last or a middle
// entry. A role containing a comma or a like wildcard (* or ?) never
// matches. Where the tenant's API has no userRolesString the answer is an
// ErrContract error (EffectRoles).
func (c *Client) UserHasRole(ctx context.Context, userID string, roles []string) (bool, error) {
	if userID == "" {
		return false, nil
	}
	k, err := c.Contract(ctx)
	if err != nil {
		return false, err
	}
	field, err := k.Path(typeUser, "userRolesString")
	if err != nil {
		return false, err
	}
	var any []Qualifier
	for _, role := range roles {
		if q, ok := roleQualifier(field, role); ok {
			any = append(any, q)
		}
	}
	if len(any) == 0 {
		return false, nil
	}
	idPath, err := k.Path(typeUser, "_id")
	if err != nil {
		// The contract names no _id to qualify on: ask by the user's
		// legacy key.
		return c.userHasRoleByKey(ctx, k, userID, any)
	}
	q, err := And(Eq(idPath, userID), Or(any...)).Build()
	if err != nil {
		return false, nil // an id that cannot be written holds no role
	}
	ok, err := c.userSelected(ctx, q, userID)
	if errors.Is(err, ErrInvalidQualifier) {
		// Carerix may take no _id in a qualifier: ask by the user's
		// legacy key instead.
		return c.userHasRoleByKey(ctx, k, userID, any)
	}
	return ok, err
}

// userSelected reports whether qualifier q selects user userID (_id).
func (c *Client) userSelected(ctx context.Context, q, userID string) (bool, error) {
	page, err := c.UserPage(ctx, PageRequest{Qualifier: q, Size: 1})
	if err != nil {
		return false, err
	}
	for _, u := range page.Items {
		if u.ID == userID {
			return true, nil
		}
	}
	return false, nil
}

// userHasRoleByKey is UserHasRole asked by the user's legacy key
// (userID), read first by the user's own query: for a Carerix that takes
// no _id in a qualifier. roles are the qualifiers of the roles asked for.
func (c *Client) userHasRoleByKey(ctx context.Context, k *Contract, userID string, roles []Qualifier) (bool, error) {
	u, err := c.User(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	key, err := strconv.ParseInt(u.UserID, 10, 64)
	if err != nil {
		return false, nil // a user without a legacy key cannot be asked by it
	}
	path, err := k.Path(typeUser, "userID")
	if err != nil {
		return false, err
	}
	q, err := And(Eq(path, key), Or(roles...)).Build()
	if err != nil {
		return false, nil
	}
	ok, err := c.userSelected(ctx, q, userID)
	if errors.Is(err, ErrInvalidQualifier) {
		return false, nil
	}
	return ok, err
}

// roleQualifier matches a roles field that holds role as one entry of its
// comma-separated list, with at most one blank on either side of a comma.
func roleQualifier(field, role string) (Qualifier, bool) {
	role = strings.TrimSpace(role)
	if role == "" || strings.ContainsAny(role, ",*?") {
		return Qualifier{}, false
	}
	var any []Qualifier
	for _, before := range []string{"", "*,", "*, "} {
		for _, after := range []string{"", ",*", " ,*"} {
			any = append(any, Like(field, before+role+after))
		}
	}
	return Or(any...), true
}
