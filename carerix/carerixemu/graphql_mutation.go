package carerixemu

import (
	"context"

	graphql "github.com/graph-gophers/graphql-go"
)

// Input types of the cr* mutations.

type lookupInput struct {
	Key   string
	Value string
}

// refInput references an existing object by _id or _lookup.
type refInput struct {
	Kind   string
	ID     *graphql.ID
	Lookup *lookupInput
}

type employeeRequest struct {
	Kind           string
	ID             *graphql.ID
	FirstName      graphql.NullString
	LastName       graphql.NullString
	LastNamePrefix graphql.NullString
	EmailAddress   graphql.NullString
	PhoneNumber    graphql.NullString
	MobileNumber   graphql.NullString
	City           graphql.NullString
	Notes          graphql.NullString
	ToStatusNode   *refInput
	Owner          *refInput
}

type vacancyRequest struct {
	Kind             string
	ID               *graphql.ID
	JobTitle         graphql.NullString
	TitleInformation graphql.NullString
	CompanyName      graphql.NullString
	ToStatusNode     *refInput
	Owner            *refInput
}

type matchRequest struct {
	Kind       string
	ID         *graphql.ID
	ToEmployee *employeeRequest
	ToVacancy  *vacancyRequest
	StatusInfo *refInput
}

type templateRequest struct {
	Kind             string
	Name             graphql.NullString
	Code             graphql.NullString
	Content          graphql.NullString
	RawContent       graphql.NullString
	TargetEntityName graphql.NullString
	TemplateTypeKey  graphql.NullString
	IsEmbedded       *bool
	IsActive         *bool
	ShowInMenu       *bool
	UserRolesString  graphql.NullString
	LanguagesString  graphql.NullString
	FileName         graphql.NullString
}

// toDoRequest is CRToDoRequest. TodoTypeKey takes todoTypeKey or
// toDoTypeKey (graphql-go matches input names case-insensitively);
// Message is the observed name of Notes. A profile has one of each pair.
type toDoRequest struct {
	Kind        string
	Subject     graphql.NullString
	Notes       graphql.NullString
	Message     graphql.NullString
	TodoTypeKey graphql.NullString
	ToEmployee  *employeeRequest
	Owner       *refInput
}

// nullText maps a GraphQL nullable string to the *Fields convention:
// absent = nil (unchanged), null = "" (cleared).
func nullText(n graphql.NullString) *string {
	if !n.Set {
		return nil
	}
	if n.Value == nil {
		return Str("")
	}
	return Str(*n.Value)
}

func checkKind(field, got, want string) error {
	if got != want {
		return badRequest("%s._kind must be %q, got %q", field, want, got)
	}
	return nil
}

// nodeRef turns a CRDataNode reference into the string the store resolves.
func (s *Server) nodeRef(field string, ref *refInput) (*string, error) {
	if ref == nil {
		return nil, nil
	}
	if err := checkKind(field, ref.Kind, KindDataNode); err != nil {
		return nil, err
	}
	switch {
	case ref.ID != nil:
		return Str(string(*ref.ID)), nil
	case ref.Lookup != nil:
		s.mu.RLock()
		k, err := s.lookupNodeLocked(ref.Lookup.Key, ref.Lookup.Value)
		s.mu.RUnlock()
		if err != nil {
			return nil, toAPIError(err)
		}
		return Str(idString(k)), nil
	}
	return nil, badRequest("%s needs _id or _lookup", field)
}

// userRef turns a CRUser reference into the string the store resolves.
func userRef(field string, ref *refInput) (*string, error) {
	if ref == nil {
		return nil, nil
	}
	if err := checkKind(field, ref.Kind, KindUser); err != nil {
		return nil, err
	}
	switch {
	case ref.ID != nil:
		return Str(string(*ref.ID)), nil
	case ref.Lookup != nil && ref.Lookup.Key == "userName":
		return Str(ref.Lookup.Value), nil
	}
	return nil, badRequest("%s needs _id or _lookup {key: \"userName\"}", field)
}

func (s *Server) employeeFields(req employeeRequest) (EmployeeFields, error) {
	if err := checkKind("request", req.Kind, KindEmployee); err != nil {
		return EmployeeFields{}, err
	}
	status, err := s.nodeRef("request.toStatusNode", req.ToStatusNode)
	if err != nil {
		return EmployeeFields{}, err
	}
	owner, err := userRef("request.owner", req.Owner)
	if err != nil {
		return EmployeeFields{}, err
	}
	return EmployeeFields{
		FirstName: nullText(req.FirstName), LastName: nullText(req.LastName),
		LastNamePrefix: nullText(req.LastNamePrefix), EmailAddress: nullText(req.EmailAddress),
		PhoneNumber: nullText(req.PhoneNumber), MobileNumber: nullText(req.MobileNumber),
		City: nullText(req.City), Notes: nullText(req.Notes), Status: status, Owner: owner,
	}, nil
}

