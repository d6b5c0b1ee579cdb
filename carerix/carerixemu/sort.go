package carerixemu

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Sort directions of the SortDirection enum.
const (
	sortASC  = "ASC"
	sortDESC = "DESC"
)

// sortOrderArg is the SortOrder input of pageable.sort.
type sortOrderArg struct {
	Property  string
	Direction *string
}

// sortOrder is one resolved order of a page: an attribute and a direction.
type sortOrder struct {
	property string
	a        attr
	desc     bool
}

// sortOrders resolves pageable.sort against kind: each property must be a
// scalar field of the entity in the served schema, else the request is
// invalid. No orders yields nil (the default order).
func (s *Store) sortOrders(kind string, args []sortOrderArg) ([]sortOrder, error) {
	var out []sortOrder
	for _, o := range args {
		a, ok := s.attrOf(kind, o.Property)
		if !ok || a.typ == tEntity {
			return nil, invalid("pageable.sort: %s has no sortable property %q (a scalar field of the entity)", kind, o.Property)
		}
		out = append(out, sortOrder{property: o.Property, a: a, desc: o.Direction != nil && *o.Direction == sortDESC})
	}
	return out, nil
}

// defaultOrder is the order of a page requested without sort: nil (the
// numeric key, ascending) as documented, _id compared as text where the
// profile orders so ("10" before "9"), so clients cannot assume key order.
func (s *Store) defaultOrder(kind string) []sortOrder {
	if !s.rules.orderByIDText {
		return nil
	}
	return []sortOrder{{property: "_id", a: entityAttrs()[kind]["_id"]}}
}

// sortText renders the order a page used as Spring does
// ("employeeID: ASC,lastName: DESC"); no orders is keyName ascending.
func sortText(order []sortOrder, keyName string) string {
	if len(order) == 0 {
		return keyName + ": " + sortASC
	}
	parts := make([]string, len(order))
	for i, o := range order {
		dir := sortASC
		if o.desc {
			dir = sortDESC
		}
		parts[i] = o.property + ": " + dir
	}
	return strings.Join(parts, ",")
}

// sortRecords orders stored records (store lock held) by order, in
// sequence; records equal on every order keep their key order.
func sortRecords(recs []any, order []sortOrder) {
	slices.SortStableFunc(recs, func(x, y any) int {
		for _, o := range order {
			c := compareValues(o.a.scalar(x), o.a.scalar(y))
			if o.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

// compareValues orders two attribute values of one type: null first, text
// by bytes, numbers numerically, false before true, dates in time.
func compareValues(x, y any) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return -1
	case y == nil:
		return 1
	}
	switch xv := x.(type) {
	case string:
		return strings.Compare(xv, y.(string))
	case float64:
		return cmp.Compare(xv, y.(float64))
	case bool:
		switch yv := y.(bool); {
		case xv == yv:
			return 0
		case yv:
			return -1
		}
		return 1
	case time.Time:
		return xv.Compare(y.(time.Time))
	}
	return 0
}
