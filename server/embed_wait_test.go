package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

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
			f, w := newWaitingFixture(t, backend)
			ctx := context.Background()
			f.startConversation(time.Hour)
			_, doc := f.page(f.candidateURL("nl"))
			token, etag := pageToken(t, doc), doc.Find("#thread").AttrOr("data-etag", "")
			if etag == "" {
				t.Fatal("the page holds no thread ETag")
			}
			thread := listenEmbed(t, f.srv) + "/embed/acme/api/candidate/" + f.cand.ID + "/thread"

			// A message stored while the poll waits: on PostgreSQL by
			// another instance, whose change reaches this one's feed.
			writer := f.db
			if backend == storetest.Postgres {
				writer = f.env.Open(t)
			}
			done := w.waiting(thread+"?wait=20", token, etag)
			if _, err := writer.AddMessage(ctx, &recrubo.Message{TenantID: f.tenant.ID, ConversationID: f.conv.ID, Direction: recrubo.Inbound,
				Body: "Ik kan morgen al beginnen.", Status: recrubo.StatusReceived, CreatedAt: f.now, ProviderID: "wamid.wait.1"}); err != nil {
				t.Fatal(err)
			}
			got := <-done
			if got.status != 200 || !strings.Contains(got.body, "Ik kan morgen al beginnen.") || got.etag == etag {
				t.Fatalf("waiting poll after a new message = %d, ETag %q (held %q):\n%s", got.status, got.etag, etag, got.body)
			}
			etag = got.etag

			// Nothing changes: "not modified" once the wait is over. The
			// wait is the client's choice: the latency histogram leaves it
			// out.
			if got := w.get(thread+"?wait=1", token, etag); got.status != 304 {
				t.Errorf("waiting poll without a change = %d %s, want 304", got.status, got.body)
			}
			if n, sum := latency(t, f.srv, "/embed/:slug/api/candidate/:id/thread", "3xx"); n != 1 || sum >= 0.5 {
				t.Errorf("thread's 304 latency: %d observations summing %.3f s; want 1 without its 1 s wait", n, sum)
			}
			// A change of another kind, tenant or conversation does not
			// answer it.
			done = w.waiting(thread+"?wait=2", token, etag)
			if n := gauge(t, f.srv, "recrubo_embed_waiting_requests"); n != 1 {
				t.Errorf("waiting requests gauge = %v while one waits", n)
			}
			w.Notify(recrubo.Change{TenantID: f.tenant.ID, Kind: store.ChangeCandidate, ID: f.cand.ID})
			w.Notify(recrubo.Change{TenantID: "other", Kind: store.ChangeMessage, ID: f.conv.ID})
			w.Notify(recrubo.Change{TenantID: f.tenant.ID, Kind: store.ChangeMessage, ID: "another-conversation"})
			if got := <-done; got.status != 304 {
				t.Errorf("waiting poll after unrelated changes = %d, want 304", got.status)
			}

			for _, bad := range []string{"?wait=abc", "?wait=-1", "?wait=26", "?wait=1.5"} {
				if got := w.get(thread+bad, token, etag); got.status != 400 || !strings.Contains(got.body, "0 tot 25") {
					t.Errorf("poll %s = %d %s, want 400 naming the range", bad, got.status, got.body)
				}
			}

			// Shutdown answers a waiting poll at once.
			done = w.waiting(thread+"?wait=25", token, etag)
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := f.srv.Shutdown(sctx); err != nil {
				t.Fatalf("shutdown with a waiting poll: %v", err)
			}
			if got := <-done; got.status != 304 {
				t.Errorf("waiting poll at shutdown = %d, want 304", got.status)
			}
		})
	}
}

// TestConversationListWaitsForTheNextChange: the list's rows carry an
// ETag, "not modified" answers the ETag held, and a waiting request is
// answered when a conversation changes, with the new rows.
func TestConversationListWaitsForTheNextChange(t *testing.T) {
	f, w := newWaitingFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	token := f.listToken()
	list := listenEmbed(t, f.srv) + "/embed/acme/api/conversations?view=all"
	first := w.get(list, token, "")
	if first.status != 200 || first.etag == "" || !strings.Contains(first.body, "Ja, graag!") {
		t.Fatalf("list = %d, ETag %q:\n%s", first.status, first.etag, first.body)
	}
	if got := w.get(list, token, first.etag); got.status != 304 {
		t.Errorf("list with its ETag = %d, want 304", got.status)
	}
	done := w.waiting(list+"&wait=20", token, first.etag)
	f.conv.LastMessagePreview = "Wanneer kan ik langskomen?"
	if err := f.db.SaveConversation(context.Background(), f.conv); err != nil {
		t.Fatal(err)
	}
	got := <-done
	if got.status != 200 || !strings.Contains(got.body, "Wanneer kan ik langskomen?") || got.etag == first.etag {
		t.Fatalf("waiting list after a change = %d, ETag %q:\n%s", got.status, got.etag, got.body)
	}
}

