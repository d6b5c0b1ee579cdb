package recrubo_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
)

func TestErrorCodeAndMessage(t *testing.T) {
	cause := errors.New("pq: connection refused to 10.0.0.1")
	tests := []struct {
		name     string
		err      error
		wantCode recrubo.Code
		wantMsg  string
	}{
		{"nil", nil, "", ""},
		{"plain error is internal", cause, recrubo.EINTERNAL, "Internal error."},
		{"coded", recrubo.Errorf(recrubo.ENOTFOUND, "Tenant %q not found.", "acme"), recrubo.ENOTFOUND, `Tenant "acme" not found.`},
		{"wrapped coded", fmt.Errorf("loading: %w", recrubo.Errorf(recrubo.ECONFLICT, "Slug taken.")), recrubo.ECONFLICT, "Slug taken."},
		{"internal hides message", recrubo.WrapError(recrubo.EINTERNAL, cause, "db down"), recrubo.EINTERNAL, "Internal error."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := recrubo.ErrorCode(tt.err); got != tt.wantCode {
				t.Errorf("ErrorCode = %q, want %q", got, tt.wantCode)
			}
			if got := recrubo.ErrorMessage(tt.err); got != tt.wantMsg {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.wantMsg)
			}
		})
	}
	wrapped := recrubo.WrapError(recrubo.EUNAVAILABLE, cause, "Database unavailable.")
	if !errors.Is(wrapped, cause) {
		t.Error("WrapError does not unwrap to its cause")
	}
	if !strings.Contains(wrapped.Error(), "connection refused") {
		t.Error("Error() should carry the cause for logs")
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := recrubo.NewSecret("super-secret-value-42")
	var logs strings.Builder
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "secret", s, "struct", struct{ S recrubo.Secret }{s})
	js, err := json.Marshal(struct{ S recrubo.Secret }{s})
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{
		"%v": fmt.Sprintf("%v", s), "%+v": fmt.Sprintf("%+v", struct{ S recrubo.Secret }{s}),
		"%#v": fmt.Sprintf("%#v", s), "%s": fmt.Sprint(s), "json": string(js), "slog": logs.String(),
	} {
		if strings.Contains(out, "super-secret") {
			t.Errorf("%s output %q contains the secret", name, out)
		}
	}
	if s.Reveal() != "super-secret-value-42" {
		t.Error("Reveal lost the value")
	}
	if got := s.Masked(); got != "********" {
		t.Errorf("Masked = %q", got)
	}
	if got := recrubo.NewSecret("").Masked(); got != "(not set)" {
		t.Errorf("empty Masked = %q", got)
	}
	var back struct{ S recrubo.Secret }
	if err := json.Unmarshal([]byte(`{"S":"plain"}`), &back); err != nil || back.S.Reveal() != "plain" {
		t.Errorf("UnmarshalJSON = %q, %v", back.S.Reveal(), err)
	}
}

func validTenant() *recrubo.Tenant {
	t := &recrubo.Tenant{
		Slug:         "acme",
		DisplayName:  "Acme Uitzendbureau",
		FrameOrigins: []string{"https://acme.carerix.net"},
		Carerix: recrubo.CarerixSettings{
			APIBaseURL: "https://api.carerix.io", IdentityBaseURL: "https://id-s3.carerix.io",
			Realm: "acme", Application: "acme", ClientID: "c1", ClientSecret: recrubo.NewSecret("s1"),
		},
		Admin: recrubo.AdminCredentials{ClientID: "a1", ClientSecret: recrubo.NewSecret("s2")},
	}
	t.Normalize()
	return t
}

func TestTenantValidation(t *testing.T) {
	if err := validTenant().Validate(); err != nil {
		t.Fatalf("valid tenant: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*recrubo.Tenant)
		field  string
	}{
		{"bad slug", func(t *recrubo.Tenant) { t.Slug = "Acme Corp" }, "slug"},
		{"origin with path", func(t *recrubo.Tenant) { t.FrameOrigins = []string{"https://acme.carerix.net/app"} }, "frame_origins[0]"},
		{"no origins", func(t *recrubo.Tenant) { t.FrameOrigins = nil }, "frame_origins"},
		{"bad api url", func(t *recrubo.Tenant) { t.Carerix.APIBaseURL = "ftp://x" }, "carerix.api_base_url"},
		{"missing secret", func(t *recrubo.Tenant) { t.Carerix.ClientSecret = recrubo.Secret{} }, "carerix.client_secret"},
		{"missing admin secret", func(t *recrubo.Tenant) { t.Admin.ClientSecret = recrubo.Secret{} }, "admin.client_secret"},
		{"bad language", func(t *recrubo.Tenant) { t.Language = "de" }, "language"},
		{"bad zone", func(t *recrubo.Tenant) { t.TimeZone = "Mars/Olympus" }, "time_zone"},
		{"bad phone region", func(t *recrubo.Tenant) { t.PhoneRegion = "Nederland" }, "phone_region"},
		{"duplicate status", func(t *recrubo.Tenant) { t.Filters.CandidateStatuses = []string{"Actief", "Actief"} }, "filters.candidate_statuses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := validTenant()
			tt.mutate(tn)
			err := tn.Validate()
			if recrubo.ErrorCode(err) != recrubo.EINVALID {
				t.Fatalf("code = %q (%v), want invalid", recrubo.ErrorCode(err), err)
			}
			var fields []string
			for _, f := range recrubo.ErrorFields(err) {
				fields = append(fields, f.Field)
				if f.Field == tt.field && f.Message == "" {
					t.Errorf("field %s has no message", f.Field)
				}
			}
			if !strings.Contains(strings.Join(fields, ","), tt.field) {
				t.Errorf("fields = %v, want %s", fields, tt.field)
			}
		})
	}
}

func TestNormalizeDefaults(t *testing.T) {
	tn := &recrubo.Tenant{Slug: " ACME ", FrameOrigins: []string{"HTTPS://Acme.Carerix.net/"}}
	tn.Normalize()
	if tn.Slug != "acme" || tn.FrameOrigins[0] != "https://acme.carerix.net" || tn.Language != "nl" || tn.TimeZone != "Europe/Amsterdam" {
		t.Errorf("Normalize gave %+v", tn)
	}
}

func TestValidOrigin(t *testing.T) {
	for _, ok := range []string{"https://acme.carerix.net", "http://127.0.0.1:8081", "HTTPS://Acme.Carerix.net:8443/", "http://localhost:8080"} {
		if err := recrubo.ValidOrigin(ok); err != nil {
			t.Errorf("ValidOrigin(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"acme.carerix.net", "https://", "https://a.b/c", "https://u:p@a.b", "javascript:alert(1)", "https://a.b?x=1",
		// Not a source a Content-Security-Policy can hold.
		"https://acme.carerix.net;script-src", "https://acme_x.carerix.net", "http://[::1]:8081", "https://bücher.example",
		"https://acme.carerix.net:", "https://a..b"} {
		if err := recrubo.ValidOrigin(bad); err == nil {
			t.Errorf("ValidOrigin(%q) accepted", bad)
		}
	}
}
