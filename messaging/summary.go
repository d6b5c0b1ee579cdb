package messaging

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/jobs"
)

// ActivityWriter writes Carerix activities (CRToDo). *carerix.Client
// implements it.
type ActivityWriter interface {
	CreateToDo(ctx context.Context, f carerix.ToDoFields) (*carerix.ToDo, error)
	UpdateToDo(ctx context.Context, id string, f carerix.ToDoFields) (*carerix.ToDo, error)
}

// contractHolder is an ActivityWriter that knows the tenant's Carerix
// contract (*carerix.Client), so summaries are not attempted where the
// tenant's API has no activities.
type contractHolder interface {
	Contract(ctx context.Context) (*carerix.Contract, error)
}

// CarerixConnector returns the ActivityWriter of a tenant's Carerix
// integration account.
type CarerixConnector func(ctx context.Context, t *recrubo.Tenant) (ActivityWriter, error)

// SummaryJob writes the summary of a conversation's current episode to
// the candidate in Carerix. It is unique by its arguments, so repeated
// closes do not stack up.
type SummaryJob struct {
	TenantID       string `json:"tenant_id"`
	ConversationID string `json:"conversation_id"`
}

// Kind implements recrubo.JobArgs.
func (SummaryJob) Kind() string { return "messaging.summary" }

// Summary settings.
const (
	summaryAttempts = 8
	// summaryMessages is how many of a conversation's newest messages a
	// summary looks at.
	summaryMessages = 1000
	// summaryRounds bounds how often one job writes again because the
	// conversation changed while it wrote (a close deduplicated against
	// the running job).
	summaryRounds = 3
)

// enqueueSummary enqueues the summary job of a conversation in tx, when
// the service has a Carerix connector.
func (s *Service) enqueueSummary(ctx context.Context, tx recrubo.Tx, c *recrubo.Conversation) error {
	if s.carerix == nil {
		return nil
	}
	return tx.Enqueue(ctx, SummaryJob{TenantID: c.TenantID, ConversationID: c.ID},
		&recrubo.JobOptions{UniqueByArgs: true, MaxAttempts: summaryAttempts})
}

