package sync

import (
	"fmt"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
)

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
