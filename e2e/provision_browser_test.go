package e2e

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/provisioning"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// provChromium returns the Chromium binary, or skips the test when none
// is installed.
func provChromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM_PATH"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	t.Skip("no Chromium binary: set CHROMIUM_PATH or install /usr/bin/chromium")
	return ""
}

// provFrameLog records which embed documents our server answered, and how.
type provFrameLog struct {
	mu   sync.Mutex
	hits []string
}

func (l *provFrameLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &provStatus{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		l.mu.Lock()
		l.hits = append(l.hits, r.URL.Path+" "+r.Header.Get("Sec-Fetch-Dest")+" "+http.StatusText(rec.code))
		l.mu.Unlock()
	})
}

func (l *provFrameLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.hits...)
}

type provStatus struct {
	http.ResponseWriter
	code int
}

func (s *provStatus) WriteHeader(code int) { s.code = code; s.ResponseWriter.WriteHeader(code) }

// TestProvisionedInboxLoadsInCarerix provisions a tenant on the Carerix
// emulator, opens a candidate's record page in headless Chromium and
// checks that the installed inbox template frames our server and that
// the framed document loaded.
func TestProvisionedInboxLoadsInCarerix(t *testing.T) {
	chromium := provChromium(t)
	ctx := t.Context()
	emu := carerixemu.StartTest(t, carerixemu.Options{Tenant: "acme"})
	admin, err := emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("beheer"), FirstName: carerixemu.Str("Bea"),
		LastName: carerixemu.Str("Beheer"), Language: carerixemu.Str("English"), Roles: []string{carerixemu.RoleAdministrator}})
	if err != nil {
		t.Fatal(err)
	}
	cand, err := emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Sanne"), LastName: carerixemu.Str("Dijk"),
		MobileNumber: carerixemu.Str("06-12345678"), Status: carerixemu.Str("Actief"), Owner: carerixemu.Str(admin.ID)})
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.NewEnv(t, storetest.SQLite).Open(t)

	// Our server, on its own loopback port (another origin than Carerix).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// Our server answers on "localhost", another site than the emulator's
	// 127.0.0.1, as a real deployment is another site than Carerix.
	publicHost := "localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	public := "http://" + publicHost
	emuURL, _ := url.Parse(emu.URL())
	tn := &recrubo.Tenant{
		Slug: "acme", DisplayName: "Acme Uitzend", FrameOrigins: []string{"http://" + emuURL.Host},
		Carerix: recrubo.CarerixSettings{APIBaseURL: emu.URL(), IdentityBaseURL: emu.URL(), Realm: "acme", Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Admin:    recrubo.AdminCredentials{ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Filters:  recrubo.StatusFilters{CandidateStatuses: []string{"Actief"}},
		Webhook:  recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789")},
		Embed:    recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("embed-signing-key-0123456789abcdef")},
		Language: "nl", TimeZone: "Europe/Amsterdam",
	}
	if err := db.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	// The mirror knows the candidate and the viewing user, as after sync.
	if _, err := db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: tn.ID, ID: cand.ID, FirstName: "Sanne", LastName: "Dijk",
		Mobile: "06-12345678", StableHash: cand.StableHash, ModifiedAt: cand.ModificationDate}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: tn.ID, ID: admin.ID, UserName: admin.UserName,
		FirstName: "Bea", LastName: "Beheer", Active: true, ModifiedAt: admin.ModificationDate}); err != nil {
		t.Fatal(err)
	}
	runner := &provisioning.Runner{
		Provisioner: &provisioning.Provisioner{Store: db, PublicURL: public},
		Connect:     provisioning.ConnectAdmin(func(c *carerix.Config) { c.RequestsPerSecond, c.Burst = 1000, 1000 }),
	}
	if _, err := runner.Provision(ctx, tn, false); err != nil {
		t.Fatalf("provisioning: %v", err)
	}

	tpl, cat, assets, err := server.LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	auth, err := embed.New(embed.Config{Mirror: db, Fetcher: &embed.CarerixFetcher{}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second, BodyLimit: 1 << 20},
		server.Deps{Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Templates: tpl, Catalog: cat, Assets: assets,
			Embeds: server.EmbedDeps{Auth: auth, Data: db, Messenger: messaging.New(messaging.Config{Store: db})}})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(inner) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	log := &provFrameLog{}
	front := &http.Server{Handler: log.wrap(provProxy(inner.Addr().String())), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = front.Serve(ln) }()
	t.Cleanup(func() { _ = front.Close() })

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	bctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()

	record := emu.URL() + "/record/candidate/" + url.PathEscape(cand.ID) + "?user=" + url.QueryEscape(admin.ID)
	const sel = `section[data-template-code="recrubo.inbox"] iframe`
	if err := chromedp.Do(bctx, chromedp.Navigate(record), chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatalf("opening the record page: %v", err)
	}
	attr := func(name string) string {
		v, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('`+sel+`').getAttribute("`+name+`") || ""`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	src, title, sandbox, width := attr("src"), attr("title"), attr("sandbox"), attr("width")
	u, err := url.Parse(src)
	if err != nil || u.Host != publicHost || u.Path != "/embed/acme/candidate/"+cand.ID {
		t.Fatalf("inbox iframe src = %q, want our server %s", src, public)
	}
	if q := u.Query(); q.Get("rh") != cand.StableHash || q.Get("u") != admin.ID || q.Get("uh") == "" || q.Get("lang") != "English" {
		t.Errorf("iframe proof = %v", q)
	}
	if title == "" || width != "100%" || !strings.Contains(sandbox, "allow-scripts") || !strings.Contains(sandbox, "allow-same-origin") ||
		!strings.Contains(sandbox, "allow-forms") {
		t.Errorf("iframe title %q, width %q, sandbox %q", title, width, sandbox)
	}
	// The framed document loaded from our server: Chromium runs the
	// cross-site frame as a target of its own, at our URL, fully loaded.
	deadline := time.Now().Add(30 * time.Second)
	for {
		infos, err := chromedp.Targets(bctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type != "iframe" || !strings.HasPrefix(info.URL, public+"/embed/acme/candidate/") {
				continue
			}
			fctx, fcancel := chromedp.NewContext(bctx, chromedp.WithTargetID(info.TargetID))
			defer fcancel()
			state, err := chromedp.Run(fctx, chromedp.Evaluate[string](`document.readyState + " " + location.host`))
			if err != nil {
				t.Fatal(err)
			}
			if state != "complete "+publicHost {
				t.Fatalf("framed document: %q", state)
			}
			if !provHit(log.all(), "/embed/acme/candidate/"+cand.ID+" iframe OK") {
				t.Fatalf("our server did not answer the frame with 200: %v", log.all())
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("our inbox document did not load in the frame; server saw %v", log.all())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// provProxy forwards to our server on addr, keeping the browser's headers.
func provProxy(addr string) http.Handler {
	return httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: addr})
}

func provHit(hits []string, want string) bool {
	for _, h := range hits {
		if h == want {
			return true
		}
	}
	return false
}