func (s *Server) vacancyFields(req vacancyRequest) (VacancyFields, error) {
	if err := checkKind("request", req.Kind, KindVacancy); err != nil {
		return VacancyFields{}, err
	}
	status, err := s.nodeRef("request.toStatusNode", req.ToStatusNode)
	if err != nil {
		return VacancyFields{}, err
	}
	owner, err := userRef("request.owner", req.Owner)
	if err != nil {
		return VacancyFields{}, err
	}
	return VacancyFields{JobTitle: nullText(req.JobTitle), TitleInformation: nullText(req.TitleInformation),
		CompanyName: nullText(req.CompanyName), Status: status, Owner: owner}, nil
}

func matchFields(req matchRequest) (MatchFields, error) {
	if err := checkKind("request", req.Kind, KindMatch); err != nil {
		return MatchFields{}, err
	}
	var f MatchFields
	if e := req.ToEmployee; e != nil {
		if err := checkKind("request.toEmployee", e.Kind, KindEmployee); err != nil {
			return f, err
		}
		if e.ID == nil {
			return f, badRequest("request.toEmployee needs _id")
		}
		f.Employee = Str(string(*e.ID))
	}
	if v := req.ToVacancy; v != nil {
		if err := checkKind("request.toVacancy", v.Kind, KindVacancy); err != nil {
			return f, err
		}
		if v.ID == nil {
			return f, badRequest("request.toVacancy needs _id")
		}
		f.Vacancy = Str(string(*v.ID))
	}
	if si := req.StatusInfo; si != nil {
		if err := checkKind("request.statusInfo", si.Kind, KindStatusInfo); err != nil {
			return f, err
		}
		switch {
		case si.ID != nil:
			f.Stage = Str(string(*si.ID))
		case si.Lookup != nil:
			f.Stage = Str(si.Lookup.Value)
		default:
			return f, badRequest("request.statusInfo needs _id or _lookup")
		}
	}
	return f, nil
}

func templateFields(req templateRequest) (TemplateFields, error) {
	if err := checkKind("request", req.Kind, KindTemplateReference); err != nil {
		return TemplateFields{}, err
	}
	// Template text is kept verbatim, so null clears to "" rather than nil.
	return TemplateFields{
		Name: nullText(req.Name), Code: nullText(req.Code), Content: nullText(req.Content),
		RawContent: nullText(req.RawContent), TargetEntityName: nullText(req.TargetEntityName),
		TemplateTypeKey: nullText(req.TemplateTypeKey), IsEmbedded: req.IsEmbedded,
		IsActive: req.IsActive, ShowInMenu: req.ShowInMenu, UserRolesString: nullText(req.UserRolesString),
		LanguagesString: nullText(req.LanguagesString), FileName: nullText(req.FileName),
	}, nil
}

func toDoFields(req toDoRequest) (ToDoFields, error) {
	if err := checkKind("request", req.Kind, KindToDo); err != nil {
		return ToDoFields{}, err
	}
	owner, err := userRef("request.owner", req.Owner)
	if err != nil {
		return ToDoFields{}, err
	}
	notes := req.Notes
	if req.Message.Set {
		notes = req.Message
	}
	f := ToDoFields{Subject: nullText(req.Subject), Notes: nullText(notes),
		TodoTypeKey: nullText(req.TodoTypeKey), Owner: owner}
	if e := req.ToEmployee; e != nil {
		if err := checkKind("request.toEmployee", e.Kind, KindEmployee); err != nil {
			return f, err
		}
		if e.ID == nil {
			return f, badRequest("request.toEmployee needs _id")
		}
		f.Employee = Str(string(*e.ID))
	}
	return f, nil
}

type createEmployeeArgs struct {
	Request  employeeRequest
	Dedupe   *bool
	Language *string
}

// changeRecord is the body of every create and update resolver: the
// scope guard for op, the request's conversion to fields, the change, and
// the resolver of the result.
func changeRecord[Req, F, T, R any](ctx context.Context, srv *Server, op string, req Req,
	fields func(Req) (F, error), change func(context.Context, F) (T, error), wrap func(T) R) (R, error) {
	var zero R
	if err := srv.guard(ctx, op, -1); err != nil {
		return zero, err
	}
	f, err := fields(req)
	if err != nil {
		return zero, err
	}
	v, err := change(ctx, f)
	if err != nil {
		return zero, toAPIError(err)
	}
	return wrap(v), nil
}

// deleteRecord is the body of every delete resolver.
func deleteRecord(ctx context.Context, srv *Server, op string, id graphql.ID, kind string, del func(context.Context, string) error) (*deleteResponse, error) {
	if err := srv.guard(ctx, op, -1); err != nil {
		return nil, err
	}
	if err := del(ctx, string(id)); err != nil {
		return nil, toAPIError(err)
	}
	return &deleteResponse{string(id), kind}, nil
}

func (r *resolver) CrEmployeeCreate(ctx context.Context, a createEmployeeArgs) (*employeeResolver, error) {
	return changeRecord(ctx, r.srv, "crEmployeeCreate", a.Request, r.srv.employeeFields, r.srv.CreateEmployee, func(v Employee) *employeeResolver { return &employeeResolver{r.srv, v} })
}

