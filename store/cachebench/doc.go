// Package cachebench measures the memory the store cache holds when a
// large tenant is warm. It has no code of its own: its benchmark runs in a
// test binary of its own, so the process's peak RSS is the cache's and
// the store's alone.
package cachebench
