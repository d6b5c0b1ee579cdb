package carerixemu

import (
	"context"
	"fmt"

	graphql "github.com/graph-gophers/graphql-go"
)

// resolver is the GraphQL root (Query and Mutation).
type resolver struct {
	srv *Server
}

// Store helpers for relation fields.

func (s *Server) dataNodeByKey(k int) *dataNodeResolver {
	if k == 0 {
		return nil
	}
	n, err := s.DataNode(idString(k))
	if err != nil {
		return nil
	}
	return &dataNodeResolver{s, n}
}

func (s *Server) employeeByKey(k int) *employeeResolver {
	if k == 0 {
		return nil
	}
	e, err := s.Employee(idString(k))
	if err != nil {
		return nil
	}
	return &employeeResolver{s, e}
}

func (s *Server) vacancyByKey(k int) *vacancyResolver {
	if k == 0 {
		return nil
	}
	v, err := s.Vacancy(idString(k))
	if err != nil {
		return nil
	}
	return &vacancyResolver{s, v}
}

func (s *Server) userByKey(k int) *userResolver {
	if k == 0 {
		return nil
	}
	u, err := s.User(idString(k))
	if err != nil {
		return nil
	}
	return &userResolver{s, u}
}

func (s *Store) role(name string) (UserRole, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range s.roles.all() {
		if r.Name == name {
			return *r, true
		}
	}
	return UserRole{}, false
}

func (s *Store) nodeTypeID(name string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.nodeTypeKey(name)
}

func (s *Store) childNodes(k int) []DataNode {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []DataNode
	for _, c := range s.childrenLocked(k) {
		out = append(out, s.nodes.get(c).clone())
	}
	return out
}

// relatedMatches pages the live matches selected by pred, in the order
// asked for or the profile's default order.
func (s *Server) relatedMatches(pa *pageableArg, pred func(*Match) bool) (*page[*matchResolver], error) {
	pg, size, err := pa.resolve(s.opts.MaxPageSize)
	if err != nil {
		return nil, err
	}
	order, err := s.sortOrders(KindMatch, pa.sortArgs())
	if err != nil {
		return nil, toAPIError(err)
	}
	if len(order) == 0 {
		order = s.defaultOrder(KindMatch)
	}
	s.mu.RLock()
	var recs []any
	for _, m := range s.matches.all() {
		if !m.Deleted && pred(m) {
			recs = append(recs, m)
		}
	}
	if order != nil {
		sortRecords(recs, order)
	}
	all := make([]*matchResolver, len(recs))
	for i, rec := range recs {
		all[i] = &matchResolver{s, *rec.(*Match)}
	}
	s.mu.RUnlock()
	return &page[*matchResolver]{items: window(all, pg, size), total: len(all), page: pg, size: size, sort: sortText(order, "matchID")}, nil
}

// pageArgs are the arguments of every cr*Page query.
type pageArgs struct {
	Qualifier  *string
	Pageable   *pageableArg
	Language   *string
	Norestrict *bool
}

// runPage authorises and runs a cr*Page query, returning snapshots.
func (r *resolver) runPage(ctx context.Context, op, kind, sortKey string, a pageArgs) ([]any, *page[struct{}], error) {
	pg := 0
	if a.Pageable != nil && a.Pageable.Page != nil {
		pg = int(*a.Pageable.Page)
	}
	if err := r.srv.guard(ctx, op, pg); err != nil {
		return nil, nil, err
	}
	pg, size, err := a.Pageable.resolve(r.srv.opts.MaxPageSize)
	if err != nil {
		return nil, nil, err
	}
	order, err := r.srv.sortOrders(kind, a.Pageable.sortArgs())
	if err != nil {
		return nil, nil, toAPIError(err)
	}
	if len(order) == 0 {
		order = r.srv.defaultOrder(kind)
	}
	var q *Qualifier
	if a.Qualifier != nil {
		if q, err = ParseQualifier(*a.Qualifier); err != nil {
			return nil, nil, toAPIError(err)
		}
		if r.srv.noOr.Load() && q != nil && hasOr(q.root) {
			return nil, nil, toAPIError(qerr(0, "OR is not supported in qualifiers"))
		}
		if r.srv.noID.Load() && q != nil && namesID(q.root) {
			return nil, nil, toAPIError(qerr(0, "_id is not a qualifier key"))
		}
		if r.srv.opts.NoQualifierIDOr && q != nil && hasIDOr(q.root) {
			return nil, nil, toAPIError(qerr(0, "_id cannot be joined with OR in qualifiers"))
		}
		if r.srv.opts.NoQualifierDate && q != nil && hasDate(q.root) {
			return nil, nil, toAPIError(qerr(0, "dates are not supported in qualifiers"))
		}
	}
	items, total, err := r.srv.findSortedPage(kind, q, a.Norestrict != nil && *a.Norestrict, order, pg, size)
	if err != nil {
		return nil, nil, toAPIError(err)
	}
	r.srv.faults.countPage(op, pg)
	return items, &page[struct{}]{total: total, page: pg, size: size, sort: sortText(order, sortKey)}, nil
}

