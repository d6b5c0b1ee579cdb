package carerix_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/recrubo/recrubo-carerix/carerix"
)

func validConfig() carerix.Config {
	return carerix.Config{
		IdentityBaseURL: "https://id-s3.carerix.io/",
		Realm:           "acme",
		ClientID:        "0123456789abcdef0123456789abcdef.apps.carerix.io",
		ClientSecret:    "s3cret",
	}
}

func TestConfigValidate(t *testing.T) {
	if err := validConfig().Validate(); err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
	tests := []struct {
		name   string
		modify func(*carerix.Config)
		want   string
	}{
		{"missing identity host", func(c *carerix.Config) { c.IdentityBaseURL = "" }, "missing IdentityBaseURL"},
		{"relative identity host", func(c *carerix.Config) { c.IdentityBaseURL = "id-s3.carerix.io" }, "invalid IdentityBaseURL"},
		{"plain http remote", func(c *carerix.Config) { c.APIBaseURL = "http://api.carerix.io" }, "plain http is only allowed on loopback"},
		{"ftp", func(c *carerix.Config) { c.APIBaseURL = "ftp://api.carerix.io" }, "scheme must be https"},
		{"query in base", func(c *carerix.Config) { c.APIBaseURL = "https://api.carerix.io?x=1" }, "query or fragment"},
		{"missing realm", func(c *carerix.Config) { c.Realm = "" }, "missing Realm"},
		{"realm with slash", func(c *carerix.Config) { c.Realm = "a/../b" }, "invalid Realm"},
		{"missing client id", func(c *carerix.Config) { c.ClientID = "" }, "missing ClientID"},
		{"missing secret", func(c *carerix.Config) { c.ClientSecret = "" }, "missing ClientSecret"},
		{"scope with space", func(c *carerix.Config) { c.Scopes = []string{"a b"} }, "invalid scope"},
		{"negative rate", func(c *carerix.Config) { c.RequestsPerSecond = -1 }, "invalid RequestsPerSecond"},
		{"negative burst", func(c *carerix.Config) { c.Burst = -1 }, "invalid Burst"},
		{"negative attempts", func(c *carerix.Config) { c.Retry.MaxAttempts = -2 }, "invalid Retry.MaxAttempts"},
		{"max below base", func(c *carerix.Config) {
			c.Retry.BaseBackoff = time.Second
			c.Retry.MaxBackoff = time.Millisecond
		}, "MaxBackoff"},
		{"negative timeout", func(c *carerix.Config) { c.Timeout = -time.Second }, "invalid Timeout"},
		{"auth style", func(c *carerix.Config) { c.AuthStyle = oauth2.AuthStyle(7) }, "invalid AuthStyle"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig()
			tc.modify(&cfg)
			err := cfg.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if _, err := carerix.New(cfg); err == nil {
				t.Error("New accepted an invalid config")
			}
		})
	}
	t.Run("ReportsAllProblems", func(t *testing.T) {
		err := carerix.Config{}.Validate()
		for _, want := range []string{"IdentityBaseURL", "Realm", "ClientID", "ClientSecret"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v does not mention %s", err, want)
			}
		}
	})
	t.Run("LoopbackAndInsecure", func(t *testing.T) {
		cfg := validConfig()
		cfg.APIBaseURL, cfg.IdentityBaseURL = "http://127.0.0.1:8080", "http://localhost:9"
		if err := cfg.Validate(); err != nil {
			t.Errorf("loopback http rejected: %v", err)
		}
		cfg.APIBaseURL = "http://carerixemu:8080"
		cfg.AllowInsecureHTTP = true
		if err := cfg.Validate(); err != nil {
			t.Errorf("AllowInsecureHTTP ignored: %v", err)
		}
	})
}

func TestClientConfigDefaults(t *testing.T) {
	c, err := carerix.New(validConfig())
	if err != nil {
		t.Fatal(err)
	}
	got := c.Config()
	if got.APIBaseURL != carerix.DefaultAPIBaseURL || got.RequestsPerSecond != 5 || got.Burst != 5 ||
		got.Timeout != 30*time.Second || got.Retry.MaxAttempts != carerix.DefaultMaxAttempts {
		t.Errorf("defaults not applied: %+v", got)
	}
	if got.ClientSecret == "s3cret" || strings.Contains(c.String(), "s3cret") {
		t.Error("client secret is exposed")
	}
	if want := "https://id-s3.carerix.io/auth/realms/acme/protocol/openid-connect/token"; got.TokenURL() != want {
		t.Errorf("TokenURL = %q, want %q", got.TokenURL(), want)
	}
}
