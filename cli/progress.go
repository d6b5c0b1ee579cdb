package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// progressView shows an initial sync's progress per entity, as the sync
// walks them (syncOrder).
type progressView interface {
	// page reports an entity's checkpoint after a page.
	page(cp recrubo.SyncCheckpoint)
	// note prints a line between the updates (a retry, a hint).
	note(msg string)
	// finish ends the display after a finished sync; stop after a failed
	// or abandoned one.
	finish()
	stop()
}

// newProgressView returns progress bars when out is a terminal, and plain
// progress lines otherwise (a log or a pipe would fill with carriage
// returns and redraws).
func newProgressView(out io.Writer, slug string) progressView {
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		v := &barView{out: out, slug: slug, current: syncOrder[0]}
		v.bar = v.newBar(v.current)
		return v
	}
	return &lineView{out: out, slug: slug, every: 5 * time.Second, last: map[recrubo.Entity]time.Time{}}
}

// nextEntity returns the entity the sync walks after e.
func nextEntity(e recrubo.Entity) (recrubo.Entity, bool) {
	for i, x := range syncOrder[:len(syncOrder)-1] {
		if x == e {
			return syncOrder[i+1], true
		}
	}
	return "", false
}

// barView draws one progress bar per entity. Each bar starts as a spinner
// when the entity before it finishes (so its rate counts from then) and
// learns its total with the entity's first page.
type barView struct {
	out     io.Writer
	slug    string
	current recrubo.Entity
	bar     *progressbar.ProgressBar
}

func (v *barView) newBar(entity recrubo.Entity) *progressbar.ProgressBar {
	return progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(v.out),
		progressbar.OptionSetDescription(fmt.Sprintf("Syncing %s: %-10s", v.slug, entityPlural[entity])),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("records"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(v.out) }),
	)
}

func (v *barView) page(cp recrubo.SyncCheckpoint) {
	if cp.Entity != v.current { // resumed past the entities before
		_ = v.bar.Exit()
		v.bar, v.current = v.newBar(cp.Entity), cp.Entity
	}
	if total := max(cp.Total, cp.Records); total > 0 && v.bar.GetMax64() != total {
		v.bar.ChangeMax64(total)
	}
	_ = v.bar.Set64(cp.Records)
	if !cp.Done {
		return
	}
	_ = v.bar.Finish()
	if e, ok := nextEntity(cp.Entity); ok {
		v.bar, v.current = v.newBar(e), e
	}
}

func (v *barView) note(msg string) {
	_ = v.bar.Clear()
	fmt.Fprintln(v.out, msg)
}

func (v *barView) finish() {
	if !v.bar.IsFinished() {
		_ = v.bar.Finish()
	}
}

func (v *barView) stop() {
	_ = v.bar.Exit()
	fmt.Fprintln(v.out)
}

// lineView prints plain progress lines: one when an entity starts
// counting, at most one per entity every so often while it runs, and one
// when it is done.
type lineView struct {
	out   io.Writer
	slug  string
	every time.Duration
	last  map[recrubo.Entity]time.Time
	start map[recrubo.Entity]time.Time
	done  map[recrubo.Entity]bool
}

func (v *lineView) page(cp recrubo.SyncCheckpoint) {
	if v.start == nil {
		v.start, v.done = map[recrubo.Entity]time.Time{}, map[recrubo.Entity]bool{}
	}
	if v.done[cp.Entity] {
		return
	}
	now := time.Now()
	if v.start[cp.Entity].IsZero() {
		v.start[cp.Entity] = now
	}
	name := entityPlural[cp.Entity]
	if cp.Done {
		v.done[cp.Entity] = true
		fmt.Fprintf(v.out, "Syncing %s: %s done, %d records in %s\n", v.slug, name, cp.Records,
			now.Sub(v.start[cp.Entity]).Round(100*time.Millisecond))
		return
	}
	if last, ok := v.last[cp.Entity]; ok && now.Sub(last) < v.every {
		return
	}
	v.last[cp.Entity] = now
	total := max(cp.Total, cp.Records)
	pct := 0
	if total > 0 {
		pct = int(cp.Records * 100 / total)
	}
	fmt.Fprintf(v.out, "Syncing %s: %s %d of %d records (%d%%)\n", v.slug, name, cp.Records, total, pct)
}

func (v *lineView) note(msg string) { fmt.Fprintln(v.out, msg) }
func (v *lineView) finish()         {}
func (v *lineView) stop()           {}
