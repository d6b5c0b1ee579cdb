package carerix

import (
	"context"
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

// dataNodeRefFields selects a status node referenced from a record.
const dataNodeRefFields = `_id dataNodeID value exportCode tag notActive`

// dataNodeFields selects a node with its parents.
const dataNodeFields = dataNodeRefFields + ` parentNodes { ` + dataNodeRefFields + ` }`

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
// "Kandidaat-status" or "Vacature-status" (crDataNodeListBy). tag, when
// non-empty, narrows the list to nodes carrying that tag.
func (c *Client) DataNodeListBy(ctx context.Context, nodeType, tag string) ([]DataNode, error) {
	const op = "crDataNodeListBy"
	if nodeType == "" {
		return nil, &Error{Kind: ErrBadRequest, Op: op, Message: "node type is required"}
	}
	query := `query ($type: String, $tag: String) { crDataNodeListBy(type: $type, tag: $tag) { ` + dataNodeFields + ` } }`
	vars := map[string]any{"type": nodeType, "tag": nil}
	if tag != "" {
		vars["tag"] = tag
	}
	var data struct {
		Nodes []wireDataNode `json:"crDataNodeListBy"`
	}
	if err := c.graphQL(ctx, op, query, vars, &data, true); err != nil {
		return nil, err
	}
	out := make([]DataNode, len(data.Nodes))
	for i, w := range data.Nodes {
		out[i] = w.dataNode()
	}
	return out, nil
}
