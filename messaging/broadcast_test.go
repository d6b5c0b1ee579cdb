package messaging_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/eventually"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/messaging/messagingtest"
	"github.com/recrubo/recrubo-carerix/store"
)

// broadcastVacancy syncs a vacancy matched to eligible candidates with
// mobile numbers, one whose stored number is a landline (as synced before
// numbers were checked) and one who opted out. It returns the eligible
// candidates' numbers without "+".
func broadcastVacancy(t *testing.T, e *messagingtest.Env, eligible int) map[string]bool {
	t.Helper()
	ctx := context.Background()
	_, err := e.DB.UpsertVacancy(ctx, &recrubo.Vacancy{TenantID: e.Tenant.ID, ID: "v1", Title: "Heftruckchauffeur", CompanyName: "Bouw BV",
		ModifiedAt: e.Clock.Now()})
	must(t, err)
	match := func(cand string) {
		_, err := e.DB.UpsertMatch(ctx, &recrubo.Match{TenantID: e.Tenant.ID, ID: "m-" + cand, CandidateID: cand, VacancyID: "v1",
			Stage: "Voorgesteld", ModifiedAt: e.Clock.Now()})
		must(t, err)
	}
	numbers := map[string]bool{}
	for i := range eligible {
		id, mobile := fmt.Sprintf("c%d", i), fmt.Sprintf("0612340%03d", i)
		e.AddCandidate(t, id, fmt.Sprintf("Kandidaat%d", i), mobile)
		match(id)
		numbers[fmt.Sprintf("31612340%03d", i)] = true
	}
	e.AddCandidate(t, "vast", "Vaste", "020-1234567")
	match("vast")
	e.AddCandidate(t, "stop", "Stopper", "06-22887766")
	must(t, e.Service.OptOut(ctx, e.Tenant.ID, "06-22887766", messaging.SourceStopKeyword))
	match("stop")
	return numbers
}

// sentOncePerNumber fails unless the emulator accepted exactly one message
// for each number in want and none for anyone else.
func sentOncePerNumber(t *testing.T, e *messagingtest.Env, want map[string]bool) {
	t.Helper()
	got := map[string]int{}
	for _, m := range e.Emu.SentMessages() {
		got[m.To]++
		if m.TemplateName != "vacature_update" || m.TemplateParams[1] != "Heftruckchauffeur" {
			t.Errorf("sent %+v", m)
		}
	}
	for n := range want {
		if got[n] != 1 {
			t.Errorf("%s got %d messages, want 1", n, got[n])
		}
	}
	for n, c := range got {
		if !want[n] {
			t.Errorf("%s, not eligible, got %d messages", n, c)
		}
	}
}

// waitBroadcastDone waits until the broadcast is done and every message
// the provider accepted has been read.
func waitBroadcastDone(t *testing.T, e *messagingtest.Env, id string) *messaging.BroadcastProgress {
	t.Helper()
	var p *messaging.BroadcastProgress
	eventually.Succeeds(t, "broadcast "+id+" done", func() error {
		var err error
		if p, err = e.Service.Progress(context.Background(), e.Tenant.ID, id); err != nil {
			return err
		}
		if p.Broadcast.State != recrubo.BroadcastDone || p.Pending+p.Queued+p.Sent+p.Delivered > 0 {
			return fmt.Errorf("%s: %d pending, %d queued, %d sent, %d delivered", p.Broadcast.State, p.Pending, p.Queued, p.Sent, p.Delivered)
		}
		return nil
	})
	return p
}

