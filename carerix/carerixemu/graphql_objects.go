package carerixemu

import (
	"context"

	graphql "github.com/graph-gophers/graphql-go"
)

// Object resolvers. Each wraps a snapshot of a record; relations are read
// from the store when selected.

func gid(n int) graphql.ID { return graphql.ID(idString(n)) }

type employeeResolver struct {
	srv *Server
	e   Employee
}

func (r *employeeResolver) ID() graphql.ID            { return graphql.ID(r.e.ID) }
func (r *employeeResolver) Kind() graphql.ID          { return KindEmployee }
func (r *employeeResolver) EmployeeID() int32         { return int32(r.e.EmployeeID) }
func (r *employeeResolver) FirstName() *string        { return r.e.FirstName }
func (r *employeeResolver) LastName() *string         { return r.e.LastName }
func (r *employeeResolver) LastNamePrefix() *string   { return r.e.LastNamePrefix }
func (r *employeeResolver) EmailAddress() *string     { return r.e.EmailAddress }
func (r *employeeResolver) PhoneNumber() *string      { return r.e.PhoneNumber }
func (r *employeeResolver) MobileNumber() *string     { return r.e.MobileNumber }
func (r *employeeResolver) City() *string             { return r.e.City }
func (r *employeeResolver) Notes() *string            { return r.e.Notes }
func (r *employeeResolver) Deleted() bool             { return r.e.Deleted }
func (r *employeeResolver) CreationDate() *string     { return formatDate(r.e.CreationDate) }
func (r *employeeResolver) ModificationDate() *string { return formatDate(r.e.ModificationDate) }
func (r *employeeResolver) StableHash() string        { return r.e.StableHash }
func (r *employeeResolver) ToStatusNode() *dataNodeResolver {
	return r.srv.dataNodeByKey(r.e.StatusNodeID)
}
func (r *employeeResolver) Owner() *userResolver { return r.srv.userByKey(r.e.OwnerID) }
func (r *employeeResolver) Matches(ctx context.Context, args struct{ Pageable *pageableArg }) (*page[*matchResolver], error) {
	return r.srv.relatedMatches(args.Pageable, func(m *Match) bool { return m.EmployeeID == r.e.EmployeeID })
}

type vacancyResolver struct {
	srv *Server
	v   Vacancy
}

func (r *vacancyResolver) ID() graphql.ID            { return graphql.ID(r.v.ID) }
func (r *vacancyResolver) Kind() graphql.ID          { return KindVacancy }
func (r *vacancyResolver) VacancyID() int32          { return int32(r.v.VacancyID) }
func (r *vacancyResolver) JobTitle() *string         { return r.v.JobTitle }
func (r *vacancyResolver) TitleInformation() *string { return r.v.TitleInformation }
func (r *vacancyResolver) Deleted() bool             { return r.v.Deleted }
func (r *vacancyResolver) CreationDate() *string     { return formatDate(r.v.CreationDate) }
func (r *vacancyResolver) ModificationDate() *string { return formatDate(r.v.ModificationDate) }
func (r *vacancyResolver) StableHash() string        { return r.v.StableHash }
func (r *vacancyResolver) ToStatusNode() *dataNodeResolver {
	return r.srv.dataNodeByKey(r.v.StatusNodeID)
}
func (r *vacancyResolver) Owner() *userResolver { return r.srv.userByKey(r.v.OwnerID) }
func (r *vacancyResolver) ToCompany() *companyResolver {
	if r.v.CompanyID == 0 {
		return nil
	}
	c, err := r.srv.Company(idString(r.v.CompanyID))
	if err != nil {
		return nil
	}
	return &companyResolver{c}
}
func (r *vacancyResolver) Matches(ctx context.Context, args struct{ Pageable *pageableArg }) (*page[*matchResolver], error) {
	return r.srv.relatedMatches(args.Pageable, func(m *Match) bool { return m.VacancyID == r.v.VacancyID })
}

type matchResolver struct {
	srv *Server
	m   Match
}

func (r *matchResolver) ID() graphql.ID                { return graphql.ID(r.m.ID) }
func (r *matchResolver) Kind() graphql.ID              { return KindMatch }
func (r *matchResolver) MatchID() int32                { return int32(r.m.MatchID) }
func (r *matchResolver) Deleted() bool                 { return r.m.Deleted }
func (r *matchResolver) CreationDate() *string         { return formatDate(r.m.CreationDate) }
func (r *matchResolver) ModificationDate() *string     { return formatDate(r.m.ModificationDate) }
func (r *matchResolver) StableHash() string            { return r.m.StableHash }
func (r *matchResolver) ToEmployee() *employeeResolver { return r.srv.employeeByKey(r.m.EmployeeID) }
func (r *matchResolver) ToVacancy() *vacancyResolver   { return r.srv.vacancyByKey(r.m.VacancyID) }
func (r *matchResolver) StatusInfo() *statusInfoResolver {
	for _, si := range r.srv.StatusInfos() {
		if si.StatusInfoID == r.m.StatusInfoID {
			return &statusInfoResolver{si}
		}
	}
	return nil
}

