package recrubo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultPhoneRegion is the region assumed for numbers written without a
// country code unless the tenant names its own (Tenant.PhoneRegion):
// most of Carerix's customers are Dutch staffing agencies.
const DefaultPhoneRegion = "NL"

// NormalizePhone returns raw as an E.164 number ("06-12345678" becomes
// "+31612345678"), reading numbers without a country code as numbers of
// region (an ISO 3166 code; DefaultPhoneRegion when empty). It returns
// EINVALID for text that is not a valid phone number.
func NormalizePhone(raw, region string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", Errorf(EINVALID, "No phone number.")
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	n, err := phonenumbers.Parse(s, phoneRegion(region))
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", &Error{Code: EINVALID, Message: fmt.Sprintf("%q is not a valid phone number.", raw), Err: err}
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// phoneRegion is region, or DefaultPhoneRegion when it is empty.
func phoneRegion(region string) string {
	if region == "" {
		return DefaultPhoneRegion
	}
	return region
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

// FormatPhone writes an E.164 number the way people read it, in the
// international format with its groups: "+31135330297" becomes
// "+31 13 533 0297". Digits alone are read as an international number, as
// WhatsApp reports a display number ("31200000000"). Anything that is not
// a number is returned unchanged.
func FormatPhone(e164 string) string {
	s := strings.TrimSpace(e164)
	if s != "" && !strings.HasPrefix(s, "+") {
		s = "+" + s
	}
	n, err := phonenumbers.Parse(s, DefaultPhoneRegion)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return e164
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// phoneFormatting are the characters people put between the digits of a
// phone number.
const phoneFormatting = " -./()+\u00a0"

// PhoneSearchDigits returns the digits a stored E.164 number (without its
// "+") contains when it matches query typed as a phone number, or "" when
// query is not one (it holds anything but digits and formatting). The
// query is read the way stored numbers are normalised (NormalizePhone,
// the tenant's region): a whole number in any notation ("0638964311",
// "06-38964311", "06 38 96 43 11", "+31 6 3896 4311", "0031…") becomes its
// full digits; a part of one keeps its digits, with a leading
// international prefix ("00") dropped and a leading national prefix ("0")
// replaced by the country code, so "06 389" finds "+31638964311" too.
func PhoneSearchDigits(query, region string) string {
	q := strings.TrimSpace(query)
	var b strings.Builder
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(phoneFormatting, r):
		default:
			return ""
		}
	}
	digits := b.String()
	if digits == "" {
		return ""
	}
	if e164, err := NormalizePhone(q, region); err == nil {
		return strings.TrimPrefix(e164, "+")
	}
	region = phoneRegion(region)
	ndd := phonenumbers.GetNddPrefixForRegion(region, true)
	switch {
	case strings.HasPrefix(q, "+"):
		return digits
	case strings.HasPrefix(digits, "00"):
		return digits[2:]
	case ndd != "" && strings.HasPrefix(digits, ndd):
		cc := phonenumbers.GetCountryCodeForRegion(region)
		return strconv.Itoa(cc) + digits[len(ndd):]
	}
	return digits
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
// mobile number in E.164, validated as a mobile number, read as a number
// of region when written without a country code. A mobile number written
// in the phone field counts too; a landline never does. Without one it
// returns "" and why.
func WhatsAppNumber(mobile, phone, region string) (string, MobileProblem) {
	problem := MobileMissing
	if m := strings.TrimSpace(mobile); m != "" {
		n, err := NormalizePhone(m, region)
		if err == nil && IsMobilePhone(n) {
			return n, ""
		}
		problem = MobileInvalid
		if err == nil {
			problem = MobileLandline
		}
	}
	if p := strings.TrimSpace(phone); p != "" {
		n, err := NormalizePhone(p, region)
		if err == nil && IsMobilePhone(n) {
			return n, ""
		}
		if err == nil && problem == MobileMissing {
			problem = MobileLandline
		}
	}
	return "", problem
}