// pageOf converts snapshots to a typed page.
func pageOf[T any](meta *page[struct{}], items []any, conv func(any) T) *page[T] {
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = conv(it)
	}
	return &page[T]{items: out, total: meta.total, page: meta.page, size: meta.size, sort: meta.sort}
}

type idArg struct{ ID graphql.ID }

// getOne authorises a crX(_id) query and loads the record with load.
func getOne[T any](ctx context.Context, r *resolver, op string, id graphql.ID, load func(string) (T, error), deleted func(T) bool) (T, error) {
	var zero T
	if err := r.srv.guard(ctx, op, -1); err != nil {
		return zero, err
	}
	v, err := load(string(id))
	if err != nil {
		return zero, toAPIError(err)
	}
	if deleted(v) && !r.srv.opts.ReadDeletedByID {
		return zero, toAPIError(fmt.Errorf("%s is deleted: %w", id, ErrNotFound))
	}
	return v, nil
}

func (r *resolver) CrEmployee(ctx context.Context, a idArg) (*employeeResolver, error) {
	e, err := getOne(ctx, r, "crEmployee", a.ID, r.srv.Employee, func(e Employee) bool { return e.Deleted })
	if err != nil {
		return nil, err
	}
	return &employeeResolver{r.srv, e}, nil
}

func (r *resolver) CrEmployeePage(ctx context.Context, a pageArgs) (*page[*employeeResolver], error) {
	items, meta, err := r.runPage(ctx, "crEmployeePage", KindEmployee, "employeeID", a)
	if err != nil {
		return nil, err
	}
	return pageOf(meta, items, func(v any) *employeeResolver { return &employeeResolver{r.srv, v.(Employee)} }), nil
}

func (r *resolver) CrVacancy(ctx context.Context, a idArg) (*vacancyResolver, error) {
	v, err := getOne(ctx, r, "crVacancy", a.ID, r.srv.Vacancy, func(v Vacancy) bool { return v.Deleted })
	if err != nil {
		return nil, err
	}
	return &vacancyResolver{r.srv, v}, nil
}

func (r *resolver) CrVacancyPage(ctx context.Context, a pageArgs) (*page[*vacancyResolver], error) {
	items, meta, err := r.runPage(ctx, "crVacancyPage", KindVacancy, "vacancyID", a)
	if err != nil {
		return nil, err
	}
	return pageOf(meta, items, func(v any) *vacancyResolver { return &vacancyResolver{r.srv, v.(Vacancy)} }), nil
}

// matchByID loads a match by its exact _id (where _ids are composite, a
// bare matchID is not one).
func (s *Server) matchByID(id string) (Match, error) {
	if !s.isMatchID(id) {
		return Match{}, notFound(KindMatch, id)
	}
	return s.Match(id)
}

func (r *resolver) CrMatch(ctx context.Context, a idArg) (*matchResolver, error) {
	m, err := getOne(ctx, r, "crMatch", a.ID, r.srv.matchByID, func(m Match) bool { return m.Deleted })
	if err != nil {
		return nil, err
	}
	return &matchResolver{r.srv, m}, nil
}

func (r *resolver) CrMatchPage(ctx context.Context, a pageArgs) (*page[*matchResolver], error) {
	items, meta, err := r.runPage(ctx, "crMatchPage", KindMatch, "matchID", a)
	if err != nil {
		return nil, err
	}
	return pageOf(meta, items, func(v any) *matchResolver { return &matchResolver{r.srv, v.(Match)} }), nil
}

func (r *resolver) CrUser(ctx context.Context, a idArg) (*userResolver, error) {
	u, err := getOne(ctx, r, "crUser", a.ID, r.srv.User, func(u User) bool { return u.Deleted })
	if err != nil {
		return nil, err
	}
	return &userResolver{r.srv, u}, nil
}

func (r *resolver) CrUserPage(ctx context.Context, a pageArgs) (*page[*userResolver], error) {
	items, meta, err := r.runPage(ctx, "crUserPage", KindUser, "userID", a)
	if err != nil {
		return nil, err
	}
	return pageOf(meta, items, func(v any) *userResolver { return &userResolver{r.srv, v.(User)} }), nil
}

func (r *resolver) CrDataNode(ctx context.Context, a idArg) (*dataNodeResolver, error) {
	n, err := getOne(ctx, r, "crDataNode", a.ID, r.srv.DataNode, func(n DataNode) bool { return n.Deleted })
	if err != nil {
		return nil, err
	}
	return &dataNodeResolver{r.srv, n}, nil
}

func (r *resolver) CrDataNodePage(ctx context.Context, a pageArgs) (*page[*dataNodeResolver], error) {
	items, meta, err := r.runPage(ctx, "crDataNodePage", KindDataNode, "dataNodeID", a)
	if err != nil {
		return nil, err
	}
	return pageOf(meta, items, func(v any) *dataNodeResolver { return &dataNodeResolver{r.srv, v.(DataNode)} }), nil
}

