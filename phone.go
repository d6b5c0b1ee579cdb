package recrubo

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultPhoneRegion is the region assumed for numbers written without a
// country code: Carerix's customers are Dutch staffing agencies.
const DefaultPhoneRegion = "NL"

// NormalizePhone returns raw as an E.164 number ("06-12345678" becomes
// "+31612345678"), reading numbers without a country code as Dutch. It
// returns EINVALID for text that is not a valid phone number.
func NormalizePhone(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", Errorf(EINVALID, "No phone number.")
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	n, err := phonenumbers.Parse(s, DefaultPhoneRegion)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", &Error{Code: EINVALID, Message: fmt.Sprintf("%q is not a valid phone number.", raw), Err: err}
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// IsMobilePhone reports whether an E.164 number is a mobile (or could be
// one), i.e. whether WhatsApp can reach it.
func IsMobilePhone(e164 string) bool {
	n, err := phonenumbers.Parse(e164, DefaultPhoneRegion)
	if err != nil {
		return false
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return true
	}
	return false
}

// MobileProblem says why a candidate has no number to message on
// WhatsApp; empty when they have one.
type MobileProblem string

// The mobile problems.
const (
	MobileMissing  MobileProblem = "missing"  // no number at all
	MobileInvalid  MobileProblem = "invalid"  // the mobile number is not a valid number
	MobileLandline MobileProblem = "landline" // only a landline number, which WhatsApp cannot reach
)

// WhatsAppNumber returns the number to message a candidate on: their
// mobile number in E.164, validated as a mobile number. A mobile number
// written in the phone field counts too; a landline never does. Without
// one it returns "" and why.
func WhatsAppNumber(mobile, phone string) (string, MobileProblem) {
	problem := MobileMissing
	if m := strings.TrimSpace(mobile); m != "" {
		n, err := NormalizePhone(m)
		if err == nil && IsMobilePhone(n) {
			return n, ""
		}
		problem = MobileInvalid
		if err == nil {
			problem = MobileLandline
		}
	}
	if p := strings.TrimSpace(phone); p != "" {
		n, err := NormalizePhone(p)
		if err == nil && IsMobilePhone(n) {
			return n, ""
		}
		if err == nil && problem == MobileMissing {
			problem = MobileLandline
		}
	}
	return "", problem
}
