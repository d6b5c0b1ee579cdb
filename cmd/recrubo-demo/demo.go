package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/cli"
	"github.com/recrubo/recrubo-carerix/config"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/templates"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

// demoOptions are the demo command's flags.
type demoOptions struct {
	addr         string
	carerixAddr  string
	whatsappAddr string
	dataDir      string
	candidates   int
	seed         int64
	// carerixProfile is the emulated Carerix's profile (docs, observed, hostile).
	carerixProfile string
}

// demoPhoneNumberID is the demo's WhatsApp business phone number id.
const demoPhoneNumberID = "100000000000001"

// demoCmd is the root command: it runs the demo, and holds the emulate
// commands.
func (e *env) demoCmd() *cobra.Command {
	o := demoOptions{}
	cmd := &cobra.Command{
		Use:   "recrubo-demo",
		Short: "Run the whole product on this machine: emulated Carerix and WhatsApp, a seeded tenant, provisioned and synced",
		Long: "recrubo-demo starts a Carerix emulator and a WhatsApp Cloud API emulator, starts the service on SQLite,\n" +
			"seeds a tenant with candidates and conversations, provisions it, runs its initial sync and prints\n" +
			"the links to open. It runs until interrupted (Ctrl-C) and keeps nothing unless --data-dir is given.\n" +
			"Its emulate commands run and drive the emulators alone.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := carerixemu.ParseProfile(o.carerixProfile); err != nil {
				return fmt.Errorf("--carerix-profile: %w", err)
			}
			if o.candidates < 1 || o.candidates > 200_000 {
				return fmt.Errorf("--candidates %d: choose between 1 and 200000", o.candidates)
			}
			for flag, addr := range map[string]string{"--addr": o.addr, "--carerix-addr": o.carerixAddr, "--whatsapp-addr": o.whatsappAddr} {
				if !isLoopback(addr) {
					return fmt.Errorf("%s %q: the demo and its emulators listen on loopback only (e.g. 127.0.0.1:8080)", flag, addr)
				}
			}
			return e.demo(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.addr, "addr", "127.0.0.1:8080", "loopback address of the service")
	cmd.Flags().StringVar(&o.carerixAddr, "carerix-addr", "127.0.0.1:8081", "loopback address of the Carerix emulator")
	cmd.Flags().StringVar(&o.whatsappAddr, "whatsapp-addr", "127.0.0.1:8082", "loopback address of the WhatsApp emulator")
	cmd.Flags().StringVar(&o.dataDir, "data-dir", "", "keep the demo's SQLite database here (default: a temporary directory, removed on exit)")
	cmd.Flags().IntVar(&o.candidates, "candidates", 1000, "candidates to seed in the emulated Carerix")
	cmd.Flags().Int64Var(&o.seed, "seed", 1, "random seed (same seed, same data)")
	cmd.Flags().StringVar(&o.carerixProfile, "carerix-profile", string(carerixemu.ProfileDocs),
		"form of the emulated Carerix API: docs, observed or hostile")
	return cmd
}

