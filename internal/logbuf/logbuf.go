// Package logbuf takes the writing of log lines off the path of the code
// that logs: a Writer copies each line into memory and a goroutine of its
// own writes what has gathered to the destination in one write, every
// FlushInterval, or sooner once a quarter of its limit has gathered. A
// busy server then makes one write(2) for many requests' lines instead of
// one per request, and no wake-up per line. No line is dropped: when the
// memory is full, a writer waits for room; Flush and Close write
// everything before they return, and lines written after Close go
// straight to the destination.
package logbuf

import (
	"io"
	"sync"
	"time"
)

// DefaultLimit is how many bytes a Writer holds unwritten at most unless
// told otherwise.
const DefaultLimit = 1 << 20

// FlushInterval is how long a line waits in memory at most, unless the
// destination is slower.
const FlushInterval = 50 * time.Millisecond

// Writer is an io.Writer that writes to its destination asynchronously,
// in order. Its methods may be called from many goroutines.
type Writer struct {
	dst   io.Writer
	limit int

	mu      sync.Mutex
	room    *sync.Cond // signalled when a batch has been taken or written
	pending []byte     // lines not yet taken by the writing goroutine
	spare   []byte     // the previous batch's memory, for reuse
	taken   uint64     // batches taken
	written uint64     // batches written
	closed  bool
	err     error // the first error of the destination

	direct sync.Mutex // orders the writes after Close

	wake chan struct{} // write now (buffered: one wake-up is enough)
	done chan struct{} // closed when the writing goroutine has ended
}

// New returns a Writer writing to dst, holding at most limit bytes
// unwritten (DefaultLimit when limit <= 0; a single longer line is still
// taken whole). Close it to write what it holds and end its goroutine.
func New(dst io.Writer, limit int) *Writer {
	if limit <= 0 {
		limit = DefaultLimit
	}
	w := &Writer{dst: dst, limit: limit, wake: make(chan struct{}, 1), done: make(chan struct{})}
	w.room = sync.NewCond(&w.mu)
	go w.run()
	return w
}

// Write copies p to be written; it returns at once unless the Writer
// already holds its limit, then when there is room. After Close it writes
// p to the destination itself. It never fails before Close: an error of
// the destination is returned by Flush and Close.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	for len(w.pending) > 0 && len(w.pending)+len(p) > w.limit && !w.closed {
		w.room.Wait()
	}
	if w.closed {
		w.mu.Unlock()
		return w.writeDirect(p)
	}
	w.pending = append(w.pending, p...)
	full := len(w.pending) >= w.limit/4
	w.mu.Unlock()
	if full {
		w.nudge()
	}
	return len(p), nil
}

// nudge has the goroutine write what is pending now.
func (w *Writer) nudge() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// writeDirect writes p to the destination once everything before it
// has been written, after Close.
func (w *Writer) writeDirect(p []byte) (int, error) {
	<-w.done
	w.direct.Lock()
	defer w.direct.Unlock()
	return w.dst.Write(p)
}

// run writes batches until Close.
func (w *Writer) run() {
	defer close(w.done)
	tick := time.NewTicker(FlushInterval)
	defer tick.Stop()
	for {
		w.mu.Lock()
		closed := w.closed
		w.mu.Unlock()
		if !closed {
			select {
			case <-w.wake:
			case <-tick.C:
			}
		}
		w.mu.Lock()
		if len(w.pending) == 0 {
			w.mu.Unlock()
			if closed { // and all written
				return
			}
			continue
		}
		batch := w.pending
		w.pending, w.spare = w.spare[:0], nil
		w.taken++
		w.room.Broadcast()
		w.mu.Unlock()

		_, err := w.dst.Write(batch)

		w.mu.Lock()
		if err != nil && w.err == nil {
			w.err = err
		}
		if cap(batch) <= w.limit { // keep ordinary batches' memory
			w.spare = batch[:0]
		}
		w.written++
		w.room.Broadcast()
		w.mu.Unlock()
	}
}

// Flush waits until everything written before it has been written to the
// destination, and returns the destination's first error, if any.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	target := w.taken
	if len(w.pending) > 0 {
		target++ // the batch the goroutine will take next
		w.nudge()
	}
	for w.written < target {
		w.room.Wait()
	}
	return w.err
}

// Close writes everything written before it to the destination, ends the
// goroutine and returns the destination's first error, if any. Writes
// after Close go to the destination directly. Close may be called more
// than once.
func (w *Writer) Close() error {
	w.mu.Lock()
	w.closed = true
	w.room.Broadcast()
	w.mu.Unlock()
	w.nudge()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
