package carerixemu

import (
	_ "embed" // record_page.html
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/cxscript"
)

// HomeTargetEntity is the targetEntityName of templates shown on the
// dashboard (GET /home). Carerix's real value is unknown (Assumption);
// "CRHome" is accepted too.
const HomeTargetEntity = "Home"

//go:embed record_page.html
var recordPageHTML string

var recordPage = template.Must(template.New("record").Parse(recordPageHTML))

// pageData is what record_page.html renders.
type pageData struct {
	Tenant    string
	UserID    string
	UserName  string
	Title     string
	Menu      []string
	Fields    []pageField
	Templates []renderedTemplate
	// Activities are a candidate's live activities (CRToDo), newest first.
	Activities []pageActivity
}

// pageActivity is one activity in a candidate's activity list.
type pageActivity struct {
	ID, Subject, Notes, Date string
}

type pageField struct{ Label, Value string }

type renderedTemplate struct {
	ID, Name, Code string
	ShowInMenu     bool
	HTML           template.HTML
	Error          string
}

// recordEntity maps the {entity} path segment to a kind.
func recordEntity(s string) (kind string, ok bool) {
	switch strings.ToLower(s) {
	case "candidate", "employee", "cremployee":
		return KindEmployee, true
	case "vacancy", "job", "crvacancy":
		return KindVacancy, true
	}
	return "", false
}

// targetMatches reports whether a template's targetEntityName selects kind.
func targetMatches(target, kind string) bool {
	t := strings.ToLower(strings.TrimSpace(target))
	switch kind {
	case KindEmployee:
		return t == "cremployee" || t == "employee" || t == "candidate"
	case KindVacancy:
		return t == "crvacancy" || t == "vacancy"
	case HomeTargetEntity:
		return t == "home" || t == "crhome"
	}
	return false
}

// splitList splits a comma- or whitespace-separated string.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' })
}

// templateVisible applies isActive, deleted, role and language gates.
func templateVisible(t TemplateReference, kind string, u User) bool {
	if t.Deleted || !t.IsActive || !targetMatches(deref(t.TargetEntityName), kind) {
		return false
	}
	if roles := splitList(deref(t.UserRolesString)); len(roles) > 0 {
		if !slices.ContainsFunc(roles, func(r string) bool {
			return slices.ContainsFunc(u.Roles, func(ur string) bool { return strings.EqualFold(r, ur) })
		}) {
			return false
		}
	}
	if langs := splitList(deref(t.LanguagesString)); len(langs) > 0 {
		if !slices.ContainsFunc(langs, func(l string) bool { return strings.EqualFold(l, u.Language) }) {
			return false
		}
	}
	return true
}

// viewer loads the ?user= user of a page request.
func (s *Server) viewer(w http.ResponseWriter, r *http.Request) (User, bool) {
	id := r.URL.Query().Get("user")
	if id == "" {
		http.Error(w, "missing ?user= (the viewing CRUser _id)", http.StatusBadRequest)
		return User{}, false
	}
	u, err := s.User(id)
	if err != nil || u.Deleted || !u.IsActive {
		http.Error(w, "unknown or inactive user "+strconv.Quote(id), http.StatusNotFound)
		return User{}, false
	}
	return u, true
}

