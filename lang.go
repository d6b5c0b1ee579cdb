package recrubo

import "strings"

// Languages the product speaks.
const (
	LangDutch   = "nl"
	LangEnglish = "en"
)

// NormalizeLang maps a language tag or locale ("nl", "nl-BE", "nl_NL",
// "EN-us"), an ISO 639-2 code ("nld", "dut") or a language name as Carerix
// writes a user's language ("Dutch", "Nederlands") to a language the
// product speaks, defaulting to English.
func NormalizeLang(s string) string {
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	for _, dutch := range []string{LangDutch, "nld", "dut", "dutch", "nederlands"} {
		if strings.EqualFold(s, dutch) {
			return LangDutch
		}
	}
	return LangEnglish
}
