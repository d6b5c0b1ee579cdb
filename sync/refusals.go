package carerixsync

import (
	"sync"
	"time"
)

// What a tenant's Carerix refused lately, so that a drain does not ask
// again what the drain before it learnt Carerix refuses: a request of
// more page queries than it took (recordReader.each), the date qualifier
// of the records modified lately (recordReader.changed), and _id in a
// qualifier (fetchByID). Kept
// in memory for refusalMemory, after which the next drain asks again, so
// a limit the tenant lifted is found.

// refusalMemory is how long a refusal is remembered.
const refusalMemory = time.Hour

// refusal is what one tenant's Carerix refused.
type refusal struct {
	// aliases is the most page queries Carerix took in one request
	// after refusing more; 0 when none was refused.
	aliases int
	// noDates says Carerix refused the date qualifier.
	noDates bool
	// noIDs says Carerix refused _id in a qualifier (fetchByID).
	noIDs bool
	at    time.Time // when it was last noted
}

// refusals are the tenants' refusals, by tenant id.
type refusals struct {
	mu sync.Mutex
	m  map[string]refusal
}

func newRefusals() *refusals { return &refusals{m: map[string]refusal{}} }

// get returns what tenantID's Carerix refused within refusalMemory of
// now.
func (r *refusals) get(tenantID string, now time.Time) refusal {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, ok := r.m[tenantID]
	if !ok || now.Sub(f.at) > refusalMemory {
		delete(r.m, tenantID)
		return refusal{}
	}
	return f
}

// note records, at now, what tenantID's Carerix refused: change adjusts
// what was remembered (or nothing, when that has expired).
func (r *refusals) note(tenantID string, now time.Time, change func(*refusal)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.m[tenantID]
	if now.Sub(f.at) > refusalMemory {
		f = refusal{}
	}
	change(&f)
	f.at = now
	r.m[tenantID] = f
}
