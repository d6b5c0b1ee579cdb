package carerix

import (
	"context"
	"time"
)

// ToDo is an activity (CRToDo, key toDoID): a task, note or appointment in
// Carerix. The product keeps one of its own, the integration check probe,
// and updates it to test webhook delivery end to end.
//
// Confidence, as in the API notes: the entity, its key and the fields
// subject, notes, todoTypeKey, toEmployee and owner are documented [C];
// the operations crToDo, crToDoCreate, crToDoUpdate and crToDoDelete
// follow the documented crX naming rule [I]; that activity changes send
// webhooks with the entity prefix "crtodo" is a guess of the docs [U].
type ToDo struct {
	// ID is the record's _id.
	ID string
	// ToDoID is the legacy key.
	ToDoID  string
	Subject string
	Notes   string
	// TodoTypeKey selects the activity type (values undocumented).
	TodoTypeKey string
	// EmployeeID is the _id of the linked candidate (toEmployee), if any.
	EmployeeID string
	// OwnerID is the _id of the owning user, if any.
	OwnerID          string
	Deleted          bool
	ModificationDate time.Time
}

// toDoFields selects an activity.
const toDoFields = `_id toDoID subject notes todoTypeKey deleted modificationDate toEmployee { _id } owner { _id }`

// wireToDo is CRToDo on the wire.
type wireToDo struct {
	ID               looseString `json:"_id"`
	ToDoID           looseString `json:"toDoID"`
	Subject          string      `json:"subject"`
	Notes            string      `json:"notes"`
	TodoTypeKey      string      `json:"todoTypeKey"`
	Deleted          looseBool   `json:"deleted"`
	ModificationDate jsonTime    `json:"modificationDate"`
	ToEmployee       *wireRef    `json:"toEmployee"`
	Owner            *wireRef    `json:"owner"`
}

// wireRef is a related record of which only the _id is selected.
type wireRef struct {
	ID looseString `json:"_id"`
}

func (r *wireRef) id() string {
	if r == nil {
		return ""
	}
	return string(r.ID)
}

func (w wireToDo) toDo() ToDo {
	return ToDo{
		ID:               string(w.ID),
		ToDoID:           string(w.ToDoID),
		Subject:          w.Subject,
		Notes:            w.Notes,
		TodoTypeKey:      w.TodoTypeKey,
		EmployeeID:       w.ToEmployee.id(),
		OwnerID:          w.Owner.id(),
		Deleted:          bool(w.Deleted),
		ModificationDate: w.ModificationDate.Time,
	}
}

// ToDoFields holds the fields to set when creating or updating an activity
// (CRToDoRequest); nil fields are not sent.
type ToDoFields struct {
	Subject     *string
	Notes       *string
	TodoTypeKey *string
	// EmployeeID links the activity to a candidate by _id.
	EmployeeID *string
	// OwnerID makes a user (by _id) the owner.
	OwnerID *string
}

// request renders f as a CRToDoRequest.
func (f ToDoFields) request() map[string]any {
	req := map[string]any{"_kind": "CRToDo"}
	for name, v := range map[string]*string{"subject": f.Subject, "notes": f.Notes, "todoTypeKey": f.TodoTypeKey} {
		if v != nil {
			req[name] = *v
		}
	}
	if f.EmployeeID != nil {
		req["toEmployee"] = map[string]any{"_kind": "CREmployee", "_id": *f.EmployeeID}
	}
	if f.OwnerID != nil {
		req["owner"] = map[string]any{"_kind": "CRUser", "_id": *f.OwnerID}
	}
	return req
}

// ToDo reads one activity by _id.
func (c *Client) ToDo(ctx context.Context, id string) (*ToDo, error) {
	return fetchOne(ctx, c, "crToDo", toDoFields, id, wireToDo.toDo)
}

// CreateToDo creates an activity. It is not retried after an ambiguous
// failure (it could create a duplicate).
func (c *Client) CreateToDo(ctx context.Context, f ToDoFields) (*ToDo, error) {
	const op = "crToDoCreate"
	if f.Subject == nil || *f.Subject == "" {
		return nil, &Error{Kind: ErrBadRequest, Op: op, Message: "subject is required"}
	}
	query := `mutation ($request: CRToDoRequest!) { crToDoCreate(request: $request) { ` + toDoFields + ` } }`
	w, err := mutate[wireToDo](ctx, c, op, query, map[string]any{"request": f.request()}, false)
	if err != nil {
		return nil, err
	}
	td := w.toDo()
	return &td, nil
}

// UpdateToDo sets the given fields of activity id. Setting the same
// values again is idempotent, so it is retried like a read.
func (c *Client) UpdateToDo(ctx context.Context, id string, f ToDoFields) (*ToDo, error) {
	const op = "crToDoUpdate"
	req := f.request()
	if id == "" || len(req) == 1 {
		return nil, &Error{Kind: ErrBadRequest, Op: op, Message: "id and at least one field are required"}
	}
	query := `mutation ($id: ID!, $request: CRToDoRequest!) { crToDoUpdate(_id: $id, request: $request) { ` + toDoFields + ` } }`
	w, err := mutate[wireToDo](ctx, c, op, query, map[string]any{"id": id, "request": req}, true)
	if err != nil {
		return nil, err
	}
	td := w.toDo()
	return &td, nil
}

// DeleteToDo deletes activity id (crToDoDelete).
func (c *Client) DeleteToDo(ctx context.Context, id string) error {
	return c.deleteRecord(ctx, "crToDoDelete", id)
}