type statusInfoResolver struct{ si StatusInfo }

func (r *statusInfoResolver) ID() graphql.ID       { return graphql.ID(r.si.ID) }
func (r *statusInfoResolver) Kind() graphql.ID     { return KindStatusInfo }
func (r *statusInfoResolver) StatusInfoID() int32  { return int32(r.si.StatusInfoID) }
func (r *statusInfoResolver) StatusName() *string  { return &r.si.StatusName }
func (r *statusInfoResolver) DisplayName() *string { return &r.si.DisplayName }

// Name and Label are the observed names of statusName and displayName.
func (r *statusInfoResolver) Name() *string    { return &r.si.StatusName }
func (r *statusInfoResolver) Label() *string   { return &r.si.DisplayName }
func (r *statusInfoResolver) SortOrder() int32 { return int32(r.si.SortOrder) }
func (r *statusInfoResolver) IsFinal() bool    { return r.si.IsFinal }

type companyResolver struct{ c Company }

func (r *companyResolver) ID() graphql.ID            { return graphql.ID(r.c.ID) }
func (r *companyResolver) Kind() graphql.ID          { return KindCompany }
func (r *companyResolver) CompanyID() int32          { return int32(r.c.CompanyID) }
func (r *companyResolver) Name() *string             { return &r.c.Name }
func (r *companyResolver) VisitCity() *string        { return r.c.VisitCity }
func (r *companyResolver) Deleted() bool             { return r.c.Deleted }
func (r *companyResolver) CreationDate() *string     { return formatDate(r.c.CreationDate) }
func (r *companyResolver) ModificationDate() *string { return formatDate(r.c.ModificationDate) }

type placementResolver struct {
	srv *Server
	j   Job
}

func (r *placementResolver) ID() graphql.ID            { return graphql.ID(r.j.ID) }
func (r *placementResolver) Kind() graphql.ID          { return KindJob }
func (r *placementResolver) JobID() int32              { return int32(r.j.JobID) }
func (r *placementResolver) StartDate() *string        { return formatDate(r.j.StartDate) }
func (r *placementResolver) EndDate() *string          { return formatDate(r.j.EndDate) }
func (r *placementResolver) Deleted() bool             { return r.j.Deleted }
func (r *placementResolver) CreationDate() *string     { return formatDate(r.j.CreationDate) }
func (r *placementResolver) ModificationDate() *string { return formatDate(r.j.ModificationDate) }
func (r *placementResolver) ToEmployee() *employeeResolver {
	return r.srv.employeeByKey(r.j.EmployeeID)
}
func (r *placementResolver) ToVacancy() *vacancyResolver { return r.srv.vacancyByKey(r.j.VacancyID) }

type publicationResolver struct {
	srv *Server
	p   Publication
}

func (r *publicationResolver) ID() graphql.ID              { return graphql.ID(r.p.ID) }
func (r *publicationResolver) Kind() graphql.ID            { return KindPublication }
func (r *publicationResolver) PublicationID() int32        { return int32(r.p.PublicationID) }
func (r *publicationResolver) ApplyURL() *string           { return r.p.ApplyURL }
func (r *publicationResolver) PublicationStart() *string   { return formatDate(r.p.PublicationStart) }
func (r *publicationResolver) PublicationEnd() *string     { return formatDate(r.p.PublicationEnd) }
func (r *publicationResolver) Deleted() bool               { return r.p.Deleted }
func (r *publicationResolver) CreationDate() *string       { return formatDate(r.p.CreationDate) }
func (r *publicationResolver) ModificationDate() *string   { return formatDate(r.p.ModificationDate) }
func (r *publicationResolver) ToVacancy() *vacancyResolver { return r.srv.vacancyByKey(r.p.VacancyID) }

type userResolver struct {
	srv *Server
	u   User
}

