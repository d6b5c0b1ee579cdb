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

type toDoRequest struct {
	Kind        string
	Subject     graphql.NullString
	Notes       graphql.NullString
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
	f := ToDoFields{Subject: nullText(req.Subject), Notes: nullText(req.Notes),
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

func (r *resolver) CrEmployeeCreate(ctx context.Context, a createEmployeeArgs) (*employeeResolver, error) {
	if err := r.srv.guard(ctx, "crEmployeeCreate", -1); err != nil {
		return nil, err
	}
	f, err := r.srv.employeeFields(a.Request)
	if err != nil {
		return nil, err
	}
	e, err := r.srv.CreateEmployee(ctx, f)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &employeeResolver{r.srv, e}, nil
}

func (r *resolver) CrEmployeeUpdate(ctx context.Context, a struct {
	ID      graphql.ID
	Request employeeRequest
}) (*employeeResolver, error) {
	if err := r.srv.guard(ctx, "crEmployeeUpdate", -1); err != nil {
		return nil, err
	}
	f, err := r.srv.employeeFields(a.Request)
	if err != nil {
		return nil, err
	}
	e, err := r.srv.UpdateEmployee(ctx, string(a.ID), f)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &employeeResolver{r.srv, e}, nil
}

func (r *resolver) CrEmployeeDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	if err := r.srv.guard(ctx, "crEmployeeDelete", -1); err != nil {
		return nil, err
	}
	if err := r.srv.DeleteEmployee(ctx, string(a.ID)); err != nil {
		return nil, toAPIError(err)
	}
	return &deleteResponse{string(a.ID), KindEmployee}, nil
}

func (r *resolver) CrVacancyCreate(ctx context.Context, a struct{ Request vacancyRequest }) (*vacancyResolver, error) {
	if err := r.srv.guard(ctx, "crVacancyCreate", -1); err != nil {
		return nil, err
	}
	f, err := r.srv.vacancyFields(a.Request)
	if err != nil {
		return nil, err
	}
	v, err := r.srv.CreateVacancy(ctx, f)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &vacancyResolver{r.srv, v}, nil
}

func (r *resolver) CrVacancyUpdate(ctx context.Context, a struct {
	ID      graphql.ID
	Request vacancyRequest
}) (*vacancyResolver, error) {
	if err := r.srv.guard(ctx, "crVacancyUpdate", -1); err != nil {
		return nil, err
	}
	f, err := r.srv.vacancyFields(a.Request)
	if err != nil {
		return nil, err
	}
	v, err := r.srv.UpdateVacancy(ctx, string(a.ID), f)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &vacancyResolver{r.srv, v}, nil
}

func (r *resolver) CrVacancyDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	if err := r.srv.guard(ctx, "crVacancyDelete", -1); err != nil {
		return nil, err
	}
	if err := r.srv.DeleteVacancy(ctx, string(a.ID)); err != nil {
		return nil, toAPIError(err)
	}
	return &deleteResponse{string(a.ID), KindVacancy}, nil
}

func (r *resolver) CrMatchCreate(ctx context.Context, a struct{ Request matchRequest }) (*matchResolver, error) {
	if err := r.srv.guard(ctx, "crMatchCreate", -1); err != nil {
		return nil, err
	}
	f, err := matchFields(a.Request)
	if err != nil {
		return nil, err
	}
	m, err := r.srv.CreateMatch(ctx, f)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &matchResolver{r.srv, m}, nil
}

func (r *resolver) CrMatchUpdate(ctx context.Context, a struct {
	ID      graphql.ID
	Request matchRequest
}) (*matchResolver, error) {
	if err := r.srv.guard(ctx, "crMatchUpdate", -1); err != nil {
		return nil, err
	}
	f, err := matchFields(a.Request)
	if err != nil {
		return nil, err
	}
	m, err := r.srv.UpdateMatch(ctx, string(a.ID), f)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &matchResolver{r.srv, m}, nil
}

func (r *resolver) CrMatchDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	if err := r.srv.guard(ctx, "crMatchDelete", -1); err != nil {
		return nil, err
	}
	if err := r.srv.DeleteMatch(ctx, string(a.ID)); err != nil {
		return nil, toAPIError(err)
	}
	return &deleteResponse{string(a.ID), KindMatch}, nil
}

func (r *resolver) CrTemplateReferenceCreate(ctx context.Context, a struct{ Request templateRequest }) (*templateResolver, error) {
	if err := r.srv.guard(ctx, "crTemplateReferenceCreate", -1); err != nil {
		return nil, err
	}
	f, err := templateFields(a.Request)
	if err != nil {
		return nil, err
	}
	t, err := r.srv.CreateTemplate(ctx, f)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &templateResolver{t}, nil
}

func (r *resolver) CrTemplateReferenceUpdate(ctx context.Context, a struct {
	ID      graphql.ID
	Request templateRequest
}) (*templateResolver, error) {
	if err := r.srv.guard(ctx, "crTemplateReferenceUpdate", -1); err != nil {
		return nil, err
	}
	f, err := templateFields(a.Request)
	if err != nil {
		return nil, err
	}
	t, err := r.srv.UpdateTemplate(ctx, string(a.ID), f)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &templateResolver{t}, nil
}

func (r *resolver) CrTemplateReferenceDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	if err := r.srv.guard(ctx, "crTemplateReferenceDelete", -1); err != nil {
		return nil, err
	}
	if err := r.srv.DeleteTemplate(ctx, string(a.ID)); err != nil {
		return nil, toAPIError(err)
	}
	return &deleteResponse{string(a.ID), KindTemplateReference}, nil
}

func (r *resolver) CrToDoCreate(ctx context.Context, a struct{ Request toDoRequest }) (*toDoResolver, error) {
	if err := r.srv.guard(ctx, "crToDoCreate", -1); err != nil {
		return nil, err
	}
	f, err := toDoFields(a.Request)
	if err != nil {
		return nil, err
	}
	td, err := r.srv.CreateToDo(ctx, f)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &toDoResolver{r.srv, td}, nil
}

func (r *resolver) CrToDoUpdate(ctx context.Context, a struct {
	ID      graphql.ID
	Request toDoRequest
}) (*toDoResolver, error) {
	if err := r.srv.guard(ctx, "crToDoUpdate", -1); err != nil {
		return nil, err
	}
	f, err := toDoFields(a.Request)
	if err != nil {
		return nil, err
	}
	td, err := r.srv.UpdateToDo(ctx, string(a.ID), f)
	if err != nil {
		return nil, toAPIError(err)
	}
	return &toDoResolver{r.srv, td}, nil
}

func (r *resolver) CrToDoDelete(ctx context.Context, a idArg) (*deleteResponse, error) {
	if err := r.srv.guard(ctx, "crToDoDelete", -1); err != nil {
		return nil, err
	}
	if err := r.srv.DeleteToDo(ctx, string(a.ID)); err != nil {
		return nil, toAPIError(err)
	}
	return &deleteResponse{string(a.ID), KindToDo}, nil
}
