package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestThreadPollWaitsForTheNextMessage runs a waiting thread poll over
// real HTTP: it is answered when a message is stored (on PostgreSQL by
// another instance, through the change feed), with that message; without
// a change, as "not modified" once its wait is over; a wait out of range
// is refused with the reason; and the server's shutdown answers a waiting
// poll at once instead of waiting for it.
func TestThreadPollWaitsForTheNextMessage(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			waits := NewThreadWaits(store.ChangeMessage, store.ChangeConversation)
			f.srv = newEmbedServerClock(t, f.db, func() time.Time { return f.now }, func(d *Deps) { d.Embeds.Waits = waits })
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			f.db.Subscribe(ctx, waits.Notify)
			f.startConversation(time.Hour)
			_, doc := f.page(f.candidateURL("nl"))
			token, etag := pageToken(t, doc), doc.Find("#thread").AttrOr("data-etag", "")
			if etag == "" {
				t.Fatal("the page holds no thread ETag")
			}
			base := listenEmbed(t, f.srv)
			thread := base + "/embed/acme/api/candidate/" + f.cand.ID + "/thread"
			poll := func(query, held string) (int, string, string) {
				req, _ := http.NewRequest("GET", thread+query, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("If-None-Match", held)
				resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
				if err != nil {
					t.Error(err)
					return 0, "", ""
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(body), resp.Header.Get("ETag")
			}
			type answer struct {
				status     int
				body, etag string
			}
			waiting := func(query string) chan answer {
				done := make(chan answer, 1)
				go func() {
					s, b, e := poll(query, etag)
					done <- answer{s, b, e}
				}()
				// Until the poll waits on the tenant's next change.
				for i := 0; !waits.waitedOn(f.tenant.ID); i++ {
					if i > 500 {
						t.Fatal("the poll never waited")
					}
					time.Sleep(10 * time.Millisecond)
				}
				time.Sleep(300 * time.Millisecond) // past its read of the thread
				return done
			}

			// A message stored while the poll waits: on PostgreSQL by
			// another instance, whose change reaches this one's feed.
			writer := f.db
			if backend == storetest.Postgres {
				writer = f.env.Open(t)
			}
			done := waiting("?wait=20")
			if _, err := writer.AddMessage(ctx, &recrubo.Message{TenantID: f.tenant.ID, ConversationID: f.conv.ID, Direction: recrubo.Inbound,
				Body: "Ik kan morgen al beginnen.", Status: recrubo.StatusReceived, CreatedAt: f.now, ProviderID: "wamid.wait.1"}); err != nil {
				t.Fatal(err)
			}
			got := <-done
			if got.status != 200 || !strings.Contains(got.body, "Ik kan morgen al beginnen.") || got.etag == etag {
				t.Fatalf("waiting poll after a new message = %d, ETag %q (held %q):\n%s", got.status, got.etag, etag, got.body)
			}
			etag = got.etag

			// Nothing changes: "not modified" once the wait is over.
			if status, body, _ := poll("?wait=1", etag); status != 304 {
				t.Errorf("waiting poll without a change = %d %s, want 304", status, body)
			}
			// A change of another kind or tenant does not answer it.
			done = waiting("?wait=2")
			waits.Notify(recrubo.Change{TenantID: f.tenant.ID, Kind: store.ChangeCandidate, ID: f.cand.ID})
			waits.Notify(recrubo.Change{TenantID: "other", Kind: store.ChangeMessage})
			if got := <-done; got.status != 304 {
				t.Errorf("waiting poll after unrelated changes = %d, want 304", got.status)
			}

			for _, bad := range []string{"?wait=abc", "?wait=-1", "?wait=26", "?wait=1.5"} {
				if status, body, _ := poll(bad, etag); status != 400 || !strings.Contains(body, "0 tot 25") {
					t.Errorf("poll %s = %d %s, want 400 naming the range", bad, status, body)
				}
			}

			// Shutdown answers a waiting poll at once.
			done = waiting("?wait=25")
			sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
			defer scancel()
			if err := f.srv.Shutdown(sctx); err != nil {
				t.Fatalf("shutdown with a waiting poll: %v", err)
			}
			if got := <-done; got.status != 304 {
				t.Errorf("waiting poll at shutdown = %d, want 304", got.status)
			}
		})
	}
}

// TestThreadWaitsWakeOnTheirTenantsChanges checks which changes end a
// wait: their tenant's of the kinds given, and any change that names no
// tenant (the feed's resync after a subscriber fell behind).
func TestThreadWaitsWakeOnTheirTenantsChanges(t *testing.T) {
	w := NewThreadWaits(store.ChangeMessage, store.ChangeConversation)
	woken := func(c <-chan struct{}) bool {
		select {
		case <-c:
			return true
		default:
			return false
		}
	}
	a, b := w.changed("a"), w.changed("b")
	w.Notify(recrubo.Change{TenantID: "a", Kind: store.ChangeCandidate})
	w.Notify(recrubo.Change{TenantID: "c", Kind: store.ChangeMessage})
	if woken(a) || woken(b) {
		t.Fatal("woken by another kind or another tenant")
	}
	w.Notify(recrubo.Change{TenantID: "a", Kind: store.ChangeConversation})
	if !woken(a) || woken(b) {
		t.Fatalf("a conversation of a: a woken %v, b woken %v; want a only", woken(a), woken(b))
	}
	a2 := w.changed("a")
	if woken(a2) {
		t.Fatal("the next wait of a starts woken")
	}
	w.Notify(recrubo.Change{Kind: store.ChangeResync})
	if !woken(a2) || !woken(b) {
		t.Error("a change naming no tenant did not wake every wait")
	}

	all := NewThreadWaits()
	c := all.changed("a")
	all.Notify(recrubo.Change{TenantID: "a", Kind: store.ChangeCandidate})
	if !woken(c) {
		t.Error("waits given no kinds were not woken by every change")
	}
}

// waitedOn reports whether a poll of tenantID waits for its next change.
func (w *ThreadWaits) waitedOn(tenantID string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.next[tenantID]
	return ok
}

// listenEmbed serves s on a loopback port and returns its base URL.
func listenEmbed(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String()
}
