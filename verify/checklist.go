package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/provisioning"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
)

// The checks, in the order the page shows them.
const (
	CheckCredentials = "credentials"
	CheckContract    = "contract"
	CheckWebhooks    = "webhooks"
	CheckTemplates   = "templates"
	CheckSync        = "sync"
	CheckOrigins     = "origins"
	CheckSample      = "sample"
)

// Item is the result of one check. Reason names the outcome (a message key
// suffix the page translates); Args fill the message.
type Item struct {
	ID     string
	OK     bool
	Reason string
	Args   []string
	// At, when set, is the time the message's last argument names (a
	// machine-readable RFC 3339 form of it is in Args); pages show it in
	// the tenant's time zone and language.
	At time.Time
	// Link is a URL to open, for the sample candidate.
	Link string
	// ArgKeys are message keys whose translations, joined, are the
	// message's last argument (what a missing part switches off).
	ArgKeys []string
}

// Result is the whole checklist.
type Result struct {
	Items []Item
	// Verified is set when every check passed and the tenant was marked.
	Verified bool
}

// OK reports whether every check passed.
func (r *Result) OK() bool {
	for _, it := range r.Items {
		if !it.OK {
			return false
		}
	}
	return len(r.Items) > 0
}

// Item returns the check id, if present.
func (r *Result) Item(id string) (Item, bool) {
	for _, it := range r.Items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

// Store is what the checklist reads and, on success, writes.
type Store interface {
	recrubo.TenantStore
	recrubo.ProvisionStore
	LatestSyncRun(ctx context.Context, tenantID string, kind recrubo.SyncKind) (*recrubo.SyncRun, error)
	CountCandidates(ctx context.Context, tenantID string) (int64, error)
	CountVacancies(ctx context.Context, tenantID string) (int64, error)
	Candidates(ctx context.Context, tenantID string, opts recrubo.ListOptions) ([]*recrubo.Candidate, error)
	StatusNodes(ctx context.Context, tenantID string, kind recrubo.StatusKind) ([]*recrubo.StatusNode, error)
	// EventsOfType finds the delivery the webhooks check caused.
	EventsOfType(ctx context.Context, tenantID string, source recrubo.EventSource, eventType string, since time.Time, limit int) ([]*recrubo.InboundEvent, error)
}

// Reader is the integration account's Carerix API the sync check counts
// with and the contract check reads; *carerix.Client implements it.
type Reader interface {
	EmployeePage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Employee], error)
	VacancyPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Vacancy], error)
	MatchPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.Match], error)
	UserPage(ctx context.Context, r carerix.PageRequest) (*carerix.Page[carerix.User], error)
	ReadContract(ctx context.Context) (*carerix.Contract, error)
}