// waitingFixture is an embed fixture whose server's requests may wait
// for the store's changes, with helpers to make them over real HTTP.
type waitingFixture struct {
	*ChangeWaits
	t *testing.T
}

// answer is what a request got.
type answer struct {
	status     int
	body, etag string
}

func newWaitingFixture(t *testing.T, backend string) (*embedFixture, *waitingFixture) {
	f := newEmbedFixture(t, backend)
	waits := NewChangeWaits(store.ConversationChanges()...)
	f.srv = newEmbedServerClock(t, f.db, func() time.Time { return f.now }, func(d *Deps) { d.Embeds.Waits = waits })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	f.db.Subscribe(ctx, waits.Notify)
	return f, &waitingFixture{ChangeWaits: waits, t: t}
}

// get sends a GET with the session token and the ETag held.
func (w *waitingFixture) get(url, token, held string) answer {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if held != "" {
		req.Header.Set("If-None-Match", held)
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		w.t.Error(err)
		return answer{}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, string(body), resp.Header.Get("ETag")}
}

// waiting sends get in the background and returns once the request
// waits for a change (no other request may be waiting).
func (w *waitingFixture) waiting(url, token, held string) chan answer {
	done := make(chan answer, 1)
	go func() { done <- w.get(url, token, held) }()
	for i := 0; w.Waiting() == 0; i++ {
		if i > 500 {
			w.t.Fatal("the request never waited")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return done
}

// TestChangeWaitsWakeOnTheirTenantsChanges checks which changes end a
// wait: of the kinds given, their conversation's (a thread's scope) or
// any of their tenant's (the list's); a change naming no conversation
// (pending statuses, a tenant's resync) wakes every wait of its tenant,
// and one naming no tenant (the feed's resync after a subscriber fell
// behind) every wait.
func TestChangeWaitsWakeOnTheirTenantsChanges(t *testing.T) {
	w := NewChangeWaits(store.ChangeMessage, store.ChangeConversation, store.ChangeResync)
	woken := func(c <-chan struct{}) bool {
		select {
		case <-c:
			return true
		default:
			return false
		}
	}
	thread1, thread2, list, other := w.changed("a", "conv1"), w.changed("a", "conv2"), w.changed("a", ""), w.changed("b", "")
	w.Notify(recrubo.Change{TenantID: "a", Kind: store.ChangeCandidate, ID: "conv1"})
	w.Notify(recrubo.Change{TenantID: "c", Kind: store.ChangeMessage, ID: "conv1"})
	if woken(thread1) || woken(thread2) || woken(list) || woken(other) {
		t.Fatal("woken by another kind or another tenant")
	}
	w.Notify(recrubo.Change{TenantID: "a", Kind: store.ChangeMessage, ID: "conv1"})
	if !woken(thread1) || woken(thread2) || !woken(list) || woken(other) {
		t.Fatalf("a message of a's conv1 woke: thread1 %v, thread2 %v, list %v, b %v; want thread1 and the list",
			woken(thread1), woken(thread2), woken(list), woken(other))
	}
	thread1, list = w.changed("a", "conv1"), w.changed("a", "")
	if woken(thread1) || woken(list) {
		t.Fatal("the next waits start woken")
	}
	w.Notify(recrubo.Change{TenantID: "a", Kind: store.ChangeMessage}) // a pending status: conversation unknown
	if !woken(thread1) || !woken(thread2) || !woken(list) || woken(other) {
		t.Error("a change naming no conversation did not wake every wait of its tenant, and only those")
	}
	thread1 = w.changed("a", "conv1")
	w.Notify(recrubo.Change{TenantID: "a", Kind: store.ChangeResync})
	if !woken(thread1) || woken(other) {
		t.Error("a tenant's resync did not wake its waits, or woke another tenant's")
	}
	thread1 = w.changed("a", "conv1")
	w.Notify(recrubo.Change{Kind: store.ChangeResync})
	if !woken(thread1) || !woken(other) {
		t.Error("a change naming no tenant did not wake every wait")
	}

	all := NewChangeWaits()
	c := all.changed("a", "conv1")
	all.Notify(recrubo.Change{TenantID: "a", Kind: store.ChangeCandidate, ID: "conv1"})
	if !woken(c) {
		t.Error("waits given no kinds were not woken by every change")
	}
}

// latency returns the request latency histogram's count and sum of the
// route and status class.
func latency(t *testing.T, s *Server, route, status string) (uint64, float64) {
	t.Helper()
	for _, mf := range gather(t, s) {
		if mf.GetName() != "recrubo_http_request_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && labels["status"] == status {
				return m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()
			}
		}
	}
	return 0, 0
}

// gauge returns the value of a gauge without labels.
func gauge(t *testing.T, s *Server, name string) float64 {
	t.Helper()
	for _, mf := range gather(t, s) {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no gauge %s", name)
	return 0
}

func gather(t *testing.T, s *Server) []*dto.MetricFamily {
	t.Helper()
	mfs, err := s.deps.Gatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return mfs
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
