package templates

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Locale formatting for nl and en. The results are plain strings; they are
// escaped like any other value when rendered.

// separators returns the grouping and decimal separators for lang.
func separators(lang string) (group, dec byte) {
	if NormalizeLang(lang) == LangNL {
		return '.', ','
	}
	return ',', '.'
}

// localizeNumber rewrites a number in Go syntax ("-1234.5") with lang's
// separators ("-1.234,5" in nl, "-1,234.5" in en).
func localizeNumber(lang, s string) string {
	group, dec := separators(lang)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.Grow(len(sign) + len(s) + len(intPart)/3)
	b.WriteString(sign)
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(group)
		}
		b.WriteByte(intPart[i])
	}
	if hasFrac {
		b.WriteByte(dec)
		b.WriteString(frac)
	}
	return b.String()
}

// FormatInt formats n with lang's digit grouping: 1.234.567 (nl),
// 1,234,567 (en).
func FormatInt(lang string, n int64) string {
	return localizeNumber(lang, strconv.FormatInt(n, 10))
}

// FormatNumber formats f with places decimals (places < 0: as many as
// needed) in lang's notation: 1.234,5 (nl), 1,234.5 (en). NaN and
// infinities are returned as "NaN", "+Inf" and "-Inf".
func FormatNumber(lang string, f float64, places int) string {
	s := strconv.FormatFloat(f, 'f', places, 64)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return s
	}
	return localizeNumber(lang, s)
}

// FormatDecimal formats d rounded to places decimals (half away from zero)
// in lang's notation.
func FormatDecimal(lang string, d decimal.Decimal, places int32) string {
	return localizeNumber(lang, d.StringFixed(places))
}

// FormatEUR formats an amount in euros with two decimals: "€ 1.234,56" and
// "€ -1.234,56" (nl), "€1,234.56" and "-€1,234.56" (en).
func FormatEUR(lang string, d decimal.Decimal) string {
	s := localizeNumber(lang, d.StringFixed(2))
	if NormalizeLang(lang) == LangNL {
		return "€ " + s
	}
	if rest, neg := strings.CutPrefix(s, "-"); neg {
		return "-€" + rest
	}
	return "€" + s
}

// FormatPercent formats ratio (1 is 100 percent) as a percentage with
// places decimals in lang's notation: "12,5 %" (nl, with a space),
// "12.5%" (en, without).
func FormatPercent(lang string, ratio float64, places int) string {
	s := FormatNumber(lang, ratio*100, places)
	if NormalizeLang(lang) == LangNL {
		return s + " %"
	}
	return s + "%"
}

func monthNames(lang string) [12]string {
	if NormalizeLang(lang) == LangNL {
		return [12]string{"januari", "februari", "maart", "april", "mei", "juni",
			"juli", "augustus", "september", "oktober", "november", "december"}
	}
	return [12]string{"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"}
}

func shortMonthNames(lang string) [12]string {
	if NormalizeLang(lang) == LangNL {
		return [12]string{"jan.", "feb.", "mrt.", "apr.", "mei", "jun.",
			"jul.", "aug.", "sep.", "okt.", "nov.", "dec."}
	}
	return [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
}

// inLocation converts t to loc; a nil loc means UTC.
func inLocation(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc)
}

// FormatDate formats the calendar date of t in loc (nil: UTC): "3 maart
// 2025" (nl), "3 March 2025" (en).
func FormatDate(lang string, t time.Time, loc *time.Location) string {
	t = inLocation(t, loc)
	return strconv.Itoa(t.Day()) + " " + monthNames(lang)[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// FormatDateShort formats day and abbreviated month of t in loc, for
// lists: "3 mrt." (nl), "3 Mar" (en).
func FormatDateShort(lang string, t time.Time, loc *time.Location) string {
	t = inLocation(t, loc)
	return strconv.Itoa(t.Day()) + " " + shortMonthNames(lang)[t.Month()-1]
}

// FormatTime formats the 24-hour clock time of t in loc: "14:05".
func FormatTime(_ string, t time.Time, loc *time.Location) string {
	return inLocation(t, loc).Format("15:04")
}

// FormatDateTime formats date and time of t in loc: "3 maart 2025 om
// 14:05" (nl), "3 March 2025 at 14:05" (en).
func FormatDateTime(lang string, t time.Time, loc *time.Location) string {
	word := " at "
	if NormalizeLang(lang) == LangNL {
		word = " om "
	}
	return FormatDate(lang, t, loc) + word + FormatTime(lang, t, loc)
}

// FormatDateTimeZone is FormatDateTime followed by the zone's
// abbreviation at t, so a reader knows which clock it is: "3 maart 2025
// om 14:05 CET" (nl), "3 March 2025 at 14:05 CET" (en).
func FormatDateTimeZone(lang string, t time.Time, loc *time.Location) string {
	return FormatDateTime(lang, t, loc) + " " + ZoneName(t, loc)
}

// ZoneName is the abbreviation of loc's zone at t ("CET", "CEST"; "UTC"
// for a nil loc), or its offset ("+03") where the zone has none.
func ZoneName(t time.Time, loc *time.Location) string {
	name, _ := inLocation(t, loc).Zone()
	return name
}

func weekdayNames(lang string) [7]string {
	if NormalizeLang(lang) == LangNL {
		return [7]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}
	}
	return [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
}

// FormatRelative says how long before now t was, for lists, by the
// calendar of loc: "zojuist" / "just now" within a minute, "12 min
// geleden" / "12 min ago" within the hour, "3 u geleden" / "3 h ago"
// earlier the same day, "gisteren" / "yesterday", the weekday within the
// last week, then "3 mrt." / "3 Mar", with the year when it is not this
// year's. A time after now (a clock ahead) reads as just now.
func FormatRelative(lang string, t, now time.Time, loc *time.Location) string {
	nl := NormalizeLang(lang) == LangNL
	t, now = inLocation(t, loc), inLocation(now, loc)
	d := now.Sub(t)
	day := func(x time.Time) time.Time { return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, x.Location()) }
	days := int(day(now).Sub(day(t)).Hours()/24 + 0.5) // whole calendar days, across a DST change too
	switch {
	case d < time.Minute:
		if nl {
			return "zojuist"
		}
		return "just now"
	case d < time.Hour:
		if nl {
			return strconv.Itoa(int(d.Minutes())) + " min geleden"
		}
		return strconv.Itoa(int(d.Minutes())) + " min ago"
	case days == 0:
		if nl {
			return strconv.Itoa(int(d.Hours())) + " u geleden"
		}
		return strconv.Itoa(int(d.Hours())) + " h ago"
	case days == 1:
		if nl {
			return "gisteren"
		}
		return "yesterday"
	case days < 7:
		return weekdayNames(lang)[t.Weekday()]
	case t.Year() == now.Year():
		return FormatDateShort(lang, t, loc)
	}
	return FormatDateShort(lang, t, loc) + " " + strconv.Itoa(t.Year())
}
