package carerix

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// pageInfoFields is the paging metadata selected on cr*Page queries, where
// the tenant's page type has them (all are documented).
var pageInfoFields = []string{"page", "size", "totalElements", "totalPages", "numberOfElements", "first", "last"}

// wirePage is a cr*Page result before conversion.
type wirePage[W any] struct {
	PageInfo
	Items []W `json:"items"`
}

// convertPage returns the page wp with its items converted by conv.
func convertPage[W, T any](wp *wirePage[W], conv func(W) T) *Page[T] {
	p := &Page[T]{PageInfo: wp.PageInfo, Items: make([]T, len(wp.Items))}
	for i, w := range wp.Items {
		p.Items[i] = conv(w)
	}
	return p
}

// pageSize returns r's size, defaulted and clamped to what the tenant
// takes.
func (k *Contract) pageSize(r PageRequest) int {
	size := r.Size
	if size == 0 {
		size = DefaultPageSize
	}
	limit := DefaultPageSize
	if k.MaxPageSize > 0 {
		limit = k.MaxPageSize
	}
	return min(size, limit, MaxPageSize)
}

// pageQuery renders the logical page query op of logical type typ. Page,
// size and the sort property are written as literals (they come from
// ints and the contract, so they cannot inject anything), which also
// avoids depending on the name of the pageable input type; the qualifier
// travels as a variable. Arguments the tenant's query does not take are
// left out.
func (k *Contract) pageQuery(op, typ string, r PageRequest) (field, query string, vars map[string]any, err error) {
	vars = map[string]any{}
	f, err := k.pageField(op, typ, r, "", "", vars)
	if err != nil {
		return "", "", nil, err
	}
	return f.name, pageDocument(f), vars, nil
}

// pageField is one page query as a root field of a query document.
type pageField struct {
	name string   // the tenant's name of the query
	decl []string // the variables it declares
	text string   // the field with its arguments and selection
}

// pageDocument renders a query document of the fields fs.
func pageDocument(fs ...pageField) string {
	var decl, texts []string
	for _, f := range fs {
		decl = append(decl, f.decl...)
		texts = append(texts, f.text)
	}
	var b strings.Builder
	b.WriteString("query ")
	if len(decl) > 0 {
		b.WriteString("(" + strings.Join(decl, ", ") + ") ")
	}
	b.WriteString("{ " + strings.Join(texts, " ") + " }")
	return b.String()
}

// pageField renders the logical page query op of typ as a root field
// (see pageQuery) under alias, where not empty. Its variables, named with
// suffix so that several fields can share a document, are added to vars.
func (k *Contract) pageField(op, typ string, r PageRequest, alias, suffix string, vars map[string]any) (pageField, error) {
	f := pageField{name: k.Op(op)}
	if f.name == "" {
		return f, k.opMissing(op)
	}
	sel, err := k.selection(typ)
	if err != nil {
		return f, err
	}
	var args []string
	if r.Qualifier != "" {
		f.decl, args = append(f.decl, "$qualifier"+suffix+": String"), append(args, "qualifier: $qualifier"+suffix)
		vars["qualifier"+suffix] = r.Qualifier
	}
	if r.NoRestrict && k.Args[op+".norestrict"] {
		f.decl, args = append(f.decl, "$norestrict"+suffix+": Boolean"), append(args, "norestrict: $norestrict"+suffix)
		vars["norestrict"+suffix] = true
	}
	sort, err := k.sortLiteral(typ, r.SortBy)
	if err != nil {
		return f, err
	}
	args = append(args, fmt.Sprintf("pageable: {page: %d, size: %d%s}", r.Page, k.pageSize(r), sort))
	info := pageInfoFields
	if len(k.PageFields) > 0 {
		info = k.PageFields
	}
	if alias != "" {
		f.text = alias + ": "
	}
	f.text += fmt.Sprintf("%s(%s) { %s items { %s } }", f.name, strings.Join(args, ", "), strings.Join(info, " "), sel)
	return f, nil
}

