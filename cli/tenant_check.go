package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
)

// carerixCheckTimeout bounds the checks of a tenant against Carerix.
const carerixCheckTimeout = 30 * time.Second

// carerixChecks say what to check against Carerix before saving a tenant.
type carerixChecks struct {
	sync    bool // the integration client's credentials
	admin   bool // the admin client's credentials
	filters bool // the status filters, against the account's statuses
}

// syncAccessChanged reports whether the integration client's access
// changed between a and b (what checking it would find out).
func syncAccessChanged(a, b *recrubo.Tenant) bool {
	x, y := a.Carerix, b.Carerix
	return x.APIBaseURL != y.APIBaseURL || x.IdentityBaseURL != y.IdentityBaseURL || x.Realm != y.Realm ||
		x.ClientID != y.ClientID || x.ClientSecret.Reveal() != y.ClientSecret.Reveal()
}

// adminAccessChanged reports whether the admin client's access changed.
func adminAccessChanged(a, b *recrubo.Tenant) bool {
	x, y := a.Carerix, b.Carerix
	return x.APIBaseURL != y.APIBaseURL || x.IdentityBaseURL != y.IdentityBaseURL || x.Realm != y.Realm ||
		a.Admin.ClientID != b.Admin.ClientID || a.Admin.ClientSecret.Reveal() != b.Admin.ClientSecret.Reveal()
}

// checkCarerix asks Carerix, for what c names, whether t's settings work:
// each client signs in and reads something (a wrong client id or secret is
// refused, naming the client and where its settings come from; a missing
// scope only warns, since provision names and checks scopes), the
// tenant's Carerix API contract offers what the product needs (a tenant
// whose Carerix lacks a required field is refused in one line naming the
// Carerix type, the field and the names tried), and the status filters
// name statuses the account has. It returns the contract it read with the
// integration client (nil when c does not check that client).
func (e *env) checkCarerix(ctx context.Context, t *recrubo.Tenant, c carerixChecks) (*carerix.Contract, error) {
	if !c.sync && !c.admin && !c.filters {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, carerixCheckTimeout)
	defer cancel()
	var reader *carerix.Client
	if c.sync || c.filters {
		var err error
		if reader, err = carerix.New(carerix.TenantConfig(t)); err != nil {
			return nil, fmt.Errorf("the integration client's settings are not usable: %w", err)
		}
	}
	var errs []error
	var k *carerix.Contract
	if c.sync {
		var err error
		k, err = reader.Contract(ctx)
		if err == nil {
			if cerr := k.Err(); cerr != nil {
				return nil, fmt.Errorf("tenant not saved: the tenant's Carerix API lacks what Recrubo needs: %s", carerix.ContractProblem(cerr))
			}
			_, err = reader.EmployeePage(ctx, carerix.PageRequest{Size: 1})
		}
		errs = append(errs, e.clientProblem(t, "integration", err))
	}
	if c.admin {
		admin, err := carerix.New(carerix.AdminConfig(t))
		if err == nil {
			_, err = admin.TemplateReferencePage(ctx, carerix.PageRequest{Size: 1})
		}
		errs = append(errs, e.clientProblem(t, "admin", err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if c.filters && len(t.Filters.CandidateStatuses)+len(t.Filters.VacancyStatuses) > 0 {
		err := carerixsync.CheckFilters(ctx, reader, t)
		if recrubo.ErrorCode(err) == recrubo.EINVALID {
			return nil, e.explain(err)
		}
		if err != nil {
			return nil, fmt.Errorf("checking the status filters against Carerix: %w (--no-check saves them unchecked)", err)
		}
	}
	return k, nil
}

// clientProblem turns what Carerix answered a client ("integration" or
// "admin") into what the operator must do; nil when the client signed in.
func (e *env) clientProblem(t *recrubo.Tenant, client string, err error) error {
	id, idField, secretField, secretEnv := t.Carerix.ClientID, "carerix.client_id", "carerix.client_secret", "CARERIX_CLIENT_SECRET"
	if client == "admin" {
		id, idField, secretField, secretEnv = t.Admin.ClientID, "admin.client_id", "admin.client_secret", "CARERIX_ADMIN_CLIENT_SECRET"
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, carerix.ErrUnauthenticated):
		return fmt.Errorf("the %s client %q was refused by Carerix at %s (realm %s): wrong client id or secret; check %s, and %s in the file or %s",
			client, id, t.Carerix.IdentityBaseURL, t.Carerix.Realm, idField, secretField, secretEnv)
	case errors.Is(err, carerix.ErrMissingScope), errors.Is(err, carerix.ErrForbidden):
		// Signed in: the credentials are right. provision names what is missing.
		fmt.Fprintf(e.stderr, "warning: the %s client %q signed in but lacks a scope (%s); provision --dry-run lists what it needs\n",
			client, id, strings.TrimPrefix(err.Error(), "carerix "))
		return nil
	}
	return fmt.Errorf("could not check the %s client %q against Carerix at %s: %w (--no-check saves it unchecked)",
		client, id, t.Carerix.APIBaseURL, err)
}
