package messaging_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/eventually"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/messaging/messagingtest"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// countingWriter counts the activity writes that reach Carerix.
type countingWriter struct {
	inner            messaging.ActivityWriter
	creates, updates *atomic.Int32
}

func (w countingWriter) CreateToDo(ctx context.Context, f carerix.ToDoFields) (*carerix.ToDo, error) {
	w.creates.Add(1)
	return w.inner.CreateToDo(ctx, f)
}

func (w countingWriter) UpdateToDo(ctx context.Context, id string, f carerix.ToDoFields) (*carerix.ToDo, error) {
	w.updates.Add(1)
	return w.inner.UpdateToDo(ctx, id, f)
}

// lockedBuffer is a log sink safe for the job workers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// summaryEnv is a stack with a Carerix emulator and counted writes.
type summaryEnv struct {
	*messagingtest.Env
	creates, updates atomic.Int32
	log              lockedBuffer
}

// forEachSummaryBackend runs fn with a summaryEnv on every backend;
// carerixOpts, when not nil, adjusts the Carerix emulator.
func forEachSummaryBackend(t *testing.T, carerixOpts func(*carerixemu.Options), fn func(t *testing.T, e *summaryEnv)) {
	t.Helper()
	forEachBackendEnv(t, func(t *testing.T, backend string) {
		se := &summaryEnv{}
		se.Env = messagingtest.New(t, backend, messagingtest.Options{
			Carerix: func(o *carerixemu.Options) {
				if carerixOpts != nil {
					carerixOpts(o)
				}
			},
			Messaging: func(c *messaging.Config) {
				inner := c.Carerix
				c.Carerix = func(ctx context.Context, tn *recrubo.Tenant) (messaging.ActivityWriter, error) {
					w, err := inner(ctx, tn)
					if err != nil {
						return nil, err
					}
					return countingWriter{inner: w, creates: &se.creates, updates: &se.updates}, nil
				}
				c.Logger = slog.New(slog.NewTextHandler(&se.log, nil))
			},
		})
		fn(t, se)
	})
}

// liveToDos returns the emulator's activities that are not deleted.
func (e *summaryEnv) liveToDos() []carerixemu.ToDo {
	var out []carerixemu.ToDo
	for _, td := range e.Carerix.ToDos() {
		if !td.Deleted {
			out = append(out, td)
		}
	}
	return out
}

// conversation reads a conversation.
func (e *summaryEnv) conversation(t *testing.T, id string) *recrubo.Conversation {
	t.Helper()
	c, err := e.DB.Conversation(context.Background(), e.Tenant.ID, id)
	must(t, err)
	return c
}

// jobsSettled waits until no job is waiting or running and at least
// finished jobs have ended (completed, cancelled or discarded); it
// returns that number.
func (e *summaryEnv) jobsSettled(t *testing.T, finished int) int {
	t.Helper()
	var n int
	eventually.Succeeds(t, fmt.Sprintf("%d finished jobs and none pending", finished), func() error {
		counts, err := e.DB.JobCounts(context.Background())
		if err != nil {
			return err
		}
		for _, st := range []string{"available", "pending", "running", "retryable", "scheduled"} {
			if counts[st] > 0 {
				return fmt.Errorf("jobs: %v", counts)
			}
		}
		n = counts["completed"] + counts["cancelled"] + counts["discarded"]
		if n < finished {
			return fmt.Errorf("jobs: %v", counts)
		}
		return nil
	})
	return n
}

// activityWith waits until the conversation's activity satisfies ok and
// every job has ended (a close while the previous summary job is still
// marked running is merged into it; see SUMMARIES.md), and returns it.
func (e *summaryEnv) activityWith(t *testing.T, convID, what string, ok func(carerixemu.ToDo) bool) carerixemu.ToDo {
	t.Helper()
	var td carerixemu.ToDo
	defer func() {
		if t.Failed() {
			t.Logf("service log:\n%s", e.log.String())
		}
	}()
	eventually.Succeeds(t, what, func() error {
		c := e.conversation(t, convID)
		if c.CarerixActivityID == "" {
			return fmt.Errorf("no activity recorded")
		}
		var err error
		if td, err = e.Carerix.ToDo(c.CarerixActivityID); err != nil {
			return err
		}
		if !ok(td) {
			return fmt.Errorf("activity = %s / %s", deref(td.Subject), deref(td.Notes))
		}
		return nil
	})
	e.jobsSettled(t, 0)
	return td
}

