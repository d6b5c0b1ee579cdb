package carerixemu

import (
	"sync"
	"time"
)

// valueType is the type of an entity attribute as qualifiers see it.
type valueType int

const (
	tString valueType = iota + 1
	tNumber
	tBool
	tTime
	tEntity
)

// attr describes one attribute or relation of an entity, with accessors
// that read it from a stored record. Accessors run with the store's lock
// held.
type attr struct {
	typ    valueType
	target string // entity kind of a relation
	many   bool
	// scalar returns nil (null), string, float64, bool or time.Time.
	scalar func(rec any) any
	// rel returns related records (pointers into the store), never nil
	// elements.
	rel func(s *Store, rec any) []any
}

func strAttr[T any](f func(*T) *string) attr {
	return attr{typ: tString, scalar: func(r any) any {
		if p := f(r.(*T)); p != nil {
			return *p
		}
		return nil
	}}
}

// plainStrAttr exposes a non-optional string; "" reads as null.
func plainStrAttr[T any](f func(*T) string) attr {
	return attr{typ: tString, scalar: func(r any) any {
		if v := f(r.(*T)); v != "" {
			return v
		}
		return nil
	}}
}

func numAttr[T any](f func(*T) int) attr {
	return attr{typ: tNumber, scalar: func(r any) any { return float64(f(r.(*T))) }}
}

func boolAttr[T any](f func(*T) bool) attr {
	return attr{typ: tBool, scalar: func(r any) any { return f(r.(*T)) }}
}

func timeAttr[T any](f func(*T) time.Time) attr {
	return attr{typ: tTime, scalar: func(r any) any {
		if t := f(r.(*T)); !t.IsZero() {
			return t
		}
		return nil
	}}
}

// oneAttr is a to-one relation; f returns nil for none.
func oneAttr[T any](target string, f func(*Store, *T) any) attr {
	return attr{typ: tEntity, target: target, rel: func(s *Store, r any) []any {
		if v := f(s, r.(*T)); v != nil {
			return []any{v}
		}
		return nil
	}}
}

// manyAttr is a to-many relation.
func manyAttr[T any](target string, f func(*Store, *T) []any) attr {
	return attr{typ: tEntity, target: target, many: true, rel: func(s *Store, r any) []any { return f(s, r.(*T)) }}
}

// Relation lookups, returning an untyped nil for "none".
func (s *Store) nodeRef(k int) any {
	if n := s.nodes.get(k); n != nil {
		return n
	}
	return nil
}

func (s *Store) userRef(k int) any {
	if u := s.users.get(k); u != nil {
		return u
	}
	return nil
}

func (s *Store) employeeRef(k int) any {
	if e := s.employees.get(k); e != nil {
		return e
	}
	return nil
}

func (s *Store) vacancyRef(k int) any {
	if v := s.vacancies.get(k); v != nil {
		return v
	}
	return nil
}

func (s *Store) companyRef(k int) any {
	if c := s.companies.get(k); c != nil {
		return c
	}
	return nil
}

func (s *Store) stageRef(k int) any {
	if si := s.statusInfos.get(k); si != nil {
		return si
	}
	return nil
}

// liveMatchesLocked returns the live matches of a candidate or vacancy.
func (s *Store) liveMatchesLocked(pred func(*Match) bool) []any {
	var out []any
	for _, m := range s.matches.all() {
		if !m.Deleted && pred(m) {
			out = append(out, m)
		}
	}
	return out
}

// nodeType is the CRNodeType view of a data node's type.
type nodeType struct {
	key  int
	name string
}

