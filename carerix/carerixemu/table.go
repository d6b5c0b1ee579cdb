package carerixemu

import (
	"slices"
	"strconv"
)

// table holds the rows of one entity keyed by their legacy numeric key,
// which is assigned in ascending order and never reused.
type table[T any] struct {
	rows map[int]*T
	keys []int // ascending
	last int
}

func newTable[T any]() table[T] { return table[T]{rows: map[int]*T{}} }

// nextKey reserves and returns the next key.
func (t *table[T]) nextKey() int {
	t.last++
	return t.last
}

// put stores v under key k, which must come from nextKey.
func (t *table[T]) put(k int, v *T) {
	if _, ok := t.rows[k]; !ok {
		t.keys = append(t.keys, k)
	}
	t.rows[k] = v
}

// get returns the row with key k, or nil.
func (t *table[T]) get(k int) *T { return t.rows[k] }

// remove deletes the row with key k.
func (t *table[T]) remove(k int) {
	if _, ok := t.rows[k]; !ok {
		return
	}
	delete(t.rows, k)
	if i, found := slices.BinarySearch(t.keys, k); found {
		t.keys = slices.Delete(t.keys, i, i+1)
	}
}

// all returns the rows in ascending key order.
func (t *table[T]) all() []*T {
	out := make([]*T, 0, len(t.keys))
	for _, k := range t.keys {
		out = append(out, t.rows[k])
	}
	return out
}

// len returns the number of rows.
func (t *table[T]) len() int { return len(t.keys) }

// parseKey converts an _id to a legacy key. IDs are opaque to clients but
// the emulator issues plain positive integers.
func parseKey(id string) (int, bool) {
	n, err := strconv.Atoi(id)
	if err != nil || n <= 0 || strconv.Itoa(n) != id {
		return 0, false
	}
	return n, true
}
