package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/config"
)

// valid returns settings that pass Validate, to break one at a time.
func valid() config.Config {
	c := config.Default()
	c.MasterKey = "k1:secret-master-key"
	return c
}

// TestEachBadValue breaks one setting at a time: Validate reports exactly
// that one, as a *config.FieldError naming its environment variable and
// what is wrong, with the value unless it is a secret.
func TestEachBadValue(t *testing.T) {
	tests := []struct {
		name    string
		set     func(*config.Config)
		key     string
		problem string
		value   string // "" for secrets and empty values
	}{
		{"addr", func(c *config.Config) { c.Addr = "nonsense" }, "ADDR", "is not host:port (e.g. :8080)", "nonsense"},
		{"public URL without scheme", func(c *config.Config) { c.PublicURL = "recrubo.example" }, "PUBLIC_URL", "is not an absolute http(s) URL", "recrubo.example"},
		{"public URL with query", func(c *config.Config) { c.PublicURL = "https://recrubo.example/?a=1" }, "PUBLIC_URL", "absolute http(s) URL", "https://recrubo.example/?a=1"},
		{"public URL with fragment", func(c *config.Config) { c.PublicURL = "https://recrubo.example/#f" }, "PUBLIC_URL", "absolute http(s) URL", "https://recrubo.example/#f"},
		{"public URL ftp", func(c *config.Config) { c.PublicURL = "ftp://recrubo.example" }, "PUBLIC_URL", "absolute http(s) URL", "ftp://recrubo.example"},
		{"public URL plain http", func(c *config.Config) { c.PublicURL = "http://recrubo.example" }, "PUBLIC_URL", "must use https", "http://recrubo.example"},
		{"database URL scheme", func(c *config.Config) { c.DatabaseURL = "mysql://root:hunter2@db/x" }, "DATABASE_URL", "must start with postgres://", ""},
		{"database URL bad postgres", func(c *config.Config) { c.DatabaseURL = "postgres://root:hunter2@db:port/x" }, "DATABASE_URL", "is not a valid postgres:// URL", ""},
		{"database URL sqlite without file", func(c *config.Config) { c.DatabaseURL = "sqlite:" }, "DATABASE_URL", "names no SQLite file", ""},
		{"nowhere to keep data", func(c *config.Config) { c.DataDir = "" }, "DATA_DIR", "nowhere to keep data", ""},
		{"log format", func(c *config.Config) { c.LogFormat = "xml" }, "LOG_FORMAT", "must be json or text", "xml"},
		{"read timeout", func(c *config.Config) { c.ReadTimeout = 0 }, "READ_TIMEOUT", "must be positive", "0s"},
		{"write timeout", func(c *config.Config) { c.WriteTimeout = -time.Second }, "WRITE_TIMEOUT", "must be positive", "-1s"},
		{"idle timeout", func(c *config.Config) { c.IdleTimeout = 0 }, "IDLE_TIMEOUT", "must be positive", "0s"},
		{"shutdown timeout", func(c *config.Config) { c.ShutdownTimeout = 0 }, "SHUTDOWN_TIMEOUT", "must be positive", "0s"},
		{"cache TTL", func(c *config.Config) { c.CacheTTL = -time.Minute }, "CACHE_TTL", "must be positive", "-1m0s"},
		{"body limit small", func(c *config.Config) { c.BodyLimit = 1023 }, "BODY_LIMIT", "must be at least 1024", "1023"},
		{"body limit large", func(c *config.Config) { c.BodyLimit = 64<<20 + 1 }, "BODY_LIMIT", "must be at most 67108864", "67108865"},
		{"webhook body limit small", func(c *config.Config) { c.WebhookBodyLimit = 1000 }, "WEBHOOK_BODY_LIMIT", "must be at least 1024", "1000"},
		{"webhook body limit above body limit", func(c *config.Config) { c.WebhookBodyLimit = c.BodyLimit + 1 }, "WEBHOOK_BODY_LIMIT",
			"must not be more than BODY_LIMIT (1048576)", "1048577"},
		{"no job workers", func(c *config.Config) { c.JobWorkers = 0 }, "JOB_WORKERS", "must be at least 1", "0"},
		{"too many job workers", func(c *config.Config) { c.JobWorkers = 201 }, "JOB_WORKERS", "must be at most 200", "201"},
		{"rescue too soon", func(c *config.Config) { c.JobRescueAfter = 999 * time.Millisecond }, "JOB_RESCUE_AFTER", "must be at least 1s", "999ms"},
		{"rescue too late", func(c *config.Config) { c.JobRescueAfter = time.Hour + time.Second }, "JOB_RESCUE_AFTER", "must be at most 1h", "1h0m1s"},
		{"metrics address", func(c *config.Config) { c.MetricsAddr = "9090" }, "METRICS_ADDR", "is not host:port (e.g. 127.0.0.1:9090) or off", "9090"},
		{"metrics on the public port", func(c *config.Config) { c.MetricsAddr = c.Addr }, "METRICS_ADDR", "must differ from ADDR", ":8080"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.set(&c)
			errs := c.Validate()
			if tc.key == "BODY_LIMIT" && len(errs) == 2 && strings.HasPrefix(errs[1].Error(), "WEBHOOK_BODY_LIMIT") {
				// Below 1024, BODY_LIMIT is also below any valid
				// WEBHOOK_BODY_LIMIT.
				errs = errs[:1]
			}
			if len(errs) != 1 {
				t.Fatalf("Validate() = %q, want one error about %s", errs, tc.key)
			}
			var fe *config.FieldError
			if !errors.As(errs[0], &fe) {
				t.Fatalf("error %v is not a *config.FieldError", errs[0])
			}
			if fe.Key != tc.key || !strings.Contains(fe.Problem, tc.problem) {
				t.Errorf("got %s: %q, want %s: %q", fe.Key, fe.Problem, tc.key, tc.problem)
			}
			msg := errs[0].Error()
			if !strings.HasPrefix(msg, tc.key) {
				t.Errorf("message %q does not start with the variable %s", msg, tc.key)
			}
			if tc.value != "" && !strings.Contains(msg, `"`+tc.value+`"`) {
				t.Errorf("message %q does not quote the value %q", msg, tc.value)
			}
			for _, leak := range []string{"hunter2", "root", "secret-master-key"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message %q repeats a secret", msg)
				}
			}
		})
	}
}