func (r *userResolver) ID() graphql.ID            { return graphql.ID(r.u.ID) }
func (r *userResolver) Kind() graphql.ID          { return KindUser }
func (r *userResolver) UserID() int32             { return int32(r.u.UserID) }
func (r *userResolver) UserName() *string         { return &r.u.UserName }
func (r *userResolver) FirstName() *string        { return r.u.FirstName }
func (r *userResolver) LastName() *string         { return r.u.LastName }
func (r *userResolver) LessFormalName() *string   { n := r.u.LessFormalName(); return &n }
func (r *userResolver) EmailAddress() *string     { return r.u.EmailAddress }
func (r *userResolver) IsActive() bool            { return r.u.IsActive }
func (r *userResolver) Language() *string         { return &r.u.Language }
func (r *userResolver) UserRolesString() *string  { s := r.u.RolesString(); return &s }
func (r *userResolver) Deleted() bool             { return r.u.Deleted }
func (r *userResolver) CreationDate() *string     { return formatDate(r.u.CreationDate) }
func (r *userResolver) ModificationDate() *string { return formatDate(r.u.ModificationDate) }
func (r *userResolver) StableHash() string        { return r.u.StableHash }
func (r *userResolver) ToUserRole() *userRoleResolver {
	if len(r.u.Roles) == 0 {
		return nil
	}
	role, ok := r.srv.role(r.u.Roles[0])
	if !ok {
		return nil
	}
	return &userRoleResolver{role}
}

type userRoleResolver struct{ r UserRole }

func (r *userRoleResolver) ID() graphql.ID    { return graphql.ID(r.r.ID) }
func (r *userRoleResolver) Kind() graphql.ID  { return KindUserRole }
func (r *userRoleResolver) UserRoleID() int32 { return int32(r.r.UserRoleID) }
func (r *userRoleResolver) Name() string      { return r.r.Name }

type dataNodeResolver struct {
	srv *Server
	n   DataNode
}

func (r *dataNodeResolver) ID() graphql.ID            { return graphql.ID(r.n.ID) }
func (r *dataNodeResolver) Kind() graphql.ID          { return KindDataNode }
func (r *dataNodeResolver) DataNodeID() int32         { return int32(r.n.DataNodeID) }
func (r *dataNodeResolver) Value() *string            { return optText(r.n.Value) }
func (r *dataNodeResolver) ExportCode() *string       { return optText(r.n.ExportCode) }
func (r *dataNodeResolver) Tag() *string              { return optText(r.n.Tag) }
func (r *dataNodeResolver) NotActive() bool           { return r.n.NotActive }
func (r *dataNodeResolver) IsHidden() bool            { return r.n.IsHidden }
func (r *dataNodeResolver) Deleted() bool             { return r.n.Deleted }
func (r *dataNodeResolver) CreationDate() *string     { return formatDate(r.n.CreationDate) }
func (r *dataNodeResolver) ModificationDate() *string { return formatDate(r.n.ModificationDate) }
func (r *dataNodeResolver) StableHash() string        { return r.n.StableHash }
func (r *dataNodeResolver) Type() *nodeTypeResolver {
	return &nodeTypeResolver{key: r.srv.nodeTypeID(r.n.Type), name: r.n.Type}
}
func (r *dataNodeResolver) ParentNodes() []*dataNodeResolver {
	out := make([]*dataNodeResolver, 0, len(r.n.ParentIDs))
	for _, k := range r.n.ParentIDs {
		if n := r.srv.dataNodeByKey(k); n != nil {
			out = append(out, n)
		}
	}
	return out
}
func (r *dataNodeResolver) ChildrenNodes() []*dataNodeResolver {
	out := []*dataNodeResolver{}
	for _, n := range r.srv.childNodes(r.n.DataNodeID) {
		out = append(out, &dataNodeResolver{r.srv, n})
	}
	return out
}

type nodeTypeResolver struct {
	key  int
	name string
}

func (r *nodeTypeResolver) ID() graphql.ID      { return gid(r.key) }
func (r *nodeTypeResolver) Kind() graphql.ID    { return KindNodeType }
func (r *nodeTypeResolver) Name() string        { return r.name }
func (r *nodeTypeResolver) Identifier() *string { return &r.name }

type templateResolver struct{ t TemplateReference }

func (r *templateResolver) ID() graphql.ID             { return graphql.ID(r.t.ID) }
func (r *templateResolver) Kind() graphql.ID           { return KindTemplateReference }
func (r *templateResolver) TemplateReferenceID() int32 { return int32(r.t.TemplateReferenceID) }
func (r *templateResolver) Name() *string              { return r.t.Name }
func (r *templateResolver) Code() *string              { return r.t.Code }
func (r *templateResolver) Content() *string           { return r.t.Content }
func (r *templateResolver) RawContent() *string        { return r.t.RawContent }
func (r *templateResolver) TargetEntityName() *string  { return r.t.TargetEntityName }
func (r *templateResolver) TemplateTypeKey() *string   { return r.t.TemplateTypeKey }
func (r *templateResolver) IsEmbedded() bool           { return r.t.IsEmbedded }
func (r *templateResolver) IsActive() bool             { return r.t.IsActive }
func (r *templateResolver) ShowInMenu() bool           { return r.t.ShowInMenu }
func (r *templateResolver) UserRolesString() *string   { return r.t.UserRolesString }
func (r *templateResolver) LanguagesString() *string   { return r.t.LanguagesString }
func (r *templateResolver) FileName() *string          { return r.t.FileName }
func (r *templateResolver) Deleted() bool              { return r.t.Deleted }
func (r *templateResolver) CreationDate() *string      { return formatDate(r.t.CreationDate) }
func (r *templateResolver) ModificationDate() *string  { return formatDate(r.t.ModificationDate) }

