package messaging

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
)

// Broadcasts: a recruiter sends an approved template to the candidates
// matched to a vacancy. Every recipient is settled exactly once: its
// message is stored, and its send job enqueued, in the same transaction
// that moves it from pending to queued, and that move only succeeds while
// it is pending. A broadcast job killed halfway and retried, or run by two
// instances at once, so never messages anyone twice; the send job then
// sends each message at most once (see the package documentation).

// BroadcastRequest asks for a template to be sent to a vacancy's matched
// candidates.
type BroadcastRequest struct {
	VacancyID string
	// SenderID is the Carerix user who sends. Required.
	SenderID string
	// Template names the approved template; its Vars may hold the
	// placeholders of BroadcastPlaceholders, filled per candidate.
	Template Template
	// RequestKey identifies the request: sending it again (a double click,
	// a retried POST) finds the broadcast it made. Required.
	RequestKey string
}

// BroadcastPlaceholders are what a broadcast's values may say instead of
// a fixed text, and what fills them for each candidate.
var BroadcastPlaceholders = []string{"{first_name}", "{last_name}", "{name}", "{vacancy}", "{company}"}

// fillVars returns vars with the placeholders filled for cand and v.
func fillVars(vars []string, cand *recrubo.Candidate, v *recrubo.Vacancy) []string {
	r := strings.NewReplacer(
		"{first_name}", cand.FirstName,
		"{last_name}", strings.TrimSpace(cand.LastNamePrefix+" "+cand.LastName),
		"{name}", cand.FullName(),
		"{vacancy}", v.Title,
		"{company}", v.CompanyName,
	)
	out := make([]string, len(vars))
	for i, s := range vars {
		out[i] = strings.TrimSpace(r.Replace(s))
	}
	return out
}

// broadcastJobSlice bounds one run of a broadcast job; it then continues
// in a new run, so a long broadcast never meets the job timeout.
const broadcastJobSlice = 45 * time.Second

// BroadcastJob hands out a broadcast's messages.
type BroadcastJob struct {
	TenantID    string `json:"tenant_id"`
	BroadcastID string `json:"broadcast_id"`
}

// Kind implements recrubo.JobArgs.
func (BroadcastJob) Kind() string { return "whatsapp_broadcast" }

// broadcastAttempts bounds a broadcast job's failed runs.
const broadcastAttempts = 20

// PlanBroadcast returns who a broadcast of the template (name, language)
// for the vacancy would reach: its matched candidates, each pending or
// skipped with the reason (no mobile number, opted out, already sent this
// template for this vacancy, no longer synced). Nothing is stored.
func (s *Service) PlanBroadcast(ctx context.Context, tenant *recrubo.Tenant, vacancyID, name, language string) ([]*recrubo.BroadcastRecipient, error) {
	if tenant == nil {
		return nil, recrubo.Errorf(recrubo.EINVALID, "No tenant given.")
	}
	if _, err := s.store.Vacancy(ctx, tenant.ID, vacancyID); err != nil {
		return nil, err
	}
	matches, err := s.store.MatchesByVacancy(ctx, tenant.ID, vacancyID)
	if err != nil {
		return nil, err
	}
	sent := map[string]bool{}
	if name != "" {
		ids, err := s.store.TemplateRecipients(ctx, tenant.ID, vacancyID, name, language)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			sent[id] = true
		}
	}
	seen := map[string]bool{}
	var out []*recrubo.BroadcastRecipient
	for _, m := range matches {
		if seen[m.CandidateID] {
			continue
		}
		seen[m.CandidateID] = true
		r := &recrubo.BroadcastRecipient{TenantID: tenant.ID, CandidateID: m.CandidateID, State: recrubo.RecipientPending}
		cand, err := s.store.Candidate(ctx, tenant.ID, m.CandidateID)
		switch {
		case isCode(err, recrubo.ENOTFOUND):
			r.State, r.Reason = recrubo.RecipientSkipped, recrubo.SkipGone
			out = append(out, r)
			continue
		case err != nil:
			return nil, err
		}
		r.Name, r.Phone = cand.FullName(), cand.PhoneE164
		if reason, err := s.skipReason(ctx, s.store, tenant, cand); err != nil {
			return nil, err
		} else if reason != "" {
			r.State, r.Reason = recrubo.RecipientSkipped, reason
		} else if sent[cand.ID] {
			r.State, r.Reason = recrubo.RecipientSkipped, recrubo.SkipAlreadySent
		}
		out = append(out, r)
	}
	return out, nil
}

