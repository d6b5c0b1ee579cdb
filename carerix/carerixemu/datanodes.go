package carerixemu

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Node type names of the default data nodes (Confirmed names from the
// Carerix entity metadata, except NodeTypeSystemTag).
const (
	NodeTypeCandidateStatus   = "Kandidaat-status"
	NodeTypeVacancyStatus     = "Vacature-status"
	NodeTypePublicationStatus = "Publicatie-status"
	NodeTypeDocumentType      = "Document-type"
	// NodeTypeSystemTag holds the parent tag nodes (CandidateActiveTag, ...).
	// Carerix's real type for them is not documented (Assumption).
	NodeTypeSystemTag = "Systeemtag"
)

// Parent tag values. CandidateActiveTag, CVTag and the Publication* tags
// appear in Carerix's examples; the others are emulator inventions.
const (
	TagCandidateActive         = "CandidateActiveTag"
	TagCandidateInactive       = "CandidateInactiveTag"
	TagVacancyOpen             = "VacancyOpenTag"
	TagVacancyClosed           = "VacancyClosedTag"
	TagPublicationActive       = "PublicationActiveTag"
	TagPublicationStopped      = "PublicationStoppedTag"
	TagPublicationToBeStopped  = "PublicationToBeStoppedTag"
	TagPublicationPublishFaild = "PublicationPublishFailedTag"
)

// defaultNode is one row of the default data-node table.
type defaultNode struct {
	typ, nl, en, exportCode, tag, parent string
	notActive                            bool
}

// defaultNodes are installed in every emulator, tags first.
var defaultNodes = []defaultNode{
	{typ: NodeTypeSystemTag, nl: TagCandidateActive, en: TagCandidateActive, tag: TagCandidateActive},
	{typ: NodeTypeSystemTag, nl: TagCandidateInactive, en: TagCandidateInactive, tag: TagCandidateInactive},
	{typ: NodeTypeSystemTag, nl: TagVacancyOpen, en: TagVacancyOpen, tag: TagVacancyOpen},
	{typ: NodeTypeSystemTag, nl: TagVacancyClosed, en: TagVacancyClosed, tag: TagVacancyClosed},
	{typ: NodeTypeSystemTag, nl: TagPublicationActive, en: TagPublicationActive, tag: TagPublicationActive},
	{typ: NodeTypeSystemTag, nl: TagPublicationStopped, en: TagPublicationStopped, tag: TagPublicationStopped},
	{typ: NodeTypeSystemTag, nl: TagPublicationToBeStopped, en: TagPublicationToBeStopped, tag: TagPublicationToBeStopped},
	{typ: NodeTypeSystemTag, nl: TagPublicationPublishFaild, en: TagPublicationPublishFaild, tag: TagPublicationPublishFaild},

	{typ: NodeTypeCandidateStatus, nl: "Nieuw", en: "New", exportCode: "CAND_NEW", parent: TagCandidateActive},
	{typ: NodeTypeCandidateStatus, nl: "Actief", en: "Active", exportCode: "CAND_ACTIVE", parent: TagCandidateActive},
	{typ: NodeTypeCandidateStatus, nl: "Beschikbaar", en: "Available", exportCode: "CAND_AVAILABLE", parent: TagCandidateActive},
	{typ: NodeTypeCandidateStatus, nl: "Niet beschikbaar", en: "Not available", exportCode: "CAND_UNAVAILABLE", parent: TagCandidateInactive},
	{typ: NodeTypeCandidateStatus, nl: "Geplaatst", en: "Placed", exportCode: "CAND_PLACED", parent: TagCandidateInactive},
	{typ: NodeTypeCandidateStatus, nl: "Archief", en: "Archived", exportCode: "CAND_ARCHIVED", parent: TagCandidateInactive},
	{typ: NodeTypeCandidateStatus, nl: "Oud (niet gebruiken)", en: "Old (do not use)", exportCode: "CAND_OLD", notActive: true},

	{typ: NodeTypeVacancyStatus, nl: "Open", en: "Open", exportCode: "VAC_OPEN", parent: TagVacancyOpen},
	{typ: NodeTypeVacancyStatus, nl: "In behandeling", en: "In progress", exportCode: "VAC_IN_PROGRESS", parent: TagVacancyOpen},
	{typ: NodeTypeVacancyStatus, nl: "On hold", en: "On hold", exportCode: "VAC_ON_HOLD", parent: TagVacancyClosed},
	{typ: NodeTypeVacancyStatus, nl: "Vervuld", en: "Filled", exportCode: "VAC_FILLED", parent: TagVacancyClosed},
	{typ: NodeTypeVacancyStatus, nl: "Gesloten", en: "Closed", exportCode: "VAC_CLOSED", parent: TagVacancyClosed},

	{typ: NodeTypePublicationStatus, nl: "Gepubliceerd", en: "Published", exportCode: "PUB_PUBLISHED", parent: TagPublicationActive},
	{typ: NodeTypePublicationStatus, nl: "Gestopt", en: "Stopped", exportCode: "PUB_STOPPED", parent: TagPublicationStopped},
	{typ: NodeTypePublicationStatus, nl: "Te stoppen", en: "To be stopped", exportCode: "PUB_TO_STOP", parent: TagPublicationToBeStopped},
	{typ: NodeTypePublicationStatus, nl: "Publicatie mislukt", en: "Publication failed", exportCode: "PUB_FAILED", parent: TagPublicationPublishFaild},

	{typ: NodeTypeDocumentType, nl: "CV", en: "CV", exportCode: "DOC_CV", tag: "CVTag"},
	{typ: NodeTypeDocumentType, nl: "Motivatiebrief", en: "Motivation letter", exportCode: "DOC_MOTIVATION", tag: "MotivationTag"},
	{typ: NodeTypeDocumentType, nl: "Identiteitsbewijs", en: "Identity document", exportCode: "DOC_ID", tag: "IDTag"},
}

// defaultStages are the match stages (CRStatusInfo) of every emulator.
var defaultStages = []StatusInfo{
	{StatusName: "applied", DisplayName: "Sollicitatie", SortOrder: 10},
	{StatusName: "proposed", DisplayName: "Voorgesteld", SortOrder: 20},
	{StatusName: "interview", DisplayName: "Gesprek bij klant", SortOrder: 30},
	{StatusName: "offered", DisplayName: "Aanbod", SortOrder: 40},
	{StatusName: "placed", DisplayName: "Geplaatst", SortOrder: 50, IsFinal: true},
	{StatusName: "rejected", DisplayName: "Afgewezen", SortOrder: 60, IsFinal: true},
}

// installDefaults adds the default node types, data nodes, stages and roles.
func (s *Store) installDefaults(english bool) {
	for _, d := range defaultNodes {
		value := d.nl
		if english {
			value = d.en
		}
		f := DataNodeFields{Type: d.typ, Value: value, ExportCode: d.exportCode, Tag: d.tag,
			NotActive: d.notActive, IsHidden: d.typ == NodeTypeSystemTag}
		if d.parent != "" {
			f.Parents = []string{d.parent}
		}
		if _, err := s.createNodeLocked(f); err != nil {
			panic(fmt.Sprintf("installing default data node %q: %v", d.nl, err))
		}
	}
	for _, st := range defaultStages {
		k := s.statusInfos.nextKey()
		st.ID, st.StatusInfoID = idString(k), k
		s.statusInfos.put(k, &st)
	}
	for _, r := range []string{RoleAdministrator, RoleRecruiter, RoleConsultant} {
		s.roleLocked(r)
	}
}

// Default user role names.
const (
	RoleAdministrator = "Administrator"
	RoleRecruiter     = "Recruiter"
	RoleConsultant    = "Consultant"
)

// CreateDataNode adds a data node (e.g. a tenant-specific status). It
// publishes nothing: webhooks for data nodes are not emulated.
func (s *Store) CreateDataNode(_ context.Context, f DataNodeFields) (DataNode, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.createNodeLocked(f)
	if err != nil {
		return DataNode{}, fmt.Errorf("creating data node: %w", err)
	}
	return n.clone(), nil
}

func (s *Store) createNodeLocked(f DataNodeFields) (*DataNode, error) {
	if f.Type == "" || f.Value == "" {
		return nil, invalid("type and value are required")
	}
	n := &DataNode{Type: f.Type, Value: f.Value, ExportCode: f.ExportCode, Tag: f.Tag,
		NotActive: f.NotActive, IsHidden: f.IsHidden}
	for _, p := range f.Parents {
		k, err := s.findNodeLocked("", p)
		if err != nil {
			return nil, fmt.Errorf("parent: %w", err)
		}
		n.ParentIDs = append(n.ParentIDs, k)
	}
	if !slices.Contains(s.nodeTypes, f.Type) {
		s.nodeTypes = append(s.nodeTypes, f.Type)
	}
	k := s.nodes.nextKey()
	n.ID, n.DataNodeID = idString(k), k
	n.CreationDate = s.stamp()
	n.ModificationDate = n.CreationDate
	n.rehash()
	s.nodes.put(k, n)
	return n, nil
}

// SetDataNodeActive sets notActive = !active on a data node.
func (s *Store) SetDataNodeActive(_ context.Context, id string, active bool) (DataNode, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := parseKey(id)
	n := s.nodes.get(k)
	if !ok || n == nil {
		return DataNode{}, fmt.Errorf("updating data node: %w", notFound(KindDataNode, id))
	}
	if n.NotActive != !active {
		n.NotActive = !active
		n.ModificationDate = s.stamp()
		n.rev++
		n.rehash()
	}
	return n.clone(), nil
}

// DataNode returns a data node by _id.
func (s *Store) DataNode(id string) (DataNode, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := parseKey(id)
	if !ok || s.nodes.get(k) == nil {
		return DataNode{}, notFound(KindDataNode, id)
	}
	return s.nodes.get(k).clone(), nil
}

// DataNodes returns the data nodes of a node type ("" = all) by ascending id.
func (s *Store) DataNodes(typ string) []DataNode {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []DataNode
	for _, n := range s.nodes.all() {
		if typ == "" || n.Type == typ {
			out = append(out, n.clone())
		}
	}
	return out
}

// DataNodeByLabel finds a live node of a type by _id, exportCode, tag or
// value (exact, then case-insensitive).
func (s *Store) DataNodeByLabel(typ, ref string) (DataNode, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, err := s.findNodeLocked(typ, ref)
	if err != nil {
		return DataNode{}, err
	}
	return s.nodes.get(k).clone(), nil
}

// resolveNodeLocked finds a node for a status field; "" yields 0 (none).
func (s *Store) resolveNodeLocked(typ, ref string) (int, error) {
	if ref == "" {
		return 0, nil
	}
	return s.findNodeLocked(typ, ref)
}

// findNodeLocked finds a live node of type typ ("" = any) by _id,
// exportCode, tag or value, exact matches before case-insensitive ones.
func (s *Store) findNodeLocked(typ, ref string) (int, error) {
	ok := func(n *DataNode) bool { return !n.Deleted && (typ == "" || n.Type == typ) }
	if k, isKey := parseKey(ref); isKey {
		if n := s.nodes.get(k); n != nil && ok(n) {
			return k, nil
		}
	}
	all := s.nodes.all()
	for _, n := range all {
		if ok(n) && (n.ExportCode == ref || n.Tag == ref || n.Value == ref) && ref != "" {
			return n.DataNodeID, nil
		}
	}
	for _, n := range all {
		if ok(n) && strings.EqualFold(n.Value, ref) {
			return n.DataNodeID, nil
		}
	}
	if typ == "" {
		return 0, invalid("no data node %q", ref)
	}
	return 0, invalid("no %s data node %q", typ, ref)
}

// lookupNodeLocked implements a GraphQL _lookup {key, value} on data nodes.
func (s *Store) lookupNodeLocked(key, value string) (int, error) {
	for _, n := range s.nodes.all() {
		if n.Deleted {
			continue
		}
		var v string
		switch key {
		case "tag":
			v = n.Tag
		case "value":
			v = n.Value
		case "exportCode":
			v = n.ExportCode
		default:
			return 0, invalid("unsupported _lookup key %q (want tag, value or exportCode)", key)
		}
		if v == value {
			return n.DataNodeID, nil
		}
	}
	return 0, invalid("no data node with %s %q", key, value)
}

// childrenLocked returns the keys of nodes that list k as a parent.
func (s *Store) childrenLocked(k int) []int {
	var out []int
	for _, n := range s.nodes.all() {
		if slices.Contains(n.ParentIDs, k) {
			out = append(out, n.DataNodeID)
		}
	}
	return out
}

// nodeTypeKey returns the _id of a node type name (its 1-based position).
func (s *Store) nodeTypeKey(name string) int {
	return slices.Index(s.nodeTypes, name) + 1
}

// clone returns a copy sharing no slices.
func (n *DataNode) clone() DataNode {
	c := *n
	c.ParentIDs = slices.Clone(n.ParentIDs)
	return c
}

// rehash recomputes StableHash from the other fields.
func (n *DataNode) rehash() {
	c := n.clone()
	c.StableHash = ""
	n.StableHash = hashOf(KindDataNode, c.rev, c)
}
