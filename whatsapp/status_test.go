package whatsapp_test

import (
	"testing"

	"github.com/recrubo/recrubo-carerix/whatsapp"
)

func TestAdvance(t *testing.T) {
	const (
		q = whatsapp.StatusQueued
		s = whatsapp.StatusSent
		d = whatsapp.StatusDelivered
		r = whatsapp.StatusRead
		f = whatsapp.StatusFailed
	)
	tests := []struct {
		current, next, want whatsapp.Status
		changed             bool
	}{
		{"", q, q, true},
		{"", r, r, true},
		{q, s, s, true},
		{s, d, d, true},
		{d, r, r, true},
		{q, r, r, true}, // delivered skipped, as Meta does when read at once
		{s, s, s, false},
		{d, s, d, false},
		{r, d, r, false},
		{r, s, r, false},
		{q, f, f, true},
		{s, f, f, true},
		{d, f, d, false}, // proof of delivery is kept
		{r, f, r, false},
		{f, s, f, false},
		{f, q, f, false},
		{f, d, d, true}, // a late delivery report outranks failure
		{f, f, f, false},
		{d, "played", d, false},
		{d, "", d, false},
		{"mystery", s, s, true},
	}
	for _, tc := range tests {
		got, changed := whatsapp.Advance(tc.current, tc.next)
		if got != tc.want || changed != tc.changed {
			t.Errorf("Advance(%q, %q) = %q, %v; want %q, %v", tc.current, tc.next, got, changed, tc.want, tc.changed)
		}
	}
}

func TestStatusRankOrder(t *testing.T) {
	order := []whatsapp.Status{whatsapp.StatusQueued, whatsapp.StatusSent, whatsapp.StatusFailed, whatsapp.StatusDelivered, whatsapp.StatusRead}
	for i := 1; i < len(order); i++ {
		if whatsapp.StatusRank(order[i-1]) >= whatsapp.StatusRank(order[i]) {
			t.Errorf("StatusRank(%q) >= StatusRank(%q)", order[i-1], order[i])
		}
	}
	if whatsapp.StatusRank("other") != 0 {
		t.Errorf("unknown status has non-zero rank")
	}
}

// TestAdvanceIsOrderIndependent applies every permutation of a status
// sequence, with duplicates, and checks that the result does not depend on
// arrival order and that no step ever lowers the rank.
func TestAdvanceIsOrderIndependent(t *testing.T) {
	sets := [][]whatsapp.Status{
		{whatsapp.StatusSent, whatsapp.StatusDelivered, whatsapp.StatusRead, whatsapp.StatusRead},
		{whatsapp.StatusSent, whatsapp.StatusFailed, whatsapp.StatusSent},
		{whatsapp.StatusSent, whatsapp.StatusFailed, whatsapp.StatusDelivered},
	}
	for _, set := range sets {
		want := ""
		permute(set, func(p []whatsapp.Status) {
			cur := whatsapp.StatusQueued
			for _, next := range p {
				before := whatsapp.StatusRank(cur)
				cur, _ = whatsapp.Advance(cur, next)
				if whatsapp.StatusRank(cur) < before {
					t.Fatalf("%v: rank went down at %q", p, next)
				}
			}
			if want == "" {
				want = string(cur)
			}
			if string(cur) != want {
				t.Errorf("%v ends at %q, another order ended at %q", p, cur, want)
			}
		})
	}
}

func permute(s []whatsapp.Status, visit func([]whatsapp.Status)) {
	var rec func(k int)
	a := append([]whatsapp.Status(nil), s...)
	rec = func(k int) {
		if k == len(a) {
			visit(a)
			return
		}
		for i := k; i < len(a); i++ {
			a[k], a[i] = a[i], a[k]
			rec(k + 1)
			a[k], a[i] = a[i], a[k]
		}
	}
	rec(0)
}