// isLoopback reports whether addr is a host:port on the loopback interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// demo runs the demo until ctx ends.
func (e *env) demo(ctx context.Context, o demoOptions) error {
	out := e.stdout
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	if o.dataDir == "" {
		dir, err := os.MkdirTemp("", "recrubo-demo-")
		if err != nil {
			return fmt.Errorf("creating the demo's data directory: %w", err)
		}
		defer os.RemoveAll(dir)
		o.dataDir = dir
	}

	fmt.Fprintf(out, "Starting the Carerix emulator (profile %s) ...\n", o.carerixProfile)
	cx, err := carerixemu.New(carerixemu.Options{Tenant: "acme", Profile: carerixemu.Profile(o.carerixProfile), Logger: quiet})
	if err != nil {
		return err
	}
	if err := cx.Start(ctx, o.carerixAddr); err != nil {
		return fmt.Errorf("starting the Carerix emulator on %s: %w", o.carerixAddr, err)
	}
	defer cx.Close()
	seeded, err := cx.Seed(ctx, carerixemu.SeedOptions{
		Candidates: o.candidates, Vacancies: max(5, o.candidates/25), Matches: o.candidates * 3 / 2,
		Recruiters: 6, Seed: o.seed,
	})
	if err != nil {
		return fmt.Errorf("seeding the Carerix emulator: %w", err)
	}

	fmt.Fprintln(out, "Starting the WhatsApp emulator ...")
	waSecret, waToken, waVerify := randomHex(), randomHex(), randomHex()
	wa, err := waemu.Listen(ctx, o.whatsappAddr, waemu.Options{
		AppSecret: waSecret, VerifyToken: waVerify,
		AccessTokens: map[string]string{demoPhoneNumberID: waToken},
		Templates:    demoWhatsAppTemplates(), Logger: quiet,
	})
	if err != nil {
		return fmt.Errorf("starting the WhatsApp emulator on %s: %w", o.whatsappAddr, err)
	}
	defer wa.Close()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.addr, err)
	}
	publicURL := "http://" + ln.Addr().String()
	cfg := config.Default()
	if errs := cfg.Apply(e.getenv); len(errs) > 0 {
		_ = ln.Close()
		return fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	cfg.Demo, cfg.Addr, cfg.PublicURL, cfg.DataDir, cfg.DatabaseURL = true, ln.Addr().String(), publicURL, o.dataDir, ""
	cfg.MetricsAddr = "127.0.0.1:0" // any free port: a demo must not clash with a service running here
	if e.getenv("LOG_LEVEL") == "" {
		cfg.LogLevel = slog.LevelWarn // keep the demo's output to its links
	}
	if e.getenv("LOG_FORMAT") == "" {
		cfg.LogFormat = "text"
	}
	if errs := cfg.Validate(); len(errs) > 0 {
		_ = ln.Close()
		return fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	fmt.Fprintf(out, "Starting the service at %s (SQLite in %s) ...\n", publicURL, o.dataDir)
	svc, err := cli.StartService(ctx, cli.Env{Getenv: e.getenv, Stdout: e.stdout, Stderr: e.stderr}, cfg, ln)
	if err != nil {
		return err
	}
	db := svc.Store()
	// From here on the service runs: stop it in order whatever happens.
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	result := make(chan error, 1)
	go func() { result <- svc.Wait(stop) }()
	fail := func(err error) error {
		cancel()
		return errors.Join(err, <-result)
	}

	tenant := demoTenant(cx)
	if err := db.CreateTenant(ctx, tenant); err != nil {
		return fail(fmt.Errorf("creating the demo tenant: %w", err))
	}
	// The tenant's WhatsApp number is connected as an admin does it: the
	// token is checked at the emulator and the templates are read from it.
	conn, err := messaging.New(messaging.Config{Store: db}).Connect(ctx, tenant, recrubo.WhatsAppSettings{
		APIBaseURL: wa.URL(), PhoneNumberID: demoPhoneNumberID, BusinessAccountID: waemu.DefaultBusinessAccountID,
		AccessToken: recrubo.NewSecret(waToken), AppSecret: recrubo.NewSecret(waSecret), VerifyToken: recrubo.NewSecret(waVerify)})
	if err != nil {
		return fail(fmt.Errorf("connecting the demo's WhatsApp number: %w", err))
	}
	fmt.Fprintf(out, "Connected WhatsApp number %s (%d templates)\n", conn.Check.DisplayPhoneNumber, conn.Templates)
	wa.SetWebhookURL(publicURL + messaging.WebhookPath(tenant.Slug))

	fmt.Fprintln(out, "\nProvisioning the tenant's Carerix (templates and webhooks) ...")
	verifyURL, err := svc.Provision(ctx, tenant, publicURL, out)
	if err != nil {
		return fail(fmt.Errorf("provisioning: %w", err))
	}
	fmt.Fprintln(out, "\nInitial sync ...")
	if err := svc.InitialSync(ctx, tenant, out); err != nil {
		return fail(fmt.Errorf("initial sync: %w", err))
	}
	if err := printDemoScope(ctx, out, cx, seeded, db, tenant); err != nil {
		return fail(err)
	}
	fmt.Fprintln(out, "\nSeeding conversations ...")
	sample, n, err := seedDemoConversations(ctx, db, tenant, o.seed, wa, out)
	if err != nil {
		return fail(fmt.Errorf("seeding conversations: %w", err))
	}
	fmt.Fprintf(out, "  %s conversations with synced candidates\n", templates.FormatInt(templates.LangEN, int64(n)))
	// A recruiter edits a note in Carerix: the webhook that follows is the
	// round trip the verify page checks.
	note := "Gebeld over de vacature"
	if _, err := cx.UpdateEmployee(ctx, sample.candidateID, carerixemu.EmployeeFields{Notes: &note}); err != nil {
		return fail(fmt.Errorf("changing a candidate in the emulator: %w", err))
	}

	admin := seeded.Users[0]
	adminName := admin
	if u, err := cx.User(admin); err == nil {
		adminName = u.UserName
	}
	fmt.Fprintf(out, `
Recrubo for Carerix is running. Open:

  A candidate record, as Carerix shows it:  %[1]s/record/candidate/%[2]s?user=%[3]s
  The dashboard, as Carerix shows it:       %[1]s/home?user=%[3]s
  The admin's verify link:                  %[4]s

Where Recrubo asks you to sign in with Carerix, the emulated Carerix knows
every seeded user by their user name (here %[9]q) with the password %[10]q.

The candidate on that record page (%[6]s) writes to you through the WhatsApp emulator:
  a text:     curl -X POST %[5]s/_emulator/inbound -d '{"from":"%[7]s","text":"Hallo!"}'
  a photo:    curl -X POST %[5]s/_emulator/inbound -d '{"from":"%[7]s","type":"image","text":"Mijn rijbewijs"}'
  a CV:       curl -X POST %[5]s/_emulator/inbound -d '{"from":"%[7]s","type":"document","filename":"cv.pdf","text":"Mijn cv"}'
  a reaction to your last message:
              curl -X POST %[5]s/_emulator/inbound -d '{"from":"%[7]s","type":"reaction","react_to":"%[8]s","emoji":"👍"}'
  (also audio, video, sticker, location, contacts, button, interactive and unsupported: see whatsapp/waemu)
WhatsApp pauses a template (a status webhook follows):
  curl -X POST %[5]s/_emulator/templates/status -d '{"name":"vacature_match","language":"nl","status":"PAUSED","reason":"LOW_QUALITY"}'

Change a candidate in Carerix (a webhook follows):
  go run ./cmd/recrubo-demo emulate candidate update %[2]s --emulator %[1]s --first-name Sanne

Press Ctrl-C to stop.
`, cx.URL(), sample.candidateID, admin, verifyURL, wa.URL(), sample.phone, strings.TrimPrefix(sample.phone, "+"), sample.lastSent,
		adminName, carerixemu.DefaultUserPassword)

	err = <-result
	fmt.Fprintln(out, "Stopped.")
	return err
}

// printDemoScope says how much of the seeded Carerix the tenant syncs:
// the candidates and vacancies Carerix holds, and those in the synced
// statuses, which alone reach the inbox and the dashboard.
func printDemoScope(ctx context.Context, out io.Writer, cx demoRecords, seeded carerixemu.SeedResult, st recrubo.MirrorStore, t *recrubo.Tenant) error {
	deleted := 0
	for _, id := range seeded.Candidates {
		if e, err := cx.Employee(id); err == nil && e.Deleted {
			deleted++
		}
	}
	candidates, err := st.CountCandidates(ctx, t.ID)
	if err != nil {
		return fmt.Errorf("counting the synced candidates: %w", err)
	}
	vacancies, err := st.CountVacancies(ctx, t.ID)
	if err != nil {
		return fmt.Errorf("counting the synced vacancies: %w", err)
	}
	n := func(v int) string { return templates.FormatInt(templates.LangEN, int64(v)) }
	fmt.Fprintf(out, "Carerix holds %s candidates (%s of them deleted) and %s vacancies. In the synced statuses: %s candidates (%s) "+
		"and %s vacancies (%s); only these reach the inbox and the dashboard.\n",
		n(len(seeded.Candidates)), n(deleted), n(len(seeded.Vacancies)), n(int(candidates)),
		strings.Join(t.Filters.CandidateStatuses, ", "), n(int(vacancies)), strings.Join(t.Filters.VacancyStatuses, ", "))
	return nil
}

// demoRecords reads the emulator's candidates (carerixemu.Server).
type demoRecords interface {
	Employee(id string) (carerixemu.Employee, error)
}

// demoTenant is the demo's tenant, pointing at the Carerix emulator; its
// WhatsApp number is connected afterwards.
func demoTenant(cx *carerixemu.Server) *recrubo.Tenant {
	t := &recrubo.Tenant{
		Slug:         "acme",
		DisplayName:  "Acme Uitzendbureau (demo)",
		FrameOrigins: []string{cx.URL()},
		Carerix: recrubo.CarerixSettings{
			APIBaseURL: cx.URL(), IdentityBaseURL: cx.URL(), Realm: cx.Realm(), Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret),
		},
		Admin: recrubo.AdminCredentials{
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret),
		},
		Filters: recrubo.StatusFilters{
			CandidateStatuses: []string{"Actief", "Nieuw", "Beschikbaar"},
			VacancyStatuses:   []string{"Open"},
		},
		Webhook: recrubo.WebhookSettings{Secret: randomSecret()},
		// The emulated realm's public client lets framed pages sign in
		// (what tenants whose API gives no stableHash need).
		Embed:    recrubo.EmbedSettings{SigningKey: randomSecret(), SignInClientID: carerixemu.DefaultPublicClientID},
		Language: recrubo.LangDutch,
		TimeZone: "Europe/Amsterdam",
	}
	return t
}

// randomSecret returns a new random secret (32 bytes, base64url).
func randomSecret() recrubo.Secret {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return recrubo.NewSecret(base64.RawURLEncoding.EncodeToString(b))
}

// randomHex returns 32 random hex digits.
func randomHex() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