func TestBroadcastSendsOncePerCandidateWhenItsJobIsKilledAndRetried(t *testing.T) {
	const rate = 4 // messages a second, so the job is still busy when it is killed
	forEachBackend(t, messagingtest.Options{NoJobs: true, Messaging: func(c *messaging.Config) { c.BroadcastRate = rate }},
		func(t *testing.T, e *messagingtest.Env) {
			ctx := context.Background()
			numbers := broadcastVacancy(t, e, 6)
			req := messaging.BroadcastRequest{VacancyID: "v1", SenderID: "u1", RequestKey: "req-1",
				Template: messaging.Template{Name: "vacature_update", Language: "nl", Vars: []string{"{first_name}", "{vacancy}"}}}
			b, err := e.Service.StartBroadcast(ctx, e.Tenant, req)
			must(t, err)
			if b.Total != 8 {
				t.Fatalf("broadcast to %d candidates, want the 8 matched", b.Total)
			}
			again, err := e.Service.StartBroadcast(ctx, e.Tenant, req)
			must(t, err)
			if again.ID != b.ID {
				t.Fatal("the same request started a second broadcast")
			}

			// The first instance works the broadcast and is killed halfway.
			first := e.StartJobs(t, e.DB, e.Service)
			eventually.Succeeds(t, "two recipients handed out", func() error {
				p, err := e.Service.Progress(ctx, e.Tenant.ID, b.ID)
				if err != nil {
					return err
				}
				if handed := len(p.Results) - p.Pending; handed < 2 {
					return fmt.Errorf("%d handed out", handed)
				}
				return nil
			})
			killed, cancel := context.WithCancel(ctx)
			cancel()
			_ = first.Stop(killed) // running jobs are cancelled mid-way
			p, err := e.Service.Progress(ctx, e.Tenant.ID, b.ID)
			must(t, err)
			if p.Pending == 0 {
				t.Fatalf("the job finished before it was killed; the test proves nothing: %+v", p)
			}
			t.Logf("killed with %d of %d recipients pending", p.Pending, len(p.Results))

			// Another instance picks up the retried job and the sends left.
			db2 := e.Store.Open(t, func(c *store.Config) { c.Now = e.Clock.Now })
			second := messaging.New(messaging.Config{Store: db2, Now: e.Clock.Now, RetryBase: 10 * time.Millisecond, BroadcastRate: rate})
			e.StartJobs(t, db2, second)
			p = waitBroadcastDone(t, e, b.ID)
			if p.Read != 6 || p.Skipped != 2 || p.Failed != 0 {
				t.Errorf("progress = %d read, %d skipped, %d failed; want 6, 2, 0", p.Read, p.Skipped, p.Failed)
			}
			reasons := map[string]string{}
			for _, r := range p.Results {
				reasons[r.CandidateID] = r.Reason
			}
			if reasons["vast"] != recrubo.SkipNoMobile || reasons["stop"] != recrubo.SkipOptedOut {
				t.Errorf("skip reasons = %v", reasons)
			}
			must(t, e.Emu.WaitIdle(ctx))
			sentOncePerNumber(t, e, numbers)

			// A new broadcast of the same template for the vacancy reaches
			// nobody again.
			req.RequestKey = "req-2"
			b2, err := e.Service.StartBroadcast(ctx, e.Tenant, req)
			must(t, err)
			p2 := waitBroadcastDone(t, e, b2.ID)
			if p2.Skipped != 8 {
				t.Errorf("second broadcast skipped %d, want all 8", p2.Skipped)
			}
			sentOncePerNumber(t, e, numbers)
		})
}

func TestBroadcastRunByTwoInstancesAtOnceSendsOnce(t *testing.T) {
	forEachBackend(t, messagingtest.Options{NoJobs: true, Messaging: func(c *messaging.Config) { c.BroadcastRate = 200 }},
		func(t *testing.T, e *messagingtest.Env) {
			ctx := context.Background()
			numbers := broadcastVacancy(t, e, 10)
			b, err := e.Service.StartBroadcast(ctx, e.Tenant, messaging.BroadcastRequest{VacancyID: "v1", SenderID: "u1", RequestKey: "k",
				Template: messaging.Template{Name: "vacature_update", Language: "nl", Vars: []string{"{first_name}", "{vacancy}"}}})
			must(t, err)
			// The same job run twice at once, on two handles of the database.
			var wg sync.WaitGroup
			for range 2 {
				db := e.Store.Open(t, func(c *store.Config) { c.Now = e.Clock.Now })
				svc := messaging.New(messaging.Config{Store: db, Now: e.Clock.Now, BroadcastRate: 200})
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := svc.HandleBroadcast(ctx, messaging.BroadcastJob{TenantID: e.Tenant.ID, BroadcastID: b.ID}); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			e.StartJobs(t, e.DB, e.Service) // the sends
			p := waitBroadcastDone(t, e, b.ID)
			if p.Read != 10 || p.Skipped != 2 {
				t.Errorf("progress = %+v", p)
			}
			must(t, e.Emu.WaitIdle(ctx))
			sentOncePerNumber(t, e, numbers)
			n := 0
			for _, r := range p.Results {
				if r.MessageID != "" {
					conv, err := e.DB.Message(ctx, e.Tenant.ID, r.MessageID)
					must(t, err)
					ms, err := e.DB.Messages(ctx, e.Tenant.ID, conv.ConversationID, 10)
					must(t, err)
					n += len(ms)
				}
			}
			if n != 10 {
				t.Errorf("%d messages stored for 10 recipients", n)
			}
		})
}
