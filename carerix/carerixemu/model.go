package carerixemu

import (
	"strconv"
	"time"
)

// Entity kinds (the GraphQL _kind values) the emulator stores.
const (
	KindEmployee          = "CREmployee"
	KindVacancy           = "CRVacancy"
	KindMatch             = "CRMatch"
	KindUser              = "CRUser"
	KindUserRole          = "CRUserRole"
	KindDataNode          = "CRDataNode"
	KindNodeType          = "CRNodeType"
	KindStatusInfo        = "CRStatusInfo"
	KindCompany           = "CRCompany"
	KindTemplateReference = "CRTemplateReference"
	KindToDo              = "CRToDo"
	KindJob               = "CRJob"
	KindPublication       = "CRPublication"
)

// Employee is a snapshot of a candidate (CREmployee). Optional text fields
// are nil when the attribute is absent (null), which differs from "".
type Employee struct {
	// ID is the opaque GraphQL _id; the emulator uses the decimal EmployeeID.
	ID             string  `json:"_id"`
	EmployeeID     int     `json:"employeeID"`
	FirstName      *string `json:"firstName"`
	LastNamePrefix *string `json:"lastNamePrefix"`
	LastName       *string `json:"lastName"`
	EmailAddress   *string `json:"emailAddress"`
	PhoneNumber    *string `json:"phoneNumber"`
	MobileNumber   *string `json:"mobileNumber"`
	City           *string `json:"city"`
	Notes          *string `json:"notes"`
	// StatusNodeID is the dataNodeID of toStatusNode (type Kandidaat-status); 0 = none.
	StatusNodeID int `json:"statusNodeID"`
	// OwnerID is the userID of the owning recruiter; 0 = none.
	OwnerID          int       `json:"ownerID"`
	Deleted          bool      `json:"deleted"`
	CreationDate     time.Time `json:"creationDate"`
	ModificationDate time.Time `json:"modificationDate"`
	// StableHash changes whenever the record changes.
	StableHash string `json:"stableHash"`
	rev        int
}

// EmployeeFields are the settable attributes of a candidate. A nil field
// is left unchanged on update (absent on create); an empty string clears
// an attribute to null.
type EmployeeFields struct {
	FirstName      *string `json:"firstName,omitempty"`
	LastNamePrefix *string `json:"lastNamePrefix,omitempty"`
	LastName       *string `json:"lastName,omitempty"`
	EmailAddress   *string `json:"emailAddress,omitempty"`
	PhoneNumber    *string `json:"phoneNumber,omitempty"`
	MobileNumber   *string `json:"mobileNumber,omitempty"`
	City           *string `json:"city,omitempty"`
	Notes          *string `json:"notes,omitempty"`
	// Status names a Kandidaat-status data node by _id, exportCode or value.
	Status *string `json:"status,omitempty"`
	// Owner names a CRUser by _id or userName.
	Owner *string `json:"owner,omitempty"`
}

// Vacancy is a snapshot of a job order (CRVacancy).
type Vacancy struct {
	ID               string  `json:"_id"`
	VacancyID        int     `json:"vacancyID"`
	JobTitle         *string `json:"jobTitle"`
	TitleInformation *string `json:"titleInformation"`
	// CompanyID is the companyID of toCompany; 0 = none.
	CompanyID int `json:"companyID"`
	// StatusNodeID is the dataNodeID of toStatusNode (type Vacature-status); 0 = none.
	StatusNodeID     int       `json:"statusNodeID"`
	OwnerID          int       `json:"ownerID"`
	Deleted          bool      `json:"deleted"`
	CreationDate     time.Time `json:"creationDate"`
	ModificationDate time.Time `json:"modificationDate"`
	StableHash       string    `json:"stableHash"`
	rev              int
}

// VacancyFields are the settable attributes of a vacancy; see EmployeeFields
// for the nil and "" rules.
type VacancyFields struct {
	JobTitle         *string `json:"jobTitle,omitempty"`
	TitleInformation *string `json:"titleInformation,omitempty"`
	// CompanyName finds or creates the CRCompany with this name.
	CompanyName *string `json:"companyName,omitempty"`
	// Status names a Vacature-status data node by _id, exportCode or value.
	Status *string `json:"status,omitempty"`
	// Owner names a CRUser by _id or userName.
	Owner *string `json:"owner,omitempty"`
}

// Match is a snapshot of a match (CRMatch): a candidate linked to a vacancy
// in a stage.
type Match struct {
	ID               string    `json:"_id"`
	MatchID          int       `json:"matchID"`
	EmployeeID       int       `json:"employeeID"`
	VacancyID        int       `json:"vacancyID"`
	StatusInfoID     int       `json:"statusInfoID"`
	Deleted          bool      `json:"deleted"`
	CreationDate     time.Time `json:"creationDate"`
	ModificationDate time.Time `json:"modificationDate"`
	StableHash       string    `json:"stableHash"`
	rev              int
}

