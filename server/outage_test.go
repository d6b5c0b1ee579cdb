package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/server/servertest"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
)

// TestDatabaseOutageAnswers503: while the database cannot take the write
// a webhook delivery needs (PostgreSQL unreachable: the network path cut;
// SQLite: locked by another process past the busy timeout), the delivery
// is answered 503 with Retry-After and no internal detail, never 500 and
// never a false acknowledgement; once the database is back, the redelivery
// is stored.
func TestDatabaseOutageAnswers503(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := storetest.NewEnv(t, backend)
			cfg := env.Config()
			var outage func(on bool)
			switch backend {
			case storetest.Postgres:
				u, err := url.Parse(cfg.URL)
				if err != nil {
					t.Fatal(err)
				}
				p := startProxy(t, u.Host)
				u.Host = p.addr
				cfg.URL = u.String()
				outage = p.cut
			case storetest.SQLite:
				outage = sqliteLock(t, env.Raw(t))
			}
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			db, err := store.Open(ctx, cfg)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			tn := &recrubo.Tenant{Slug: "acme", DisplayName: "Acme", FrameOrigins: []string{"https://acme.carerix.net"},
				Carerix: recrubo.CarerixSettings{APIBaseURL: "https://api.carerix.io", IdentityBaseURL: "https://id-s3.carerix.io",
					Realm: "acme", Application: "acme", ClientID: "reader", ClientSecret: recrubo.NewSecret("reader-secret")},
				Admin:   recrubo.AdminCredentials{ClientID: "admin", ClientSecret: recrubo.NewSecret("admin-secret")},
				Webhook: recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789"), ApplicationID: "app"},
				Embed:   recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("embed-signing-key-0123456789")}}
			tn.Normalize()
			if err := db.CreateTenant(t.Context(), tn); err != nil {
				t.Fatal(err)
			}
			base := servertest.Start(t, server.Deps{CarerixWebhooks: server.CarerixWebhookDeps{Ingester: carerixsync.New(carerixsync.Config{Store: db})}},
				servertest.Options{})
			deliver := func(id string) (*http.Response, string) {
				body := strings.Replace(carerixEvent, "6f1c2b7e-0000-4000-8000-000000000001", id, 1)
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/webhooks/carerix/acme", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(carerixsync.WebhookSecretHeader, "webhook-secret-0123456789")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp, string(b)
			}
			if resp, body := deliver("6f1c2b7e-0000-4000-8000-00000000000a"); resp.StatusCode != http.StatusAccepted {
				t.Fatalf("delivery before the outage = %d %s", resp.StatusCode, body)
			}

			outage(true)
			resp, body := deliver("6f1c2b7e-0000-4000-8000-00000000000b")
			var answer struct{ Code recrubo.Code }
			_ = json.Unmarshal([]byte(body), &answer)
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || answer.Code != recrubo.EUNAVAILABLE {
				t.Fatalf("delivery during the outage = %d (Retry-After %q) %s; want 503 with Retry-After",
					resp.StatusCode, resp.Header.Get("Retry-After"), body)
			}
			for _, leak := range []string{"SQLITE", "locked", "refused", "dial", "EOF", "127.0.0.1"} {
				if strings.Contains(body, leak) {
					t.Errorf("the 503 shows internal detail %q: %s", leak, body)
				}
			}
			outage(false)

			// Carerix delivers again; the pool reconnects, the event is stored.
			ok := false
			for range 50 {
				if resp, _ := deliver("6f1c2b7e-0000-4000-8000-00000000000b"); resp.StatusCode == http.StatusAccepted {
					ok = true
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if !ok {
				t.Fatal("the redelivery after the outage was not stored")
			}
			if n, err := db.CountEvents(t.Context(), tn.ID, recrubo.SourceCarerix); err != nil || n != 2 {
				t.Errorf("%d events stored (%v), want 2", n, err)
			}
		})
	}
}

// sqliteLock returns a switch that holds (true) or releases (false) the
// write lock of the SQLite database behind raw, as another process would.
func sqliteLock(t *testing.T, raw *sql.DB) func(bool) {
	var conn *sql.Conn
	return func(on bool) {
		if !on {
			if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
				t.Fatal(err)
			}
			_ = conn.Close()
			return
		}
		var err error
		if conn, err = raw.Conn(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
			t.Fatal(err)
		}
	}
}

// proxy forwards TCP connections to a target; cut(true) closes every
// connection and refuses new ones, like a database that went away.
type proxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target}
	p.listen("127.0.0.1:0")
	t.Cleanup(func() { p.cut(true) })
	return p
}

func (p *proxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *proxy) cut(on bool) {
	if !on {
		p.listen(p.addr)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
