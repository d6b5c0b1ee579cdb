package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

// emulateCmd groups the commands that run and drive the emulators, so a
// person can try the product, and watch webhooks arrive, without a Carerix
// account or a WhatsApp number.
func (e *env) emulateCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "emulate", Short: "Run and drive the Carerix and WhatsApp emulators (for demos and development)"}
	cmd.AddCommand(e.emulateCarerixCmd(), e.emulateCandidateCmd(), e.emulateWhatsAppCmd())
	return cmd
}

// loopbackOnly refuses an address off loopback: the emulators have no real
// security.
func loopbackOnly(addr string) error {
	if !strings.HasPrefix(addr, "127.") && !strings.HasPrefix(addr, "localhost:") && !strings.HasPrefix(addr, "[::1]:") {
		return fmt.Errorf("--addr %q: the emulator has no real security and listens on loopback only", addr)
	}
	return nil
}

func (e *env) emulateCarerixCmd() *cobra.Command {
	var addr, tenant, profile string
	var tokenLifetime time.Duration
	var seed carerixemu.SeedOptions
	cmd := &cobra.Command{
		Use:   "carerix",
		Short: "Run a Carerix emulator on loopback until interrupted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := loopbackOnly(addr); err != nil {
				return err
			}
			p, err := carerixemu.ParseProfile(profile)
			if err != nil {
				return fmt.Errorf("--profile: %w", err)
			}
			if tokenLifetime < 0 {
				return fmt.Errorf("--token-lifetime %s: must not be negative", tokenLifetime)
			}
			srv, err := carerixemu.New(carerixemu.Options{Tenant: tenant, Profile: p, TokenLifetime: tokenLifetime,
				Logger: slog.New(slog.NewTextHandler(e.stderr, nil))})
			if err != nil {
				return err
			}
			if err := srv.Start(cmd.Context(), addr); err != nil {
				return err
			}
			defer srv.Close()
			if seed.Candidates > 0 || seed.Vacancies > 0 {
				if _, err := srv.Seed(cmd.Context(), seed); err != nil {
					return fmt.Errorf("seeding: %w", err)
				}
			}
			fmt.Fprintf(e.stdout, "Carerix emulator for %q at %s (profile %s)\n", tenant, srv.URL(), p)
			fmt.Fprintf(e.stdout, "  API base URL:      %s\n  identity base URL: %s\n  realm:             %s\n", srv.URL(), srv.URL(), srv.Realm())
			fmt.Fprintf(e.stdout, "  client id/secret:  %s / %s\n", carerixemu.DefaultClientID, carerixemu.DefaultClientSecret)
			fmt.Fprintf(e.stdout, "  change data:       recrubo-demo emulate candidate --emulator %s ...\n", srv.URL())
			<-cmd.Context().Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8081", "loopback address to listen on")
	cmd.Flags().StringVar(&tenant, "tenant", "acme", "Carerix application name")
	cmd.Flags().StringVar(&profile, "profile", string(carerixemu.ProfileDocs),
		"form of the Carerix API: docs (as documented), observed (as seen on tenants) or hostile (observed without CREmployee.toStatusNode)")
	cmd.Flags().DurationVar(&tokenLifetime, "token-lifetime", 0, "access-token lifetime, e.g. 2s (default: 1h for docs, 300s for observed and hostile)")
	cmd.Flags().IntVar(&seed.Candidates, "candidates", 200, "candidates to generate")
	cmd.Flags().IntVar(&seed.Vacancies, "vacancies", 20, "vacancies to generate")
	cmd.Flags().IntVar(&seed.Matches, "matches", 300, "matches to generate")
	cmd.Flags().IntVar(&seed.Recruiters, "recruiters", 5, "recruiters to generate")
	cmd.Flags().Int64Var(&seed.Seed, "seed", 1, "random seed (same seed, same data)")
	return cmd
}

// defaultCandidateStatus is the status "emulate candidate create" gives a
// candidate when none is named: one the demo tenant syncs.
const defaultCandidateStatus = "Actief"