// CrDataNodeListBy lists live data nodes of a node type, optionally only
// those with a tag or under a parent (by _id).
func (r *resolver) CrDataNodeListBy(ctx context.Context, a struct {
	Type     *string
	Tag      *string
	Parent   *graphql.ID
	Language *string
}) ([]*dataNodeResolver, error) {
	if err := r.srv.guard(ctx, "crDataNodeListBy", -1); err != nil {
		return nil, err
	}
	if a.Type == nil && a.Tag == nil && a.Parent == nil {
		return nil, badRequest("crDataNodeListBy needs type, tag or parent")
	}
	out := []*dataNodeResolver{}
	for _, n := range r.srv.DataNodes("") {
		switch {
		case n.Deleted,
			a.Type != nil && n.Type != *a.Type,
			a.Tag != nil && n.Tag != *a.Tag,
			a.Parent != nil && !hasParent(n, string(*a.Parent)):
			continue
		}
		out = append(out, &dataNodeResolver{r.srv, n})
	}
	return out, nil
}

func hasParent(n DataNode, id string) bool {
	for _, p := range n.ParentIDs {
		if idString(p) == id {
			return true
		}
	}
	return false
}

func (r *resolver) CrStatusInfoList(ctx context.Context) ([]*statusInfoResolver, error) {
	if err := r.srv.guard(ctx, "crStatusInfoList", -1); err != nil {
		return nil, err
	}
	var out []*statusInfoResolver
	for _, si := range r.srv.StatusInfos() {
		out = append(out, &statusInfoResolver{si})
	}
	return out, nil
}

func (r *resolver) CrTemplateReference(ctx context.Context, a idArg) (*templateResolver, error) {
	t, err := getOne(ctx, r, "crTemplateReference", a.ID, r.srv.Template, func(t TemplateReference) bool { return t.Deleted })
	if err != nil {
		return nil, err
	}
	return &templateResolver{t}, nil
}

func (r *resolver) CrToDo(ctx context.Context, a idArg) (*toDoResolver, error) {
	td, err := getOne(ctx, r, "crToDo", a.ID, r.srv.ToDo, func(td ToDo) bool { return td.Deleted })
	if err != nil {
		return nil, err
	}
	return &toDoResolver{r.srv, td}, nil
}

func (r *resolver) CrCompany(ctx context.Context, a idArg) (*companyResolver, error) {
	c, err := getOne(ctx, r, "crCompany", a.ID, r.srv.Company, func(c Company) bool { return c.Deleted })
	if err != nil {
		return nil, err
	}
	return &companyResolver{c}, nil
}

func (r *resolver) CrCompanyPage(ctx context.Context, a pageArgs) (*page[*companyResolver], error) {
	items, meta, err := r.runPage(ctx, "crCompanyPage", KindCompany, "companyID", a)
	if err != nil {
		return nil, err
	}
	return pageOf(meta, items, func(v any) *companyResolver { return &companyResolver{v.(Company)} }), nil
}

func (r *resolver) CrJob(ctx context.Context, a idArg) (*placementResolver, error) {
	j, err := getOne(ctx, r, "crJob", a.ID, r.srv.Job, func(j Job) bool { return j.Deleted })
	if err != nil {
		return nil, err
	}
	return &placementResolver{r.srv, j}, nil
}

func (r *resolver) CrJobPage(ctx context.Context, a pageArgs) (*page[*placementResolver], error) {
	items, meta, err := r.runPage(ctx, "crJobPage", KindJob, "jobID", a)
	if err != nil {
		return nil, err
	}
	return pageOf(meta, items, func(v any) *placementResolver { return &placementResolver{r.srv, v.(Job)} }), nil
}

func (r *resolver) CrPublication(ctx context.Context, a idArg) (*publicationResolver, error) {
	p, err := getOne(ctx, r, "crPublication", a.ID, r.srv.Publication, func(p Publication) bool { return p.Deleted })
	if err != nil {
		return nil, err
	}
	return &publicationResolver{r.srv, p}, nil
}

func (r *resolver) CrPublicationPage(ctx context.Context, a pageArgs) (*page[*publicationResolver], error) {
	items, meta, err := r.runPage(ctx, "crPublicationPage", KindPublication, "publicationID", a)
	if err != nil {
		return nil, err
	}
	return pageOf(meta, items, func(v any) *publicationResolver { return &publicationResolver{r.srv, v.(Publication)} }), nil
}

func (r *resolver) CrTemplateReferencePage(ctx context.Context, a pageArgs) (*page[*templateResolver], error) {
	items, meta, err := r.runPage(ctx, "crTemplateReferencePage", KindTemplateReference, "templateReferenceID", a)
	if err != nil {
		return nil, err
	}
	return pageOf(meta, items, func(v any) *templateResolver { return &templateResolver{v.(TemplateReference)} }), nil
}
