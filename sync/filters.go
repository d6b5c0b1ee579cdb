package carerixsync

import (
	"context"
	"fmt"
	"slices"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// StatusLister reads a Carerix account's data nodes (carerix.Client).
type StatusLister interface {
	DataNodeListBy(ctx context.Context, nodeType, tag string) ([]carerix.DataNode, error)
}

// CheckFilters resolves t's status filters against the statuses its
// Carerix account has now, so a filter naming an unknown status is
// refused when it is set, with the statuses the account has, rather than
// when the sync runs. Nothing is stored.
func CheckFilters(ctx context.Context, r StatusLister, t *recrubo.Tenant) error {
	for _, k := range statusKinds(t) {
		if len(k.wanted) == 0 {
			continue
		}
		nodes, err := readStatusNodes(ctx, r, t.ID, k.kind, k.nodeType)
		if err != nil {
			return err
		}
		if _, err := ResolveStatuses(k.kind, nodes, k.wanted); err != nil {
			return err
		}
	}
	return nil
}

// FiltersChanged reports whether b's status filters differ from a's.
func FiltersChanged(a, b recrubo.StatusFilters) bool {
	return !slices.Equal(a.CandidateStatuses, b.CandidateStatuses) || !slices.Equal(a.VacancyStatuses, b.VacancyStatuses)
}

// statusKind is one kind of status a tenant filters on.
type statusKind struct {
	kind     recrubo.StatusKind
	nodeType string
	wanted   []string
}

// statusKinds are t's status filters by kind.
func statusKinds(t *recrubo.Tenant) [2]statusKind {
	return [2]statusKind{
		{recrubo.StatusCandidate, nodeTypeCandidate, t.Filters.CandidateStatuses},
		{recrubo.StatusVacancy, nodeTypeVacancy, t.Filters.VacancyStatuses},
	}
}

// readStatusNodes reads the account's status nodes of one kind.
func readStatusNodes(ctx context.Context, r StatusLister, tenantID string, kind recrubo.StatusKind, nodeType string) ([]*recrubo.StatusNode, error) {
	raw, err := r.DataNodeListBy(ctx, nodeType, "")
	if err != nil {
		return nil, fmt.Errorf("listing %s statuses: %w", kind, err)
	}
	nodes := make([]*recrubo.StatusNode, len(raw))
	for i := range raw {
		nodes[i] = toStatusNode(tenantID, kind, &raw[i])
	}
	return nodes, nil
}

// ResolveStatuses maps a tenant's chosen statuses, each an export code or a
// label, to the tenant's status nodes. Export codes match first (they are
// stable); labels match case-insensitively. An entry that matches nothing is
// refused with the list of statuses the tenant actually has.
func ResolveStatuses(kind recrubo.StatusKind, nodes []*recrubo.StatusNode, wanted []string) ([]*recrubo.StatusNode, error) {
	var out []*recrubo.StatusNode
	seen := map[string]bool{}
	var unknown []string
	for _, w := range wanted {
		n := findStatus(nodes, strings.TrimSpace(w))
		if n == nil {
			unknown = append(unknown, w)
			continue
		}
		if !seen[n.ID] {
			seen[n.ID] = true
			out = append(out, n)
		}
	}
	if len(unknown) > 0 {
		have := make([]string, 0, len(nodes))
		for _, n := range nodes {
			if n.ExportCode != "" {
				have = append(have, fmt.Sprintf("%s (%s)", n.Value, n.ExportCode))
			} else {
				have = append(have, n.Value)
			}
		}
		return nil, recrubo.Errorf(recrubo.EINVALID, "Unknown %s status %s. This Carerix account has: %s.",
			kind, quoteList(unknown), strings.Join(have, ", "))
	}
	return out, nil
}

func findStatus(nodes []*recrubo.StatusNode, w string) *recrubo.StatusNode {
	if w == "" {
		return nil
	}
	for _, n := range nodes {
		if n.ExportCode != "" && strings.EqualFold(n.ExportCode, w) {
			return n
		}
	}
	for _, n := range nodes {
		if strings.EqualFold(strings.TrimSpace(n.Value), w) {
			return n
		}
	}
	return nil
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
