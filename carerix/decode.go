package carerix

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// looseString decodes a JSON string, number or null into a string. Legacy
// numeric keys (employeeID, dataNodeID, …) may arrive as either, and the
// product treats every id as opaque text.
type looseString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *looseString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = ""
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = looseString(v)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("id must be a string or number: %w", err)
		}
		*s = looseString(n.String())
	}
	return nil
}

// looseBool decodes a JSON boolean, 0/1 number, "0"/"1"/"true"/"false"
// string, or null (false). Carerix stores flags as 0/1 integers and some
// layers expose them as such.
type looseBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (v *looseBool) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "true", "1", `"1"`, `"true"`:
		*v = true
	case "false", "0", `"0"`, `"false"`, "null", `""`:
		*v = false
	default:
		return fmt.Errorf("flag must be a boolean or 0/1, got %s", truncate(string(b), 20))
	}
	return nil
}

// ref is a reference to another record: {_id}.
type ref struct {
	ID looseString `json:"_id"`
}

// refID returns the id of r, or "" when r is nil.
func refID(r *ref) string {
	if r == nil {
		return ""
	}
	return string(r.ID)
}
