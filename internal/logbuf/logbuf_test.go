package logbuf_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/recrubo/recrubo-carerix/internal/logbuf"
)

// gated is a destination whose writes wait for open, and that records
// them.
type gated struct {
	open   chan struct{}
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	err    error
}

func (g *gated) Write(p []byte) (int, error) {
	if g.open != nil {
		<-g.open
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.writes++
	g.buf.Write(p)
	return len(p), g.err
}

func (g *gated) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.String()
}

func lines(n int, prefix string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s %d\n", prefix, i)
	}
	return b.String()
}

func TestCloseWritesEverythingInOrder(t *testing.T) {
	dst := &gated{open: make(chan struct{})}
	w := logbuf.New(dst, 0)
	want := lines(1000, "line")
	for l := range strings.SplitAfterSeq(want, "\n") {
		if _, err := w.Write([]byte(l)); err != nil {
			t.Fatal(err)
		}
	}
	close(dst.open) // the destination was stuck until now
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := dst.String(); got != want {
		t.Fatalf("after Close the destination holds %d bytes, want %d", len(got), len(want))
	}
	if dst.writes >= 1000 {
		t.Errorf("%d writes for 1,000 lines written while the destination was busy; want them batched", dst.writes)
	}
	if _, err := w.Write([]byte("after\n")); err != nil {
		t.Fatal(err)
	}
	if got := dst.String(); got != want+"after\n" {
		t.Errorf("a line written after Close is not written through: %q", got[len(want):])
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestLimitKeepsEveryLine(t *testing.T) {
	dst := &gated{}
	w := logbuf.New(dst, 64) // a few lines at most
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for l := range strings.SplitAfterSeq(lines(500, fmt.Sprintf("g%d", g)), "\n") {
				_, _ = w.Write([]byte(l))
			}
		})
	}
	wg.Wait()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got := dst.String()
	for g := range 4 {
		// Each goroutine's lines arrive all and in its order.
		var mine []string
		for l := range strings.SplitSeq(got, "\n") {
			if strings.HasPrefix(l, fmt.Sprintf("g%d ", g)) {
				mine = append(mine, l+"\n")
			}
		}
		if strings.Join(mine, "") != lines(500, fmt.Sprintf("g%d", g)) {
			t.Errorf("goroutine %d: %d of 500 lines, or out of order", g, len(mine))
		}
	}
	_ = w.Close()
}

func TestFlushAndCloseReportTheDestinationsError(t *testing.T) {
	boom := errors.New("disk full")
	w := logbuf.New(&gated{err: boom}, 0)
	_, _ = w.Write([]byte("x\n"))
	if err := w.Flush(); !errors.Is(err, boom) {
		t.Errorf("Flush = %v, want %v", err, boom)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close = %v, want %v", err, boom)
	}
}

func TestFlushWaitsForTheLinesBeforeIt(t *testing.T) {
	dst := &gated{}
	w := logbuf.New(dst, 0)
	defer w.Close()
	log := slog.New(slog.NewJSONHandler(w, nil))
	for i := range 100 {
		log.Info("http request", slog.Int("n", i))
		if i%10 == 9 {
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(dst.String(), "\n"); n != i+1 {
				t.Fatalf("after Flush %d lines written, want %d", n, i+1)
			}
		}
	}
}