// MatchFields are the settable attributes of a match. Employee and Vacancy
// are _ids; Stage names a CRStatusInfo by _id, statusName or displayName.
type MatchFields struct {
	Employee *string `json:"employee,omitempty"`
	Vacancy  *string `json:"vacancy,omitempty"`
	Stage    *string `json:"stage,omitempty"`
}

// StatusInfo is a match stage (CRStatusInfo).
type StatusInfo struct {
	ID           string `json:"_id"`
	StatusInfoID int    `json:"statusInfoID"`
	StatusName   string `json:"statusName"`
	DisplayName  string `json:"displayName"`
	SortOrder    int    `json:"sortOrder"`
	IsFinal      bool   `json:"isFinal"`
}

// Company is a client company (CRCompany). The product does not sync
// companies; they exist for vacancies' toCompany and for their events.
type Company struct {
	ID               string    `json:"_id"`
	CompanyID        int       `json:"companyID"`
	Name             string    `json:"name"`
	VisitCity        *string   `json:"visitCity"`
	Deleted          bool      `json:"deleted"`
	CreationDate     time.Time `json:"creationDate"`
	ModificationDate time.Time `json:"modificationDate"`
}

// CompanyFields are the settable attributes of a company; see
// EmployeeFields for the nil and "" rules. Name is required on create and
// cannot be cleared.
type CompanyFields struct {
	Name      *string `json:"name,omitempty"`
	VisitCity *string `json:"visitCity,omitempty"`
}

// Job is a snapshot of a placement (CRJob: a candidate working on a
// vacancy, not a vacancy). The product does not sync placements.
type Job struct {
	ID         string `json:"_id"`
	JobID      int    `json:"jobID"`
	EmployeeID int    `json:"employeeID"`
	VacancyID  int    `json:"vacancyID"`
	// StartDate and EndDate are zero when absent.
	StartDate        time.Time `json:"startDate"`
	EndDate          time.Time `json:"endDate"`
	Deleted          bool      `json:"deleted"`
	CreationDate     time.Time `json:"creationDate"`
	ModificationDate time.Time `json:"modificationDate"`
}

// JobFields are the settable attributes of a placement. Employee and
// Vacancy are _ids of live records, both required on create. Dates take
// the forms qualifiers accept ("2025-04-01", "2025-04-01 08:00:00
// +0200", RFC 3339); "" clears them.
type JobFields struct {
	Employee  *string `json:"employee,omitempty"`
	Vacancy   *string `json:"vacancy,omitempty"`
	StartDate *string `json:"startDate,omitempty"`
	EndDate   *string `json:"endDate,omitempty"`
}

// Publication is a snapshot of a vacancy's publication (CRPublication).
// The product does not sync publications.
type Publication struct {
	ID            string  `json:"_id"`
	PublicationID int     `json:"publicationID"`
	VacancyID     int     `json:"vacancyID"`
	ApplyURL      *string `json:"applyUrl"`
	// PublicationStart and PublicationEnd are zero when absent.
	PublicationStart time.Time `json:"publicationStart"`
	PublicationEnd   time.Time `json:"publicationEnd"`
	Deleted          bool      `json:"deleted"`
	CreationDate     time.Time `json:"creationDate"`
	ModificationDate time.Time `json:"modificationDate"`
}

// PublicationFields are the settable attributes of a publication.
// Vacancy (the _id of a live vacancy) is required on create; dates are as
// in JobFields.
type PublicationFields struct {
	Vacancy          *string `json:"vacancy,omitempty"`
	ApplyURL         *string `json:"applyUrl,omitempty"`
	PublicationStart *string `json:"publicationStart,omitempty"`
	PublicationEnd   *string `json:"publicationEnd,omitempty"`
}

// UserRole is a user role (CRUserRole).
type UserRole struct {
	ID         string `json:"_id"`
	UserRoleID int    `json:"userRoleID"`
	Name       string `json:"name"`
}

// User is a snapshot of a Carerix user (CRUser), e.g. a recruiter.
type User struct {
	ID           string  `json:"_id"`
	UserID       int     `json:"userID"`
	UserName     string  `json:"userName"`
	FirstName    *string `json:"firstName"`
	LastName     *string `json:"lastName"`
	EmailAddress *string `json:"emailAddress"`
	IsActive     bool    `json:"isActive"`
	// Language is the user's interface language, e.g. "Dutch" or "English".
	Language string `json:"language"`
	// Roles are the user's role names; the first is toUserRole.
	Roles            []string  `json:"roles"`
	Deleted          bool      `json:"deleted"`
	CreationDate     time.Time `json:"creationDate"`
	ModificationDate time.Time `json:"modificationDate"`
	StableHash       string    `json:"stableHash"`
	rev              int
}

// UserFields are the settable attributes of a user.
type UserFields struct {
	UserName     *string  `json:"userName,omitempty"`
	FirstName    *string  `json:"firstName,omitempty"`
	LastName     *string  `json:"lastName,omitempty"`
	EmailAddress *string  `json:"emailAddress,omitempty"`
	IsActive     *bool    `json:"isActive,omitempty"`
	Language     *string  `json:"language,omitempty"`
	Roles        []string `json:"roles,omitempty"`
}

