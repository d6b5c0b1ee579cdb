package carerixemu

import (
	"testing"
	"time"
)

func TestCalendarDatesWithZoneNames(t *testing.T) {
	utc := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2024-01-01 00:00:00 Etc/GMT", utc},
		{"2024-01-01 00:00:00 UTC", utc},
		{"2024-01-01 00:00:00 GMT", utc},
		{"2024-01-01 01:00:00 Europe/Amsterdam", utc},
		{"2024-01-01T01:00:00 Europe/Amsterdam", utc},
		{"2024-01-01 01:00:00 Etc/GMT-1", utc}, // POSIX sign: GMT-1 is an hour ahead
		{"2024-01-01 00:00:00 +0000", utc},
		{"2024-01-01 00:00:00 Z", utc},
		{"2024-01-01 01:00:00", utc}, // Amsterdam wall time
		{"  2024-07-01 02:00:00 Europe/Amsterdam ", utc.AddDate(0, 6, 0)},
	} {
		got, err := parseCalendarDate(tc.in)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("%q = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{
		"2024-01-01 00:00:00 Nowhere/City", "2024-01-01 00:00:00 Local", "2024-01-01 00:00:00 ../etc/passwd",
		"2024-01-01 Europe/Amsterdam", "yesterday UTC",
	} {
		if _, err := parseCalendarDate(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
