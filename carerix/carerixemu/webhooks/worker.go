package webhooks

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Start launches the dispatcher and Options.Workers delivery goroutines.
// They run until Close is called or ctx is done. Jobs published before
// Start are delivered once it runs. Start may be called once.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return errors.New("starting webhook service: already closed")
	case s.started:
		return errors.New("starting webhook service: already started")
	}
	s.started = true
	ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Add(1 + s.opts.Workers)
	go s.dispatch(ctx)
	for range s.opts.Workers {
		go s.worker(ctx)
	}
	return nil
}

// Close stops the goroutines started by Start, aborting in-flight HTTP
// requests (their jobs stay pending), and waits for them to exit. It is
// safe to call more than once.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
	return nil
}

// dispatch hands due jobs to the workers and sleeps until the next one is due.
func (s *Service) dispatch(ctx context.Context) {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		now := time.Now()
		var ready []*job
		for s.queue.Len() > 0 && !s.queue[0].due.After(now) {
			ready = append(ready, heap.Pop(&s.queue).(*job))
		}
		wait := time.Duration(-1)
		if s.queue.Len() > 0 {
			wait = s.queue[0].due.Sub(now)
		}
		s.mu.Unlock()

		for i, j := range ready {
			select {
			case s.work <- j:
			case <-ctx.Done():
				s.requeue(ready[i:])
				return
			}
		}
		if len(ready) > 0 {
			continue // more may have become due while handing out
		}
		var tick <-chan time.Time
		if wait >= 0 {
			timer.Reset(wait)
			tick = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-tick:
		}
		timer.Stop()
	}
}

// requeue puts jobs taken from the queue back, due now.
func (s *Service) requeue(jobs []*job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range jobs {
		s.scheduleLocked(j, time.Now())
	}
}

// worker performs attempts for jobs handed out by dispatch.
func (s *Service) worker(ctx context.Context) {
	defer s.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-s.work:
			s.attempt(ctx, j)
		}
	}
}

// delivery is what one attempt sends, copied out under the lock.
type delivery struct {
	url       string
	body      []byte
	signature string
	headers   []Header
}

// attempt sends j once and records the outcome, scheduling a retry or
// finishing the job.
func (s *Service) attempt(ctx context.Context, j *job) {
	s.mu.Lock()
	h := s.hooks[j.WebhookID]
	if h == nil || h.hook.Status != StatusEnabled {
		s.finishLocked(j, JobCancelled)
		s.mu.Unlock()
		return
	}
	d := delivery{url: j.URL, body: []byte(j.Payload), signature: j.Signature, headers: j.Headers}
	s.mu.Unlock()

	att := s.post(ctx, d)
	if ctx.Err() != nil {
		// Shutting down: the attempt was cut short by Close, not by the
		// receiver, so it is not recorded and the job stays pending.
		s.requeue([]*job{j})
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	j.Attempts = append(j.Attempts, att)
	n := len(j.Attempts)
	switch {
	case att.DeliveryStatus == DeliverySucceeded:
		s.finishLocked(j, JobSucceeded)
		s.recordHealthLocked(j.WebhookID, false)
	case n >= s.opts.MaxAttempts:
		s.opts.Logger.Info("webhook delivery failed", "job", j.ID, "webhook", j.WebhookID, "attempts", n)
		s.finishLocked(j, JobFailed)
		s.recordHealthLocked(j.WebhookID, true)
	default:
		s.scheduleLocked(j, time.Now().Add(s.opts.Backoff(n)))
		s.notifyLocked()
	}
}

// post performs one HTTP POST and describes the outcome.
func (s *Service) post(ctx context.Context, d delivery) DeliveryAttempt {
	att := DeliveryAttempt{CreatedAt: s.now(), DeliveryStatus: DeliveryFailed}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		att.Error = fmt.Sprintf("building request: %v", err)
		return att
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cx-Payload-Schema-Version", s.opts.SchemaVersion)
	req.Header.Set("Cx-Signature", d.signature)
	for _, h := range d.headers {
		req.Header.Add(h.Name, h.Value)
	}
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		att.Error = fmt.Sprintf("sending request: %v", err)
		return att
	}
	defer resp.Body.Close()
	att.ResponseStatusCode = resp.StatusCode
	if hdr, err := json.Marshal(resp.Header); err == nil {
		att.ResponseHeaders = string(hdr)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponsePayload))
	att.ResponsePayload = string(body)
	if err != nil {
		att.Error = fmt.Sprintf("reading response: %v", err)
		return att
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponsePayload))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		att.DeliveryStatus = DeliverySucceeded
	}
	return att
}