// deleteResponse is the DeleteResponse type.
type toDoResolver struct {
	srv *Server
	td  ToDo
}

func (r *toDoResolver) ID() graphql.ID       { return graphql.ID(r.td.ID) }
func (r *toDoResolver) Kind() graphql.ID     { return KindToDo }
func (r *toDoResolver) ToDoID() int32        { return int32(r.td.ToDoID) }
func (r *toDoResolver) Subject() *string     { return r.td.Subject }
func (r *toDoResolver) Notes() *string       { return r.td.Notes }
func (r *toDoResolver) TodoTypeKey() *string { return r.td.TodoTypeKey }

// Message is the observed name of notes. (graphql-go matches field names
// case-insensitively, so TodoTypeKey serves toDoTypeKey as well.)
func (r *toDoResolver) Message() *string              { return r.td.Notes }
func (r *toDoResolver) Deleted() bool                 { return r.td.Deleted }
func (r *toDoResolver) CreationDate() *string         { return formatDate(r.td.CreationDate) }
func (r *toDoResolver) ModificationDate() *string     { return formatDate(r.td.ModificationDate) }
func (r *toDoResolver) Owner() *userResolver          { return r.srv.userByKey(r.td.OwnerID) }
func (r *toDoResolver) ToEmployee() *employeeResolver { return r.srv.employeeByKey(r.td.EmployeeID) }

type deleteResponse struct {
	id, kind string
}

func (r *deleteResponse) ID() graphql.ID   { return graphql.ID(r.id) }
func (r *deleteResponse) Kind() graphql.ID { return graphql.ID(r.kind) }
func (r *deleteResponse) Success() bool    { return true }

// optText maps "" to null.
func optText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// page is every *Page type: a window of items plus Spring-style paging
// metadata.
type page[T any] struct {
	items []T
	total int
	page  int
	size  int
	sort  string
}

func (p *page[T]) Items() []T {
	if p.items == nil {
		return []T{}
	}
	return p.items
}
func (p *page[T]) TotalElements() int32    { return int32(p.total) }
func (p *page[T]) TotalPages() int32       { return int32(p.totalPages()) }
func (p *page[T]) Page() int32             { return int32(p.page) }
func (p *page[T]) Size() int32             { return int32(p.size) }
func (p *page[T]) First() bool             { return p.page == 0 }
func (p *page[T]) Last() bool              { return p.page+1 >= p.totalPages() }
func (p *page[T]) NumberOfElements() int32 { return int32(len(p.items)) }
func (p *page[T]) Sort() *string           { return optText(p.sort) }

func (p *page[T]) totalPages() int {
	if p.size <= 0 {
		return 0
	}
	return (p.total + p.size - 1) / p.size
}

// pageableArg is the Pageable input. Sort exists only where the profile's
// schema has pageable.sort.
type pageableArg struct {
	Page *int32
	Size *int32
	Sort *[]sortOrderArg
}

// sortArgs returns the requested sort orders, or nil.
func (a *pageableArg) sortArgs() []sortOrderArg {
	if a == nil || a.Sort == nil {
		return nil
	}
	return *a.Sort
}

// unsorted refuses a sort where the page cannot be ordered.
func (a *pageableArg) unsorted(what string) error {
	if len(a.sortArgs()) > 0 {
		return badRequest("pageable.sort: %s cannot be sorted", what)
	}
	return nil
}

// resolve applies defaults (page 0, size DefaultPageSize), refuses
// negative pages and non-positive sizes, and clamps size to max.
func (a *pageableArg) resolve(max int) (pg, size int, err error) {
	pg, size = 0, DefaultPageSize
	if a != nil && a.Page != nil {
		pg = int(*a.Page)
	}
	if a != nil && a.Size != nil {
		size = int(*a.Size)
	}
	if pg < 0 {
		return 0, 0, badRequest("pageable.page must not be negative, got %d", pg)
	}
	if size < 1 {
		return 0, 0, badRequest("pageable.size must be at least 1, got %d", size)
	}
	return pg, min(size, max), nil
}

// window slices items for a page of a fully materialised list.
func window[T any](items []T, pg, size int) []T {
	from := min(pg*size, len(items))
	to := min(from+size, len(items))
	return items[from:to]
}
