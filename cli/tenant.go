package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/config"
	"github.com/recrubo/recrubo-carerix/keyring"
	"github.com/recrubo/recrubo-carerix/store"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
)

// tenantFlags are the tenant settings that may be given on the command line.
// Secrets are deliberately not flags (they would land in shell history and
// process listings): they come from the file or from environment variables.
type tenantFlags struct {
	file        string
	slug        string
	name        string
	origins     []string
	candStatus  []string
	vacStatus   []string
	language    string
	timeZone    string
	apiURL      string
	identityURL string
	realm       string
	application string
	clientID    string
	adminID     string
	noCheck     bool
}

func (f *tenantFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.file, "file", "f", "", "YAML or JSON file with the tenant's settings (- for standard input)")
	fl.StringVar(&f.slug, "slug", "", "tenant slug used in URLs, e.g. acme")
	fl.BoolVar(&f.noCheck, "no-check", false, "save without asking Carerix: credentials and status filters unchecked")
	fl.BoolVar(&f.noCheck, "no-status-check", false, "the same as --no-check")
	_ = fl.MarkDeprecated("no-status-check", "use --no-check (it skips every check against Carerix)")
	fl.StringVar(&f.name, "name", "", "display name")
	fl.StringSliceVar(&f.origins, "origin", nil, "Carerix origin allowed to frame our pages, e.g. https://acme.carerix.net (repeatable)")
	fl.StringSliceVar(&f.candStatus, "candidate-status", nil, "candidate status to sync, by export code or label (repeatable)")
	fl.StringSliceVar(&f.vacStatus, "vacancy-status", nil, "vacancy status to sync, by export code or label (repeatable)")
	fl.StringVar(&f.language, "language", "", "default language: nl or en")
	fl.StringVar(&f.timeZone, "time-zone", "", "IANA time zone (default Europe/Amsterdam)")
	fl.StringVar(&f.apiURL, "api-url", "", "Carerix API base URL (https://api.carerix.io)")
	fl.StringVar(&f.identityURL, "identity-url", "", "Carerix identity host, e.g. https://id-s3.carerix.io")
	fl.StringVar(&f.realm, "realm", "", "identity realm (usually the application name)")
	fl.StringVar(&f.application, "application", "", "Carerix application name (acme in acme.carerix.net)")
	fl.StringVar(&f.clientID, "client-id", "", "OAuth client id for reading (secret: CARERIX_CLIENT_SECRET)")
	fl.StringVar(&f.adminID, "admin-client-id", "", "admin OAuth client id for provisioning (secret: CARERIX_ADMIN_CLIENT_SECRET)")
}

// apply overlays the flags that were set, and secrets from the environment.
func (f *tenantFlags) apply(cmd *cobra.Command, t *recrubo.Tenant, getenv func(string) string) {
	set := func(name string, dst *string, v string) {
		if cmd.Flags().Changed(name) {
			*dst = v
		}
	}
	set("slug", &t.Slug, f.slug)
	set("name", &t.DisplayName, f.name)
	set("language", &t.Language, f.language)
	set("time-zone", &t.TimeZone, f.timeZone)
	set("api-url", &t.Carerix.APIBaseURL, f.apiURL)
	set("identity-url", &t.Carerix.IdentityBaseURL, f.identityURL)
	set("realm", &t.Carerix.Realm, f.realm)
	set("application", &t.Carerix.Application, f.application)
	set("client-id", &t.Carerix.ClientID, f.clientID)
	set("admin-client-id", &t.Admin.ClientID, f.adminID)
	if cmd.Flags().Changed("origin") {
		t.FrameOrigins = f.origins
	}
	if cmd.Flags().Changed("candidate-status") {
		t.Filters.CandidateStatuses = f.candStatus
	}
	if cmd.Flags().Changed("vacancy-status") {
		t.Filters.VacancyStatuses = f.vacStatus
	}
	if v := getenv("CARERIX_CLIENT_SECRET"); v != "" {
		t.Carerix.ClientSecret = recrubo.NewSecret(v)
	}
	if v := getenv("CARERIX_ADMIN_CLIENT_SECRET"); v != "" {
		t.Admin.ClientSecret = recrubo.NewSecret(v)
	}
}

// openStore opens the configured store for an operator command.
func (e *env) openStore(ctx context.Context) (*store.DB, error) {
	cfg := config.Default()
	errs := cfg.Apply(e.getenv)
	if cfg.MasterKey == "" {
		errs = append(errs, config.ErrNoMasterKey)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	kr, err := keyring.Parse(cfg.MasterKey)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	u, err := cfg.StoreURL()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, store.Config{URL: u, DataDir: cfg.DataDir, Cipher: kr})
}

