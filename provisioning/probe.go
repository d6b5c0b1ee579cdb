package provisioning

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
)

// The probe is an activity (CRToDo) we own in the tenant's Carerix. The
// verify page updates its notes, which makes Carerix send a crtodo:updated
// webhook: a round trip that proves delivery without waiting for anyone
// to change a candidate.
const (
	// ProbeKey is the Key of the probe's provisioned item.
	ProbeKey = "check"
	// ProbeEntity is the webhook entity prefix of activities. That Carerix
	// sends webhooks for activities under this prefix is an assumption.
	ProbeEntity = "crtodo"
	// ProbeEventType is the event the verify page waits for.
	ProbeEventType = ProbeEntity + ":updated"
	// ProbeSubject is the probe's subject in Carerix.
	ProbeSubject = "Recrubo integration check"
)

// probeIntro explains the probe to whoever opens it in Carerix.
const probeIntro = `Recrubo updates this activity to test that Carerix delivers webhooks to Recrubo (the "Webhooks" check of the verify page). It may be left alone; do not delete it. Recrubo removes it when the integration is removed.

Recrubo werkt deze activiteit bij om te testen dat Carerix webhooks aan Recrubo aflevert (de controle "Webhooks" op de controlepagina). Laat haar staan en verwijder haar niet; Recrubo verwijdert haar wanneer de koppeling wordt verwijderd.`

// ProbeNotes are the probe's notes; check, when set, names the latest
// check ("2026-01-02T03:04:05Z nonce").
func ProbeNotes(check string) string {
	if check == "" {
		return probeIntro
	}
	return probeIntro + "\n\nLast check / Laatste controle: " + check
}

// probeFields are the fields the probe is created with.
func probeFields() carerix.ToDoFields {
	subject, notes := ProbeSubject, ProbeNotes("")
	return carerix.ToDoFields{Subject: &subject, Notes: &notes}
}

// probeHash identifies the probe's content we manage (the notes change
// with every check, so only the subject counts).
func probeHash() string {
	sum := sha256.Sum256([]byte(ProbeSubject))
	return hex.EncodeToString(sum[:])
}

// loadProbe reads the probe we recorded, if Carerix still has it.
func (st *state) loadProbe(ctx context.Context, c Admin) error {
	it := st.items[itemKey(recrubo.ProvisionProbe, ProbeKey)]
	if it == nil || it.RemoteID == "" {
		return nil
	}
	td, err := c.ToDo(ctx, it.RemoteID)
	switch {
	case errors.Is(err, carerix.ErrNotFound):
		return nil
	case err != nil:
		return Explain("reading the integration check activity", err)
	case td == nil || td.Deleted:
		return nil
	}
	st.probe = td
	return nil
}

// probeStep plans the probe.
func (st *state) probeStep() Step {
	if st.probe == nil {
		return Step{Kind: recrubo.ProvisionProbe, Key: ProbeKey, Action: Create}
	}
	if strings.TrimSpace(st.probe.Subject) != ProbeSubject {
		return Step{Kind: recrubo.ProvisionProbe, Key: ProbeKey, Action: Update, RemoteID: st.probe.ID, Why: "subject changed"}
	}
	return Step{Kind: recrubo.ProvisionProbe, Key: ProbeKey, Action: Unchanged, RemoteID: st.probe.ID}
}

func (p *Provisioner) applyProbe(ctx context.Context, t *recrubo.Tenant, c Admin, s Step) error {
	switch s.Action {
	case Create:
		td, err := c.CreateToDo(ctx, probeFields())
		if err != nil {
			return Explain("creating the integration check activity", err)
		}
		return p.record(ctx, t, recrubo.ProvisionProbe, ProbeKey, td.ID, "", probeHash())
	case Update:
		subject := ProbeSubject
		if _, err := c.UpdateToDo(ctx, s.RemoteID, carerix.ToDoFields{Subject: &subject}); err != nil {
			return Explain("updating the integration check activity", err)
		}
	case Delete:
		if err := c.DeleteToDo(ctx, s.RemoteID); err != nil && !errors.Is(err, carerix.ErrNotFound) {
			return Explain("deleting the integration check activity", err)
		}
		return p.Store.DeleteProvisionedItem(ctx, t.ID, recrubo.ProvisionProbe, ProbeKey)
	}
	return p.record(ctx, t, recrubo.ProvisionProbe, ProbeKey, s.RemoteID, "", probeHash())
}

// Probe returns the tenant's recorded probe activity id, or "" when
// provisioning has not created one (installs from before the probe).
func Probe(ctx context.Context, store recrubo.ProvisionStore, tenantID string) (string, error) {
	items, err := store.ProvisionedItems(ctx, tenantID)
	if err != nil {
		return "", err
	}
	for _, it := range items {
		if it.Kind == recrubo.ProvisionProbe && it.Key == ProbeKey {
			return it.RemoteID, nil
		}
	}
	return "", nil
}

// TouchProbe updates the probe's notes with a fresh check line through
// the admin account, which makes Carerix send crtodo:updated.
func TouchProbe(ctx context.Context, c Admin, probeID, check string) error {
	notes := ProbeNotes(check)
	if _, err := c.UpdateToDo(ctx, probeID, carerix.ToDoFields{Notes: &notes}); err != nil {
		return Explain("updating the integration check activity", err)
	}
	return nil
}