// entityAttrs returns the attribute table of every entity kind. It is
// built once and never modified.
var entityAttrs = sync.OnceValue(func() map[string]map[string]attr {
	idOf := func(id func(r any) string) attr {
		return attr{typ: tString, scalar: func(r any) any { return id(r) }}
	}
	kind := func(k string) attr { return attr{typ: tString, scalar: func(any) any { return k }} }
	return map[string]map[string]attr{
		KindEmployee: {
			"_id":              idOf(func(r any) string { return r.(*Employee).ID }),
			"_kind":            kind(KindEmployee),
			"employeeID":       numAttr(func(e *Employee) int { return e.EmployeeID }),
			"firstName":        strAttr(func(e *Employee) *string { return e.FirstName }),
			"lastNamePrefix":   strAttr(func(e *Employee) *string { return e.LastNamePrefix }),
			"lastName":         strAttr(func(e *Employee) *string { return e.LastName }),
			"emailAddress":     strAttr(func(e *Employee) *string { return e.EmailAddress }),
			"phoneNumber":      strAttr(func(e *Employee) *string { return e.PhoneNumber }),
			"mobileNumber":     strAttr(func(e *Employee) *string { return e.MobileNumber }),
			"city":             strAttr(func(e *Employee) *string { return e.City }),
			"notes":            strAttr(func(e *Employee) *string { return e.Notes }),
			"deleted":          boolAttr(func(e *Employee) bool { return e.Deleted }),
			"creationDate":     timeAttr(func(e *Employee) time.Time { return e.CreationDate }),
			"modificationDate": timeAttr(func(e *Employee) time.Time { return e.ModificationDate }),
			"stableHash":       plainStrAttr(func(e *Employee) string { return e.StableHash }),
			"toStatusNode":     oneAttr(KindDataNode, func(s *Store, e *Employee) any { return s.nodeRef(e.StatusNodeID) }),
			"owner":            oneAttr(KindUser, func(s *Store, e *Employee) any { return s.userRef(e.OwnerID) }),
			"matches": manyAttr(KindMatch, func(s *Store, e *Employee) []any {
				return s.liveMatchesLocked(func(m *Match) bool { return m.EmployeeID == e.EmployeeID })
			}),
		},
		KindVacancy: {
			"_id":              idOf(func(r any) string { return r.(*Vacancy).ID }),
			"_kind":            kind(KindVacancy),
			"vacancyID":        numAttr(func(v *Vacancy) int { return v.VacancyID }),
			"jobTitle":         strAttr(func(v *Vacancy) *string { return v.JobTitle }),
			"titleInformation": strAttr(func(v *Vacancy) *string { return v.TitleInformation }),
			"deleted":          boolAttr(func(v *Vacancy) bool { return v.Deleted }),
			"creationDate":     timeAttr(func(v *Vacancy) time.Time { return v.CreationDate }),
			"modificationDate": timeAttr(func(v *Vacancy) time.Time { return v.ModificationDate }),
			"stableHash":       plainStrAttr(func(v *Vacancy) string { return v.StableHash }),
			"toStatusNode":     oneAttr(KindDataNode, func(s *Store, v *Vacancy) any { return s.nodeRef(v.StatusNodeID) }),
			"owner":            oneAttr(KindUser, func(s *Store, v *Vacancy) any { return s.userRef(v.OwnerID) }),
			"toCompany":        oneAttr(KindCompany, func(s *Store, v *Vacancy) any { return s.companyRef(v.CompanyID) }),
			"matches": manyAttr(KindMatch, func(s *Store, v *Vacancy) []any {
				return s.liveMatchesLocked(func(m *Match) bool { return m.VacancyID == v.VacancyID })
			}),
		},
		KindMatch: {
			"_id":              idOf(func(r any) string { return r.(*Match).ID }),
			"_kind":            kind(KindMatch),
			"matchID":          numAttr(func(m *Match) int { return m.MatchID }),
			"deleted":          boolAttr(func(m *Match) bool { return m.Deleted }),
			"creationDate":     timeAttr(func(m *Match) time.Time { return m.CreationDate }),
			"modificationDate": timeAttr(func(m *Match) time.Time { return m.ModificationDate }),
			"stableHash":       plainStrAttr(func(m *Match) string { return m.StableHash }),
			"toEmployee":       oneAttr(KindEmployee, func(s *Store, m *Match) any { return s.employeeRef(m.EmployeeID) }),
			"toVacancy":        oneAttr(KindVacancy, func(s *Store, m *Match) any { return s.vacancyRef(m.VacancyID) }),
			"statusInfo":       oneAttr(KindStatusInfo, func(s *Store, m *Match) any { return s.stageRef(m.StatusInfoID) }),
		},
		KindStatusInfo: {
			"_id":          idOf(func(r any) string { return r.(*StatusInfo).ID }),
			"_kind":        kind(KindStatusInfo),
			"statusInfoID": numAttr(func(si *StatusInfo) int { return si.StatusInfoID }),
			"statusName":   plainStrAttr(func(si *StatusInfo) string { return si.StatusName }),
			"displayName":  plainStrAttr(func(si *StatusInfo) string { return si.DisplayName }),
			// name and label are the observed names of statusName and displayName.
			"name":      plainStrAttr(func(si *StatusInfo) string { return si.StatusName }),
			"label":     plainStrAttr(func(si *StatusInfo) string { return si.DisplayName }),
			"sortOrder": numAttr(func(si *StatusInfo) int { return si.SortOrder }),
			"isFinal":   boolAttr(func(si *StatusInfo) bool { return si.IsFinal }),
		},
		KindCompany: {
			"_id":              idOf(func(r any) string { return r.(*Company).ID }),
			"_kind":            kind(KindCompany),
			"companyID":        numAttr(func(c *Company) int { return c.CompanyID }),
			"name":             plainStrAttr(func(c *Company) string { return c.Name }),
			"visitCity":        strAttr(func(c *Company) *string { return c.VisitCity }),
			"deleted":          boolAttr(func(c *Company) bool { return c.Deleted }),
			"creationDate":     timeAttr(func(c *Company) time.Time { return c.CreationDate }),
			"modificationDate": timeAttr(func(c *Company) time.Time { return c.ModificationDate }),
		},
		KindJob: {
			"_id":              idOf(func(r any) string { return r.(*Job).ID }),
			"_kind":            kind(KindJob),
			"jobID":            numAttr(func(j *Job) int { return j.JobID }),
			"toEmployee":       oneAttr(KindEmployee, func(s *Store, j *Job) any { return s.employeeRef(j.EmployeeID) }),
			"toVacancy":        oneAttr(KindVacancy, func(s *Store, j *Job) any { return s.vacancyRef(j.VacancyID) }),
			"startDate":        timeAttr(func(j *Job) time.Time { return j.StartDate }),
			"endDate":          timeAttr(func(j *Job) time.Time { return j.EndDate }),
			"deleted":          boolAttr(func(j *Job) bool { return j.Deleted }),
			"creationDate":     timeAttr(func(j *Job) time.Time { return j.CreationDate }),
			"modificationDate": timeAttr(func(j *Job) time.Time { return j.ModificationDate }),
		},
		KindPublication: {
			"_id":              idOf(func(r any) string { return r.(*Publication).ID }),
			"_kind":            kind(KindPublication),
			"publicationID":    numAttr(func(p *Publication) int { return p.PublicationID }),
			"toVacancy":        oneAttr(KindVacancy, func(s *Store, p *Publication) any { return s.vacancyRef(p.VacancyID) }),
			"applyUrl":         strAttr(func(p *Publication) *string { return p.ApplyURL }),
			"publicationStart": timeAttr(func(p *Publication) time.Time { return p.PublicationStart }),
			"publicationEnd":   timeAttr(func(p *Publication) time.Time { return p.PublicationEnd }),
			"deleted":          boolAttr(func(p *Publication) bool { return p.Deleted }),
			"creationDate":     timeAttr(func(p *Publication) time.Time { return p.CreationDate }),
			"modificationDate": timeAttr(func(p *Publication) time.Time { return p.ModificationDate }),
		},
		KindUser: {
			"_id":              idOf(func(r any) string { return r.(*User).ID }),
			"_kind":            kind(KindUser),
			"userID":           numAttr(func(u *User) int { return u.UserID }),
			"userName":         plainStrAttr(func(u *User) string { return u.UserName }),
			"firstName":        strAttr(func(u *User) *string { return u.FirstName }),
			"lastName":         strAttr(func(u *User) *string { return u.LastName }),
			"lessFormalName":   plainStrAttr(func(u *User) string { return u.LessFormalName() }),
			"emailAddress":     strAttr(func(u *User) *string { return u.EmailAddress }),
			"isActive":         boolAttr(func(u *User) bool { return u.IsActive }),
			"language":         plainStrAttr(func(u *User) string { return u.Language }),
			"userRolesString":  plainStrAttr(func(u *User) string { return u.RolesString() }),
			"deleted":          boolAttr(func(u *User) bool { return u.Deleted }),
			"creationDate":     timeAttr(func(u *User) time.Time { return u.CreationDate }),
			"modificationDate": timeAttr(func(u *User) time.Time { return u.ModificationDate }),
			"stableHash":       plainStrAttr(func(u *User) string { return u.StableHash }),
			"toUserRole": oneAttr(KindUserRole, func(s *Store, u *User) any {
				if len(u.Roles) == 0 {
					return nil
				}
				for _, r := range s.roles.all() {
					if r.Name == u.Roles[0] {
						return r
					}
				}
				return nil
			}),
		},
		KindUserRole: {
			"_id":        idOf(func(r any) string { return r.(*UserRole).ID }),
			"_kind":      kind(KindUserRole),
			"userRoleID": numAttr(func(r *UserRole) int { return r.UserRoleID }),
			"name":       plainStrAttr(func(r *UserRole) string { return r.Name }),
		},
		KindDataNode: {
			"_id":              idOf(func(r any) string { return r.(*DataNode).ID }),
			"_kind":            kind(KindDataNode),
			"dataNodeID":       numAttr(func(n *DataNode) int { return n.DataNodeID }),
			"value":            plainStrAttr(func(n *DataNode) string { return n.Value }),
			"exportCode":       plainStrAttr(func(n *DataNode) string { return n.ExportCode }),
			"tag":              plainStrAttr(func(n *DataNode) string { return n.Tag }),
			"notActive":        boolAttr(func(n *DataNode) bool { return n.NotActive }),
			"isHidden":         boolAttr(func(n *DataNode) bool { return n.IsHidden }),
			"deleted":          boolAttr(func(n *DataNode) bool { return n.Deleted }),
			"creationDate":     timeAttr(func(n *DataNode) time.Time { return n.CreationDate }),
			"modificationDate": timeAttr(func(n *DataNode) time.Time { return n.ModificationDate }),
			"stableHash":       plainStrAttr(func(n *DataNode) string { return n.StableHash }),
			"type": oneAttr(KindNodeType, func(s *Store, n *DataNode) any {
				return &nodeType{key: s.nodeTypeKey(n.Type), name: n.Type}
			}),
			"parentNodes": manyAttr(KindDataNode, func(s *Store, n *DataNode) []any {
				out := make([]any, 0, len(n.ParentIDs))
				for _, k := range n.ParentIDs {
					if p := s.nodes.get(k); p != nil {
						out = append(out, p)
					}
				}
				return out
			}),
			"childrenNodes": manyAttr(KindDataNode, func(s *Store, n *DataNode) []any {
				var out []any
				for _, k := range s.childrenLocked(n.DataNodeID) {
					out = append(out, s.nodes.get(k))
				}
				return out
			}),
		},
		KindNodeType: {
			"_id":        idOf(func(r any) string { return idString(r.(*nodeType).key) }),
			"_kind":      kind(KindNodeType),
			"name":       plainStrAttr(func(t *nodeType) string { return t.name }),
			"identifier": plainStrAttr(func(t *nodeType) string { return t.name }),
		},
		KindTemplateReference: {
			"_id":                 idOf(func(r any) string { return r.(*TemplateReference).ID }),
			"_kind":               kind(KindTemplateReference),
			"templateReferenceID": numAttr(func(t *TemplateReference) int { return t.TemplateReferenceID }),
			"name":                strAttr(func(t *TemplateReference) *string { return t.Name }),
			"code":                strAttr(func(t *TemplateReference) *string { return t.Code }),
			"targetEntityName":    strAttr(func(t *TemplateReference) *string { return t.TargetEntityName }),
			"templateTypeKey":     strAttr(func(t *TemplateReference) *string { return t.TemplateTypeKey }),
			"fileName":            strAttr(func(t *TemplateReference) *string { return t.FileName }),
			"userRolesString":     strAttr(func(t *TemplateReference) *string { return t.UserRolesString }),
			"languagesString":     strAttr(func(t *TemplateReference) *string { return t.LanguagesString }),
			"isEmbedded":          boolAttr(func(t *TemplateReference) bool { return t.IsEmbedded }),
			"isActive":            boolAttr(func(t *TemplateReference) bool { return t.IsActive }),
			"showInMenu":          boolAttr(func(t *TemplateReference) bool { return t.ShowInMenu }),
			"deleted":             boolAttr(func(t *TemplateReference) bool { return t.Deleted }),
			"creationDate":        timeAttr(func(t *TemplateReference) time.Time { return t.CreationDate }),
			"modificationDate":    timeAttr(func(t *TemplateReference) time.Time { return t.ModificationDate }),
		},
	}
})