// withTenant opens the store, loads the tenant by slug and calls fn.
func (e *env) withTenant(ctx context.Context, slug string, fn func(*store.DB, *recrubo.Tenant) error) error {
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := db.TenantBySlug(ctx, slug)
	if err != nil {
		return e.explain(err)
	}
	return fn(db, t)
}

// explain turns a domain error into what the operator reads: one line per
// invalid field, or the safe message.
func (e *env) explain(err error) error {
	if fields := recrubo.ErrorFields(err); len(fields) > 0 {
		for _, f := range fields {
			fmt.Fprintf(e.stderr, "  %s: %s\n", f.Field, f.Message)
		}
		return errors.New("tenant not saved: " + recrubo.ErrorMessage(err))
	}
	if c := recrubo.ErrorCode(err); c != recrubo.EINTERNAL && c != "" {
		return errors.New(recrubo.ErrorMessage(err))
	}
	return err
}

func randomSecret() recrubo.Secret {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return recrubo.NewSecret(base64.RawURLEncoding.EncodeToString(b))
}

func (e *env) tenantCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "tenant", Short: "Manage tenants (Carerix customers)"}
	cmd.AddCommand(e.tenantAddCmd(), e.tenantUpdateCmd(), e.tenantListCmd(), e.tenantShowCmd(), e.tenantRemoveCmd(), e.tenantVerifyLinkCmd(),
		e.tenantWhatsAppCmd())
	return cmd
}

func (e *env) tenantAddCmd() *cobra.Command {
	var f tenantFlags
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a tenant from flags and/or a YAML/JSON file (see examples/tenant.yaml)",
		Long: `Add a tenant from a YAML or JSON file (examples/tenant.yaml has every field,
commented) and/or flags; secrets come from the file or from CARERIX_CLIENT_SECRET
and CARERIX_ADMIN_CLIENT_SECRET. Every problem is reported, one line each, and
nothing is saved while there is one. Before saving, both Carerix clients are
checked (a wrong client id or secret is refused, naming the client) and the
status filters are checked against the statuses the account has; --no-check
saves without asking Carerix.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t := &recrubo.Tenant{}
			var problems []string
			if f.file != "" {
				var err error
				if problems, err = readTenantFile(f.file, cmd.InOrStdin(), t); err != nil {
					return err
				}
			}
			f.apply(cmd, t, e.getenv)
			if t.Webhook.Secret.IsZero() {
				t.Webhook.Secret = randomSecret()
			}
			if t.Embed.SigningKey.IsZero() {
				t.Embed.SigningKey = randomSecret()
			}
			t.Normalize()
			if err := e.reportProblems(problems, t.Validate()); err != nil {
				return err
			}
			var k *carerix.Contract
			if !f.noCheck {
				var err error
				if k, err = e.checkCarerix(cmd.Context(), t, carerixChecks{sync: true, admin: true, filters: true}); err != nil {
					return err
				}
			}
			db, err := e.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.CreateTenant(cmd.Context(), t); err != nil {
				return e.explain(err)
			}
			if err := e.saveContract(cmd.Context(), db, t, k); err != nil {
				return err
			}
			e.warnFilters(t)
			fmt.Fprintf(e.stdout, "added tenant %s (%s)\n", t.Slug, t.ID)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func (e *env) tenantUpdateCmd() *cobra.Command {
	var f tenantFlags
	cmd := &cobra.Command{
		Use:   "update SLUG",
		Short: "Change a tenant's settings; only what is given changes",
		Long: `Change a tenant's settings from a file and/or flags; only what is given changes.
A changed client id, secret or Carerix address is checked against Carerix before
saving (naming the client Carerix refuses), and changed status filters against
the statuses the account has; --no-check saves without asking Carerix.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withTenant(cmd.Context(), args[0], func(db *store.DB, t *recrubo.Tenant) error {
				before := *t
				var problems []string
				if f.file != "" {
					var err error
					if problems, err = readTenantFile(f.file, cmd.InOrStdin(), t); err != nil {
						return err
					}
				}
				f.apply(cmd, t, e.getenv)
				t.ID, t.CreatedAt = before.ID, before.CreatedAt
				t.Normalize()
				if err := e.reportProblems(problems, t.Validate()); err != nil {
					return err
				}
				var k *carerix.Contract
				if !f.noCheck {
					checks := carerixChecks{
						sync:    syncAccessChanged(&before, t),
						admin:   adminAccessChanged(&before, t),
						filters: carerixsync.FiltersChanged(before.Filters, t.Filters),
					}
					var err error
					if k, err = e.checkCarerix(cmd.Context(), t, checks); err != nil {
						return err
					}
				}
				if err := db.UpdateTenant(cmd.Context(), t); err != nil {
					return e.explain(err)
				}
				if err := e.saveContract(cmd.Context(), db, t, k); err != nil {
					return err
				}
				e.warnFilters(t)
				fmt.Fprintf(e.stdout, "updated tenant %s\n", t.Slug)
				return nil
			})
		},
	}
	f.register(cmd)
	return cmd
}

