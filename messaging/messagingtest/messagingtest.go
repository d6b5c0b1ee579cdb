// Package messagingtest assembles the conversations stack for tests and
// benchmarks: a real store (SQLite or PostgreSQL, see storetest), the
// messaging service with its jobs running, the HTTP server with the
// WhatsApp webhook on a loopback port, and the WhatsApp emulator delivering
// signed webhooks to it.
package messagingtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/eventually"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/server/servertest"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

// The tenant's WhatsApp settings in every Env.
const (
	Slug          = "acme"
	PhoneNumberID = "1234567890"
	AccessToken   = "test-access-token-acme"
	AppSecret     = "test-app-secret-acme"
	VerifyToken   = "test-verify-token-acme"
)

// Options adjust an Env.
type Options struct {
	// Emulator adjusts the emulator's options.
	Emulator func(*waemu.Options)
	// Messaging adjusts the service's configuration.
	Messaging func(*messaging.Config)
	// NoJobs leaves the job runner stopped (for ingest benchmarks).
	NoJobs bool
	// WebhookBodyLimit is the server's webhook body limit; 256 KiB when 0.
	WebhookBodyLimit int
	// Carerix, when not nil, starts a Carerix emulator (adjusted by it)
	// for the tenant's integration account, and lets the service write
	// conversation summaries to it.
	Carerix func(*carerixemu.Options)
}

// Env is one running stack.
type Env struct {
	// Store is the database DB is a handle on; Open another handle for a
	// second instance.
	Store   *storetest.Env
	DB      *store.DB
	Service *messaging.Service
	Emu     *waemu.TestServer
	Tenant  *recrubo.Tenant
	Clock   *storetest.Clock
	// URL is the service's base URL; WebhookURL the tenant's webhook.
	URL        string
	WebhookURL string
	// Carerix is the tenant's Carerix emulator when Options.Carerix is set.
	Carerix *carerixemu.Server
}

// New starts a stack on backend for tb, stopped when tb ends.
func New(tb testing.TB, backend string, opts Options) *Env {
	tb.Helper()
	e := &Env{Clock: storetest.NewClock(time.Now().UTC().Truncate(time.Microsecond))}
	e.Store = storetest.NewEnv(tb, backend)
	e.DB = e.Store.Open(tb, func(c *store.Config) { c.Now = e.Clock.Now })

	mcfg := messaging.Config{Store: e.DB, Now: e.Clock.Now, RetryBase: 10 * time.Millisecond}
	if opts.Carerix != nil {
		co := carerixemu.Options{Tenant: Slug}
		opts.Carerix(&co)
		e.Carerix = carerixemu.StartTest(tb, co)
		mcfg.Carerix = messaging.NewCarerixConnector(func(c *carerix.Config) { c.RequestsPerSecond, c.Burst = 2000, 200 }, e.DB)
	}
	if opts.Messaging != nil {
		opts.Messaging(&mcfg)
	}
	e.Service = messaging.New(mcfg)

	e.URL = servertest.Start(tb, server.Deps{WhatsApp: server.WhatsAppDeps{Ingester: e.Service}},
		servertest.Options{WebhookBodyLimit: opts.WebhookBodyLimit})
	e.WebhookURL = e.URL + "/webhooks/whatsapp/" + Slug

	eopts := waemu.Options{
		AppSecret:    AppSecret,
		VerifyToken:  VerifyToken,
		AccessTokens: map[string]string{PhoneNumberID: AccessToken},
		WebhookURL:   e.WebhookURL,
		Now:          e.Clock.Now,
		StatusDelay:  -1,
		RetryBackoff: 5 * time.Millisecond,
		Templates: []waemu.Template{
			{Name: "vacature_update", Language: "nl", Category: waemu.CategoryUtility, Status: waemu.TemplateApproved,
				Body: "Hoi {{1}}, er is nieuws over {{2}}."},
			{Name: "nieuwe_vacatures", Language: "nl", Category: waemu.CategoryMarketing, Status: waemu.TemplateApproved,
				Body: "Nieuwe vacatures voor je!"},
		},
	}
	if opts.Emulator != nil {
		opts.Emulator(&eopts)
	}
	e.Emu = waemu.NewTestServer(tb, eopts)

	e.Tenant = NewTenant(Slug, e.Emu.URL())
	if e.Carerix != nil {
		cx := &e.Tenant.Carerix
		cx.APIBaseURL, cx.IdentityBaseURL, cx.Realm = e.Carerix.URL(), e.Carerix.URL(), e.Carerix.Realm()
		cx.ClientID, cx.ClientSecret = carerixemu.DefaultClientID, recrubo.NewSecret(carerixemu.DefaultClientSecret)
	}
	if err := e.DB.CreateTenant(tb.Context(), e.Tenant); err != nil {
		tb.Fatal(err)
	}
	for _, t := range []*recrubo.MessageTemplate{
		{Name: "vacature_update", Language: "nl", Category: recrubo.CategoryUtility, Status: recrubo.TemplateApproved,
			Body: "Hoi {{1}}, er is nieuws over {{2}}."},
		{Name: "nieuwe_vacatures", Language: "nl", Category: recrubo.CategoryMarketing, Status: recrubo.TemplateApproved,
			Body: "Nieuwe vacatures voor je!"},
		{Name: "in_behandeling", Language: "nl", Category: recrubo.CategoryUtility, Status: recrubo.TemplatePending,
			Body: "Nog niet goedgekeurd."},
	} {
		t.TenantID = e.Tenant.ID
		if err := e.DB.SaveTemplate(tb.Context(), t); err != nil {
			tb.Fatal(err)
		}
	}

	if !opts.NoJobs {
		e.StartJobs(tb, e.DB, e.Service)
	}
	return e
}