// skipReason says why cand cannot get a message now, or "".
func (s *Service) skipReason(ctx context.Context, ds recrubo.DataStore, tenant *recrubo.Tenant, cand *recrubo.Candidate) (string, error) {
	if cand.PhoneE164 == "" || !recrubo.IsMobilePhone(cand.PhoneE164) {
		return recrubo.SkipNoMobile, nil
	}
	err := refuseOptedOut(ctx, ds, tenant.ID, cand.PhoneE164)
	switch {
	case isCode(err, recrubo.EFORBIDDEN):
		return recrubo.SkipOptedOut, nil
	case err != nil:
		return "", err
	}
	return "", nil
}

// StartBroadcast stores a broadcast of req's template to the vacancy's
// matched candidates (see PlanBroadcast for who is skipped) and enqueues
// its job in the same transaction. The template must be approved and
// sendable and take as many values as req gives, none empty. A request
// with a RequestKey seen before returns that broadcast.
func (s *Service) StartBroadcast(ctx context.Context, tenant *recrubo.Tenant, req BroadcastRequest) (*recrubo.Broadcast, error) {
	if err := requireWhatsApp(tenant); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.SenderID) == "" || strings.TrimSpace(req.RequestKey) == "" {
		return nil, recrubo.E(recrubo.EINVALID, "whatsapp.msg.reload")
	}
	if _, err := findTemplate(ctx, s.store, tenant.ID, req.Template); err != nil {
		return nil, err
	}
	rs, err := s.PlanBroadcast(ctx, tenant, req.VacancyID, req.Template.Name, req.Template.Language)
	if err != nil {
		return nil, err
	}
	b := &recrubo.Broadcast{TenantID: tenant.ID, VacancyID: req.VacancyID, TemplateName: req.Template.Name,
		TemplateLanguage: req.Template.Language, Vars: req.Template.Vars, CreatedBy: req.SenderID,
		RequestKey: req.RequestKey, CreatedAt: s.now()}
	err = s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		created, err := tx.CreateBroadcast(ctx, b, rs)
		if err != nil || !created || b.State == recrubo.BroadcastDone {
			return err
		}
		return tx.Enqueue(ctx, BroadcastJob{TenantID: tenant.ID, BroadcastID: b.ID}, &recrubo.JobOptions{UniqueByArgs: true})
	})
	if err != nil {
		return nil, wrap(err, "starting a broadcast for vacancy %s", req.VacancyID)
	}
	s.log.InfoContext(ctx, "broadcast started", "tenant", tenant.ID, "broadcast", b.ID, "vacancy", b.VacancyID,
		"template", b.TemplateName, "recipients", b.Total, "by", b.CreatedBy)
	return b, nil
}

// BroadcastRate is how many messages a second a broadcast hands out.
func (s *Service) BroadcastRate() float64 { return s.rate }

// errSettled ends a recipient's transaction when someone else settled it.
var errSettled = errors.New("recipient settled elsewhere")

