package carerix

import (
	"context"
	"fmt"
)

// deleteResponse is the DeleteResponse of cr*Delete mutations.
type deleteResponse struct {
	ID      looseString `json:"_id"`
	Success bool        `json:"success"`
}

// deleteRecord deletes record id with the logical crXDelete mutation op
// (e.g. "crToDoDelete"), which answers with the record's id and success.
// A delete is idempotent, so it is retried like a read.
func (c *Client) deleteRecord(ctx context.Context, op, id string) error {
	if id == "" {
		return &Error{Kind: ErrBadRequest, Op: op, Message: "empty id"}
	}
	resp, err := mutateWith[deleteResponse](ctx, c, op, "", id, nil, true)
	if err != nil {
		return err
	}
	if !resp.Success {
		return &Error{Kind: ErrNotFound, Op: op, Message: fmt.Sprintf("delete of %q reported no success", id)}
	}
	return nil
}
