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
// code run on tenants reads toDoTypeKey and message instead, and events
// arrive as "CRTodo:…"; the contract resolves whichever the tenant has.
// The operations crToDo, crToDoCreate, crToDoUpdate and crToDoDelete
// follow the documented crX naming rule [I].
type ToDo struct {
	// ID is the record's _id.
	ID string
	// ToDoID is the legacy key.
	ToDoID  string
	Subject string
	// Notes is the activity's text (notes, or message on tenants that
	// call it so).
	Notes string
	// TodoTypeKey selects the activity type (values undocumented).
	TodoTypeKey string
	// EmployeeID is the _id of the linked candidate (toEmployee), if any.
	EmployeeID string
	// OwnerID is the _id of the owning user, if any.
	OwnerID          string
	Deleted          bool
	ModificationDate time.Time
}

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

// set lists the logical fields f sets.
func (f ToDoFields) set() map[string]any {
	set := map[string]any{}
	for name, v := range map[string]*string{"subject": f.Subject, "notes": f.Notes, "todoTypeKey": f.TodoTypeKey} {
		if v != nil {
			set[name] = *v
		}
	}
	return set
}

// request renders f as the tenant's CRToDoRequest for mutation op.
func (f ToDoFields) request(op string) func(*Contract) (map[string]any, error) {
	return func(k *Contract) (map[string]any, error) {
		req, err := k.requestFields(op, typeToDo, f.set())
		if err != nil {
			return nil, err
		}
		if f.EmployeeID != nil {
			if name := k.Inputs[op+".toEmployee"]; name != "" {
				req[name] = map[string]any{"_kind": k.TypeName(typeEmployee), "_id": *f.EmployeeID}
			}
		}
		if f.OwnerID != nil {
			if name := k.Inputs[op+".owner"]; name != "" {
				req[name] = map[string]any{"_kind": k.TypeName(typeUser), "_id": *f.OwnerID}
			}
		}
		return req, nil
	}
}

// ToDo reads one activity by _id.
func (c *Client) ToDo(ctx context.Context, id string) (*ToDo, error) {
	return fetchOne(ctx, c, opToDo, "", typeToDo, id, wireToDo.toDo)
}

// CreateToDo creates an activity. It is not retried after an ambiguous
// failure (it could create a duplicate).
func (c *Client) CreateToDo(ctx context.Context, f ToDoFields) (*ToDo, error) {
	const op = "crToDoCreate"
	if f.Subject == nil || *f.Subject == "" {
		return nil, &Error{Kind: ErrBadRequest, Op: op, Message: "subject is required"}
	}
	w, err := mutateWith[wireToDo](ctx, c, opToDoCreate, typeToDo, "", f.request(opToDoCreate), false)
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
	if id == "" || (len(f.set()) == 0 && f.EmployeeID == nil && f.OwnerID == nil) {
		return nil, &Error{Kind: ErrBadRequest, Op: op, Message: "id and at least one field are required"}
	}
	w, err := mutateWith[wireToDo](ctx, c, opToDoUpdate, typeToDo, id, f.request(opToDoUpdate), true)
	if err != nil {
		return nil, err
	}
	td := w.toDo()
	return &td, nil
}

// DeleteToDo deletes activity id (crToDoDelete).
func (c *Client) DeleteToDo(ctx context.Context, id string) error {
	return c.deleteRecord(ctx, opToDoDelete, id)
}
