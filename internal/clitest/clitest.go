// Package clitest helps tests run the command lines in process: a writer
// that may be read while a command still writes to it, and an
// environment read from a map.
package clitest

import (
	"strings"
	"sync"
)

// Buffer is a goroutine-safe writer for capturing command output.
type Buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write implements io.Writer.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Env is an environment lookup that reads m (a nil m is empty).
func Env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
