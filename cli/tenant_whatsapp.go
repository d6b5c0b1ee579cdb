package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/store"
)

// whatsAppFile is the file `tenant whatsapp connect -f` reads: the
// number's ids and its secrets, as Meta's app dashboard shows them.
type whatsAppFile struct {
	APIBaseURL        string `json:"api_base_url" yaml:"api_base_url"`
	PhoneNumberID     string `json:"phone_number_id" yaml:"phone_number_id"`
	BusinessAccountID string `json:"business_account_id" yaml:"business_account_id"`
	AccessToken       string `json:"access_token" yaml:"access_token"`
	AppSecret         string `json:"app_secret" yaml:"app_secret"`
}

// readWhatsAppFile decodes a YAML or JSON file of WhatsApp settings,
// refusing unknown fields.
func readWhatsAppFile(path string, stdin io.Reader) (whatsAppFile, error) {
	var w whatsAppFile
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return w, fmt.Errorf("reading WhatsApp settings: %w", err)
	}
	if strings.ToLower(filepath.Ext(path)) == ".json" || bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&w); err != nil {
			return w, fmt.Errorf("WhatsApp settings %s: %w", path, err)
		}
		return w, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&w); err != nil && !errors.Is(err, io.EOF) {
		return w, fmt.Errorf("WhatsApp settings %s: %w", path, err)
	}
	return w, nil
}

// whatsAppCheckTimeout bounds the calls connect and status make to Meta.
const whatsAppCheckTimeout = time.Minute

func (e *env) tenantWhatsAppCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "whatsapp", Short: "Connect, check or disconnect a tenant's WhatsApp Business number"}
	cmd.AddCommand(e.whatsAppConnectCmd(), e.whatsAppStatusCmd(), e.whatsAppDisconnectCmd(), e.whatsAppRatesCmd())
	return cmd
}

