package store

import (
	"context"
	"encoding/json"
	"fmt"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// ReplaceStatusNodes sets the tenant's status nodes of one kind, keeping
// their order.
func (q *queries) ReplaceStatusNodes(ctx context.Context, tenantID string, kind recrubo.StatusKind, nodes []*recrubo.StatusNode) error {
	if kind != recrubo.StatusCandidate && kind != recrubo.StatusVacancy {
		return recrubo.Errorf(recrubo.EINVALID, "Unknown status kind %q.", kind)
	}
	if _, err := q.q.exec(ctx, `DELETE FROM status_nodes WHERE tenant_id = $1 AND kind = $2`, tenantID, string(kind)); err != nil {
		return fmt.Errorf("clearing %s status nodes: %w", kind, err)
	}
	for i, n := range nodes {
		if n.ID == "" {
			return recrubo.Errorf(recrubo.EINVALID, "A status node needs an id.")
		}
		tags := n.ParentTags
		if tags == nil {
			tags = []string{}
		}
		b, err := json.Marshal(tags)
		if err != nil {
			return fmt.Errorf("encoding parent tags: %w", err)
		}
		if _, err := q.q.exec(ctx, `INSERT INTO status_nodes (tenant_id, kind, id, value, export_code, not_active,
                parent_tags, position)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			tenantID, string(kind), n.ID, n.Value, n.ExportCode, n.NotActive, string(b), i); err != nil {
			return fmt.Errorf("storing status node %s: %w", n.ID, fkNotFound(err, tenantID))
		}
	}
	q.touch(tenantID, ChangeStatusNodes, string(kind))
	return nil
}

// StatusNodes returns the tenant's status nodes of one kind, in the order
// they were stored.
func (q *queries) StatusNodes(ctx context.Context, tenantID string, kind recrubo.StatusKind) ([]*recrubo.StatusNode, error) {
	ns, err := collect(ctx, q.q, func(r rows) (*recrubo.StatusNode, error) {
		var (
			n    recrubo.StatusNode
			kind string
			tags string
		)
		if err := r.Scan(&n.TenantID, &kind, &n.ID, &n.Value, &n.ExportCode, &n.NotActive, &tags); err != nil {
			return nil, err
		}
		n.Kind = recrubo.StatusKind(kind)
		if err := json.Unmarshal([]byte(tags), &n.ParentTags); err != nil {
			return nil, fmt.Errorf("decoding parent tags of status node %s: %w", n.ID, err)
		}
		return &n, nil
	}, `SELECT tenant_id, kind, id, value, export_code, not_active, parent_tags FROM status_nodes
        WHERE tenant_id = $1 AND kind = $2 ORDER BY position`, tenantID, string(kind))
	if err != nil {
		return nil, fmt.Errorf("listing %s status nodes: %w", kind, err)
	}
	return ns, nil
}
