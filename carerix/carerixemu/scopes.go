package carerixemu

import (
	"slices"
	"strings"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

// OAuth2 scopes of the GraphQL API.
const (
	// ScopeCx5Manage unlocks every cr* operation. Confirmed on crEmployeeDelete's @anyScope.
	ScopeCx5Manage = "urn:cx/cx5Wrapper:data:manage"
	// ScopeCx5Read unlocks every cr* read (Assumption, by analogy).
	ScopeCx5Read = "urn:cx/cx5Wrapper:data:read"
	// ScopeGraphQLManage is reported as required for GraphQL since July 2024
	// (third-party); the emulator lets it unlock every cr* operation.
	ScopeGraphQLManage = "urn:cx/graphql:data:manage"
)

// EntityScope returns the per-entity cx5Wrapper scope, e.g.
// EntityScope("cremployee", "read") = "urn:cx/cx5Wrapper:data/cremployee:read".
// The :manage form is Confirmed on crEmployeeDelete; :read follows the
// documented pattern (Assumption).
func EntityScope(entity, action string) string {
	return "urn:cx/cx5Wrapper:data/" + entity + ":" + action
}

// scopedEntities are the entities with per-entity scopes.
var scopedEntities = []string{"cremployee", "crvacancy", "crmatch", "cruser", "crdatanode", "crstatusinfo", "crtemplatereference", "crtodo",
	"crcompany", "crjob", "crpublication"}

// AllScopes returns every scope the emulator checks, in a stable order;
// it is the default scope set of a configured client.
func AllScopes() []string {
	out := []string{ScopeCx5Manage, ScopeCx5Read, ScopeGraphQLManage}
	for _, e := range scopedEntities {
		out = append(out, EntityScope(e, "read"), EntityScope(e, "manage"))
	}
	return append(out,
		webhooks.ScopeManage, webhooks.ScopeRead,
		webhooks.ScopeApplicationsManage, webhooks.ScopeApplicationsRead,
		webhooks.ScopeWebhooksManage, webhooks.ScopeWebhooksRead)
}

// crRead lists the scopes accepted by reads of a cr* entity.
func crRead(entity string) []string {
	return []string{ScopeCx5Manage, ScopeGraphQLManage, ScopeCx5Read, EntityScope(entity, "read"), EntityScope(entity, "manage")}
}

// crManage lists the scopes accepted by mutations of a cr* entity.
func crManage(entity string) []string {
	return []string{ScopeCx5Manage, ScopeGraphQLManage, EntityScope(entity, "manage")}
}

var (
	webhookAppRead    = []string{webhooks.ScopeManage, webhooks.ScopeRead, webhooks.ScopeApplicationsManage, webhooks.ScopeApplicationsRead}
	webhookAppManage  = []string{webhooks.ScopeManage, webhooks.ScopeApplicationsManage}
	webhookHookRead   = []string{webhooks.ScopeManage, webhooks.ScopeRead, webhooks.ScopeWebhooksManage, webhooks.ScopeWebhooksRead}
	webhookHookManage = []string{webhooks.ScopeManage, webhooks.ScopeWebhooksManage}
)

// operationScopes is the emulator's @anyScope table: each root GraphQL
// field and the scopes of which the token needs at least one. Every root
// field of schema.graphql must appear here (a test checks it); fields
// missing from the table are refused.
var operationScopes = map[string][]string{
	"crEmployee":              crRead("cremployee"),
	"crEmployeePage":          crRead("cremployee"),
	"crVacancy":               crRead("crvacancy"),
	"crVacancyPage":           crRead("crvacancy"),
	"crMatch":                 crRead("crmatch"),
	"crMatchPage":             crRead("crmatch"),
	"crUser":                  crRead("cruser"),
	"crUserPage":              crRead("cruser"),
	"crDataNode":              crRead("crdatanode"),
	"crDataNodePage":          crRead("crdatanode"),
	"crDataNodeListBy":        crRead("crdatanode"),
	"crStatusInfoList":        crRead("crstatusinfo"),
	"crTemplateReference":     crRead("crtemplatereference"),
	"crTemplateReferencePage": crRead("crtemplatereference"),
	// The crtodo scopes follow the per-entity pattern (Assumption); the
	// cx5Wrapper and graphql scopes unlock activities like every cr* entity.
	"crToDo":            crRead("crtodo"),
	"crCompany":         crRead("crcompany"),
	"crCompanyPage":     crRead("crcompany"),
	"crJob":             crRead("crjob"),
	"crJobPage":         crRead("crjob"),
	"crPublication":     crRead("crpublication"),
	"crPublicationPage": crRead("crpublication"),

	"crEmployeeCreate":          crManage("cremployee"),
	"crEmployeeUpdate":          crManage("cremployee"),
	"crEmployeeDelete":          crManage("cremployee"),
	"crVacancyCreate":           crManage("crvacancy"),
	"crVacancyUpdate":           crManage("crvacancy"),
	"crVacancyDelete":           crManage("crvacancy"),
	"crMatchCreate":             crManage("crmatch"),
	"crMatchUpdate":             crManage("crmatch"),
	"crMatchDelete":             crManage("crmatch"),
	"crTemplateReferenceCreate": crManage("crtemplatereference"),
	"crTemplateReferenceUpdate": crManage("crtemplatereference"),
	"crTemplateReferenceDelete": crManage("crtemplatereference"),
	"crToDoCreate":              crManage("crtodo"),
	"crToDoUpdate":              crManage("crtodo"),
	"crToDoDelete":              crManage("crtodo"),

	"webhookApplication":       webhookAppRead,
	"webhookApplicationPage":   webhookAppRead,
	"webhookApplicationCreate": webhookAppManage,
	"webhookApplicationDelete": webhookAppManage,
	"webhook":                  webhookHookRead,
	"webhookPage":              webhookHookRead,
	"webhookDeliveryJobPage":   webhookHookRead,
	"webhookCreate":            webhookHookManage,
	"webhookEnable":            webhookHookManage,
	"webhookDisable":           webhookHookManage,
	"webhookDelete":            webhookHookManage,
}

// OperationScopes returns the scopes accepted by a root GraphQL field (any
// one suffices), or nil for an unknown field.
func OperationScopes(op string) []string { return slices.Clone(operationScopes[op]) }

// hasAnyScope reports whether granted contains one of required.
func hasAnyScope(granted, required []string) bool {
	for _, r := range required {
		if slices.Contains(granted, r) {
			return true
		}
	}
	return false
}

// scopeMessage names the missing scopes of an operation.
func scopeMessage(op string, required []string) string {
	return "missing scope: " + op + " requires one of " + strings.Join(required, ", ")
}