// DataNode is a snapshot of a picklist value, status or tag (CRDataNode).
type DataNode struct {
	ID         string `json:"_id"`
	DataNodeID int    `json:"dataNodeID"`
	// Type is the node type name, e.g. "Kandidaat-status".
	Type       string `json:"type"`
	Value      string `json:"value"`
	ExportCode string `json:"exportCode"`
	Tag        string `json:"tag"`
	NotActive  bool   `json:"notActive"`
	IsHidden   bool   `json:"isHidden"`
	// ParentIDs are the dataNodeIDs of parentNodes.
	ParentIDs        []int     `json:"parentIDs"`
	Deleted          bool      `json:"deleted"`
	CreationDate     time.Time `json:"creationDate"`
	ModificationDate time.Time `json:"modificationDate"`
	StableHash       string    `json:"stableHash"`
	rev              int
}

// DataNodeFields describe a data node to create.
type DataNodeFields struct {
	Type       string `json:"type"`
	Value      string `json:"value"`
	ExportCode string `json:"exportCode,omitempty"`
	Tag        string `json:"tag,omitempty"`
	NotActive  bool   `json:"notActive,omitempty"`
	IsHidden   bool   `json:"isHidden,omitempty"`
	// Parents name parent nodes by _id, tag or value.
	Parents []string `json:"parents,omitempty"`
}

// TemplateReference is a snapshot of a document template
// (CRTemplateReference).
type TemplateReference struct {
	ID                  string    `json:"_id"`
	TemplateReferenceID int       `json:"templateReferenceID"`
	Name                *string   `json:"name"`
	Code                *string   `json:"code"`
	Content             *string   `json:"content"`
	RawContent          *string   `json:"rawContent"`
	TargetEntityName    *string   `json:"targetEntityName"`
	TemplateTypeKey     *string   `json:"templateTypeKey"`
	IsEmbedded          bool      `json:"isEmbedded"`
	IsActive            bool      `json:"isActive"`
	ShowInMenu          bool      `json:"showInMenu"`
	UserRolesString     *string   `json:"userRolesString"`
	LanguagesString     *string   `json:"languagesString"`
	FileName            *string   `json:"fileName"`
	Deleted             bool      `json:"deleted"`
	CreationDate        time.Time `json:"creationDate"`
	ModificationDate    time.Time `json:"modificationDate"`
	rev                 int
}

// TemplateFields are the settable attributes of a document template; nil
// leaves a field unchanged. On create, IsActive defaults to true.
type TemplateFields struct {
	Name             *string `json:"name,omitempty"`
	Code             *string `json:"code,omitempty"`
	Content          *string `json:"content,omitempty"`
	RawContent       *string `json:"rawContent,omitempty"`
	TargetEntityName *string `json:"targetEntityName,omitempty"`
	TemplateTypeKey  *string `json:"templateTypeKey,omitempty"`
	IsEmbedded       *bool   `json:"isEmbedded,omitempty"`
	IsActive         *bool   `json:"isActive,omitempty"`
	ShowInMenu       *bool   `json:"showInMenu,omitempty"`
	UserRolesString  *string `json:"userRolesString,omitempty"`
	LanguagesString  *string `json:"languagesString,omitempty"`
	FileName         *string `json:"fileName,omitempty"`
}

// ToDo is a snapshot of an activity (CRToDo, key toDoID): a task, note or
// appointment, optionally linked to a candidate.
type ToDo struct {
	ID      string  `json:"_id"`
	ToDoID  int     `json:"toDoID"`
	Subject *string `json:"subject"`
	Notes   *string `json:"notes"`
	// TodoTypeKey is the activity type key (values undocumented).
	TodoTypeKey *string `json:"todoTypeKey"`
	// EmployeeID is the employeeID of toEmployee; 0 = none.
	EmployeeID int `json:"employeeID"`
	// OwnerID is the userID of owner; 0 = none.
	OwnerID          int       `json:"ownerID"`
	Deleted          bool      `json:"deleted"`
	CreationDate     time.Time `json:"creationDate"`
	ModificationDate time.Time `json:"modificationDate"`
	rev              int
}

// ToDoFields are the settable attributes of an activity; see
// EmployeeFields for the nil and "" rules.
type ToDoFields struct {
	Subject     *string `json:"subject,omitempty"`
	Notes       *string `json:"notes,omitempty"`
	TodoTypeKey *string `json:"todoTypeKey,omitempty"`
	// Employee is the _id of the linked candidate; "" unlinks it.
	Employee *string `json:"employee,omitempty"`
	// Owner names a CRUser by _id or userName; "" clears it.
	Owner *string `json:"owner,omitempty"`
}

// Str returns a pointer to s, for the optional fields of *Fields types.
func Str(s string) *string { return &s }

// Bool returns a pointer to b, for the optional fields of *Fields types.
func Bool(b bool) *bool { return &b }

// idString renders a legacy numeric key as an _id.
func idString(n int) string { return strconv.Itoa(n) }
