package webhooks

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// OAuth2 scopes accepted by the management API.
const (
	// ScopeManage is the documented scope for webhook management (Confirmed).
	ScopeManage = "urn:cx/webhooks:data:manage"
	// ScopeRead is a read-only scope seen in third-party code.
	ScopeRead = "urn:cx/webhooks:data:read"
	// ScopeApplicationsManage is documented on the GraphQL webhookApplication query.
	ScopeApplicationsManage = "urn:cx/webhooks:data/applications:manage"
	// ScopeApplicationsRead is documented on the GraphQL webhookApplication query.
	ScopeApplicationsRead = "urn:cx/webhooks:data/applications:read"
	// ScopeWebhooksManage is seen in third-party code.
	ScopeWebhooksManage = "urn:cx/webhooks:data/webhooks:manage"
	// ScopeWebhooksRead follows the naming pattern; not seen anywhere (Assumption).
	ScopeWebhooksRead = "urn:cx/webhooks:data/webhooks:read"
)

// Scope sets per kind of route, broadest first.
var (
	applicationsReadScopes   = []string{ScopeManage, ScopeRead, ScopeApplicationsManage, ScopeApplicationsRead}
	applicationsManageScopes = []string{ScopeManage, ScopeApplicationsManage}
	webhooksReadScopes       = []string{ScopeManage, ScopeRead, ScopeWebhooksManage, ScopeWebhooksRead}
	webhooksManageScopes     = []string{ScopeManage, ScopeWebhooksManage}
)

// authorize passes when Options.Authorize accepts any of scopes. It returns
// the HTTP status and message to send otherwise.
func (s *Service) authorize(r *http.Request, scopes []string) (int, string, bool) {
	if s.opts.Authorize == nil {
		return 0, "", true
	}
	for _, scope := range scopes {
		err := s.opts.Authorize(r, scope)
		if err == nil {
			return 0, "", true
		}
		if errors.Is(err, ErrUnauthenticated) {
			return http.StatusUnauthorized, fmt.Sprintf("authentication required: %v", err), false
		}
	}
	return http.StatusForbidden, "missing scope: token needs one of " + strings.Join(scopes, ", "), false
}
