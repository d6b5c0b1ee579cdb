package carerix

// What the product needs of a tenant's Carerix GraphQL schema.
//
// Carerix publishes no complete schema, and public code run against real
// tenants does not show every name the documentation does (see
// carerix-evidence in the repository's design notes and doc.go). So the
// product names each thing it needs by a logical name and lists the names
// a tenant may use for it, in order of preference; discovery (contract.go,
// contract_discover.go) resolves each to what the tenant has, and every
// query is built from that. A required need with no name on the tenant
// stops the product for that tenant with one line naming the type, the
// field and the names tried; an optional one switches off what needs it
// (its Effect) and says so.

// Effect names what a missing optional need switches off. Each has an
// English description (Describe) and is translated where pages show it.
type Effect string

// The effects of missing optional needs.
const (
	// EffectNone: the value is shown empty.
	EffectNone Effect = "empty"
	// EffectURLProof: embedded pages cannot be proved by the record's and
	// the user's stableHash in their URL; they need sign-in through the
	// tenant's Carerix realm. Change detection uses modificationDate and a
	// hash of the stored fields.
	EffectURLProof Effect = "url_proof"
	// EffectStageLabels: match stages have no label.
	EffectStageLabels Effect = "stage_labels"
	// EffectOwners: candidates and vacancies are not linked to their
	// recruiter.
	EffectOwners Effect = "owners"
	// EffectSoftDeletes: soft-deleted records are noticed by the periodic
	// id scan rather than by their deleted flag.
	EffectSoftDeletes Effect = "soft_deletes"
	// EffectActivities: no activities in Carerix: the webhook round trip
	// of the verify page falls back to any recent delivery, and
	// conversation summaries are not written to Carerix.
	EffectActivities Effect = "activities"
	// EffectActiveUsers: Carerix does not say whether a user is active;
	// users are treated as active.
	EffectActiveUsers Effect = "active_users"
	// EffectRoles: users' roles cannot be read through the API; the admin
	// role is checked from the sign-in token only.
	EffectRoles Effect = "roles"
	// EffectSort: pages cannot be asked for in an explicit order; the
	// walk relies on Carerix's default order and checks it.
	EffectSort Effect = "sort"
	// EffectByID: records are read by id through a page query.
	EffectByID Effect = "by_id"
	// EffectTemplateCheck: installed document templates cannot be read
	// back in full; only their presence is checked.
	EffectTemplateCheck Effect = "template_check"
)

// Describe returns the effect in English, for logs and the CLI.
func (e Effect) Describe() string {
	switch e {
	case EffectURLProof:
		return "embedded pages need sign-in through the Carerix realm (no stableHash for the URL proof); changes are detected by modificationDate and a hash of the stored fields"
	case EffectStageLabels:
		return "match stages are shown without a label"
	case EffectOwners:
		return "candidates and vacancies are not linked to their recruiter"
	case EffectSoftDeletes:
		return "soft-deleted records leave the mirror at the next id scan instead of at once"
	case EffectActivities:
		return "the verify page's webhook round trip falls back to any recent delivery, and conversation summaries are not written to Carerix"
	case EffectActiveUsers:
		return "users are treated as active"
	case EffectRoles:
		return "admin roles are checked from the sign-in token only"
	case EffectSort:
		return "pages are read in Carerix's default order, which is checked"
	case EffectByID:
		return "records are read by id through page queries"
	case EffectTemplateCheck:
		return "installed document templates are checked for presence only"
	default:
		return "the value stays empty"
	}
}

// need is one field the product reads: its logical name (the JSON key
// the client decodes), the names a tenant may call it, the logical type
// of its value when it is a relation, and whether the product can work
// without it.
type need struct {
	logical  string
	names    []string
	target   string // logical type of a relation; "" for a scalar
	required bool
	effect   Effect
}

// typeNeed is one Carerix object type the product reads.
type typeNeed struct {
	logical string
	names   []string
	// optional types may be missing altogether (effect says what goes).
	optional bool
	effect   Effect
	fields   []need
}

func req(logical string, names ...string) need {
	return need{logical: logical, names: orSelf(logical, names), required: true}
}

func opt(logical string, effect Effect, names ...string) need {
	return need{logical: logical, names: orSelf(logical, names), effect: effect}
}

func reqRel(logical, target string, names ...string) need {
	n := req(logical, names...)
	n.target = target
	return n
}

func optRel(logical, target string, effect Effect, names ...string) need {
	n := opt(logical, effect, names...)
	n.target = target
	return n
}

func orSelf(logical string, names []string) []string {
	if len(names) == 0 {
		return []string{logical}
	}
	return names
}

