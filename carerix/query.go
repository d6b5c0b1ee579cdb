package carerix

import (
	"context"
	"fmt"
	"strings"
)

// pageFields is the paging metadata selected on every cr*Page query.
const pageFields = `page size totalElements totalPages numberOfElements first last`

// wirePage is a cr*Page result before conversion.
type wirePage[W any] struct {
	PageInfo
	Items []W `json:"items"`
}

// pageQuery renders a cr*Page query. Page and size are written as integer
// literals (they come from ints, so they cannot inject anything); this
// avoids depending on the name of the pageable input type, which the
// published schema does not show. The qualifier travels as a variable.
func pageQuery(field, selection string, r PageRequest) string {
	var b strings.Builder
	b.WriteString("query ($qualifier: String, $norestrict: Boolean) { ")
	b.WriteString(field)
	fmt.Fprintf(&b, "(qualifier: $qualifier, pageable: {page: %d, size: %d}, norestrict: $norestrict) { ", r.Page, r.Size)
	b.WriteString(pageFields)
	b.WriteString(" items { ")
	b.WriteString(selection)
	b.WriteString(" } } }")
	return b.String()
}

// fetchPage runs a cr*Page query and converts its items.
func fetchPage[W, T any](ctx context.Context, c *Client, field, selection string, r PageRequest, conv func(W) T) (*Page[T], error) {
	r, err := r.normalized()
	if err != nil {
		return nil, err
	}
	vars := map[string]any{"norestrict": r.NoRestrict, "qualifier": nil}
	if r.Qualifier != "" {
		vars["qualifier"] = r.Qualifier
	}
	var data map[string]*wirePage[W]
	if err := c.graphQL(ctx, field, pageQuery(field, selection, r), vars, &data, true); err != nil {
		return nil, err
	}
	wp := data[field]
	if wp == nil {
		return nil, &Error{Kind: ErrProtocol, Op: field, Message: "page is null"}
	}
	out := &Page[T]{PageInfo: wp.PageInfo, Items: make([]T, len(wp.Items))}
	for i, w := range wp.Items {
		out.Items[i] = conv(w)
	}
	return out, nil
}

// fetchOne runs a crX(_id) query. A null result is ErrNotFound.
func fetchOne[W, T any](ctx context.Context, c *Client, field, selection, id string, conv func(W) T) (*T, error) {
	if id == "" {
		return nil, &Error{Kind: ErrBadRequest, Op: field, Message: "empty id"}
	}
	query := "query ($id: ID!) { " + field + "(_id: $id) { " + selection + " } }"
	var data map[string]*W
	if err := c.graphQL(ctx, field, query, map[string]any{"id": id}, &data, true); err != nil {
		return nil, err
	}
	w := data[field]
	if w == nil {
		return nil, &Error{Kind: ErrNotFound, Op: field, Message: fmt.Sprintf("no record with _id %q", id)}
	}
	v := conv(*w)
	return &v, nil
}

// mutate runs a mutation field and decodes its result into *W.
func mutate[W any](ctx context.Context, c *Client, field, query string, vars map[string]any, idempotent bool) (*W, error) {
	var data map[string]*W
	if err := c.graphQL(ctx, field, query, vars, &data, idempotent); err != nil {
		return nil, err
	}
	w := data[field]
	if w == nil {
		return nil, &Error{Kind: ErrNotFound, Op: field, Message: "mutation returned null"}
	}
	return w, nil
}
