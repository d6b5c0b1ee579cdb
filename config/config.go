// Package config holds the service's settings: read once from environment
// variables (and command-line flags, which override them), checked up front,
// and passed into constructors. Nothing here is global.
package config

import (
	"errors"
	"fmt"
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
type Config struct {
	// Addr is the listen address, e.g. ":8080" or "127.0.0.1:8080".
	Addr string
	// PublicURL is where Carerix and browsers reach us; it goes into the
	// document templates, webhook URLs and verify links.
	PublicURL string
	// DatabaseURL selects the store: a postgres:// URL for PostgreSQL, or
	// sqlite:PATH (default: sqlite under DataDir).
	DatabaseURL string
	// DataDir holds the SQLite database and other local state.
	DataDir string
	// MasterKey encrypts secrets at rest ("<id>:<base64 32 bytes>", comma
	// separated for rotation). Required unless Demo is set.
	MasterKey string `json:"-"`
	// Demo runs with a generated master key and the emulators.
	Demo bool

	LogLevel  slog.Level
	LogFormat string // json or text

	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration
	// BodyLimit caps request bodies; WebhookBodyLimit caps webhook bodies.
	BodyLimit        int
	WebhookBodyLimit int

	CacheTTL time.Duration
	// JobWorkers is how many jobs run at once per instance.
	JobWorkers int
	// JobRescueAfter is how long a long job (initial sync,
	// reconciliation, rescope) whose instance died waits before another
	// instance continues it; live ones mark themselves alive four times as
	// often.
	JobRescueAfter time.Duration

	// MetricsAddr is the listen address of /metrics and the detailed
	// health; loopback by default, since it names every tenant. Empty
	// turns that listener off.
	MetricsAddr string
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
				errs = append(errs, fmt.Errorf("%s=%q is not a duration like 30s or 2m", name, v))
				return
			}
			*dst = d
		}
	}
	num := func(name string, dst *int) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q is not a whole number", name, v))
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
			errs = append(errs, fmt.Errorf("DEMO=%q is not true or false", v))
		} else {
			c.Demo = b
		}
	}
	if v := strings.TrimSpace(getenv("LOG_LEVEL")); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL=%q is not debug, info, warn or error", v))
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

// Validate checks the settings and returns one error per problem.
func (c *Config) Validate() []error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("ADDR=%q is not host:port (e.g. :8080)", c.Addr))
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Errorf("PUBLIC_URL=%q is not an absolute http(s) URL", c.PublicURL))
	} else if u.Scheme == "http" && !c.Demo && !isLoopbackHost(u.Hostname()) {
		errs = append(errs, fmt.Errorf("PUBLIC_URL=%q must use https: Carerix frames it in an https page", c.PublicURL))
	}
	if _, err := c.StoreURL(); err != nil {
		errs = append(errs, err)
	}
	if c.MasterKey == "" && !c.Demo {
		errs = append(errs, ErrNoMasterKey)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Errorf("LOG_FORMAT=%q must be json or text", c.LogFormat))
	}
	positive := []struct {
		name string
		d    time.Duration
	}{
		{"READ_TIMEOUT", c.ReadTimeout}, {"WRITE_TIMEOUT", c.WriteTimeout}, {"IDLE_TIMEOUT", c.IdleTimeout},
		{"SHUTDOWN_TIMEOUT", c.ShutdownTimeout}, {"CACHE_TTL", c.CacheTTL},
	}
	for _, p := range positive {
		if p.d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%s must be positive", p.name, p.d))
		}
	}
	if c.BodyLimit < 1024 || c.BodyLimit > 64<<20 {
		errs = append(errs, fmt.Errorf("BODY_LIMIT=%d must be between 1024 and 67108864 bytes", c.BodyLimit))
	}
	if c.WebhookBodyLimit < 1024 || c.WebhookBodyLimit > c.BodyLimit {
		errs = append(errs, fmt.Errorf("WEBHOOK_BODY_LIMIT=%d must be between 1024 and BODY_LIMIT (%d)", c.WebhookBodyLimit, c.BodyLimit))
	}
	if c.JobWorkers < 1 || c.JobWorkers > 200 {
		errs = append(errs, fmt.Errorf("JOB_WORKERS=%d must be between 1 and 200", c.JobWorkers))
	}
	if c.JobRescueAfter < time.Second || c.JobRescueAfter > time.Hour {
		errs = append(errs, fmt.Errorf("JOB_RESCUE_AFTER=%s must be between 1s and 1h", c.JobRescueAfter))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("METRICS_ADDR=%q is not host:port (e.g. 127.0.0.1:9090) or off", c.MetricsAddr))
		} else if c.MetricsAddr == c.Addr {
			errs = append(errs, fmt.Errorf("METRICS_ADDR=%q must differ from ADDR: metrics never share the public port", c.MetricsAddr))
		}
	}
	return errs
}

// StoreURL returns the database URL to open: DatabaseURL when set, else the
// SQLite file under DataDir.
func (c *Config) StoreURL() (string, error) {
	u := c.DatabaseURL
	switch {
	case u == "":
		if c.DataDir == "" {
			return "", errors.New("DATA_DIR is empty and DATABASE_URL is not set: nowhere to keep data")
		}
		return "sqlite:" + filepath.Join(c.DataDir, "recrubo.db"), nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		if _, err := url.Parse(u); err != nil {
			return "", errors.New("DATABASE_URL is not a valid postgres:// URL")
		}
		return u, nil
	case strings.HasPrefix(u, "sqlite:"):
		if strings.TrimPrefix(u, "sqlite:") == "" {
			return "", errors.New("DATABASE_URL=sqlite: names no file")
		}
		return u, nil
	default:
		// Never echo the URL: it may hold a password.
		return "", errors.New("DATABASE_URL must start with postgres://, postgresql:// or sqlite: (e.g. sqlite:data/recrubo.db)")
	}
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
