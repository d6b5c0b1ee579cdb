package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// deadArgs is a job a process that died left running.
type deadArgs struct{}

func (deadArgs) Kind() string { return "test_dead" }

// TestRescue: a job left running by a process that died is run again by
// River's rescuer once its kind's rescue delay has passed; a long job that
// is alive, running many times its rescue delay while the rescuer makes its
// rounds, is never taken for dead (its heartbeat keeps it fresh) and runs
// exactly once. One rescuer round takes 30 s, so this test takes as long.
func TestRescue(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			env := storetest.NewEnv(t, backend)
			db := env.Open(t)
			raw := env.Raw(t)
			const delay = time.Second

			var liveCalls, deadCalls atomic.Int32
			liveStarted := make(chan struct{}, 1)
			release := make(chan struct{})
			deadAttempt := make(chan int, 1)
			reg := jobs.NewRegistry()
			jobs.Handle(reg, func(ctx context.Context, _ noteArgs) error {
				liveCalls.Add(1)
				liveStarted <- struct{}{}
				select {
				case <-release:
					return nil
				case <-ctx.Done():
					return context.Cause(ctx)
				}
			}, jobs.HandleOptions{Timeout: -1, RescueAfter: delay})
			jobs.Handle(reg, func(ctx context.Context, _ deadArgs) error {
				deadCalls.Add(1)
				n, _ := jobs.Attempt(ctx)
				deadAttempt <- n
				return nil
			}, jobs.HandleOptions{Timeout: -1, RescueAfter: delay})
			r := start(t, db, reg)
			if got := r.RescueDelay(deadArgs{}.Kind()); got != delay {
				t.Fatalf("RescueDelay = %s, want %s", got, delay)
			}

			if err := db.Enqueue(t.Context(), noteArgs{Note: "long"}, nil); err != nil {
				t.Fatal(err)
			}
			receive(t, liveStarted, "the long job to start")
			// Well past the rescue delay, and past the rescuer's first round
			// (when the runner became leader).
			time.Sleep(3 * delay)

			// The dead job: as River leaves a job whose process died while
			// running it, attempted ten minutes ago.
			if err := db.Enqueue(t.Context(), deadArgs{}, &recrubo.JobOptions{ScheduledAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			js, err := db.ActiveJobs(t.Context(), deadArgs{}.Kind())
			if err != nil || len(js) != 1 {
				t.Fatalf("the dead job: %v %v", js, err)
			}
			var attempted any = time.Now().Add(-10 * time.Minute).UTC()
			if backend == storetest.SQLite {
				attempted = attempted.(time.Time).Format("2006-01-02 15:04:05.000")
			}
			if _, err := raw.ExecContext(t.Context(),
				`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = $1 WHERE id = $2`, attempted, js[0].ID); err != nil {
				t.Fatal(err)
			}

			select {
			case n := <-deadAttempt:
				if n != 2 {
					t.Errorf("the rescued job ran as attempt %d, want 2", n)
				}
			case <-time.After(90 * time.Second):
				t.Fatal("the dead job was not rescued")
			}
			// The rescuer has made a round while the long job ran ~30 times
			// its rescue delay: it is still on its first and only attempt.
			live, err := db.ActiveJobs(t.Context(), noteArgs{}.Kind())
			if err != nil || len(live) != 1 || live[0].State != "running" || live[0].Attempt != 1 {
				t.Fatalf("the long job after a rescuer round: %+v %v; want running on attempt 1", live, err)
			}
			close(release)
			waitCounts(t, r, "both jobs complete", func(c map[string]int) bool { return c["completed"] == 2 })
			if liveCalls.Load() != 1 || deadCalls.Load() != 1 {
				t.Errorf("calls: long job %d, dead job %d; want 1 each", liveCalls.Load(), deadCalls.Load())
			}
		})
	}
}