// accepted waits until the provider accepted each message.
func (e *summaryEnv) accepted(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		eventually.Succeeds(t, "message "+id+" accepted", func() error {
			m, err := e.DB.Message(context.Background(), e.Tenant.ID, id)
			if err != nil {
				return err
			}
			if m.ProviderID == "" {
				return fmt.Errorf("status %s (%s)", m.Status, m.FailReason)
			}
			return nil
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestSummaryEpisodesInCarerix runs against the documented Carerix and
// the one code run on tenants observed (activities written as CRTodo with
// subject and message, toDoTypeKey).
func TestSummaryEpisodesInCarerix(t *testing.T) {
	for _, p := range []carerixemu.Profile{carerixemu.ProfileDocs, carerixemu.ProfileObserved} {
		t.Run(string(p), func(t *testing.T) {
			testSummaryEpisodes(t, func(o *carerixemu.Options) { o.Profile = p })
		})
	}
}

func testSummaryEpisodes(t *testing.T, carerixOpts func(*carerixemu.Options)) {
	forEachSummaryBackend(t, carerixOpts, func(t *testing.T, e *summaryEnv) {
		ctx := context.Background()
		user, err := e.Carerix.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("anna"),
			FirstName: carerixemu.Str("Anna"), LastName: carerixemu.Str("de Vries")})
		must(t, err)
		_, err = e.DB.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: e.Tenant.ID, ID: user.ID, UserName: "anna",
			FirstName: "Anna", LastName: "de Vries", Active: true, ModifiedAt: e.Clock.Now()})
		must(t, err)
		cand := e.AddCarerixCandidate(t, "Eva", "06-12345678")
		e.AddCarerixCandidate(t, "Other", "06-87654321")

		// Episode 1: the candidate writes, the recruiter answers twice.
		e.Inbound(t, "31612345678", "Hoi, ik heb interesse in de baan")
		conv, _ := e.ConversationWithMessages(t, "+31612345678", 1)
		e.Clock.Advance(time.Minute)
		m1, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{ConversationID: conv.ID, SenderID: user.ID,
			Body: "Leuk, wanneer kun je bellen?"})
		must(t, err)
		m2, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{ConversationID: conv.ID, SenderID: user.ID,
			Template: &messaging.Template{Name: "vacature_update", Language: "nl", Vars: []string{"Eva", "Kok"}}})
		must(t, err)
		e.accepted(t, m1.ID, m2.ID)
		must(t, e.Service.Assign(ctx, e.Tenant.ID, conv.ID, user.ID, user.ID))
		must(t, e.Service.SetState(ctx, e.Tenant.ID, conv.ID, recrubo.ConversationClosed))

		first := e.activityWith(t, conv.ID, "the first summary", func(td carerixemu.ToDo) bool { return true })
		if got := deref(first.Subject); got != "WhatsApp-gesprek met Eva Test" {
			t.Errorf("subject = %q", got)
		}
		if fmt.Sprint(first.EmployeeID) != cand.ID || first.OwnerID != user.UserID {
			t.Errorf("activity linked to candidate %d and owner %d, want %s and %d", first.EmployeeID, first.OwnerID, cand.ID, user.UserID)
		}
		notes := deref(first.Notes)
		for _, want := range []string{"Periode: ", "Berichten: 1 ontvangen, 2 verzonden", "Beantwoord door: Anna de Vries",
			"Sjablonen: vacature_update", "(Europe/Amsterdam)"} {
			if !strings.Contains(notes, want) {
				t.Errorf("notes lack %q:\n%s", want, notes)
			}
		}
		for _, body := range []string{"interesse", "bellen", "nieuws"} {
			if strings.Contains(notes, body) {
				t.Errorf("notes carry message text %q:\n%s", body, notes)
			}
		}
		if n := len(e.liveToDos()); n != 1 || e.creates.Load() != 1 {
			t.Fatalf("%d activities after %d creates, want 1", n, e.creates.Load())
		}

		// Closing again without changes writes nothing.
		done := e.jobsSettled(t, 0)
		must(t, e.Service.SetState(ctx, e.Tenant.ID, conv.ID, recrubo.ConversationClosed))
		e.jobsSettled(t, done+1)
		if e.creates.Load() != 1 || e.updates.Load() != 0 {
			t.Fatalf("an unchanged summary wrote: %d creates, %d updates", e.creates.Load(), e.updates.Load())
		}

		// A message reopens the conversation within the episode; closing
		// again updates the same activity.
		e.Clock.Advance(time.Minute)
		e.Inbound(t, "31612345678", "Morgen om tien uur")
		e.ConversationWithMessages(t, "+31612345678", 4)
		must(t, e.Service.SetState(ctx, e.Tenant.ID, conv.ID, recrubo.ConversationClosed))
		updated := e.activityWith(t, conv.ID, "the updated summary", func(td carerixemu.ToDo) bool {
			return strings.Contains(deref(td.Notes), "Berichten: 2 ontvangen, 2 verzonden")
		})
		if updated.ID != first.ID || len(e.liveToDos()) != 1 || e.creates.Load() != 1 || e.updates.Load() != 1 {
			t.Fatalf("update wrote activity %s (first %s), %d live, %d creates, %d updates",
				updated.ID, first.ID, len(e.liveToDos()), e.creates.Load(), e.updates.Load())
		}

		// A recruiter reopens it: a new episode and a new activity.
		e.Clock.Advance(time.Hour)
		must(t, e.Service.SetState(ctx, e.Tenant.ID, conv.ID, recrubo.ConversationOpen))
		if c := e.conversation(t, conv.ID); c.CarerixActivityID != "" || c.SummaryHash != "" {
			t.Fatalf("reopened conversation keeps activity %q", c.CarerixActivityID)
		}
		e.Clock.Advance(time.Minute)
		m3, err := e.Service.Send(ctx, e.Tenant, messaging.SendRequest{ConversationID: conv.ID, SenderID: user.ID,
			Template: &messaging.Template{Name: "nieuwe_vacatures", Language: "nl"}})
		must(t, err)
		e.accepted(t, m3.ID)
		must(t, e.Service.SetState(ctx, e.Tenant.ID, conv.ID, recrubo.ConversationClosed))
		second := e.activityWith(t, conv.ID, "the second episode's summary", func(td carerixemu.ToDo) bool { return td.ID != first.ID })
		if n := deref(second.Notes); !strings.Contains(n, "Berichten: 0 ontvangen, 1 verzonden") ||
			!strings.Contains(n, "Sjablonen: nieuwe_vacatures") || strings.Contains(n, "vacature_update") {
			t.Errorf("second notes:\n%s", n)
		}
		again, err := e.Carerix.ToDo(first.ID)
		must(t, err)
		if deref(again.Notes) != deref(updated.Notes) || len(e.liveToDos()) != 2 {
			t.Errorf("the first activity changed or the count is wrong: %d live", len(e.liveToDos()))
		}
	})
}

