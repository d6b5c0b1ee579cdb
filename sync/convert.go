package carerixsync

import (
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// toCandidate converts a Carerix candidate of tenant t. The messaging
// number is their mobile number, validated as a mobile number and read in
// the tenant's region when written without a country code
// (recrubo.WhatsAppNumber); empty when they have none, never a landline.
func toCandidate(t *recrubo.Tenant, e *carerix.Employee, now time.Time) *recrubo.Candidate {
	c := &recrubo.Candidate{
		TenantID:       t.ID,
		ID:             e.ID,
		FirstName:      strings.TrimSpace(e.FirstName),
		LastNamePrefix: strings.TrimSpace(e.LastNamePrefix),
		LastName:       strings.TrimSpace(e.LastName),
		Email:          strings.TrimSpace(e.EmailAddress),
		Phone:          strings.TrimSpace(e.PhoneNumber),
		Mobile:         strings.TrimSpace(e.MobileNumber),
		City:           strings.TrimSpace(e.City),
		OwnerID:        e.OwnerID,
		StableHash:     e.StableHash,
		ModifiedAt:     e.ModificationDate,
		SyncedAt:       now,
	}
	c.PhoneE164, _ = recrubo.WhatsAppNumber(c.Mobile, c.Phone, t.PhoneRegion)
	if e.Status != nil {
		c.StatusID, c.StatusLabel = e.Status.ID, e.Status.Value
	}
	return c
}

// toVacancy converts a Carerix vacancy; its title is the job title, or the
// published title when the job title is empty.
func toVacancy(tenantID string, v *carerix.Vacancy, now time.Time) *recrubo.Vacancy {
	title := strings.TrimSpace(v.JobTitle)
	if title == "" {
		title = strings.TrimSpace(v.TitleInformation)
	}
	out := &recrubo.Vacancy{
		TenantID:    tenantID,
		ID:          v.ID,
		Title:       title,
		CompanyName: strings.TrimSpace(v.CompanyName),
		OwnerID:     v.OwnerID,
		StableHash:  v.StableHash,
		ModifiedAt:  v.ModificationDate,
		SyncedAt:    now,
	}
	if v.Status != nil {
		out.StatusID, out.StatusLabel = v.Status.ID, v.Status.Value
	}
	return out
}

// toMatch converts a Carerix match with its stage. Its ModifiedAt is the
// newest of the match's, its candidate's and its vacancy's modification
// times (see recrubo.Match).
func toMatch(tenantID string, m *carerix.Match, c *recrubo.Candidate, v *recrubo.Vacancy, now time.Time) *recrubo.Match {
	out := &recrubo.Match{
		TenantID:    tenantID,
		ID:          m.ID,
		CandidateID: m.EmployeeID,
		VacancyID:   m.VacancyID,
		ModifiedAt:  latest(m.ModificationDate, c.ModifiedAt, v.ModifiedAt),
		SyncedAt:    now,
	}
	if m.Stage != nil {
		out.Stage = stageName(m.Stage)
	}
	return out
}

// stageName is the stage's label as the tenant's contract resolves it.
func stageName(s *carerix.MatchStage) string { return strings.TrimSpace(s.Label) }

// toRecruiter converts a Carerix user read at readAt. The client does not
// read a user's modification date, so the time it was read orders its
// states: a later read is never older.
func toRecruiter(tenantID string, u *carerix.User, readAt time.Time) *recrubo.Recruiter {
	return &recrubo.Recruiter{
		TenantID:   tenantID,
		ID:         u.ID,
		UserName:   strings.TrimSpace(u.UserName),
		FirstName:  strings.TrimSpace(u.FirstName),
		LastName:   strings.TrimSpace(u.LastName),
		Email:      strings.TrimSpace(u.EmailAddress),
		Active:     u.IsActive,
		StableHash: u.StableHash,
		ModifiedAt: readAt,
		SyncedAt:   readAt,
	}
}

// latest returns the latest of ts.
func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// toStatusNode converts a Carerix status data node with its parent tags.
func toStatusNode(tenantID string, kind recrubo.StatusKind, n *carerix.DataNode) *recrubo.StatusNode {
	out := &recrubo.StatusNode{
		TenantID:   tenantID,
		Kind:       kind,
		ID:         n.ID,
		Value:      n.Value,
		ExportCode: n.ExportCode,
		NotActive:  n.NotActive,
	}
	for _, p := range n.Parents {
		tag := p.Tag
		if tag == "" {
			tag = p.Value
		}
		if tag != "" {
			out.ParentTags = append(out.ParentTags, tag)
		}
	}
	return out
}
