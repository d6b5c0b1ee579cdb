package carerixemu

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Amsterdam must resolve on hosts without zoneinfo.
)

// amsterdam is Carerix's default time zone. It is loaded once and never
// modified.
var amsterdam = mustLoadLocation("Europe/Amsterdam")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("loading time zone %s: %v", name, err))
	}
	return loc
}

// formatDate renders a record timestamp for GraphQL: ISO-8601 with an
// explicit offset, in Europe/Amsterdam (an assumption; see doc.go).
func formatDate(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.In(amsterdam).Format(time.RFC3339)
	return &s
}

// formatCalendarDate renders t as NSCalendarDate text
// "YYYY-MM-DD HH:MM:SS +ZZZZ" in Europe/Amsterdam, as CxScript prints dates.
func formatCalendarDate(t time.Time) string {
	return t.In(amsterdam).Format("2006-01-02 15:04:05 -0700")
}

// parseCalendarDate parses the date forms accepted in qualifiers:
// "YYYY-MM-DD HH:MM:SS" with an optional " +ZZZZ" (or "+ZZ:ZZ"/"Z")
// offset, RFC 3339, or a bare "YYYY-MM-DD". Without an offset the time is
// Europe/Amsterdam wall time.
func parseCalendarDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range [...]string{
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05 Z07:00",
		"2006-01-02 15:04:05-0700",
		"2006-01-02 15:04:05Z07:00",
		time.RFC3339Nano,
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range [...]string{
		"2006-01-02 15:04:05",
		"2006-01-02T15:04:05",
		"2006-01-02",
	} {
		if t, err := time.ParseInLocation(layout, s, amsterdam); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised date %q (want YYYY-MM-DD HH:MM:SS [+ZZZZ])", s)
}
