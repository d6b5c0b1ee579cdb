package waemu

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

var (
	errQueueFull = errors.New("waemu: webhook queue is full")
	errClosed    = errors.New("waemu: emulator is closed")
)

// step is one webhook body, delivered after delay.
type step struct {
	delay     time.Duration
	kind      string
	messageID string
	status    string
	body      []byte
	delivery  *Delivery
}

// job is a sequence of webhooks delivered one after another by one worker,
// which keeps the statuses of one message in the scheduled order.
type job struct {
	steps []step
}

// enqueueLocked records a Delivery per step and queues the job. Must be
// called with e.mu held.
func (e *Emulator) enqueueLocked(steps []step) error {
	if e.closed {
		return errClosed
	}
	if len(steps) == 0 {
		return nil
	}
	mark := len(e.deliveries)
	for i := range steps {
		e.seq++
		d := &Delivery{Seq: e.seq, Kind: steps[i].kind, MessageID: steps[i].messageID, Status: steps[i].status, Outcome: OutcomePending, Body: steps[i].body}
		steps[i].delivery = d
		e.deliveries = append(e.deliveries, d)
	}
	e.pending.add()
	select {
	case e.jobs <- &job{steps: steps}:
		return nil
	default:
		e.pending.done()
		e.deliveries = e.deliveries[:mark]
		e.seq -= int64(len(steps))
		return errQueueFull
	}
}

// work delivers queued jobs until ctx ends.
func (e *Emulator) work(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-e.jobs:
			e.runJob(ctx, j)
			e.pending.done()
		}
	}
}

func (e *Emulator) runJob(ctx context.Context, j *job) {
	for i, s := range j.steps {
		if !sleep(ctx, s.delay) {
			e.abandon(j.steps[i:], "emulator stopped")
			return
		}
		e.deliver(ctx, s)
	}
}

// deliver POSTs one webhook, retrying with backoff until it is accepted or
// MaxAttempts is reached.
func (e *Emulator) deliver(ctx context.Context, s step) {
	e.mu.Lock()
	target := e.webhookURL
	e.mu.Unlock()
	if target == "" {
		e.setOutcome(s.delivery, OutcomeSkipped)
		return
	}
	signature := sign(e.opts.AppSecret, s.body)
	backoff := e.opts.RetryBackoff
	for attempt := 1; attempt <= e.opts.MaxAttempts; attempt++ {
		if attempt > 1 {
			if !sleep(ctx, backoff) {
				e.setOutcome(s.delivery, OutcomeAbandoned)
				return
			}
			backoff = min(2*backoff, e.opts.MaxRetryBackoff)
		}
		code, err := e.post(ctx, target, signature, s.body)
		a := Attempt{At: e.now(), StatusCode: code}
		if err != nil {
			a.Error = err.Error()
		}
		e.mu.Lock()
		s.delivery.Attempts = append(s.delivery.Attempts, a)
		e.mu.Unlock()
		if err == nil && code >= 200 && code <= 299 {
			e.setOutcome(s.delivery, OutcomeDelivered)
			return
		}
		e.log.Warn("webhook delivery failed", "seq", s.delivery.Seq, "attempt", attempt, "status", code, "error", a.Error)
		if ctx.Err() != nil {
			break
		}
	}
	e.setOutcome(s.delivery, OutcomeAbandoned)
}

func (e *Emulator) post(ctx context.Context, target, signature string, body []byte) (int, error) {
	rctx, cancel := context.WithTimeout(ctx, e.opts.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("building webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", signature)
	req.Header.Set("User-Agent", "facebookexternalua")
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("posting webhook: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func (e *Emulator) setOutcome(d *Delivery, outcome string) {
	e.mu.Lock()
	d.Outcome = outcome
	e.mu.Unlock()
}

func (e *Emulator) abandon(steps []step, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range steps {
		if s.delivery.Outcome == OutcomePending {
			s.delivery.Outcome = OutcomeAbandoned
			s.delivery.Attempts = append(s.delivery.Attempts, Attempt{At: e.now(), Error: reason})
		}
	}
}

// sleep waits d or until ctx ends; it reports whether the wait completed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// sign computes the X-Hub-Signature-256 value for body.
func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Subscribe performs Meta's callback URL verification against WebhookURL:
// a GET with hub.mode=subscribe, hub.verify_token (Options.VerifyToken, or
// the one SetWebhook gave) and a random
// hub.challenge, which must be answered with 200 and the challenge as body.
func (e *Emulator) Subscribe(ctx context.Context) error {
	e.mu.Lock()
	target, token := e.webhookURL, e.verifyToken
	e.mu.Unlock()
	if target == "" {
		return errors.New("waemu: no webhook URL configured")
	}
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("waemu: parsing webhook URL: %w", err)
	}
	challenge := strconv.FormatUint(binary.BigEndian.Uint64(randomBytes(8))%10_000_000_000, 10)
	q := u.Query()
	q.Set("hub.mode", "subscribe")
	q.Set("hub.verify_token", token)
	q.Set("hub.challenge", challenge)
	u.RawQuery = q.Encode()
	rctx, cancel := context.WithTimeout(ctx, e.opts.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("waemu: building verification request: %w", err)
	}
	req.Header.Set("User-Agent", "facebookplatform/1.0 (+http://developers.facebook.com)")
	resp, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("waemu: verification request: %w", err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if err != nil {
		return fmt.Errorf("waemu: reading verification response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("waemu: verification failed: HTTP %d", resp.StatusCode)
	}
	if strings.TrimSpace(string(got)) != challenge {
		return fmt.Errorf("waemu: verification failed: response body is not the challenge")
	}
	return nil
}
