package carerixemu

import (
	"fmt"
	"regexp"
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

// zoneName is an IANA time zone name as qualifiers may write it
// ("Etc/GMT", "Europe/Amsterdam", "UTC", "Etc/GMT+1").
var zoneName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}$`)

// parseCalendarDate parses the date forms accepted in qualifiers:
// "YYYY-MM-DD HH:MM:SS" with an optional " +ZZZZ" (or "+ZZ:ZZ"/"Z")
// offset or zone name (" Etc/GMT", " Europe/Amsterdam", " UTC"), RFC 3339,
// or a bare "YYYY-MM-DD". Without an offset or zone the time is
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
	if t, ok, err := parseZonedDate(s); ok {
		return t, err
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
	return time.Time{}, fmt.Errorf("unrecognised date %q (want YYYY-MM-DD HH:MM:SS [+ZZZZ or zone name])", s)
}

// parseZonedDate parses "YYYY-MM-DD HH:MM:SS <zone name>". ok is false when
// s does not have that shape; err reports an unknown zone.
func parseZonedDate(s string) (t time.Time, ok bool, err error) {
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return time.Time{}, false, nil
	}
	wall, zone := strings.TrimSpace(s[:i]), s[i+1:]
	if len(zone) > 64 || !zoneName.MatchString(zone) {
		return time.Time{}, false, nil
	}
	var parsed bool
	for _, layout := range [...]string{"2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if _, err := time.Parse(layout, wall); err == nil {
			parsed = true
			break
		}
	}
	if !parsed {
		return time.Time{}, false, nil
	}
	if zone == "Local" {
		return time.Time{}, true, fmt.Errorf("date %q: name the time zone, not Local", s)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.Time{}, true, fmt.Errorf("date %q: unknown time zone %q", s, zone)
	}
	for _, layout := range [...]string{"2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, wall, loc); err == nil {
			return t, true, nil
		}
	}
	return time.Time{}, false, nil
}