// reportProblems prints every problem of a tenant, those of its file and
// those validation found, one line each, and returns the error that says
// it was not saved; nil when there are none.
func (e *env) reportProblems(fileProblems []string, validation error) error {
	if validation != nil && len(recrubo.ErrorFields(validation)) == 0 {
		return e.explain(validation)
	}
	n := len(fileProblems) + len(recrubo.ErrorFields(validation))
	if n == 0 {
		return nil
	}
	for _, p := range fileProblems {
		fmt.Fprintf(e.stderr, "  %s\n", p)
	}
	for _, f := range recrubo.ErrorFields(validation) {
		fmt.Fprintf(e.stderr, "  %s: %s\n", f.Field, f.Message)
	}
	if n == 1 {
		return errors.New("tenant not saved: 1 problem")
	}
	return fmt.Errorf("tenant not saved: %d problems", n)
}

// warnFilters warns about status filters that sync nothing.
func (e *env) warnFilters(t *recrubo.Tenant) {
	if len(t.Filters.CandidateStatuses) == 0 {
		fmt.Fprintln(e.stderr, "warning: filters.candidate_statuses is empty: no candidates (and so no matches) will be synced; "+
			"set them with --candidate-status or in the file")
	}
	if len(t.Filters.VacancyStatuses) == 0 {
		fmt.Fprintln(e.stderr, "warning: filters.vacancy_statuses is empty: no vacancies and no matches will be synced; "+
			"set them with --vacancy-status or in the file")
	}
}

// saveContract stores the contract checkCarerix read (none: nothing) and
// prints what it switches off.
func (e *env) saveContract(ctx context.Context, db *store.DB, t *recrubo.Tenant, k *carerix.Contract) error {
	if k == nil {
		return nil
	}
	if err := carerix.SaveContract(ctx, db, t.ID, k); err != nil {
		return fmt.Errorf("storing the Carerix API contract: %w", err)
	}
	for _, g := range k.Optional() {
		if g.Effect != carerix.EffectNone {
			fmt.Fprintf(e.stdout, "note: %s\n", g)
		}
	}
	return nil
}

func (e *env) tenantListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List tenants",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := e.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			ts, err := db.Tenants(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "SLUG\tNAME\tCARERIX\tLANGUAGE\tVERIFIED")
			for _, t := range ts {
				verified := "no"
				if !t.VerifiedAt.IsZero() {
					verified = t.VerifiedAt.Format("2006-01-02")
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.Slug, t.DisplayName, t.Carerix.Application, t.Language, verified)
			}
			return w.Flush()
		},
	}
}

func (e *env) tenantShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show SLUG",
		Short: "Show a tenant's settings (secrets masked)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withTenant(cmd.Context(), args[0], func(db *store.DB, t *recrubo.Tenant) error {
				contract, err := showContract(cmd.Context(), db, t.ID)
				if err != nil {
					return err
				}
				// Secrets marshal as masks.
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					*recrubo.Tenant
					Contract *contractView `json:"carerix_contract"`
				}{t, contract})
			})
		},
	}
}

// contractView is a tenant's Carerix API contract as tenant show prints
// it: when it was read, what stops the tenant (if anything) and the
// contract's summary (names that differ from the documented ones, and
// every gap).
type contractView struct {
	ReadAt    time.Time `json:"read_at,omitzero"`
	Problem   string    `json:"problem,omitempty"`
	ProblemAt time.Time `json:"problem_at,omitzero"`
	Summary   []string  `json:"summary,omitempty"`
}

// showContract loads the tenant's contract for tenant show; nil when it
// was never read.
func showContract(ctx context.Context, db *store.DB, tenantID string) (*contractView, error) {
	stored, err := db.CarerixContract(ctx, tenantID)
	if recrubo.ErrorCode(err) == recrubo.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := &contractView{ReadAt: stored.ReadAt, Problem: stored.Problem, ProblemAt: stored.ProblemAt}
	if len(stored.Body) > 0 {
		if k, err := carerix.UnmarshalContract(stored.Body); err == nil {
			v.Summary = k.Summary()
		}
	}
	return v, nil
}

func (e *env) tenantRemoveCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "remove SLUG",
		Short: "Remove a tenant and all its data",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes {
				return errors.New("removing a tenant deletes all its data: repeat with --yes to confirm")
			}
			return e.withTenant(cmd.Context(), args[0], func(db *store.DB, t *recrubo.Tenant) error {
				if err := db.DeleteTenant(cmd.Context(), t.ID); err != nil {
					return e.explain(err)
				}
				fmt.Fprintf(e.stdout, "removed tenant %s\n", t.Slug)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm removal")
	return cmd
}