// TestValuesAtTheLimits passes values right at the edge of every rule, so
// no rule is stricter than the README says.
func TestValuesAtTheLimits(t *testing.T) {
	for name, set := range map[string]func(*config.Config){
		"smallest bodies":      func(c *config.Config) { c.BodyLimit, c.WebhookBodyLimit = 1024, 1024 },
		"largest body":         func(c *config.Config) { c.BodyLimit, c.WebhookBodyLimit = 64<<20, 64<<20 },
		"one worker":           func(c *config.Config) { c.JobWorkers = 1 },
		"200 workers":          func(c *config.Config) { c.JobWorkers = 200 },
		"rescue after 1s":      func(c *config.Config) { c.JobRescueAfter = time.Second },
		"rescue after 1h":      func(c *config.Config) { c.JobRescueAfter = time.Hour },
		"shortest timeouts":    func(c *config.Config) { c.ReadTimeout, c.CacheTTL = time.Nanosecond, time.Nanosecond },
		"metrics off":          func(c *config.Config) { c.MetricsAddr = "" },
		"http on loopback":     func(c *config.Config) { c.PublicURL = "http://localhost:8080" },
		"http in demo":         func(c *config.Config) { c.PublicURL, c.Demo, c.MasterKey = "http://recrubo.example", true, "" },
		"postgres":             func(c *config.Config) { c.DatabaseURL, c.DataDir = "postgresql://u:p@db/recrubo", "" },
		"sqlite file":          func(c *config.Config) { c.DatabaseURL = "sqlite:/var/lib/recrubo.db" },
		"text logs":            func(c *config.Config) { c.LogFormat = "text" },
		"public URL with path": func(c *config.Config) { c.PublicURL = "https://example.com/recrubo" },
		"listen on all, ipv6":  func(c *config.Config) { c.Addr, c.MetricsAddr = "[::]:8080", "[::1]:9090" },
	} {
		c := valid()
		set(&c)
		if errs := c.Validate(); len(errs) != 0 {
			t.Errorf("%s: Validate() = %q, want no error", name, errs)
		}
	}
}

// TestApplyErrorsNameTheVariable checks that values the environment gives
// in the wrong form are reported as field errors too.
func TestApplyErrorsNameTheVariable(t *testing.T) {
	c := config.Default()
	errs := c.Apply(env(map[string]string{"BODY_LIMIT": "1MB", "CACHE_TTL": "5 minutes"}))
	if len(errs) != 2 {
		t.Fatalf("Apply errors = %v, want 2", errs)
	}
	for i, want := range []string{"BODY_LIMIT", "CACHE_TTL"} {
		var fe *config.FieldError
		if !errors.As(errs[i], &fe) || fe.Key != want || fe.Value == "" || fe.Problem == "" {
			t.Errorf("error %d = %#v, want a field error for %s", i, errs[i], want)
		}
	}
}
