package dashboard

import (
	"slices"
	"time"
)

// summarise sets Count, Median and P90 from the raw durations and drops them.
func (d *Durations) summarise() {
	d.Count = len(d.raw)
	if d.Count == 0 {
		return
	}
	slices.Sort(d.raw)
	d.Median = percentile(d.raw, 50)
	d.P90 = percentile(d.raw, 90)
	d.raw = nil
}

// percentile returns the nearest-rank p-th percentile of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}