func TestSummaryEnglishTenant(t *testing.T) {
	forEachSummaryBackend(t, nil, func(t *testing.T, e *summaryEnv) {
		ctx := context.Background()
		e.Tenant.Language = recrubo.LangEnglish
		must(t, e.DB.UpdateTenant(ctx, e.Tenant))
		e.AddCarerixCandidate(t, "Eva", "06-12345678")
		e.Inbound(t, "31612345678", "Hello")
		conv, _ := e.ConversationWithMessages(t, "+31612345678", 1)
		must(t, e.Service.SetState(ctx, e.Tenant.ID, conv.ID, recrubo.ConversationClosed))
		td := e.activityWith(t, conv.ID, "the summary", func(carerixemu.ToDo) bool { return true })
		if deref(td.Subject) != "WhatsApp conversation with Eva Test" ||
			!strings.Contains(deref(td.Notes), "Messages: 1 received, 0 sent") || !strings.Contains(deref(td.Notes), "Not answered") {
			t.Errorf("activity = %q\n%s", deref(td.Subject), deref(td.Notes))
		}
		if td.OwnerID != 0 {
			t.Errorf("unassigned conversation has owner %d", td.OwnerID)
		}
	})
}

func TestSummaryUnmatchedWritesNothing(t *testing.T) {
	forEachSummaryBackend(t, nil, func(t *testing.T, e *summaryEnv) {
		ctx := context.Background()
		e.AddCarerixCandidate(t, "Ann", "06-11111111")
		e.AddCarerixCandidate(t, "Bob", "06-11111111") // the same number: ambiguous
		e.Inbound(t, "31699999999", "Wie is dit?")
		e.Inbound(t, "31611111111", "Hallo")
		unmatched, _ := e.ConversationWithMessages(t, "+31699999999", 1)
		ambiguous, _ := e.ConversationWithMessages(t, "+31611111111", 1)
		if !ambiguous.Ambiguous || unmatched.CandidateID != "" {
			t.Fatalf("conversations: %+v, %+v", unmatched, ambiguous)
		}
		done := e.jobsSettled(t, 0)
		must(t, e.Service.SetState(ctx, e.Tenant.ID, unmatched.ID, recrubo.ConversationClosed))
		must(t, e.Service.SetState(ctx, e.Tenant.ID, ambiguous.ID, recrubo.ConversationClosed))
		e.jobsSettled(t, done+2)
		if n := len(e.Carerix.ToDos()); n != 0 || e.creates.Load() != 0 {
			t.Fatalf("%d activities, %d creates for unmatched conversations", n, e.creates.Load())
		}
		for _, id := range []string{unmatched.ID, ambiguous.ID} {
			if c := e.conversation(t, id); c.CarerixActivityID != "" {
				t.Errorf("conversation %s has activity %q", id, c.CarerixActivityID)
			}
		}
	})
}

