// Package config holds the service's settings: read once from environment
// variables (and command-line flags, which override them), checked up front
// against the rules in Config's struct tags with go-playground/validator
// (every problem a FieldError naming its environment variable), and passed
// into constructors. Nothing here changes after startup.
package config

import (
	"errors"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the service. The zero value is not usable; start
// from Default and apply the environment and flags.
//
// The `env` tag names the environment variable of each setting (",secret"
// keeps its value out of messages); `validate` holds its rules for
// go-playground/validator, checked by Validate; `example` shows a good
// value in messages.
type Config struct {
	// Addr is the listen address, e.g. ":8080" or "127.0.0.1:8080".
	Addr string `env:"ADDR" validate:"listenaddr" example:":8080"`
	// PublicURL is where Carerix and browsers reach us; it goes into the
	// document templates, webhook URLs and verify links.
	PublicURL string `env:"PUBLIC_URL" validate:"baseurl,https_unless_demo"`
	// DatabaseURL selects the store: a postgres:// URL for PostgreSQL, or
	// sqlite:PATH (default: sqlite under DataDir).
	DatabaseURL string `env:"DATABASE_URL,secret" validate:"omitempty,storeurl"`
	// DataDir holds the SQLite database and other local state.
	DataDir string `env:"DATA_DIR" validate:"required_without=DatabaseURL"`
	// MasterKey encrypts secrets at rest ("<id>:<base64 32 bytes>", comma
	// separated for rotation). Required unless Demo is set.
	MasterKey string `json:"-" env:"MASTER_KEY,secret" validate:"required_unless=Demo true"`
	// Demo runs with a generated master key and the emulators.
	Demo bool `env:"DEMO"`

	LogLevel  slog.Level `env:"LOG_LEVEL"`
	LogFormat string     `env:"LOG_FORMAT" validate:"oneof=json text"` // json or text

	ReadTimeout     time.Duration `env:"READ_TIMEOUT" validate:"gt=0"`
	WriteTimeout    time.Duration `env:"WRITE_TIMEOUT" validate:"gt=0"`
	IdleTimeout     time.Duration `env:"IDLE_TIMEOUT" validate:"gt=0"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" validate:"gt=0"`
	// BodyLimit caps request bodies; WebhookBodyLimit caps webhook bodies.
	BodyLimit        int `env:"BODY_LIMIT" validate:"min=1024,max=67108864"`
	WebhookBodyLimit int `env:"WEBHOOK_BODY_LIMIT" validate:"min=1024,ltefield=BodyLimit"`

	CacheTTL time.Duration `env:"CACHE_TTL" validate:"gt=0"`
	// JobWorkers is how many jobs run at once per instance.
	JobWorkers int `env:"JOB_WORKERS" validate:"min=1,max=200"`
	// JobRescueAfter is how long a long job (initial sync,
	// reconciliation, rescope) whose instance died waits before another
	// instance continues it; live ones mark themselves alive four times as
	// often.
	JobRescueAfter time.Duration `env:"JOB_RESCUE_AFTER" validate:"min=1s,max=1h"`

	// MetricsAddr is the listen address of /metrics and the detailed
	// health; loopback by default, since it names every tenant. Empty
	// turns that listener off.
	MetricsAddr string `env:"METRICS_ADDR" validate:"omitempty,listenaddr,nefield=Addr" example:"127.0.0.1:9090"`
}

// Default returns the settings used when nothing is configured.
func Default() Config {
	return Config{
		Addr:             ":8080",
		PublicURL:        "http://localhost:8080",
		DataDir:          "data",
		LogLevel:         slog.LevelInfo,
		LogFormat:        "json",
		ReadTimeout:      15 * time.Second,
		WriteTimeout:     30 * time.Second,
		IdleTimeout:      120 * time.Second,
		ShutdownTimeout:  20 * time.Second,
		BodyLimit:        1 << 20,
		WebhookBodyLimit: 256 << 10,
		CacheTTL:         5 * time.Minute,
		JobWorkers:       8,
		JobRescueAfter:   time.Minute,
		MetricsAddr:      "127.0.0.1:9090",
	}
}

// Vars lists the environment variables Apply reads, with what they set, for
// help text and the README.
var Vars = []struct{ Name, Help string }{
	{"ADDR", "listen address (default :8080)"},
	{"PUBLIC_URL", "base URL where Carerix and browsers reach the service (default http://localhost:8080)"},
	{"DATABASE_URL", "postgres://… for PostgreSQL; sqlite:PATH or empty for SQLite under DATA_DIR"},
	{"DATA_DIR", "directory for the SQLite database (default ./data)"},
	{"MASTER_KEY", "key that encrypts secrets at rest: <id>:<base64 32 bytes>[,<old id>:<key>] (make one with `recrubo-carerix keygen`)"},
	{"DEMO", "true to run with a throw-away master key (never in production)"},
	{"LOG_LEVEL", "debug, info, warn or error (default info)"},
	{"LOG_FORMAT", "json or text (default json)"},
	{"READ_TIMEOUT", "HTTP read timeout (default 15s)"},
	{"WRITE_TIMEOUT", "HTTP write timeout (default 30s)"},
	{"IDLE_TIMEOUT", "HTTP keep-alive idle timeout (default 120s)"},
	{"SHUTDOWN_TIMEOUT", "how long shutdown waits for requests and jobs (default 20s)"},
	{"BODY_LIMIT", "largest request body in bytes (default 1048576)"},
	{"WEBHOOK_BODY_LIMIT", "largest webhook body in bytes (default 262144)"},
	{"CACHE_TTL", "how long cached reads live (default 5m)"},
	{"JOB_WORKERS", "background jobs run at once per instance (default 8)"},
	{"JOB_RESCUE_AFTER", "how long a long job (initial sync, reconciliation) of an instance that died waits before another instance continues it (default 1m)"},
	{"METRICS_ADDR", "listen address of /metrics and /health (default 127.0.0.1:9090; off to turn it off)"},
}

// Apply reads the environment variables in Vars through getenv and returns
// one error per bad value; unset variables leave the setting alone.
func (c *Config) Apply(getenv func(string) string) []error {
	var errs []error
	str := func(name string, dst *string) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*dst = v
		}
	}
	dur := func(name string, dst *time.Duration) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, &FieldError{Key: name, Value: v, Problem: "is not a duration like 30s or 2m"})
				return
			}
			*dst = d
		}
	}
	num := func(name string, dst *int) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, &FieldError{Key: name, Value: v, Problem: "is not a whole number"})
				return
			}
			*dst = n
		}
	}
	str("ADDR", &c.Addr)
	str("PUBLIC_URL", &c.PublicURL)
	str("DATABASE_URL", &c.DatabaseURL)
	str("DATA_DIR", &c.DataDir)
	if v := getenv("MASTER_KEY"); v != "" {
		c.MasterKey = strings.TrimSpace(v)
	}
	if v := strings.TrimSpace(getenv("DEMO")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, &FieldError{Key: "DEMO", Value: v, Problem: "is not true or false"})
		} else {
			c.Demo = b
		}
	}
	if v := strings.TrimSpace(getenv("LOG_LEVEL")); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, &FieldError{Key: "LOG_LEVEL", Value: v, Problem: "is not debug, info, warn or error"})
		}
	}
	str("LOG_FORMAT", &c.LogFormat)
	dur("READ_TIMEOUT", &c.ReadTimeout)
	dur("WRITE_TIMEOUT", &c.WriteTimeout)
	dur("IDLE_TIMEOUT", &c.IdleTimeout)
	dur("SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	num("BODY_LIMIT", &c.BodyLimit)
	num("WEBHOOK_BODY_LIMIT", &c.WebhookBodyLimit)
	dur("CACHE_TTL", &c.CacheTTL)
	num("JOB_WORKERS", &c.JobWorkers)
	dur("JOB_RESCUE_AFTER", &c.JobRescueAfter)
	if v := strings.TrimSpace(getenv("METRICS_ADDR")); v != "" {
		c.MetricsAddr = v
		if strings.EqualFold(v, "off") {
			c.MetricsAddr = ""
		}
	}
	return errs
}