// HandleSummary runs a SummaryJob: it creates the activity of the
// conversation's episode on the candidate, or updates the one it wrote
// before when the notes changed. Unmatched and ambiguous conversations
// get nothing; access errors end the job at once.
func (s *Service) HandleSummary(ctx context.Context, job SummaryJob) error {
	if s.carerix == nil {
		return nil
	}
	tenant, err := s.store.TenantByID(ctx, job.TenantID)
	if isCode(err, recrubo.ENOTFOUND) {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	log := s.log.With("tenant", tenant.ID, "conversation", job.ConversationID)
	for range summaryRounds {
		again, err := s.writeSummary(ctx, tenant, job.ConversationID, log)
		if err != nil || !again {
			return err
		}
	}
	return nil
}

// writeSummary writes one summary and reports whether the conversation
// changed while it did (so it is summarised again).
func (s *Service) writeSummary(ctx context.Context, tenant *recrubo.Tenant, conversationID string, log *slog.Logger) (bool, error) {
	conv, err := s.store.Conversation(ctx, tenant.ID, conversationID)
	if isCode(err, recrubo.ENOTFOUND) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !conv.Matched() {
		log.InfoContext(ctx, "no Carerix summary: the conversation has no single candidate")
		return false, nil
	}
	sum, err := s.summarize(ctx, tenant, conv)
	if err != nil {
		return false, err
	}
	if sum == nil {
		log.InfoContext(ctx, "no Carerix summary: no messages in this episode")
		return false, nil
	}
	if conv.CarerixActivityID != "" && conv.SummaryHash == sum.hash {
		return s.changedSince(ctx, conv)
	}
	client, err := s.carerix(ctx, tenant)
	if err != nil {
		log.ErrorContext(ctx, "Carerix summary not written: no Carerix client for the tenant", "err", err)
		return false, jobs.Permanent(wrap(err, "connecting to Carerix for %s", tenant.Slug))
	}
	if c, ok := client.(contractHolder); ok {
		if k, err := c.Contract(ctx); err == nil && k.Lacks(carerix.EffectActivities) {
			log.InfoContext(ctx, "Carerix summary not written: the tenant's Carerix API has no activities (its contract)")
			return false, nil
		}
	}
	id, err := s.putActivity(ctx, client, conv, sum)
	if err != nil {
		if errors.Is(err, carerix.ErrContract) {
			log.ErrorContext(ctx, "Carerix summary not written: the tenant's Carerix API does not take the activity", "err", err)
			return false, jobs.Permanent(wrap(err, "writing the summary of conversation %s", conv.ID))
		}
		if errors.Is(err, carerix.ErrUnauthenticated) || errors.Is(err, carerix.ErrMissingScope) || errors.Is(err, carerix.ErrForbidden) {
			log.ErrorContext(ctx, "Carerix summary not written: the integration account may not write activities (CRToDo)",
				"err", err)
			return false, jobs.Permanent(wrap(err, "writing the summary of conversation %s", conv.ID))
		}
		if errors.Is(err, carerix.ErrBadRequest) {
			// Retrying the same request cannot help (a candidate deleted in
			// Carerix, an owner it does not know).
			log.ErrorContext(ctx, "Carerix summary not written: Carerix rejected the activity", "err", err)
			return false, jobs.Permanent(wrap(err, "writing the summary of conversation %s", conv.ID))
		}
		return false, wrap(err, "writing the summary of conversation %s", conv.ID)
	}
	stored, err := s.store.SetConversationActivity(ctx, tenant.ID, conv.ID, conv.EpisodeStartedAt, id, sum.hash)
	if err != nil {
		return false, wrap(err, "recording activity %s of conversation %s", id, conv.ID)
	}
	log.InfoContext(ctx, "Carerix summary written", "activity", id, "candidate", conv.CandidateID, "episode_current", stored)
	return s.changedSince(ctx, conv)
}

// changedSince reports whether the conversation was changed (closed
// again, written to) after conv was read.
func (s *Service) changedSince(ctx context.Context, conv *recrubo.Conversation) (bool, error) {
	now, err := s.store.Conversation(ctx, conv.TenantID, conv.ID)
	if err != nil {
		return false, err
	}
	return now.UpdatedAt.After(conv.UpdatedAt), nil
}

// DefaultSummaryInterval is how often SummaryLoop runs when given no
// interval: daily.
const DefaultSummaryInterval = 24 * time.Hour

// SummaryLoop returns the background loop that, at once and then every
// interval until ctx ends, enqueues the summary job of each conversation
// with a candidate that had a message or a change since the previous run
// (EnqueueSummaries), so a long-running chat is visible in Carerix before
// it is closed. Jobs are unique by arguments and unchanged notes are not
// rewritten, so instances running the loop side by side do no harm.
func (s *Service) SummaryLoop(interval time.Duration) func(ctx context.Context) {
	if interval <= 0 {
		interval = DefaultSummaryInterval
	}
	return func(ctx context.Context) {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if err := s.EnqueueSummaries(ctx, s.now().Add(-interval-summaryOverlap)); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "scheduling conversation summaries", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}
}

// summaryOverlap widens each SummaryLoop run's window, so a run that
// starts late misses nothing.
const summaryOverlap = time.Hour

// EnqueueSummaries enqueues the summary job of every conversation with a
// candidate that had a message or a change at or after since, for every
// tenant. It does nothing without Config.Carerix.
func (s *Service) EnqueueSummaries(ctx context.Context, since time.Time) error {
	if s.carerix == nil {
		return nil
	}
	tenants, err := s.store.Tenants(ctx)
	if err != nil {
		return wrap(err, "listing tenants for conversation summaries")
	}
	for _, t := range tenants {
		convs, err := s.store.ConversationsChangedSince(ctx, t.ID, since)
		if err != nil {
			return wrap(err, "listing conversations of %s for summaries", t.Slug)
		}
		if len(convs) == 0 {
			continue
		}
		err = s.store.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
			for _, c := range convs {
				if err := s.enqueueSummary(ctx, tx, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return wrap(err, "enqueueing conversation summaries of %s", t.Slug)
		}
	}
	return nil
}

// putActivity creates the episode's activity, or updates the stored one,
// and returns its _id. A stored activity deleted in Carerix is created
// anew.
func (s *Service) putActivity(ctx context.Context, client ActivityWriter, conv *recrubo.Conversation, sum *summary) (string, error) {
	f := carerix.ToDoFields{Subject: &sum.subject, Notes: &sum.notes, EmployeeID: &conv.CandidateID}
	if sum.owner != "" {
		f.OwnerID = &sum.owner
	}
	if s.activityType != "" {
		f.TodoTypeKey = &s.activityType
	}
	if conv.CarerixActivityID != "" {
		td, err := client.UpdateToDo(ctx, conv.CarerixActivityID, f)
		if err == nil {
			return td.ID, nil
		}
		if !errors.Is(err, carerix.ErrNotFound) {
			return "", err
		}
	}
	// A create whose answer is lost is retried by the job and may leave a
	// second activity: see SUMMARIES.md.
	s.log.InfoContext(ctx, "creating Carerix activity", "tenant", conv.TenantID, "conversation", conv.ID,
		"episode", conv.EpisodeStartedAt)
	td, err := client.CreateToDo(ctx, f)
	if err != nil {
		return "", err
	}
	return td.ID, nil
}

// summary is what is written to the activity.
type summary struct {
	subject, notes, owner, hash string
}

// summarize builds the summary of the conversation's current episode in
// the tenant's language; nil when the episode has no messages.
func (s *Service) summarize(ctx context.Context, tenant *recrubo.Tenant, conv *recrubo.Conversation) (*summary, error) {
	msgs, err := s.store.Messages(ctx, tenant.ID, conv.ID, summaryMessages)
	if err != nil {
		return nil, err
	}
	var (
		first, last        time.Time
		in, out, failed    int
		senders, templates []string
	)
	for _, m := range msgs {
		if m.CreatedAt.Before(conv.EpisodeStartedAt) {
			continue
		}
		if first.IsZero() {
			first = m.CreatedAt
		}
		last = m.CreatedAt
		if m.Direction == recrubo.Inbound {
			in++
			continue
		}
		out++
		if m.Status == recrubo.StatusFailed {
			failed++
		}
		senders = appendNew(senders, m.SenderID)
		templates = appendNew(templates, m.TemplateName)
	}
	if in+out == 0 {
		return nil, nil
	}
	name := conv.Phone
	if c, err := s.store.Candidate(ctx, tenant.ID, conv.CandidateID); err == nil && c.FullName() != "" {
		name = c.FullName()
	} else if err != nil && !isCode(err, recrubo.ENOTFOUND) {
		return nil, err
	}
	names := make([]string, 0, len(senders))
	for _, id := range senders {
		names = append(names, s.recruiterName(ctx, tenant.ID, id))
	}
	sum := &summary{}
	if conv.AssigneeID != "" {
		if _, err := s.store.Recruiter(ctx, tenant.ID, conv.AssigneeID); err == nil {
			sum.owner = conv.AssigneeID
		}
	}
	w := summaryWordsFor(tenant.Language)
	loc := tenant.Location()
	const layout = "02-01-2006 15:04"
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s – %s (%s)\n", w.period, first.In(loc).Format(layout), last.In(loc).Format(layout), loc)
	fmt.Fprintf(&b, w.counts+"\n", in, out)
	if len(names) > 0 {
		fmt.Fprintf(&b, "%s: %s\n", w.answered, strings.Join(names, ", "))
	} else {
		fmt.Fprintf(&b, "%s\n", w.unanswered)
	}
	if failed > 0 {
		fmt.Fprintf(&b, "%s: %d\n", w.failed, failed)
	}
	if len(templates) > 0 {
		fmt.Fprintf(&b, "%s: %s\n", w.templates, strings.Join(templates, ", "))
	}
	b.WriteString(w.footer)
	sum.subject = fmt.Sprintf(w.subject, name)
	sum.notes = b.String()
	h := sha256.Sum256([]byte(sum.subject + "\x00" + sum.notes + "\x00" + sum.owner + "\x00" + s.activityType))
	sum.hash = hex.EncodeToString(h[:])
	return sum, nil
}

// recruiterName is a synced recruiter's name, else their id.
func (s *Service) recruiterName(ctx context.Context, tenantID, id string) string {
	r, err := s.store.Recruiter(ctx, tenantID, id)
	if err != nil || r.FullName() == "" {
		return id
	}
	return r.FullName()
}

// appendNew appends v to list unless it is empty or already there.
func appendNew(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// summaryText is the wording of a summary in one language.
type summaryText struct {
	subject, period, counts, answered, unanswered, failed, templates, footer string
}

// summaryWordsFor returns the wording in a language (see
// recrubo.NormalizeLang).
func summaryWordsFor(lang string) summaryText {
	if recrubo.NormalizeLang(lang) == recrubo.LangDutch {
		return summaryText{
			subject:    "WhatsApp-gesprek met %s",
			period:     "Periode",
			counts:     "Berichten: %d ontvangen, %d verzonden",
			answered:   "Beantwoord door",
			unanswered: "Niet beantwoord",
			failed:     "Niet afgeleverd",
			templates:  "Sjablonen",
			footer:     "Het gesprek zelf staat in Recrubo (inbox bij de kandidaat).",
		}
	}
	return summaryText{
		subject:    "WhatsApp conversation with %s",
		period:     "Period",
		counts:     "Messages: %d received, %d sent",
		answered:   "Answered by",
		unanswered: "Not answered",
		failed:     "Not delivered",
		templates:  "Templates",
		footer:     "The conversation itself is in Recrubo (inbox on the candidate).",
	}
}
