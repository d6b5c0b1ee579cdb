package carerixsync

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Collector exports every tenant's sync status as Prometheus metrics, read
// from the store when scraped.
type Collector struct {
	store   recrubo.DataStore
	now     func() time.Time
	timeout time.Duration

	records, sinceEvent, sinceReconcile, lag, pending, failing, contract *prometheus.Desc
}

var _ prometheus.Collector = (*Collector)(nil)

// NewCollector returns a Collector over st.
func NewCollector(st recrubo.DataStore) *Collector {
	tenant := []string{"tenant"}
	return &Collector{
		store: st, now: time.Now, timeout: 5 * time.Second,
		records: prometheus.NewDesc("recrubo_sync_records", "Records in scope in the mirror.",
			[]string{"tenant", "entity"}, nil),
		sinceEvent: prometheus.NewDesc("recrubo_sync_seconds_since_last_event",
			"Seconds since the last Carerix webhook arrived (absent before the first).", tenant, nil),
		sinceReconcile: prometheus.NewDesc("recrubo_sync_seconds_since_last_reconcile",
			"Seconds since the last reconciliation finished (absent before the first).", tenant, nil),
		lag: prometheus.NewDesc("recrubo_sync_lag_seconds",
			"How long the oldest unprocessed webhook event has waited.", tenant, nil),
		pending: prometheus.NewDesc("recrubo_sync_pending_events", "Webhook events waiting for processing.", tenant, nil),
		failing: prometheus.NewDesc("recrubo_sync_error",
			"1 when the tenant's last sync attempt failed and needs attention.", tenant, nil),
		contract: prometheus.NewDesc("recrubo_carerix_contract_problem",
			"1 when the tenant's Carerix API lacks what the product needs (a required field, or queries it keeps rejecting), "+
				"which stops its sync; 0 when its contract was read without one.", tenant, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.records, c.sinceEvent, c.sinceReconcile, c.lag, c.pending, c.failing, c.contract} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. A tenant whose status cannot be
// read is skipped (the scrape still answers).
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	tenants, err := c.store.Tenants(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.records, err)
		return
	}
	now := c.now()
	for _, t := range tenants {
		p, err := progressAt(ctx, c.store, t.ID, now)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.records, err)
			continue
		}
		for e, n := range p.InScope {
			ch <- prometheus.MustNewConstMetric(c.records, prometheus.GaugeValue, float64(n), t.Slug, string(e))
		}
		if !p.LastEventAt.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.sinceEvent, prometheus.GaugeValue, now.Sub(p.LastEventAt).Seconds(), t.Slug)
		}
		if !p.LastReconcileAt.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.sinceReconcile, prometheus.GaugeValue, now.Sub(p.LastReconcileAt).Seconds(), t.Slug)
		}
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, p.LagSeconds, t.Slug)
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(p.PendingEvents), t.Slug)
		failing := 0.0
		if p.Error != "" {
			failing = 1
		}
		ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, failing, t.Slug)
		if k, err := c.store.CarerixContract(ctx, t.ID); err == nil {
			problem := 0.0
			if k.Problem != "" {
				problem = 1
			}
			ch <- prometheus.MustNewConstMetric(c.contract, prometheus.GaugeValue, problem, t.Slug)
		}
	}
}

// ignoredEntities are the entities whose events a tenant's webhooks may
// send although the product does not sync them; they label
// recrubo_sync_events_ignored_total, any other as "other".
var ignoredEntities = []string{"crtodo", "crcompany", "crjob", "crpublication", "crcontact", "crplacement", "crcampaign", "crattachment"}

// ignoredLabel bounds the entity label of an ignored event.
func ignoredLabel(entity string) string {
	for _, e := range ignoredEntities {
		if e == entity {
			return e
		}
	}
	return "other"
}

// Collectors are the service's own metrics, counted as it works:
// recrubo_sync_events_ignored_total, the Carerix events acknowledged and
// ignored because they concern entities the product does not sync.
func (s *Service) Collectors() []prometheus.Collector { return []prometheus.Collector{s.ignored} }
