package templates_test

import (
	"math"
	"testing"
	"time"
	_ "time/tzdata" // deterministic time zones regardless of the host

	"github.com/shopspring/decimal"

	"github.com/recrubo/recrubo-carerix/templates"
)

func TestFormatNumbers(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"int nl", templates.FormatInt("nl", 1234567), "1.234.567"},
		{"int en", templates.FormatInt("en", 1234567), "1,234,567"},
		{"int small", templates.FormatInt("nl", 999), "999"},
		{"int negative", templates.FormatInt("en", -1000), "-1,000"},
		{"int min", templates.FormatInt("nl", math.MinInt64), "-9.223.372.036.854.775.808"},
		{"float nl", templates.FormatNumber("nl", 1234.5, -1), "1.234,5"},
		{"float en", templates.FormatNumber("en", 1234.5, -1), "1,234.5"},
		{"float places", templates.FormatNumber("nl", 0.125, 2), "0,12"},
		{"float negative", templates.FormatNumber("nl_NL", -1234567.891, 1), "-1.234.567,9"},
		{"float NaN", templates.FormatNumber("nl", math.NaN(), 2), "NaN"},
		{"float Inf", templates.FormatNumber("en", math.Inf(-1), 2), "-Inf"},
		{"decimal nl", templates.FormatDecimal("nl", decimal.RequireFromString("1234.565"), 2), "1.234,57"},
		{"decimal en", templates.FormatDecimal("en", decimal.RequireFromString("-0.5"), 0), "-1"},
		{"decimal places", templates.FormatDecimal("en", decimal.RequireFromString("12"), 3), "12.000"},
		{"EUR nl", templates.FormatEUR("nl", decimal.RequireFromString("1234.56")), "€ 1.234,56"},
		{"EUR en", templates.FormatEUR("en", decimal.RequireFromString("1234.56")), "€1,234.56"},
		{"EUR nl negative", templates.FormatEUR("nl", decimal.RequireFromString("-1234.5")), "€ -1.234,50"},
		{"EUR en negative", templates.FormatEUR("en", decimal.RequireFromString("-1234.5")), "-€1,234.50"},
		{"EUR rounding", templates.FormatEUR("en", decimal.RequireFromString("0.005")), "€0.01"},
		{"EUR millions", templates.FormatEUR("nl", decimal.RequireFromString("1000000")), "€ 1.000.000,00"},
		{"percent nl", templates.FormatPercent("nl", 1, 0), "100 %"},
		{"percent en", templates.FormatPercent("en", 1, 0), "100%"},
		{"percent en-GB", templates.FormatPercent("en-GB", 0.5, 0), "50%"},
		{"percent nl decimals", templates.FormatPercent("nl_NL", 0.1234, 1), "12,3 %"},
		{"percent en decimals", templates.FormatPercent("en", 12.345, 1), "1,234.5%"},
		{"percent zero", templates.FormatPercent("en", 0, 0), "0%"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestFormatDates(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatalf("loading time zone: %v", err)
	}
	// 23:30 UTC on 2 March is already 3 March in Amsterdam (UTC+1).
	winter := time.Date(2025, time.March, 2, 23, 30, 0, 0, time.UTC)
	// 12:05 UTC in July is 14:05 in Amsterdam (UTC+2).
	summer := time.Date(2025, time.July, 14, 12, 5, 0, 0, time.UTC)
	tests := []struct {
		name, got, want string
	}{
		{"date nl", templates.FormatDate("nl", winter, ams), "3 maart 2025"},
		{"date en", templates.FormatDate("en", winter, ams), "3 March 2025"},
		{"date nil location is UTC", templates.FormatDate("en", winter, nil), "2 March 2025"},
		{"short nl", templates.FormatDateShort("nl", winter, ams), "3 mrt."},
		{"short en", templates.FormatDateShort("en", summer, ams), "14 Jul"},
		{"short nl may", templates.FormatDateShort("nl", summer.AddDate(0, -2, 0), ams), "14 mei"},
		{"time summer", templates.FormatTime("nl", summer, ams), "14:05"},
		{"time winter", templates.FormatTime("en", winter, ams), "00:30"},
		{"datetime nl", templates.FormatDateTime("nl", summer, ams), "14 juli 2025 om 14:05"},
		{"datetime en", templates.FormatDateTime("en", summer, ams), "14 July 2025 at 14:05"},
		{"datetime en-GB", templates.FormatDateTime("en-GB", winter, ams), "3 March 2025 at 00:30"},
		{"datetime zone summer", templates.FormatDateTimeZone("nl", summer, ams), "14 juli 2025 om 14:05 CEST"},
		{"datetime zone winter", templates.FormatDateTimeZone("en", winter, ams), "3 March 2025 at 00:30 CET"},
		{"datetime zone utc", templates.FormatDateTimeZone("en", winter, nil), "2 March 2025 at 23:30 UTC"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	// Every month has a distinct name in both languages.
	for _, lang := range []string{"nl", "en"} {
		seen := map[string]bool{}
		for m := time.January; m <= time.December; m++ {
			d := templates.FormatDate(lang, time.Date(2025, m, 10, 12, 0, 0, 0, time.UTC), nil)
			if seen[d] {
				t.Errorf("%s: duplicate month in %q", lang, d)
			}
			seen[d] = true
		}
	}
}

func TestFormatRelative(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	// Tuesday 24 November 2026, 14:30 in Amsterdam.
	now := time.Date(2026, 11, 24, 13, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		ago    time.Duration
		nl, en string
	}{
		{-time.Minute, "zojuist", "just now"},
		{30 * time.Second, "zojuist", "just now"},
		{12 * time.Minute, "12 min geleden", "12 min ago"},
		{2*time.Hour + 5*time.Minute, "2 u geleden", "2 h ago"},
		{14 * time.Hour, "14 u geleden", "14 h ago"},          // 00:30 the same day
		{15 * time.Hour, "gisteren", "yesterday"},             // 23:30 the day before
		{2*24*time.Hour + time.Hour, "zondag", "Sunday"},      // 22 November
		{6 * 24 * time.Hour, "woensdag", "Wednesday"},         // 18 November
		{7 * 24 * time.Hour, "17 nov.", "17 Nov"},             // a week ago
		{330 * 24 * time.Hour, "29 dec. 2025", "29 Dec 2025"}, // last year
	} {
		at := now.Add(-tc.ago)
		if got := templates.FormatRelative("nl", at, now, ams); got != tc.nl {
			t.Errorf("%v ago in nl = %q, want %q", tc.ago, got, tc.nl)
		}
		if got := templates.FormatRelative("en", at, now, ams); got != tc.en {
			t.Errorf("%v ago in en = %q, want %q", tc.ago, got, tc.en)
		}
	}
}