// StartJobs works svc's jobs on db until tb ends, as one instance of the
// service does, and returns the runner (stop it to stop the instance).
func (e *Env) StartJobs(tb testing.TB, db *store.DB, svc *messaging.Service) *jobs.Runner {
	tb.Helper()
	reg := jobs.NewRegistry()
	svc.Register(reg)
	r, err := jobs.NewRunner(db, reg, jobs.Config{PollInterval: 20 * time.Millisecond})
	if err != nil {
		tb.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	return r
}

// NewTenant returns a valid tenant whose WhatsApp API is at apiBaseURL.
func NewTenant(slug, apiBaseURL string) *recrubo.Tenant {
	return &recrubo.Tenant{
		Slug: slug, DisplayName: "Display " + slug, FrameOrigins: []string{"https://" + slug + ".carerix.net"},
		Carerix: recrubo.CarerixSettings{APIBaseURL: "https://api.carerix.io", IdentityBaseURL: "https://id-s3.carerix.io",
			Realm: slug, Application: slug, ClientID: "client-" + slug, ClientSecret: recrubo.NewSecret("secret-" + slug)},
		Admin:   recrubo.AdminCredentials{ClientID: "admin-" + slug, ClientSecret: recrubo.NewSecret("admin-secret-" + slug)},
		Webhook: recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-" + slug)},
		Embed:   recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("embed-key-" + slug)},
		WhatsApp: recrubo.WhatsAppSettings{APIBaseURL: apiBaseURL, PhoneNumberID: PhoneNumberID,
			BusinessAccountID: waemu.DefaultBusinessAccountID,
			AccessToken:       recrubo.NewSecret(AccessToken), AppSecret: recrubo.NewSecret(AppSecret),
			VerifyToken: recrubo.NewSecret(VerifyToken)},
		Language: recrubo.LangDutch, TimeZone: "Europe/Amsterdam",
	}
}

// AddCandidate syncs a candidate with a mobile number into the mirror.
func (e *Env) AddCandidate(tb testing.TB, id, first, mobile string) *recrubo.Candidate {
	tb.Helper()
	c := &recrubo.Candidate{TenantID: e.Tenant.ID, ID: id, FirstName: first, LastName: "Test", Mobile: mobile,
		ModifiedAt: e.Clock.Now()}
	if mobile != "" {
		p, err := recrubo.NormalizePhone(mobile, e.Tenant.PhoneRegion)
		if err != nil {
			tb.Fatal(err)
		}
		c.PhoneE164 = p
	}
	if _, err := e.DB.UpsertCandidate(tb.Context(), c); err != nil {
		tb.Fatal(err)
	}
	return c
}

// AddCarerixCandidate creates a candidate in the Carerix emulator and
// syncs it into the mirror under its Carerix _id. It needs Options.Carerix.
func (e *Env) AddCarerixCandidate(tb testing.TB, first, mobile string) *recrubo.Candidate {
	tb.Helper()
	if e.Carerix == nil {
		tb.Fatal("messagingtest: AddCarerixCandidate needs Options.Carerix")
	}
	emp, err := e.Carerix.CreateEmployee(tb.Context(), carerixemu.EmployeeFields{FirstName: carerixemu.Str(first),
		LastName: carerixemu.Str("Test"), MobileNumber: carerixemu.Str(mobile)})
	if err != nil {
		tb.Fatal(err)
	}
	return e.AddCandidate(tb, emp.ID, first, mobile)
}

// Simulate makes a candidate send any kind of message through the
// emulator.
func (e *Env) Simulate(tb testing.TB, in waemu.Inbound) waemu.InboundRecord {
	tb.Helper()
	if in.ProfileName == "" {
		in.ProfileName = "Kandidaat"
	}
	rec, err := e.Emu.SimulateInbound(in)
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// Inbound makes a candidate write to the tenant through the emulator.
func (e *Env) Inbound(tb testing.TB, from, text string) waemu.InboundRecord {
	tb.Helper()
	rec, err := e.Emu.SimulateInbound(waemu.Inbound{From: from, ProfileName: "Kandidaat", Text: text})
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// MessageWithStatus waits until message id has status st.
func (e *Env) MessageWithStatus(tb testing.TB, id string, st recrubo.MessageStatus) *recrubo.Message {
	tb.Helper()
	var m *recrubo.Message
	eventually.Succeeds(tb, "message "+id+" becomes "+string(st), func() error {
		var err error
		if m, err = e.DB.Message(context.Background(), e.Tenant.ID, id); err != nil {
			return err
		}
		if m.Status != st {
			return fmt.Errorf("status is %s (%s)", m.Status, m.FailReason)
		}
		return nil
	})
	return m
}

// ConversationWithMessages waits until the conversation with phone has n
// messages and returns it.
func (e *Env) ConversationWithMessages(tb testing.TB, phone string, n int) (*recrubo.Conversation, []*recrubo.Message) {
	tb.Helper()
	var (
		c  *recrubo.Conversation
		ms []*recrubo.Message
	)
	eventually.Succeeds(tb, "conversation with "+phone, func() error {
		var err error
		if c, err = e.DB.ConversationByPhone(context.Background(), e.Tenant.ID, recrubo.ChannelWhatsApp, phone); err != nil {
			return err
		}
		if ms, err = e.DB.Messages(context.Background(), e.Tenant.ID, c.ID, 100); err != nil {
			return err
		}
		if len(ms) != n {
			return fmt.Errorf("%d messages, want %d", len(ms), n)
		}
		return nil
	})
	return c, ms
}