// emulateCandidateCmd changes a candidate in a running emulator through its
// admin API; the emulator then sends the matching webhook.
func (e *env) emulateCandidateCmd() *cobra.Command {
	var emulator, first, last, phone, status string
	cmd := &cobra.Command{
		Use:   "candidate create|update ID|status ID|delete ID",
		Short: "Create, update, change the status of, or delete a candidate in a running emulator",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			base := strings.TrimSuffix(emulator, "/") + "/_emulator/candidates"
			fields := map[string]string{}
			for name, v := range map[string]string{"firstName": first, "lastName": last, "mobileNumber": phone, "status": status} {
				if v != "" {
					fields[name] = v
				}
			}
			var method, url string
			var body any
			switch {
			case args[0] == "create" && len(args) == 1:
				if status == "" {
					// A candidate without a status is outside every
					// tenant's filter and would silently not be synced.
					fields["status"] = defaultCandidateStatus
					fmt.Fprintf(e.stderr, "No --status given: the candidate gets status %s, which the demo tenant syncs. "+
						"A candidate whose status is outside a tenant's filter is not synced.\n", defaultCandidateStatus)
				}
				method, url, body = http.MethodPost, base, fields
			case args[0] == "update" && len(args) == 2:
				method, url, body = http.MethodPatch, base+"/"+args[1], fields
			case args[0] == "status" && len(args) == 2:
				if status == "" {
					return errors.New("status needs --status (a status label, export code or id)")
				}
				method, url, body = http.MethodPost, base+"/"+args[1]+"/status", map[string]string{"status": status}
			case args[0] == "delete" && len(args) == 2:
				method, url = http.MethodDelete, base+"/"+args[1]
			default:
				return fmt.Errorf("unknown action %q: use create, update ID, status ID or delete ID", strings.Join(args, " "))
			}
			var rd io.Reader
			if body != nil {
				b, err := json.Marshal(body)
				if err != nil {
					return err
				}
				rd = bytes.NewReader(b)
			}
			req, err := http.NewRequestWithContext(cmd.Context(), method, url, rd)
			if err != nil {
				return fmt.Errorf("--emulator %q: %w", emulator, err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
			if err != nil {
				return fmt.Errorf("reaching the emulator: %w", err)
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			if resp.StatusCode >= 300 {
				return fmt.Errorf("emulator answered %s: %s", resp.Status, strings.TrimSpace(string(out)))
			}
			fmt.Fprintln(e.stdout, strings.TrimSpace(string(out)))
			return nil
		},
	}
	cmd.Flags().StringVar(&emulator, "emulator", "http://127.0.0.1:8081", "base URL of the running emulator")
	cmd.Flags().StringVar(&first, "first-name", "", "first name")
	cmd.Flags().StringVar(&last, "last-name", "", "last name")
	cmd.Flags().StringVar(&phone, "mobile", "", "mobile number")
	cmd.Flags().StringVar(&status, "status", "", "status label, export code or id (create: "+defaultCandidateStatus+" when not given)")
	return cmd
}

// The WhatsApp emulator's fixed credentials, so the README's steps can name
// them. The emulator listens on loopback only.
const (
	emulatorWhatsAppToken     = "emulator-access-token"
	emulatorWhatsAppAppSecret = "emulator-app-secret"
)

// emulateWhatsAppCmd runs the WhatsApp Cloud API emulator with one business
// number and the demo's message templates.
func (e *env) emulateWhatsAppCmd() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "whatsapp",
		Short: "Run a WhatsApp Cloud API emulator on loopback until interrupted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := loopbackOnly(addr); err != nil {
				return err
			}
			wa, err := waemu.Listen(cmd.Context(), addr, waemu.Options{
				AppSecret:    emulatorWhatsAppAppSecret,
				AccessTokens: map[string]string{demoPhoneNumberID: emulatorWhatsAppToken},
				Templates:    demoWhatsAppTemplates(),
				Logger:       slog.New(slog.NewTextHandler(e.stderr, nil)),
			})
			if err != nil {
				return err
			}
			defer wa.Close()
			fmt.Fprintf(e.stdout, "WhatsApp Cloud API emulator at %s\n", wa.URL())
			fmt.Fprintf(e.stdout, "  phone number id:      %s\n  business account id:  %s\n", demoPhoneNumberID, waemu.DefaultBusinessAccountID)
			fmt.Fprintf(e.stdout, "  access token:         %s\n  app secret:           %s\n", emulatorWhatsAppToken, emulatorWhatsAppAppSecret)
			fmt.Fprintf(e.stdout, "  webhook (as in Meta's dashboard): POST %s/_emulator/subscribe {\"callback_url\": …, \"verify_token\": …}\n", wa.URL())
			fmt.Fprintf(e.stdout, "  a candidate writes:               POST %s/_emulator/inbound {\"from\": \"+316…\", \"text\": …}\n", wa.URL())
			<-cmd.Context().Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8082", "loopback address to listen on")
	return cmd
}
