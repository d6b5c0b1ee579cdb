package whatsapp

import recrubo "github.com/recrubo/recrubo-carerix"

// Status is the delivery status of an outbound message.
type Status string

// Statuses. StatusQueued is ours: the message is stored but Meta has not
// reported on it yet. The others come from status webhooks.
const (
	StatusQueued    Status = "queued"
	StatusSent      Status = "sent"
	StatusDelivered Status = "delivered"
	StatusRead      Status = "read"
	StatusFailed    Status = "failed"
)

// StatusRank orders statuses for [Advance]:
//
//	queued (1) < sent (2) < failed (3) < delivered (4) < read (5)
//
// Unknown statuses (and the empty status) rank 0.
//
// The rule behind the order: a message only moves forward. "failed" overrides
// queued and sent (Meta can report failed after sent, for example 131047
// outside the window) and nothing before it can come back. "delivered" and
// "read" are proof that the message reached the candidate's device, so they
// outrank failed: a multi-device recipient can produce both, and a late
// delivered or read is kept rather than hidden behind a failure. Because
// Advance keeps the highest rank, the stored status after a batch of
// out-of-order or duplicated webhooks is the same whatever order they arrived in.
func StatusRank(s Status) int {
	// The values are the domain's message statuses; one order serves both.
	return recrubo.MessageStatus(s).Rank()
}

// Advance returns the status to store when next is reported for a message
// whose stored status is current, and whether it changed. A status never
// moves backwards: next is applied only when it ranks strictly higher than
// current. Unknown values of next are ignored; an unknown current (including
// empty) accepts any known next.
func Advance(current, next Status) (Status, bool) {
	rn := StatusRank(next)
	if rn == 0 || rn <= StatusRank(current) {
		return current, false
	}
	return next, true
}

// Terminal reports whether no later webhook is expected to change s in the
// normal course of delivery (read or failed). A late delivered or read can
// still outrank failed; see [StatusRank].
func (s Status) Terminal() bool { return s == StatusRead || s == StatusFailed }
