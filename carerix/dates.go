package carerix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Amsterdam must resolve on hosts without zoneinfo.
)

// amsterdam is Carerix's default time zone, used for timestamps that carry
// no offset. It is loaded once and never modified.
var amsterdam = mustLoadLocation("Europe/Amsterdam")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("carerix: loading time zone %s: %v", name, err))
	}
	return loc
}

// Amsterdam returns Carerix's default time zone, Europe/Amsterdam.
func Amsterdam() *time.Location { return amsterdam }

// ParseTime parses the timestamp formats Carerix is known or expected to
// send: ISO-8601 / RFC 3339 with an offset or "Z", Carerix's
// "YYYY-MM-DD HH:MM:SS[ +ZZZZ]" (NSCalendarDate), fractional seconds, and
// bare dates. A timestamp without an offset is Europe/Amsterdam local time.
// An empty string yields the zero time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	// Layouts with an explicit offset, tried first.
	for _, layout := range [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02 15:04:05.999999999 -0700",
		"2006-01-02 15:04:05.999999999 Z07:00",
		"2006-01-02 15:04:05.999999999-0700",
		"2006-01-02 15:04:05.999999999Z07:00",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	// Layouts without an offset, read as Europe/Amsterdam wall time.
	for _, layout := range [...]string{
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04",
		"2006-01-02",
	} {
		if t, err := time.ParseInLocation(layout, s, amsterdam); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("carerix: unrecognised timestamp %q", s)
}

// FormatCalendarDate renders t as Carerix's NSCalendarDate text
// "YYYY-MM-DD HH:MM:SS +ZZZZ", keeping t's own offset explicit.
func FormatCalendarDate(t time.Time) string {
	return t.Format("2006-01-02 15:04:05 -0700")
}

// jsonTime decodes a JSON string (or null) with ParseTime.
type jsonTime struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (t *jsonTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp must be a string: %w", err)
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}
