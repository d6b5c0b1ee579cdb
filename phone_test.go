package recrubo_test

import (
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"06-12345678", "+31612345678"},
		{"06 1234 5678", "+31612345678"},
		{"+31 6 12345678", "+31612345678"},
		{"0031612345678", "+31612345678"},
		{"(020) 123 4567", "+31201234567"},
		{"+32 470 12 34 56", "+32470123456"},
	}
	for _, tt := range tests {
		got, err := recrubo.NormalizePhone(tt.in, "")
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "   ", "geen", "<script>alert(1)</script>", "06-123", "+999 1234"} {
		if got, err := recrubo.NormalizePhone(bad, "NL"); err == nil || recrubo.ErrorCode(err) != recrubo.EINVALID {
			t.Errorf("NormalizePhone(%q) = %q, %v; want EINVALID", bad, got, err)
		}
	}
}

// TestNormalizePhoneInTheTenantsRegion: a number without a country code
// is read in the tenant's region; one with a country code is the same
// anywhere.
func TestNormalizePhoneInTheTenantsRegion(t *testing.T) {
	for _, tt := range []struct{ in, region, want string }{
		{"0470 12 34 56", "BE", "+32470123456"},
		{"06-12345678", "NL", "+31612345678"},
		{"0151 23456789", "DE", "+4915123456789"},
		{"+31 6 12345678", "BE", "+31612345678"},
		{"0031612345678", "DE", "+31612345678"},
	} {
		if got, err := recrubo.NormalizePhone(tt.in, tt.region); err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q, %s) = %q, %v; want %q", tt.in, tt.region, got, err, tt.want)
		}
	}
	if got, err := recrubo.NormalizePhone("0470 12 34 56", "NL"); err == nil {
		t.Errorf("a Belgian number read as Dutch = %q, want an error", got)
	}
}

func TestIsMobilePhone(t *testing.T) {
	if !recrubo.IsMobilePhone("+31612345678") {
		t.Error("Dutch 06 number not mobile")
	}
	if recrubo.IsMobilePhone("+31201234567") {
		t.Error("Amsterdam landline counted as mobile")
	}
}

func TestFormatPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+31135330297":  "+31 13 533 0297",
		"+31638964311":  "+31 6 38964311",
		"+32470123456":  "+32 470 12 34 56",
		"31200000000":   "+31 20 000 0000",
		" +31200000000": "+31 20 000 0000",
		"+999":          "+999",
		"phone":         "phone",
		"":              "",
	} {
		if got := recrubo.FormatPhone(in); got != want {
			t.Errorf("FormatPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPhoneSearchDigits(t *testing.T) {
	for in, want := range map[string]string{
		"0638964311":       "31638964311",
		"06-38964311":      "31638964311",
		"06 38 96 43 11":   "31638964311",
		"+31638964311":     "31638964311",
		"+31 6 3896 4311":  "31638964311",
		"0031638964311":    "31638964311",
		"(013) 533 0297":   "31135330297",
		"06 389":           "316389",
		"38964311":         "38964311",
		"+316":             "316",
		"0032 470":         "32470",
		"Sanne":            "",
		"06-3896 4311 x":   "",
		"   ":              "",
		"sanne@example.nl": "",
	} {
		if got := recrubo.PhoneSearchDigits(in, "NL"); got != want {
			t.Errorf("PhoneSearchDigits(%q) = %q, want %q", in, got, want)
		}
	}
	// In a Belgian tenant the national prefix stands for +32.
	for in, want := range map[string]string{"0470 12 34 56": "32470123456", "0470 12": "3247012", "+31 6 3896": "3163896"} {
		if got := recrubo.PhoneSearchDigits(in, "BE"); got != want {
			t.Errorf("PhoneSearchDigits(%q, BE) = %q, want %q", in, got, want)
		}
	}
}

func TestWhatsAppNumberIsAMobileNeverALandline(t *testing.T) {
	tests := []struct {
		name, mobile, phone, want string
		problem                   recrubo.MobileProblem
	}{
		{"Mobile", "06-12345678", "020-1234567", "+31612345678", ""},
		{"MobileInThePhoneField", "", "06 1234 5678", "+31612345678", ""},
		{"InvalidMobileAndALandline", "06-123", "020-1234567", "", recrubo.MobileInvalid},
		{"LandlineInTheMobileField", "020-1234567", "", "", recrubo.MobileLandline},
		{"OnlyALandline", "", "(020) 123 4567", "", recrubo.MobileLandline},
		{"Nothing", "", "  ", "", recrubo.MobileMissing},
		{"Garbage", "", "geen", "", recrubo.MobileMissing},
		{"ForeignMobile", "+32 470 12 34 56", "", "+32470123456", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, problem := recrubo.WhatsAppNumber(tc.mobile, tc.phone, "NL")
			if got != tc.want || problem != tc.problem {
				t.Errorf("WhatsAppNumber(%q, %q) = %q, %q; want %q, %q", tc.mobile, tc.phone, got, problem, tc.want, tc.problem)
			}
		})
	}
}