// HandleBroadcast is the handler of BroadcastJob: it settles the pending
// recipients in order, at most Config.BroadcastRate a second, and marks
// the broadcast done when none is left. A run longer than a slice ends
// and the job continues in a new run.
func (s *Service) HandleBroadcast(ctx context.Context, job BroadcastJob) error {
	b, err := s.store.Broadcast(ctx, job.TenantID, job.BroadcastID)
	if isCode(err, recrubo.ENOTFOUND) {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	if b.State == recrubo.BroadcastDone {
		return nil
	}
	tenant, err := s.store.TenantByID(ctx, job.TenantID)
	if isCode(err, recrubo.ENOTFOUND) {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	vacancy, err := s.store.Vacancy(ctx, tenant.ID, b.VacancyID)
	if isCode(err, recrubo.ENOTFOUND) {
		vacancy, err = &recrubo.Vacancy{TenantID: tenant.ID, ID: b.VacancyID}, nil
	}
	if err != nil {
		return err
	}
	limiter := rate.NewLimiter(rate.Limit(s.rate), 1)
	until := s.now().Add(broadcastJobSlice)
	for {
		pending, err := s.store.PendingRecipients(ctx, tenant.ID, b.ID, 50)
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			if err := s.store.FinishBroadcast(ctx, tenant.ID, b.ID, s.now()); err != nil {
				return err
			}
			s.log.InfoContext(ctx, "broadcast done", "tenant", tenant.ID, "broadcast", b.ID)
			return nil
		}
		for _, r := range pending {
			if s.now().After(until) {
				return jobs.Snooze(0)
			}
			if err := limiter.Wait(ctx); err != nil {
				return wrap(err, "pacing broadcast %s", b.ID)
			}
			if err := s.settle(ctx, tenant, b, vacancy, r); err != nil {
				return wrap(err, "broadcast %s to candidate %s", b.ID, r.CandidateID)
			}
		}
	}
}

// settle hands out one recipient's message, or skips them, in one
// transaction; nothing when someone else settled them first.
func (s *Service) settle(ctx context.Context, tenant *recrubo.Tenant, b *recrubo.Broadcast, v *recrubo.Vacancy, r *recrubo.BroadcastRecipient) error {
	err := s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		skip := func(reason string) error {
			r.State, r.Reason = recrubo.RecipientSkipped, reason
			ok, err := tx.SettleRecipient(ctx, r)
			if err == nil && !ok {
				err = errSettled
			}
			return err
		}
		if err := requireWhatsApp(tenant); err != nil {
			return skip(recrubo.SkipRefused)
		}
		cand, err := tx.Candidate(ctx, tenant.ID, r.CandidateID)
		if isCode(err, recrubo.ENOTFOUND) {
			return skip(recrubo.SkipGone)
		}
		if err != nil {
			return err
		}
		if reason, err := s.skipReason(ctx, tx, tenant, cand); err != nil || reason != "" {
			if err != nil {
				return err
			}
			return skip(reason)
		}
		vars := fillVars(b.Vars, cand, v)
		tpl, err := findTemplate(ctx, tx, tenant.ID, Template{Name: b.TemplateName, Language: b.TemplateLanguage, Vars: vars})
		if isCode(err, recrubo.EINVALID) {
			return skip(recrubo.SkipTemplate)
		}
		if err != nil {
			return err
		}
		// Claim the recipient first: a second instance settling them at
		// the same time waits here and then finds them settled.
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		r.State, r.MessageID = recrubo.RecipientQueued, id.String()
		ok, err := tx.SettleRecipient(ctx, r)
		if err != nil {
			return err
		}
		if !ok {
			return errSettled
		}
		conv, err := candidateConversation(ctx, tx, tenant, cand)
		if err != nil {
			return err
		}
		now := s.now()
		msg := &recrubo.Message{TenantID: tenant.ID, ID: r.MessageID, ConversationID: conv.ID, Direction: recrubo.Outbound,
			SenderID: b.CreatedBy, Kind: recrubo.KindTemplate, TemplateName: tpl.Name, TemplateLanguage: tpl.Language,
			TemplateVars: vars, Body: tpl.Render(vars), Status: recrubo.StatusQueued, SendAttempt: 1, CreatedAt: now}
		if _, err := tx.AddMessage(ctx, msg); err != nil {
			return err
		}
		return queueSend(ctx, tx, conv, msg, b.CreatedBy)
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	return err
}

// BroadcastProgress is a broadcast with its recipients' results.
type BroadcastProgress struct {
	Broadcast *recrubo.Broadcast
	Results   []*recrubo.BroadcastResult
	// Counts per outcome: pending, skipped, queued (not sent yet), sent,
	// delivered, read and failed.
	Pending, Skipped, Queued, Sent, Delivered, Read, Failed int
}

// Progress returns a broadcast with the result for every recipient.
func (s *Service) Progress(ctx context.Context, tenantID, broadcastID string) (*BroadcastProgress, error) {
	b, err := s.store.Broadcast(ctx, tenantID, broadcastID)
	if err != nil {
		return nil, err
	}
	rs, err := s.store.BroadcastResults(ctx, tenantID, broadcastID)
	if err != nil {
		return nil, err
	}
	p := &BroadcastProgress{Broadcast: b, Results: rs}
	for _, r := range rs {
		switch {
		case r.State == recrubo.RecipientPending:
			p.Pending++
		case r.State == recrubo.RecipientSkipped:
			p.Skipped++
		case r.MessageStatus == recrubo.StatusSent:
			p.Sent++
		case r.MessageStatus == recrubo.StatusDelivered:
			p.Delivered++
		case r.MessageStatus == recrubo.StatusRead:
			p.Read++
		case r.MessageStatus == recrubo.StatusFailed:
			p.Failed++
		default:
			p.Queued++
		}
	}
	return p, nil
}
