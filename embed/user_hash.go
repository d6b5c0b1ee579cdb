package embed

import recrubo "github.com/recrubo/recrubo-carerix"

// mirroredUserHash returns the stableHash the mirror holds for a user, ""
// when the user is not synced (Carerix then confirms it).
func mirroredUserHash(u *recrubo.Recruiter) string {
	if u == nil {
		return ""
	}
	return u.StableHash
}