// Logical type names: Carerix's documented names.
const (
	typeEmployee    = "CREmployee"
	typeVacancy     = "CRVacancy"
	typeMatch       = "CRMatch"
	typeStatusInfo  = "CRStatusInfo"
	typeUser        = "CRUser"
	typeDataNode    = "CRDataNode"
	typeCompany     = "CRCompany"
	typeToDo        = "CRToDo"
	typeTemplateRef = "CRTemplateReference"
)

// typeNeeds lists every object type and field the product reads.
func typeNeeds() []typeNeed {
	return []typeNeed{
		{logical: typeEmployee, fields: []need{
			req("_id"),
			req("employeeID"),
			opt("firstName", EffectNone),
			opt("lastNamePrefix", EffectNone),
			opt("lastName", EffectNone),
			opt("emailAddress", EffectNone),
			opt("phoneNumber", EffectNone),
			opt("mobileNumber", EffectNone),
			opt("city", EffectNone, "city", "homeCity"),
			opt("stableHash", EffectURLProof),
			opt("deleted", EffectSoftDeletes),
			opt("creationDate", EffectNone),
			req("modificationDate", "modificationDate", "trackingModificationDate"),
			reqRel("toStatusNode", typeDataNode),
			optRel("owner", typeUser, EffectOwners, "owner", "toOwner"),
		}},
		{logical: typeVacancy, fields: []need{
			req("_id"),
			req("vacancyID"),
			opt("vacancyNo", EffectNone),
			opt("jobTitle", EffectNone),
			opt("titleInformation", EffectNone),
			opt("stableHash", EffectURLProof),
			opt("deleted", EffectSoftDeletes),
			opt("creationDate", EffectNone),
			req("modificationDate", "modificationDate", "trackingModificationDate"),
			reqRel("toStatusNode", typeDataNode),
			optRel("toCompany", typeCompany, EffectNone),
			optRel("owner", typeUser, EffectOwners, "owner", "toOwner"),
		}},
		{logical: typeCompany, optional: true, effect: EffectNone, fields: []need{
			req("_id"),
			opt("name", EffectNone),
		}},
		{logical: typeMatch, fields: []need{
			req("_id"),
			req("matchID"),
			opt("deleted", EffectSoftDeletes),
			opt("creationDate", EffectNone),
			req("modificationDate", "modificationDate", "trackingModificationDate"),
			reqRel("toEmployee", typeEmployee),
			reqRel("toVacancy", typeVacancy),
			optRel("statusInfo", typeStatusInfo, EffectStageLabels),
		}},
		{logical: typeStatusInfo, optional: true, effect: EffectStageLabels, fields: []need{
			req("_id"),
			// Carerix's REST metadata lists statusName and displayName;
			// code run on tenants reads displayName, name or label.
			opt("label", EffectStageLabels, "displayName", "name", "label", "statusName"),
		}},
		{logical: typeUser, fields: []need{
			req("_id"),
			req("userID"),
			opt("userName", EffectNone),
			opt("firstName", EffectNone),
			opt("lastName", EffectNone),
			opt("lessFormalName", EffectNone),
			opt("emailAddress", EffectNone, "emailAddress", "email"),
			opt("isActive", EffectActiveUsers, "isActive", "active"),
			opt("deleted", EffectNone),
			opt("modificationDate", EffectNone, "modificationDate", "trackingModificationDate"),
			opt("stableHash", EffectURLProof),
			opt("userRolesString", EffectRoles),
		}},
		{logical: typeDataNode, fields: []need{
			req("_id"),
			opt("dataNodeID", EffectNone),
			req("value", "value", "label"),
			opt("exportCode", EffectNone),
			opt("tag", EffectNone),
			opt("notActive", EffectNone),
			optRel("parentNodes", typeDataNode, EffectNone),
		}},
		{logical: typeToDo, names: []string{"CRToDo", "CRTodo"}, optional: true, effect: EffectActivities, fields: []need{
			req("_id"),
			opt("toDoID", EffectNone, "toDoID", "todoID"),
			req("subject"),
			opt("notes", EffectNone, "message", "notes"),
			opt("todoTypeKey", EffectNone, "toDoTypeKey", "todoTypeKey"),
			opt("deleted", EffectNone),
			opt("modificationDate", EffectNone),
			optRel("toEmployee", typeEmployee, EffectNone),
			optRel("owner", typeUser, EffectNone),
		}},
		{logical: typeTemplateRef, fields: []need{
			req("_id"),
			opt("templateReferenceID", EffectNone),
			req("name"),
			req("code"),
			req("targetEntityName"),
			opt("templateTypeKey", EffectNone),
			opt("content", EffectTemplateCheck),
			opt("rawContent", EffectTemplateCheck),
			opt("fileName", EffectNone),
			opt("isEmbedded", EffectNone),
			opt("showInMenu", EffectNone),
			opt("isActive", EffectNone),
			opt("userRolesString", EffectNone, "userRolesString", "userRoles"),
			opt("languagesString", EffectNone),
			opt("modificationDate", EffectNone),
		}},
	}
}

