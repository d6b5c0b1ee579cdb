package carerix

import (
	"context"
	"fmt"
	"strings"
)

// DataNode is a picklist entry (CRDataNode), e.g. a candidate or vacancy
// status. Match on ExportCode or a parent tag, not on Value: the label is
// tenant-editable and localized.
type DataNode struct {
	// ID is the record's _id.
	ID string
	// DataNodeID is the legacy numeric key.
	DataNodeID string
	// Value is the label shown in Carerix, e.g. "Actief".
	Value string
	// ExportCode is the admin-defined stable code, if any.
	ExportCode string
	// Tag is the system tag of tag nodes, e.g. "CandidateActiveTag".
	Tag string
	// NotActive marks a node hidden from new selections.
	NotActive bool
	// Parents are the node's parent (tag) nodes; nil when not selected.
	Parents []DataNode
}

// wireDataNode is CRDataNode on the wire.
type wireDataNode struct {
	ID          looseString    `json:"_id"`
	DataNodeID  looseString    `json:"dataNodeID"`
	Value       string         `json:"value"`
	ExportCode  string         `json:"exportCode"`
	Tag         string         `json:"tag"`
	NotActive   looseBool      `json:"notActive"`
	ParentNodes []wireDataNode `json:"parentNodes"`
}

func (w wireDataNode) dataNode() DataNode {
	d := DataNode{
		ID:         string(w.ID),
		DataNodeID: string(w.DataNodeID),
		Value:      w.Value,
		ExportCode: w.ExportCode,
		Tag:        w.Tag,
		NotActive:  bool(w.NotActive),
	}
	if w.ParentNodes != nil {
		d.Parents = make([]DataNode, len(w.ParentNodes))
		for i, p := range w.ParentNodes {
			d.Parents[i] = p.dataNode()
		}
	}
	return d
}

// dataNodePtr converts an optional node.
func dataNodePtr(w *wireDataNode) *DataNode {
	if w == nil {
		return nil
	}
	d := w.dataNode()
	return &d
}

// DataNodeListBy lists the data nodes of a node type, e.g.
// "Kandidaat-status" or "Vacature-status": with crDataNodeListBy, or where
// the tenant has no such query, with a crDataNodePage qualified by the
// node type's name. tag, when non-empty, narrows the list to nodes
// carrying that tag.
func (c *Client) DataNodeListBy(ctx context.Context, nodeType, tag string) ([]DataNode, error) {
	const op = opDataNodeListBy
	if nodeType == "" {
		return nil, &Error{Kind: ErrBadRequest, Op: op, Message: "node type is required"}
	}
	var out []DataNode
	err := c.withContract(ctx, op, func(k *Contract) error {
		field := k.Op(op)
		if field == "" {
			return c.dataNodesByPage(ctx, k, nodeType, tag, &out)
		}
		sel, err := k.selection(typeDataNode)
		if err != nil {
			return err
		}
		decl, args := []string{"$type: String"}, []string{"type: $type"}
		vars := map[string]any{"type": nodeType}
		if tag != "" && k.Args[op+".tag"] {
			decl, args = append(decl, "$tag: String"), append(args, "tag: $tag")
			vars["tag"] = tag
		}
		query := fmt.Sprintf("query (%s) { %s(%s) { %s } }", strings.Join(decl, ", "), field, strings.Join(args, ", "), sel)
		var data map[string][]wireDataNode
		if err := c.graphQL(ctx, field, query, vars, &data, true); err != nil {
			return err
		}
		out = make([]DataNode, 0, len(data[field]))
		for _, w := range data[field] {
			if d := w.dataNode(); tag == "" || k.Args[op+".tag"] || d.Tag == tag {
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

// dataNodesByPage lists a node type's data nodes through crDataNodePage.
func (c *Client) dataNodesByPage(ctx context.Context, k *Contract, nodeType, tag string, out *[]DataNode) error {
	q := Eq("type.name", nodeType)
	if tag != "" {
		q = And(q, Eq("tag", tag))
	}
	qs, err := q.Build()
	if err != nil {
		return err
	}
	p := NewPager(func(ctx context.Context, r PageRequest) (*Page[DataNode], error) {
		field, query, vars, err := k.pageQuery(opDataNodePage, typeDataNode, r)
		if err != nil {
			return nil, err
		}
		var data map[string]*wirePage[wireDataNode]
		if err := c.graphQL(ctx, field, query, vars, &data, true); err != nil {
			return nil, err
		}
		wp := data[field]
		if wp == nil {
			return nil, &Error{Kind: ErrProtocol, Op: field, Message: "page is null"}
		}
		pg := &Page[DataNode]{PageInfo: wp.PageInfo, Items: make([]DataNode, len(wp.Items))}
		for i, w := range wp.Items {
			pg.Items[i] = w.dataNode()
		}
		return pg, nil
	}, PageRequest{Qualifier: qs})
	for d, err := range p.All(ctx) {
		if err != nil {
			return err
		}
		*out = append(*out, d)
	}
	return nil
}
