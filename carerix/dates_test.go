package carerix_test

import (
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix"
)

func TestParseTime(t *testing.T) {
	ams := carerix.Amsterdam()
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-02-14T14:24:40Z", time.Date(2024, 2, 14, 14, 24, 40, 0, time.UTC)},
		{"2024-02-14T14:24:40.123Z", time.Date(2024, 2, 14, 14, 24, 40, 123e6, time.UTC)},
		{"2024-02-14T15:24:40+01:00", time.Date(2024, 2, 14, 14, 24, 40, 0, time.UTC)},
		{"2024-02-14T15:24:40.5+0100", time.Date(2024, 2, 14, 14, 24, 40, 5e8, time.UTC)},
		{"2024-11-08 23:59:59 +0100", time.Date(2024, 11, 8, 22, 59, 59, 0, time.UTC)},
		{"2024-11-08 23:59:59 -0500", time.Date(2024, 11, 9, 4, 59, 59, 0, time.UTC)},
		{"2024-11-08 23:59:59 Z", time.Date(2024, 11, 8, 23, 59, 59, 0, time.UTC)},
		{"2024-11-08 23:59:59+0100", time.Date(2024, 11, 8, 22, 59, 59, 0, time.UTC)},
		// No offset: Europe/Amsterdam, winter and summer time.
		{"2024-11-08 23:59:59", time.Date(2024, 11, 8, 23, 59, 59, 0, ams)},
		{"2024-07-01 12:00:00", time.Date(2024, 7, 1, 10, 0, 0, 0, time.UTC)},
		{"2024-07-01T12:00:00", time.Date(2024, 7, 1, 10, 0, 0, 0, time.UTC)},
		{"2024-07-01 12:00:00.250", time.Date(2024, 7, 1, 10, 0, 0, 25e7, time.UTC)},
		{"2024-07-01 12:00", time.Date(2024, 7, 1, 10, 0, 0, 0, time.UTC)},
		{"1990-05-17", time.Date(1990, 5, 17, 0, 0, 0, 0, ams)},
		{"  2024-02-14T14:24:40Z ", time.Date(2024, 2, 14, 14, 24, 40, 0, time.UTC)},
		{"", time.Time{}},
	}
	for _, tc := range tests {
		got, err := carerix.ParseTime(tc.in)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tc.in, err)
			continue
		}
		if !got.Equal(tc.want) || got.IsZero() != tc.want.IsZero() {
			t.Errorf("ParseTime(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"yesterday", "2024-13-01", "2024-02-14T25:00:00Z", "14-02-2024", "1707920680"} {
		if got, err := carerix.ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) = %v, want error", bad, got)
		}
	}
}

func TestFormatCalendarDateRoundTrip(t *testing.T) {
	in := time.Date(2024, 3, 31, 2, 30, 0, 0, time.FixedZone("", -(3*3600+30*60)))
	s := carerix.FormatCalendarDate(in)
	if want := "2024-03-31 02:30:00 -0330"; s != want {
		t.Fatalf("FormatCalendarDate = %q, want %q", s, want)
	}
	back, err := carerix.ParseTime(s)
	if err != nil || !back.Equal(in) {
		t.Fatalf("ParseTime(%q) = %v, %v; want %v", s, back, err, in)
	}
}
