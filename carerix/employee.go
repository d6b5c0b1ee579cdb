package carerix

import (
	"context"
	"iter"
	"time"
)

// Employee is a candidate (CREmployee).
type Employee struct {
	// ID is the record's _id (opaque).
	ID string
	// EmployeeID is the legacy numeric key, used in CxScript templates.
	EmployeeID     string
	FirstName      string
	LastNamePrefix string
	LastName       string
	EmailAddress   string
	PhoneNumber    string
	MobileNumber   string
	City           string
	// Deleted is set on soft-deleted records (visible with NoRestrict).
	Deleted          bool
	CreationDate     time.Time
	ModificationDate time.Time
	// StableHash is Carerix's stableHash; it changes whenever the record
	// changes. Empty where the tenant's API has none (Contract).
	StableHash string
	// Status is the candidate status node (toStatusNode) with its parent
	// tags; nil when the candidate has none.
	Status *DataNode
	// OwnerID is the _id of the owning recruiter (CRUser), if any.
	OwnerID string
}

// wireEmployee is CREmployee on the wire.
type wireEmployee struct {
	ID               looseString   `json:"_id"`
	EmployeeID       looseString   `json:"employeeID"`
	FirstName        string        `json:"firstName"`
	LastNamePrefix   string        `json:"lastNamePrefix"`
	LastName         string        `json:"lastName"`
	EmailAddress     string        `json:"emailAddress"`
	PhoneNumber      string        `json:"phoneNumber"`
	MobileNumber     string        `json:"mobileNumber"`
	City             string        `json:"city"`
	Deleted          looseBool     `json:"deleted"`
	CreationDate     jsonTime      `json:"creationDate"`
	ModificationDate jsonTime      `json:"modificationDate"`
	StableHash       string        `json:"stableHash"`
	ToStatusNode     *wireDataNode `json:"toStatusNode"`
	Owner            *ref          `json:"owner"`
}

func (w wireEmployee) employee() Employee {
	return Employee{
		ID:               string(w.ID),
		EmployeeID:       string(w.EmployeeID),
		FirstName:        w.FirstName,
		LastNamePrefix:   w.LastNamePrefix,
		LastName:         w.LastName,
		EmailAddress:     w.EmailAddress,
		PhoneNumber:      w.PhoneNumber,
		MobileNumber:     w.MobileNumber,
		City:             w.City,
		Deleted:          bool(w.Deleted),
		CreationDate:     w.CreationDate.Time,
		ModificationDate: w.ModificationDate.Time,
		StableHash:       w.StableHash,
		Status:           dataNodePtr(w.ToStatusNode),
		OwnerID:          refID(w.Owner),
	}
}

// Employee reads one candidate by _id. A missing candidate is ErrNotFound.
func (c *Client) Employee(ctx context.Context, id string) (*Employee, error) {
	return fetchOne(ctx, c, opEmployee, opEmployeePage, typeEmployee, id, wireEmployee.employee)
}

// EmployeePage reads one page of candidates (crEmployeePage).
func (c *Client) EmployeePage(ctx context.Context, r PageRequest) (*Page[Employee], error) {
	return fetchPage(ctx, c, opEmployeePage, typeEmployee, r, wireEmployee.employee)
}

// EmployeePages reads several pages of candidates in one request (fetchPages).
func (c *Client) EmployeePages(ctx context.Context, rs []PageRequest) ([]*Page[Employee], error) {
	return fetchPages(ctx, c, opEmployeePage, typeEmployee, rs, wireEmployee.employee)
}

// EmployeePager returns a Pager over candidates starting at r.Page.
func (c *Client) EmployeePager(r PageRequest) *Pager[Employee] {
	return NewPager(c.EmployeePage, r)
}

// Employees iterates over all candidates matching r, from page r.Page on,
// one page in memory at a time. Use EmployeePager for progress reporting
// and checkpoints.
func (c *Client) Employees(ctx context.Context, r PageRequest) iter.Seq2[Employee, error] {
	return c.EmployeePager(r).All(ctx)
}