// sortLiteral renders ", sort: …" ordering ascending by the logical field
// by, in the form the tenant's pageable takes; "" when by is empty.
func (k *Contract) sortLiteral(typ, by string) (string, error) {
	if by == "" {
		return "", nil
	}
	if k.Sort == nil {
		return "", &Error{Kind: ErrContract, Op: "contract", Message: "Carerix takes no explicit page order (pageable has no sort)"}
	}
	prop := k.Field(typ, by)
	if prop == "" {
		return "", &Error{Kind: ErrContract, Op: "contract", Message: fmt.Sprintf("Carerix type %s has no field %s to sort by", typ, by)}
	}
	s := k.Sort
	if s.Form == "string" {
		return fmt.Sprintf(", %s: %s", s.Field, strconv.Quote(prop+","+s.Asc)), nil
	}
	obj := fmt.Sprintf("{%s: %s", s.Property, strconv.Quote(prop))
	if s.Direction != "" {
		dir := strconv.Quote(s.Asc)
		if s.Enum {
			dir = s.Asc
		}
		obj += fmt.Sprintf(", %s: %s", s.Direction, dir)
	}
	obj += "}"
	if s.Form == "list" {
		obj = "[" + obj + "]"
	}
	return fmt.Sprintf(", %s: %s", s.Field, obj), nil
}

// opMissing is the ErrContract error of a logical operation the tenant
// lacks.
func (k *Contract) opMissing(op string) error {
	for _, g := range k.Gaps {
		if g.Field == op {
			return &Error{Kind: ErrContract, Op: "contract", Message: g.String()}
		}
	}
	return &Error{Kind: ErrContract, Op: "contract", Message: fmt.Sprintf("Carerix has no operation %s", op)}
}

// fetchPage runs a logical page query of logical type typ and converts
// its items.
func fetchPage[W, T any](ctx context.Context, c *Client, op, typ string, r PageRequest, conv func(W) T) (*Page[T], error) {
	r, err := r.normalized()
	if err != nil {
		return nil, err
	}
	var out *Page[T]
	err = c.withContract(ctx, op, func(k *Contract) error {
		field, query, vars, err := k.pageQuery(op, typ, r)
		if err != nil {
			return err
		}
		var data map[string]*wirePage[W]
		if err := c.graphQL(ctx, field, query, vars, &data, true); err != nil {
			return err
		}
		wp := data[field]
		if wp == nil {
			return &Error{Kind: ErrProtocol, Op: field, Message: "page is null"}
		}
		out = convertPage(wp, conv)
		return nil
	})
	return out, err
}

// fetchPages runs the logical page queries rs of op in one request, each
// under an alias of its own (GraphQL field aliases, so one document may
// ask for the same query several times), and converts their items: the
// i-th page answers rs[i]. Carerix answers the whole document or refuses
// it whole; a tenant bounding the size of a query may refuse one that
// a single page query would not be (ErrBadRequest).
func fetchPages[W, T any](ctx context.Context, c *Client, op, typ string, rs []PageRequest, conv func(W) T) ([]*Page[T], error) {
	if len(rs) == 0 {
		return nil, nil
	}
	norm := make([]PageRequest, len(rs))
	for i, r := range rs {
		var err error
		if norm[i], err = r.normalized(); err != nil {
			return nil, err
		}
	}
	var out []*Page[T]
	err := c.withContract(ctx, op, func(k *Contract) error {
		vars := map[string]any{}
		fields := make([]pageField, len(norm))
		for i, r := range norm {
			var err error
			if fields[i], err = k.pageField(op, typ, r, pageAlias(i), strconv.Itoa(i), vars); err != nil {
				return err
			}
		}
		var data map[string]*wirePage[W]
		if err := c.graphQL(ctx, fields[0].name, pageDocument(fields...), vars, &data, true); err != nil {
			return err
		}
		out = make([]*Page[T], len(norm))
		for i := range norm {
			wp := data[pageAlias(i)]
			if wp == nil {
				return &Error{Kind: ErrProtocol, Op: fields[i].name, Message: fmt.Sprintf("page %s is null", pageAlias(i))}
			}
			out[i] = convertPage(wp, conv)
		}
		return nil
	})
	return out, err
}

// pageAlias is the alias of the i-th page of a fetchPages document.
func pageAlias(i int) string { return "p" + strconv.Itoa(i) }

// fetchOne reads one record by _id with the logical query op, or, where
// the tenant has no such query, through its page query. A missing record
// is ErrNotFound.
func fetchOne[W, T any](ctx context.Context, c *Client, op, pageOp, typ, id string, conv func(W) T) (*T, error) {
	if id == "" {
		return nil, &Error{Kind: ErrBadRequest, Op: op, Message: "empty id"}
	}
	var out *T
	err := c.withContract(ctx, op, func(k *Contract) error {
		field := k.Op(op)
		if field == "" && pageOp != "" && k.Op(pageOp) != "" {
			return fetchOneByPage(ctx, c, k, pageOp, typ, id, conv, &out)
		}
		if field == "" {
			return k.opMissing(op)
		}
		sel, err := k.selection(typ)
		if err != nil {
			return err
		}
		query := "query ($id: ID!) { " + field + "(_id: $id) { " + sel + " } }"
		var data map[string]*W
		if err := c.graphQL(ctx, field, query, map[string]any{"id": id}, &data, true); err != nil {
			return err
		}
		w := data[field]
		if w == nil {
			return &Error{Kind: ErrNotFound, Op: field, Message: fmt.Sprintf("no record with _id %q", id)}
		}
		v := conv(*w)
		out = &v
		return nil
	})
	return out, err
}