func (e *env) whatsAppConnectCmd() *cobra.Command {
	var slug, file, phoneID, wabaID, apiURL string
	cmd := &cobra.Command{
		Use:   "connect",
		Short: "Connect the tenant's WhatsApp number: check the token at Meta, store it sealed, read the templates",
		Long: "connect checks the access token against the Graph API (GET /{phone-number-id}), generates the webhook\n" +
			"verify token, stores the settings with every secret sealed, reads the account's message templates and\n" +
			"prints the callback URL and verify token to enter in Meta's app settings. Secrets come from the file\n" +
			"(-f) or from WHATSAPP_ACCESS_TOKEN and WHATSAPP_APP_SECRET, never from flags. Nothing is stored when\n" +
			"Meta refuses the token.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pub, err := e.publicURL()
			if err != nil {
				return err
			}
			var w whatsAppFile
			if file != "" {
				if w, err = readWhatsAppFile(file, cmd.InOrStdin()); err != nil {
					return err
				}
			}
			set := func(name string, dst *string, v string) {
				if cmd.Flags().Changed(name) {
					*dst = v
				}
			}
			set("phone-number-id", &w.PhoneNumberID, phoneID)
			set("business-account-id", &w.BusinessAccountID, wabaID)
			set("api-url", &w.APIBaseURL, apiURL)
			if v := e.getenv("WHATSAPP_ACCESS_TOKEN"); v != "" {
				w.AccessToken = v
			}
			if v := e.getenv("WHATSAPP_APP_SECRET"); v != "" {
				w.AppSecret = v
			}
			settings := recrubo.WhatsAppSettings{APIBaseURL: w.APIBaseURL, PhoneNumberID: w.PhoneNumberID,
				BusinessAccountID: w.BusinessAccountID, AccessToken: recrubo.NewSecret(strings.TrimSpace(w.AccessToken)),
				AppSecret: recrubo.NewSecret(strings.TrimSpace(w.AppSecret))}
			return e.withTenant(cmd.Context(), slug, func(db *store.DB, t *recrubo.Tenant) error {
				ctx, cancel := context.WithTimeout(cmd.Context(), whatsAppCheckTimeout)
				defer cancel()
				svc := messaging.New(messaging.Config{Store: db})
				conn, err := svc.Connect(ctx, t, settings)
				if err != nil {
					if recrubo.ErrorCode(err) == recrubo.EUNAUTHORIZED || recrubo.ErrorCode(err) == recrubo.EINVALID {
						return fmt.Errorf("WhatsApp not connected, nothing stored: %w", e.explain(err))
					}
					return err
				}
				printConnection(e.stdout, conn, pub)
				return nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&slug, "tenant", "", "tenant slug")
	fl.StringVarP(&file, "file", "f", "", "YAML or JSON file with phone_number_id, business_account_id, access_token, app_secret (- for standard input)")
	fl.StringVar(&phoneID, "phone-number-id", "", "the business phone number's id (WhatsApp > API setup in Meta's app dashboard)")
	fl.StringVar(&wabaID, "business-account-id", "", "the WhatsApp Business Account id")
	fl.StringVar(&apiURL, "api-url", "", "Graph API base URL (default https://graph.facebook.com)")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

// printConnection tells the admin what was connected and what to enter in
// Meta's app settings.
func printConnection(w io.Writer, c *messaging.Connection, publicURL string) {
	t := c.Tenant
	fmt.Fprintf(w, "connected WhatsApp number %s (%s) to tenant %s\n", orNone(c.Check.DisplayPhoneNumber), orNone(c.Check.VerifiedName), t.Slug)
	fmt.Fprintf(w, "  phone number id:   %s\n  business account:  %s\n  quality rating:    %s\n",
		t.WhatsApp.PhoneNumberID, t.WhatsApp.BusinessAccountID, orNone(c.Check.QualityRating))
	if c.TemplatesErr != nil {
		fmt.Fprintf(w, "  templates:         not read: %s (the hourly sync tries again)\n", recrubo.ErrorMessage(c.TemplatesErr))
	} else {
		fmt.Fprintf(w, "  templates:         %d read from the business account\n", c.Templates)
	}
	fmt.Fprintf(w, `
In Meta's app dashboard, WhatsApp > Configuration > Webhook, enter:
  Callback URL:  %s
  Verify token:  %s
then subscribe to the webhook fields "messages" and "message_template_status_update".
`, strings.TrimSuffix(publicURL, "/")+messaging.WebhookPath(t.Slug), t.WhatsApp.VerifyToken.Reveal())
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (e *env) whatsAppStatusCmd() *cobra.Command {
	var slug string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Check the tenant's WhatsApp number now and show its health: token, deliveries, templates, reported errors",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withTenant(cmd.Context(), slug, func(db *store.DB, t *recrubo.Tenant) error {
				if !t.WhatsApp.Enabled() {
					fmt.Fprintf(e.stdout, "WhatsApp is not connected for %s (tenant whatsapp connect --tenant %s)\n", t.Slug, t.Slug)
					return nil
				}
				ctx, cancel := context.WithTimeout(cmd.Context(), whatsAppCheckTimeout)
				defer cancel()
				svc := messaging.New(messaging.Config{Store: db})
				check, checkErr := svc.CheckWhatsApp(ctx, t)
				h, err := db.WhatsAppHealth(ctx, t.ID)
				if err != nil {
					return err
				}
				last, err := db.LastEventAt(ctx, t.ID, recrubo.SourceWhatsApp)
				if err != nil {
					return err
				}
				errs, err := db.WhatsAppErrors(ctx, t.ID, time.Now().Add(-7*24*time.Hour), 10)
				if err != nil {
					return err
				}
				w := e.stdout
				fmt.Fprintf(w, "tenant %s, phone number id %s, business account %s, connected %s\n", t.Slug,
					t.WhatsApp.PhoneNumberID, orNone(t.WhatsApp.BusinessAccountID), when(t.WhatsApp.ConnectedAt))
				if checkErr != nil {
					fmt.Fprintf(w, "  token:      REFUSED: %s\n", recrubo.ErrorMessage(checkErr))
				} else {
					fmt.Fprintf(w, "  token:      accepted for %s (%s), quality %s\n", check.DisplayPhoneNumber, check.VerifiedName, orNone(check.QualityRating))
				}
				fmt.Fprintf(w, "  deliveries: last signed webhook %s\n", when(last))
				switch {
				case h.Templates.Error != "":
					fmt.Fprintf(w, "  templates:  last sync %s failed: %s\n", when(h.Templates.At), h.Templates.Error)
				default:
					fmt.Fprintf(w, "  templates:  %d, synced %s\n", h.Templates.Count, when(h.Templates.At))
				}
				if len(errs) == 0 {
					fmt.Fprintln(w, "  errors:     none reported by WhatsApp in the last 7 days")
				}
				for _, x := range errs {
					fmt.Fprintf(w, "  error:      %s %d %s: %s\n", x.At.UTC().Format(time.RFC3339), x.Code, x.Title, x.Details)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&slug, "tenant", "", "tenant slug")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}

func (e *env) whatsAppDisconnectCmd() *cobra.Command {
	var slug string
	cmd := &cobra.Command{
		Use:   "disconnect",
		Short: "Remove the tenant's WhatsApp number, token and templates (conversations stay)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withTenant(cmd.Context(), slug, func(db *store.DB, t *recrubo.Tenant) error {
				if !t.WhatsApp.Enabled() {
					fmt.Fprintf(e.stdout, "WhatsApp was not connected for %s\n", t.Slug)
					return nil
				}
				if err := messaging.New(messaging.Config{Store: db}).Disconnect(cmd.Context(), t); err != nil {
					return e.explain(err)
				}
				fmt.Fprintf(e.stdout, "disconnected WhatsApp from tenant %s; remove the webhook in Meta's app settings too\n", t.Slug)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&slug, "tenant", "", "tenant slug")
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}

// rateCategories are the conversation categories a tenant prices.
var rateCategories = []recrubo.TemplateCategory{recrubo.CategoryMarketing, recrubo.CategoryUtility,
	recrubo.CategoryAuthentication, recrubo.CategoryService}

func (e *env) whatsAppRatesCmd() *cobra.Command {
	var slug string
	prices := map[recrubo.TemplateCategory]*string{}
	cmd := &cobra.Command{
		Use:   "rates",
		Short: "Show or set what a WhatsApp conversation of each category costs the tenant (EUR), for the dashboard's costs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var set []*recrubo.CostRate
			for _, cat := range rateCategories {
				if !cmd.Flags().Changed(string(cat)) {
					continue
				}
				p, err := decimal.NewFromString(strings.TrimSpace(*prices[cat]))
				if err != nil || p.IsNegative() {
					return fmt.Errorf("--%s %q: give a price in euros such as 0.1186", cat, *prices[cat])
				}
				set = append(set, &recrubo.CostRate{Category: cat, Price: p})
			}
			return e.withTenant(cmd.Context(), slug, func(db *store.DB, t *recrubo.Tenant) error {
				for _, r := range set {
					r.TenantID = t.ID
					if err := db.SaveCostRate(cmd.Context(), r); err != nil {
						return e.explain(err)
					}
				}
				rates, err := db.CostRates(cmd.Context(), t.ID)
				if err != nil {
					return err
				}
				byCat := map[recrubo.TemplateCategory]string{}
				for _, r := range rates {
					byCat[r.Category] = "EUR " + r.Price.String()
				}
				for _, cat := range rateCategories {
					p := byCat[cat]
					if p == "" {
						p = "not set (counted at zero)"
					}
					fmt.Fprintf(e.stdout, "%-15s %s\n", cat, p)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&slug, "tenant", "", "tenant slug")
	for _, cat := range rateCategories {
		prices[cat] = cmd.Flags().String(string(cat), "", "price of a "+string(cat)+" conversation in EUR, e.g. 0.1186")
	}
	_ = cmd.MarkFlagRequired("tenant")
	return cmd
}