// opNeed is one root query or mutation field the product calls.
type opNeed struct {
	logical  string
	names    []string
	mutation bool
	required bool
	effect   Effect
	// entity is the logical type an operation reads or writes; a missing
	// optional type makes its operations moot rather than missing.
	entity string
}

func queryOp(logical, entity string, required bool, effect Effect, names ...string) opNeed {
	return opNeed{logical: logical, names: orSelf(logical, names), required: required, effect: effect, entity: entity}
}

func mutationOp(logical, entity string, required bool, effect Effect, names ...string) opNeed {
	o := queryOp(logical, entity, required, effect, names...)
	o.mutation = true
	return o
}

// Logical operation names: Carerix's documented names.
const (
	opEmployeePage    = "crEmployeePage"
	opVacancyPage     = "crVacancyPage"
	opMatchPage       = "crMatchPage"
	opUserPage        = "crUserPage"
	opEmployee        = "crEmployee"
	opVacancy         = "crVacancy"
	opUser            = "crUser"
	opMatch           = "crMatch"
	opDataNodeListBy  = "crDataNodeListBy"
	opDataNodePage    = "crDataNodePage"
	opToDo            = "crToDo"
	opToDoCreate      = "crToDoCreate"
	opToDoUpdate      = "crToDoUpdate"
	opToDoDelete      = "crToDoDelete"
	opTemplateRefPage = "crTemplateReferencePage"
	opTemplateRef     = "crTemplateReference"
	opTemplateCreate  = "crTemplateReferenceCreate"
	opTemplateUpdate  = "crTemplateReferenceUpdate"
	opTemplateDelete  = "crTemplateReferenceDelete"
)

// opNeeds lists every root field the product calls.
func opNeeds() []opNeed {
	return []opNeed{
		queryOp(opEmployeePage, typeEmployee, true, ""),
		queryOp(opVacancyPage, typeVacancy, true, ""),
		queryOp(opMatchPage, typeMatch, true, ""),
		queryOp(opUserPage, typeUser, true, ""),
		queryOp(opEmployee, typeEmployee, false, EffectByID),
		queryOp(opVacancy, typeVacancy, false, EffectByID),
		queryOp(opUser, typeUser, false, EffectByID),
		queryOp(opMatch, typeMatch, false, EffectByID),
		// Statuses are listed by crDataNodeListBy or, failing that, by a
		// crDataNodePage qualified by node type; one of them is required
		// (checked in resolve).
		queryOp(opDataNodeListBy, typeDataNode, false, EffectNone),
		queryOp(opDataNodePage, typeDataNode, false, EffectNone),
		queryOp(opToDo, typeToDo, false, EffectActivities, "crToDo", "crTodo"),
		mutationOp(opToDoCreate, typeToDo, false, EffectActivities, "crToDoCreate", "crTodoCreate"),
		mutationOp(opToDoUpdate, typeToDo, false, EffectActivities, "crToDoUpdate", "crTodoUpdate"),
		mutationOp(opToDoDelete, typeToDo, false, EffectActivities, "crToDoDelete", "crTodoDelete"),
		queryOp(opTemplateRefPage, typeTemplateRef, true, ""),
		queryOp(opTemplateRef, typeTemplateRef, false, EffectByID),
		mutationOp(opTemplateCreate, typeTemplateRef, true, ""),
		mutationOp(opTemplateUpdate, typeTemplateRef, true, ""),
		mutationOp(opTemplateDelete, typeTemplateRef, true, ""),
	}
}

// inputNeeds lists the fields of the request objects the product sends,
// per mutation; their names follow the same alternatives as the output
// fields of the same meaning.
func inputNeeds() map[string][]need {
	todo := []need{
		req("subject"),
		opt("notes", EffectNone, "message", "notes"),
		opt("todoTypeKey", EffectNone, "toDoTypeKey", "todoTypeKey"),
		optRel("toEmployee", typeEmployee, EffectNone),
		optRel("owner", typeUser, EffectNone),
	}
	tmpl := []need{
		req("name"),
		req("code"),
		req("targetEntityName"),
		opt("templateTypeKey", EffectNone),
		opt("content", EffectNone),
		opt("rawContent", EffectNone),
		opt("fileName", EffectNone),
		opt("isEmbedded", EffectNone),
		opt("isActive", EffectNone),
		opt("showInMenu", EffectNone),
		opt("userRolesString", EffectNone),
		opt("languagesString", EffectNone),
	}
	return map[string][]need{
		opToDoCreate:     todo,
		opToDoUpdate:     todo,
		opTemplateCreate: tmpl,
		opTemplateUpdate: tmpl,
	}
}