// ErrNoMasterKey explains how to make a master key; Validate returns it when
// none is set outside demo mode.
var ErrNoMasterKey = errors.New("MASTER_KEY is not set: secrets are encrypted at rest and need a key; " +
	"make one with `recrubo-carerix keygen` and export MASTER_KEY=<its output> (or set DEMO=true for a throw-away demo)")

// StoreURL returns the database URL to open: DatabaseURL when set, else the
// SQLite file under DataDir.
func (c *Config) StoreURL() (string, error) {
	if c.DatabaseURL == "" {
		if c.DataDir == "" {
			return "", &FieldError{Key: "DATA_DIR", Problem: dataDirProblem}
		}
		return "sqlite:" + filepath.Join(c.DataDir, "recrubo.db"), nil
	}
	if p := storeURLProblem(c.DatabaseURL); p != "" {
		// Never echo the URL: it may hold a password.
		return "", &FieldError{Key: "DATABASE_URL", Problem: p}
	}
	return c.DatabaseURL, nil
}

// dataDirProblem says why an empty DATA_DIR is wrong without DATABASE_URL.
const dataDirProblem = "is empty and DATABASE_URL is not set: nowhere to keep data"

// storeURLProblem says what is wrong with a DATABASE_URL that is set, or
// returns "".
func storeURLProblem(u string) string {
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		if _, err := url.Parse(u); err != nil {
			return "is not a valid postgres:// URL"
		}
	case strings.HasPrefix(u, "sqlite:"):
		if strings.TrimPrefix(u, "sqlite:") == "" {
			return "names no SQLite file (sqlite:PATH)"
		}
	default:
		return "must start with postgres://, postgresql:// or sqlite: (e.g. sqlite:data/recrubo.db)"
	}
	return ""
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