func TestSummaryMissingScopeFailsOnce(t *testing.T) {
	noToDoWrites := func(o *carerixemu.Options) {
		scopes := slices.DeleteFunc(carerixemu.AllScopes(), func(s string) bool {
			return s == carerixemu.ScopeCx5Manage || s == carerixemu.ScopeGraphQLManage ||
				s == carerixemu.EntityScope("crtodo", "manage")
		})
		o.Clients = []carerixemu.Client{{ID: carerixemu.DefaultClientID, Secret: carerixemu.DefaultClientSecret, Scopes: scopes}}
	}
	forEachSummaryBackend(t, noToDoWrites, func(t *testing.T, e *summaryEnv) {
		ctx := context.Background()
		e.AddCarerixCandidate(t, "Eva", "06-12345678")
		e.Inbound(t, "31612345678", "Hoi")
		conv, _ := e.ConversationWithMessages(t, "+31612345678", 1)
		must(t, e.Service.SetState(ctx, e.Tenant.ID, conv.ID, recrubo.ConversationClosed))
		eventually.Succeeds(t, "the summary job is cancelled", func() error {
			counts, err := e.DB.JobCounts(ctx)
			if err != nil {
				return err
			}
			if counts["cancelled"] != 1 {
				return fmt.Errorf("jobs: %v", counts)
			}
			return nil
		})
		e.jobsSettled(t, 0)
		counts, err := e.DB.JobCounts(ctx)
		must(t, err)
		if e.creates.Load() != 1 || counts["cancelled"] != 1 || counts["discarded"] != 0 {
			t.Fatalf("%d creates, jobs %v: want one attempt, cancelled", e.creates.Load(), counts)
		}
		if n := len(e.Carerix.ToDos()); n != 0 {
			t.Fatalf("%d activities written without the scope", n)
		}
		logged := e.log.String()
		if strings.Count(logged, "may not write activities") != 1 || !strings.Contains(logged, "missing scope") {
			t.Errorf("log:\n%s", logged)
		}
		if c := e.conversation(t, conv.ID); c.CarerixActivityID != "" {
			t.Errorf("activity recorded: %q", c.CarerixActivityID)
		}
	})
}

// forEachBackendEnv runs fn on every backend, in parallel.
func forEachBackendEnv(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Helper()
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, backend)
		})
	}
}

func TestSummaryLoopWritesOpenConversations(t *testing.T) {
	forEachSummaryBackend(t, nil, func(t *testing.T, e *summaryEnv) {
		ctx := context.Background()
		e.AddCarerixCandidate(t, "Eva", "06-12345678")
		e.AddCarerixCandidate(t, "Old", "06-22222222")
		e.Inbound(t, "31622222222", "Oud bericht")
		old, _ := e.ConversationWithMessages(t, "+31622222222", 1)
		e.jobsSettled(t, 0)
		e.Clock.Advance(48 * time.Hour)
		since := e.Clock.Now().Add(-25 * time.Hour)
		e.Inbound(t, "31612345678", "Hoi")
		conv, _ := e.ConversationWithMessages(t, "+31612345678", 1)
		e.jobsSettled(t, 0)

		must(t, e.Service.EnqueueSummaries(ctx, since))
		td := e.activityWith(t, conv.ID, "the open conversation's summary", func(carerixemu.ToDo) bool { return true })
		if c := e.conversation(t, conv.ID); c.State != recrubo.ConversationOpen ||
			!strings.Contains(deref(td.Notes), "Berichten: 1 ontvangen, 0 verzonden") {
			t.Fatalf("state %s, notes:\n%s", c.State, deref(td.Notes))
		}
		if c := e.conversation(t, old.ID); c.CarerixActivityID != "" {
			t.Errorf("a conversation quiet for two days was summarised")
		}
		// The next run with nothing new writes nothing.
		done := e.jobsSettled(t, 0)
		must(t, e.Service.EnqueueSummaries(ctx, since))
		e.jobsSettled(t, done+1)
		if e.creates.Load() != 1 || e.updates.Load() != 0 {
			t.Fatalf("%d creates, %d updates, want 1 and 0", e.creates.Load(), e.updates.Load())
		}
	})
}