// handleRecordPage serves GET /record/{entity}/{id}?user=. Like every
// page of Carerix's UI it is seen signed in: the viewer gets the realm's
// SSO session cookie (unless Options.NoRecordPageSignIn).
func (s *Server) handleRecordPage(w http.ResponseWriter, r *http.Request) {
	kind, ok := recordEntity(r.PathValue("entity"))
	if !ok {
		http.Error(w, "unknown entity; use candidate or vacancy", http.StatusNotFound)
		return
	}
	u, ok := s.viewer(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	data := pageData{Tenant: s.opts.Tenant, UserID: u.ID, UserName: u.UserName,
		Menu: []string{"Overzicht", "Matches", "Documenten", "Activiteiten"}}
	var root string
	switch kind {
	case KindEmployee:
		e, err := s.Employee(id)
		if err != nil || e.Deleted {
			http.Error(w, "candidate "+strconv.Quote(id)+" not found", http.StatusNotFound)
			return
		}
		root = "activity.toEmployee"
		data.Title = "Kandidaat: " + joinName(deref(e.FirstName), deref(e.LastNamePrefix), deref(e.LastName))
		data.Fields = []pageField{{"Nummer", idString(e.EmployeeID)}, {"Status", s.nodeValue(e.StatusNodeID)},
			{"E-mail", deref(e.EmailAddress)}, {"Mobiel", deref(e.MobileNumber)}, {"Plaats", deref(e.City)}}
		data.Activities = s.candidateActivities(e.EmployeeID)
	case KindVacancy:
		v, err := s.Vacancy(id)
		if err != nil || v.Deleted {
			http.Error(w, "vacancy "+strconv.Quote(id)+" not found", http.StatusNotFound)
			return
		}
		root = "activity.toVacancy"
		data.Title = "Vacature: " + deref(v.JobTitle)
		data.Fields = []pageField{{"Nummer", idString(v.VacancyID)}, {"Status", s.nodeValue(v.StatusNodeID)}}
	}
	data.Templates = s.renderTemplates(kind, u, s.pathResolver(u, root, kind, id))
	s.signInViewer(w, r, u)
	s.writePage(w, data)
}

// candidateActivities lists the live activities linked to a candidate,
// newest first, as the Activiteiten tab of a record shows them.
func (s *Server) candidateActivities(employeeID int) []pageActivity {
	var out []pageActivity
	all := s.ToDos()
	for i := len(all) - 1; i >= 0; i-- {
		td := all[i]
		if td.Deleted || td.EmployeeID != employeeID {
			continue
		}
		out = append(out, pageActivity{ID: td.ID, Subject: deref(td.Subject), Notes: deref(td.Notes),
			Date: td.ModificationDate.Format("02-01-2006 15:04")})
	}
	return out
}

// handleHomePage serves GET /home?user=: the dashboard templates.
func (s *Server) handleHomePage(w http.ResponseWriter, r *http.Request) {
	u, ok := s.viewer(w, r)
	if !ok {
		return
	}
	data := pageData{Tenant: s.opts.Tenant, UserID: u.ID, UserName: u.UserName, Title: "Overzicht",
		Menu: []string{"Overzicht", "Kandidaten", "Vacatures", "Matches"}}
	data.Templates = s.renderTemplates(HomeTargetEntity, u, s.pathResolver(u, "", "", ""))
	s.signInViewer(w, r, u)
	s.writePage(w, data)
}

func (s *Server) writePage(w http.ResponseWriter, data pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := recordPage.Execute(w, data); err != nil {
		s.log.Error("rendering record page", "err", err)
	}
}

// renderTemplates renders every visible template of kind, by id. A
// template that fails to render shows its error instead of content.
func (s *Server) renderTemplates(kind string, u User, res cxscript.Resolver) []renderedTemplate {
	var out []renderedTemplate
	for _, t := range s.Templates() {
		if !templateVisible(t, kind, u) {
			continue
		}
		rt := renderedTemplate{ID: t.ID, Name: deref(t.Name), Code: deref(t.Code), ShowInMenu: t.ShowInMenu}
		src := deref(t.Content)
		if src == "" {
			src = deref(t.RawContent)
		}
		html, err := cxscript.Render(src, res, u.Roles)
		if err != nil {
			rt.Error = err.Error()
		} else {
			rt.HTML = template.HTML(html) // template output is trusted markup, as in Carerix
		}
		out = append(out, rt)
	}
	return out
}

func joinName(parts ...string) string {
	var nonEmpty []string
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, " ")
}

func (s *Server) nodeValue(k int) string {
	if n := s.dataNodeByKey(k); n != nil {
		return n.n.Value
	}
	return ""
}

// pathResolver resolves CxScript key paths for a page: activity.owner.*
// (the viewing user), root.* (the record, e.g. activity.toEmployee.*) and
// utilities.userDefaults.Customer (the tenant name). Paths walk relations
// through the same attribute table as qualifiers; a path through a to-many
// relation yields a property list "(a, b)"; a relation yields its _id.
func (s *Server) pathResolver(u User, root, kind, id string) cxscript.Resolver {
	return func(path string) (string, bool) {
		if path == "utilities.userDefaults.Customer" {
			return s.opts.Tenant, true
		}
		var start, rest string
		var startKind string
		switch {
		case strings.HasPrefix(path, "activity.owner."):
			start, rest, startKind = u.ID, strings.TrimPrefix(path, "activity.owner."), KindUser
		case root != "" && strings.HasPrefix(path, root+"."):
			start, rest, startKind = id, strings.TrimPrefix(path, root+"."), kind
		case path == "activity.owner":
			return u.ID, true
		case root != "" && path == root:
			return id, true
		default:
			return "", false
		}
		return s.resolvePath(startKind, start, rest)
	}
}

// resolvePath walks a dotted path from the record (kind, id).
func (s *Store) resolvePath(kind, id, path string) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := parseKey(id)
	if !ok {
		return "", false
	}
	var rec any
	switch kind {
	case KindEmployee:
		rec = s.employeeRef(k)
	case KindVacancy:
		rec = s.vacancyRef(k)
	case KindUser:
		rec = s.userRef(k)
	}
	if rec == nil {
		return "", false
	}
	table := entityAttrs()
	recs, cur, many := []any{rec}, kind, false
	parts := strings.Split(path, ".")
	for i, name := range parts {
		a, ok := table[cur][name]
		if !ok {
			return "", false
		}
		if a.typ != tEntity {
			if i != len(parts)-1 {
				return "", false
			}
			var vals []string
			for _, r := range recs {
				if v := a.scalar(r); v != nil {
					vals = append(vals, cxText(v))
				}
			}
			return joinValues(vals, many)
		}
		var next []any
		for _, r := range recs {
			next = append(next, a.rel(s, r)...)
		}
		recs, cur, many = next, a.target, many || a.many
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, table[cur]["_id"].scalar(r).(string))
	}
	return joinValues(ids, many)
}

func joinValues(vals []string, many bool) (string, bool) {
	switch {
	case many:
		return "(" + strings.Join(vals, ", ") + ")", true
	case len(vals) == 0:
		return "", false
	}
	return vals[0], true
}

// cxText renders a scalar the way CxScript prints it.
func cxText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		if v {
			return "1"
		}
		return "0"
	case time.Time:
		return formatCalendarDate(v)
	}
	return ""
}