// fetchOneByPage reads one record through a page query on the tenant's
// _id.
func fetchOneByPage[W, T any](ctx context.Context, c *Client, k *Contract, pageOp, typ, id string, conv func(W) T, out **T) error {
	path, err := k.Path(typ, "_id")
	if err != nil {
		return err
	}
	q, err := Eq(path, id).Build()
	if err != nil {
		return err
	}
	field, query, vars, err := k.pageQuery(pageOp, typ, PageRequest{Qualifier: q, Size: 1})
	if err != nil {
		return err
	}
	var data map[string]*wirePage[W]
	if err := c.graphQL(ctx, field, query, vars, &data, true); err != nil {
		return err
	}
	if wp := data[field]; wp != nil && len(wp.Items) > 0 {
		v := conv(wp.Items[0])
		*out = &v
		return nil
	}
	return &Error{Kind: ErrNotFound, Op: field, Message: fmt.Sprintf("no record with _id %q", id)}
}

// mutateWith runs the logical mutation op of logical type typ: its
// request object is built by request from the contract (nil when the
// mutation takes none), id is passed as _id when not empty, and the
// result is decoded into *W.
func mutateWith[W any](ctx context.Context, c *Client, op, typ, id string, request func(*Contract) (map[string]any, error), idempotent bool) (*W, error) {
	var out *W
	err := c.withContract(ctx, op, func(k *Contract) error {
		field := k.Op(op)
		if field == "" {
			return k.opMissing(op)
		}
		sel := "_id success"
		if typ != "" {
			var err error
			if sel, err = k.selection(typ); err != nil {
				return err
			}
		}
		vars := map[string]any{}
		var decl, args []string
		if id != "" {
			decl, args = append(decl, "$id: ID!"), append(args, "_id: $id")
			vars["id"] = id
		}
		if request != nil {
			req, err := request(k)
			if err != nil {
				return err
			}
			reqType := k.Requests[op]
			if reqType == "" {
				reqType = requestTypeGuess(op)
			}
			decl, args = append(decl, "$request: "+reqType+"!"), append(args, "request: $request")
			vars["request"] = req
		}
		query := fmt.Sprintf("mutation (%s) { %s(%s) { %s } }", strings.Join(decl, ", "), field, strings.Join(args, ", "), sel)
		var data map[string]*W
		if err := c.graphQL(ctx, field, query, vars, &data, idempotent); err != nil {
			return err
		}
		if data[field] == nil {
			return &Error{Kind: ErrNotFound, Op: field, Message: "mutation returned null"}
		}
		out = data[field]
		return nil
	})
	return out, err
}

// requestFields renders a request object of mutation op: _kind is the
// tenant's name of logical type typ, and each set logical field goes under
// the tenant's name for it. An optional field the tenant's request lacks
// is left out (its gap says so); a required one is an ErrContract error.
// A request left with nothing to set is an ErrContract error too.
func (k *Contract) requestFields(op, typ string, set map[string]any) (map[string]any, error) {
	req := map[string]any{"_kind": k.TypeName(typ)}
	for logical, v := range set {
		name := k.Inputs[op+"."+logical]
		if name == "" {
			if inputRequired(op, logical) {
				return nil, &Error{Kind: ErrContract, Op: "contract", Message: fmt.Sprintf("Carerix request %s of %s takes no field %s", k.Requests[op], op, logical)}
			}
			continue
		}
		req[name] = v
	}
	if len(req) == 1 && len(set) > 0 {
		return nil, &Error{Kind: ErrContract, Op: "contract", Message: fmt.Sprintf("Carerix request %s of %s takes none of the fields to set", k.Requests[op], op)}
	}
	return req, nil
}

// inputRequired reports whether a logical request field is required.
func inputRequired(op, logical string) bool {
	for _, n := range inputNeeds()[op] {
		if n.logical == logical {
			return n.required
		}
	}
	return false
}