// Checker runs the checklist.
type Checker struct {
	Store       Store
	Provisioner *provisioning.Provisioner
	// ConnectAdmin opens the admin account, ConnectReader the integration
	// account the sync uses.
	ConnectAdmin  provisioning.Connector
	ConnectReader func(t *recrubo.Tenant) (Reader, error)
	// DeliveryWait bounds how long the webhooks check waits for the
	// delivery it causes by updating the probe activity. Zero makes no
	// round trip: the check then passes only on a recent delivery (see
	// RecentDelivery), as it does for installs without a probe.
	DeliveryWait time.Duration
	// RecentDelivery is how recent a delivery must be for the webhooks
	// check to pass without a round trip of its own; DefaultRecentDelivery
	// when zero.
	RecentDelivery time.Duration
	// SampleLink returns where the admin opens a candidate inside Carerix.
	SampleLink func(t *recrubo.Tenant, candidateID string) string
	// WhatsApp, when set, adds the WhatsApp check (see whatsapp.go).
	WhatsApp *WhatsApp
	// Now defaults to time.Now.
	Now func() time.Time
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// DefaultRecentDelivery is how recent a delivery must be, by default, for
// the webhooks check to pass when it cannot cause a delivery itself: a
// delivery from weeks ago does not prove that webhooks work now.
const DefaultRecentDelivery = time.Hour

func (c *Checker) recentDelivery() time.Duration {
	if c.RecentDelivery > 0 {
		return c.RecentDelivery
	}
	return DefaultRecentDelivery
}

// Run runs every check for t. When all pass it marks the tenant verified
// by verifiedBy (the Carerix user, or who opened the link). A failing
// check never marks it.
func (c *Checker) Run(ctx context.Context, t *recrubo.Tenant, verifiedBy string) (*Result, error) {
	res := &Result{}
	admin, adminErr := c.ConnectAdmin(t)
	reader, readErr := c.ConnectReader(t)
	cred := c.checkCredentials(ctx, admin, adminErr, reader, readErr)
	contract, err := c.checkContract(ctx, t, reader, cred.OK)
	if err != nil {
		return nil, err
	}
	res.Items = append(res.Items, cred, contract)
	var plan *provisioning.Plan
	if cred.OK {
		p, err := c.Provisioner.Plan(ctx, t, admin)
		if err != nil {
			return nil, err
		}
		plan = p
	}
	hooks, probeErr := c.checkWebhooks(ctx, t, admin, plan)
	var ce *carerix.Error
	if errors.As(probeErr, &ce) && ce.Kind == carerix.ErrMissingScope {
		// The admin account may not update the probe: say which scope to
		// grant, on the credentials item where every missing scope shows.
		res.Items[0] = credentialsFailure(CheckCredentials, "admin", probeErr)
		res.Items[1] = Item{ID: CheckContract, Reason: "unknown"}
	}
	res.Items = append(res.Items, hooks, checkTemplates(plan))
	sync, err := c.checkSync(ctx, t, reader, cred.OK)
	if err != nil {
		return nil, err
	}
	res.Items = append(res.Items, sync, checkOrigins(t))
	sample, err := c.checkSample(ctx, t)
	if err != nil {
		return nil, err
	}
	res.Items = append(res.Items, sample)
	if c.WhatsApp != nil {
		wa, err := c.WhatsApp.Check(ctx, t, c.now())
		if err != nil {
			return nil, err
		}
		res.Items = append(res.Items, wa)
	}
	if res.OK() {
		cur, err := c.Store.TenantByID(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		cur.VerifiedAt, cur.VerifiedBy = c.now(), verifiedBy
		if err := c.Store.UpdateTenant(ctx, cur); err != nil {
			return nil, err
		}
		*t = *cur
		res.Verified = true
	}
	return res, nil
}

// credentialsFailure is the failed credentials item for err of account
// ("admin" or "sync"): the missing scope, rejected credentials, or
// Carerix unreachable.
func credentialsFailure(id, account string, err error) Item {
	it := Item{ID: id}
	var ce *carerix.Error
	switch {
	case errors.As(err, &ce) && ce.Kind == carerix.ErrMissingScope:
		scope := ce.Scope
		if len(ce.Scopes) > 1 {
			scope = strings.Join(ce.Scopes, " / ")
		}
		it.Reason, it.Args = "scope_"+account, []string{scope}
	case errors.As(err, &ce) && ce.Kind == carerix.ErrUnauthenticated:
		it.Reason = "rejected_" + account
	default:
		it.Reason = "unreachable"
	}
	return it
}

func (c *Checker) checkCredentials(ctx context.Context, admin provisioning.Admin, adminErr error, reader Reader, readErr error) Item {
	it := Item{ID: CheckCredentials}
	fail := func(account string, err error) Item { return credentialsFailure(CheckCredentials, account, err) }
	if adminErr != nil {
		return fail("admin", adminErr)
	}
	if readErr != nil {
		return fail("sync", readErr)
	}
	if err := provisioning.CheckAccess(ctx, admin); err != nil {
		return fail("admin", err)
	}
	if _, err := reader.EmployeePage(ctx, carerix.PageRequest{Size: 1}); err != nil {
		return fail("sync", err)
	}
	if _, err := reader.VacancyPage(ctx, carerix.PageRequest{Size: 1}); err != nil {
		return fail("sync", err)
	}
	it.OK, it.Reason = true, "ok"
	return it
}

// pollEvery is how often the webhooks check looks for the delivery.
const pollEvery = 200 * time.Millisecond

// checkWebhooks checks that our webhooks are installed and enabled, then
// proves delivery. With a probe activity (and a DeliveryWait) it causes
// its own round trip: it updates the probe's notes through the admin
// account and waits for the crtodo:updated delivery of that change, so a
// quiet Carerix where nobody changes a record passes too. Otherwise
// (installs from before the probe, a zero DeliveryWait, or a probe that
// cannot be updated) it passes only on a delivery received within
// RecentDelivery, waiting up to DeliveryWait for one; an older delivery
// proves nothing about today. It also returns the error that kept it from
// updating the probe, if any.
func (c *Checker) checkWebhooks(ctx context.Context, t *recrubo.Tenant, admin provisioning.Admin, plan *provisioning.Plan) (Item, error) {
	it := Item{ID: CheckWebhooks}
	if plan == nil {
		it.Reason = "unknown"
		return it, nil
	}
	probeID, err := provisioning.Probe(ctx, c.Store, t.ID)
	if err != nil {
		probeID = "" // cannot tell: check as for an install without a probe
	}
	for _, s := range plan.Steps {
		switch {
		case s.Kind == recrubo.ProvisionProbe:
			if probeID != "" && s.Action == provisioning.Create {
				it.Reason = "probe_missing"
				return it, nil
			}
			continue
		case s.Kind == recrubo.ProvisionWebhook && s.Key == provisioning.ProbeEntity && probeID == "":
			continue // an install from before the probe has no crtodo webhook
		case s.Kind != recrubo.ProvisionWebhookApp && s.Kind != recrubo.ProvisionWebhook:
			continue
		}
		switch s.Action {
		case provisioning.Create:
			it.Reason, it.Args = "missing", []string{s.Key}
			return it, nil
		case provisioning.Enable:
			it.Reason, it.Args = "disabled", []string{s.Key}
			return it, nil
		case provisioning.Replace, provisioning.Delete:
			it.Reason, it.Args = "outdated", []string{s.Key}
			return it, nil
		}
	}
	var probeErr error
	if probeID != "" && c.DeliveryWait > 0 {
		rt, err := c.probeRoundTrip(ctx, t, admin, probeID)
		if err == nil {
			return rt, nil
		}
		if errors.Is(err, carerix.ErrNotFound) {
			it.Reason = "probe_missing" // deleted since the plan was made
			return it, err
		}
		// The probe could not be updated (an assumed part of Carerix's
		// API, or a scope the admin account lacks): fall back to the
		// deliveries Carerix sends anyway, if they are recent.
		probeErr = err
	}
	// A real delivery, received and verified by our endpoint since the
	// webhooks were installed and within the recent window.
	started := c.now()
	since := started.Add(-c.recentDelivery())
	items, err := c.Store.ProvisionedItems(ctx, t.ID)
	if err == nil {
		for _, p := range items {
			if p.Kind == recrubo.ProvisionWebhookApp && p.CreatedAt.After(since) {
				since = p.CreatedAt
			}
		}
	}
	deadline := started.Add(c.DeliveryWait)
	for {
		last, err := c.Store.LastEventAt(ctx, t.ID, recrubo.SourceCarerix)
		if err == nil && !last.IsZero() && !last.Before(since) {
			it.OK, it.Reason = true, "ok"
			it.Args, it.At = []string{last.UTC().Format(time.RFC3339)}, last
			return it, probeErr
		}
		if !c.now().Before(deadline) || !sleep(ctx, pollEvery) {
			break
		}
	}
	it.Reason = "no_delivery"
	return it, probeErr
}

// probeRoundTrip updates the probe's notes with a fresh nonce and waits,
// at most DeliveryWait, for a delivery received after the update started:
// the probe's own crtodo:updated event, or any other verified Carerix
// delivery (which proves the path as well, and covers a Carerix that does
// not send activity webhooks). It returns the error, and no result, when
// the probe could not be updated.
func (c *Checker) probeRoundTrip(ctx context.Context, t *recrubo.Tenant, admin provisioning.Admin, probeID string) (Item, error) {
	it := Item{ID: CheckWebhooks}
	started := c.now()
	if err := provisioning.TouchProbe(ctx, admin, probeID, started.UTC().Format(time.RFC3339)+" "+nonce()); err != nil {
		return it, err
	}
	deadline := started.Add(c.DeliveryWait)
	for {
		if at, ok := c.probeDelivered(ctx, t, probeID, started); ok {
			it.OK, it.Reason = true, "round_trip"
			it.Args, it.At = []string{at.UTC().Format(time.RFC3339)}, at
			return it, nil
		}
		if last, err := c.Store.LastEventAt(ctx, t.ID, recrubo.SourceCarerix); err == nil && !last.Before(started) {
			if at, ok := c.probeDelivered(ctx, t, probeID, started); ok {
				// The probe's own delivery landed since the look above.
				it.OK, it.Reason = true, "round_trip"
				it.Args, it.At = []string{at.UTC().Format(time.RFC3339)}, at
				return it, nil
			}
			it.OK, it.Reason = true, "ok"
			it.Args, it.At = []string{last.UTC().Format(time.RFC3339)}, last
			return it, nil
		}
		if !c.now().Before(deadline) || !sleep(ctx, pollEvery) {
			break
		}
	}
	it.Reason = "no_delivery"
	return it, nil
}

// probeDelivered looks for a stored crtodo:updated event of the probe
// received at or after since, and returns when it was received.
func (c *Checker) probeDelivered(ctx context.Context, t *recrubo.Tenant, probeID string, since time.Time) (time.Time, bool) {
	evs, err := c.Store.EventsOfType(ctx, t.ID, recrubo.SourceCarerix, provisioning.ProbeEventType, since, 100)
	if err != nil {
		return time.Time{}, false
	}
	for _, ev := range evs {
		we, err := carerix.ParseWebhookEvent(ev.Payload)
		if err == nil && we.EntityID == probeID {
			return ev.ReceivedAt, true
		}
	}
	return time.Time{}, false
}

// sleep waits d and reports false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}

// nonce makes each probe update a change, even within one second.
func nonce() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func checkTemplates(plan *provisioning.Plan) Item {
	it := Item{ID: CheckTemplates}
	if plan == nil {
		it.Reason = "unknown"
		return it
	}
	var missing, outdated []string
	for _, s := range plan.Steps {
		if s.Kind != recrubo.ProvisionTemplate {
			continue
		}
		switch s.Action {
		case provisioning.Create:
			missing = append(missing, s.Key)
		case provisioning.Update, provisioning.Delete:
			outdated = append(outdated, s.Key)
		}
	}
	switch {
	case len(missing) > 0:
		it.Reason, it.Args = "missing", []string{strings.Join(missing, ", ")}
	case len(outdated) > 0:
		it.Reason, it.Args = "outdated", []string{strings.Join(outdated, ", ")}
	default:
		it.OK, it.Reason, it.Args = true, "ok", []string{strconv.Itoa(len(provisioning.Codes()))}
	}
	return it
}

func (c *Checker) checkSync(ctx context.Context, t *recrubo.Tenant, reader Reader, canRead bool) (Item, error) {
	it := Item{ID: CheckSync}
	run, err := c.Store.LatestSyncRun(ctx, t.ID, recrubo.SyncInitial)
	switch {
	case recrubo.ErrorCode(err) == recrubo.ENOTFOUND:
		it.Reason = "not_started"
		return it, nil
	case err != nil:
		return it, err
	case run.State == recrubo.RunFailed:
		it.Reason = "failed"
		return it, nil
	case run.State != recrubo.RunSucceeded:
		it.Reason = "running"
		return it, nil
	}
	cand, err := c.Store.CountCandidates(ctx, t.ID)
	if err != nil {
		return it, err
	}
	vac, err := c.Store.CountVacancies(ctx, t.ID)
	if err != nil {
		return it, err
	}
	cxCand, cxVac := "?", "?"
	if canRead {
		cxCand = c.total(ctx, t, reader, recrubo.StatusCandidate, t.Filters.CandidateStatuses)
		cxVac = c.total(ctx, t, reader, recrubo.StatusVacancy, t.Filters.VacancyStatuses)
	}
	it.OK, it.Reason = true, "ok"
	it.Args = []string{strconv.FormatInt(cand, 10), cxCand, strconv.FormatInt(vac, 10), cxVac}
	return it, nil
}

// total asks Carerix how many records the tenant's filter selects; "?"
// when it cannot tell.
func (c *Checker) total(ctx context.Context, t *recrubo.Tenant, reader Reader, kind recrubo.StatusKind, wanted []string) string {
	if len(wanted) == 0 {
		return "0"
	}
	nodes, err := c.Store.StatusNodes(ctx, t.ID, kind)
	if err != nil {
		return "?"
	}
	sel, err := carerixsync.ResolveStatuses(kind, nodes, wanted)
	if err != nil || len(sel) == 0 {
		return "?"
	}
	ids := make([]string, len(sel))
	for i, n := range sel {
		ids[i] = n.ID
	}
	q, err := carerix.In("toStatusNode._id", ids...).Build()
	if err != nil {
		return "?"
	}
	r := carerix.PageRequest{Qualifier: q, Size: 1}
	var n int64
	if kind == recrubo.StatusCandidate {
		p, err := reader.EmployeePage(ctx, r)
		if err != nil {
			return "?"
		}
		n = int64(p.TotalElements)
	} else {
		p, err := reader.VacancyPage(ctx, r)
		if err != nil {
			return "?"
		}
		n = int64(p.TotalElements)
	}
	return strconv.FormatInt(n, 10)
}

func (c *Checker) checkSample(ctx context.Context, t *recrubo.Tenant) (Item, error) {
	it := Item{ID: CheckSample}
	cands, err := c.Store.Candidates(ctx, t.ID, recrubo.ListOptions{Limit: 1})
	if err != nil {
		return it, err
	}
	if len(cands) == 0 {
		it.Reason = "none"
		return it, nil
	}
	it.OK, it.Reason, it.Args = true, "ok", []string{cands[0].FullName()}
	if c.SampleLink != nil {
		it.Link = c.SampleLink(t, cands[0].ID)
	}
	return it, nil
}