func (r *resolver) CrEmployeeUpdate(ctx context.Context, a struct {
	ID      graphql.ID
	Request employeeRequest
}) (*employeeResolver, error) {
	update := func(ctx context.Context, f EmployeeFields) (Employee, error) {
		return r.srv.UpdateEmployee(ctx, string(a.ID), f)
	}
	return changeRecord(ctx, r.srv, "crEmployeeUpdate", a.Request, r.srv.employeeFields, update, func(v Employee) *employeeResolver { return &employeeResolver{r.srv, v} })
}

func (r *resolver) CrEmployeeDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	return deleteRecord(ctx, r.srv, "crEmployeeDelete", a.ID, KindEmployee, r.srv.DeleteEmployee)
}

func (r *resolver) CrVacancyCreate(ctx context.Context, a struct{ Request vacancyRequest }) (*vacancyResolver, error) {
	return changeRecord(ctx, r.srv, "crVacancyCreate", a.Request, r.srv.vacancyFields, r.srv.CreateVacancy, func(v Vacancy) *vacancyResolver { return &vacancyResolver{r.srv, v} })
}

func (r *resolver) CrVacancyUpdate(ctx context.Context, a struct {
	ID      graphql.ID
	Request vacancyRequest
}) (*vacancyResolver, error) {
	update := func(ctx context.Context, f VacancyFields) (Vacancy, error) {
		return r.srv.UpdateVacancy(ctx, string(a.ID), f)
	}
	return changeRecord(ctx, r.srv, "crVacancyUpdate", a.Request, r.srv.vacancyFields, update, func(v Vacancy) *vacancyResolver { return &vacancyResolver{r.srv, v} })
}

func (r *resolver) CrVacancyDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	return deleteRecord(ctx, r.srv, "crVacancyDelete", a.ID, KindVacancy, r.srv.DeleteVacancy)
}

func (r *resolver) CrMatchCreate(ctx context.Context, a struct{ Request matchRequest }) (*matchResolver, error) {
	return changeRecord(ctx, r.srv, "crMatchCreate", a.Request, matchFields, r.srv.CreateMatch, func(v Match) *matchResolver { return &matchResolver{r.srv, v} })
}

func (r *resolver) CrMatchUpdate(ctx context.Context, a struct {
	ID      graphql.ID
	Request matchRequest
}) (*matchResolver, error) {
	update := func(ctx context.Context, f MatchFields) (Match, error) {
		if !r.srv.isMatchID(string(a.ID)) {
			return Match{}, notFound(KindMatch, string(a.ID))
		}
		return r.srv.UpdateMatch(ctx, string(a.ID), f)
	}
	return changeRecord(ctx, r.srv, "crMatchUpdate", a.Request, matchFields, update, func(v Match) *matchResolver { return &matchResolver{r.srv, v} })
}

func (r *resolver) CrMatchDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	del := func(ctx context.Context, id string) error {
		if !r.srv.isMatchID(id) {
			return notFound(KindMatch, id)
		}
		return r.srv.DeleteMatch(ctx, id)
	}
	return deleteRecord(ctx, r.srv, "crMatchDelete", a.ID, KindMatch, del)
}

func (r *resolver) CrTemplateReferenceCreate(ctx context.Context, a struct{ Request templateRequest }) (*templateResolver, error) {
	return changeRecord(ctx, r.srv, "crTemplateReferenceCreate", a.Request, templateFields, r.srv.CreateTemplate, func(v TemplateReference) *templateResolver { return &templateResolver{v} })
}

func (r *resolver) CrTemplateReferenceUpdate(ctx context.Context, a struct {
	ID      graphql.ID
	Request templateRequest
}) (*templateResolver, error) {
	update := func(ctx context.Context, f TemplateFields) (TemplateReference, error) {
		return r.srv.UpdateTemplate(ctx, string(a.ID), f)
	}
	return changeRecord(ctx, r.srv, "crTemplateReferenceUpdate", a.Request, templateFields, update, func(v TemplateReference) *templateResolver { return &templateResolver{v} })
}

func (r *resolver) CrTemplateReferenceDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	return deleteRecord(ctx, r.srv, "crTemplateReferenceDelete", a.ID, KindTemplateReference, r.srv.DeleteTemplate)
}

func (r *resolver) CrToDoCreate(ctx context.Context, a struct{ Request toDoRequest }) (*toDoResolver, error) {
	return changeRecord(ctx, r.srv, "crToDoCreate", a.Request, toDoFields, r.srv.CreateToDo, func(v ToDo) *toDoResolver { return &toDoResolver{r.srv, v} })
}

func (r *resolver) CrToDoUpdate(ctx context.Context, a struct {
	ID      graphql.ID
	Request toDoRequest
}) (*toDoResolver, error) {
	update := func(ctx context.Context, f ToDoFields) (ToDo, error) { return r.srv.UpdateToDo(ctx, string(a.ID), f) }
	return changeRecord(ctx, r.srv, "crToDoUpdate", a.Request, toDoFields, update, func(v ToDo) *toDoResolver { return &toDoResolver{r.srv, v} })
}

func (r *resolver) CrToDoDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	return deleteRecord(ctx, r.srv, "crToDoDelete", a.ID, KindToDo, r.srv.DeleteToDo)
}
