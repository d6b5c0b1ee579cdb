package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsNeedAMasterKey(t *testing.T) {
	c := config.Default()
	errs := c.Validate()
	if len(errs) != 1 || !errors.Is(errs[0], config.ErrNoMasterKey) {
		t.Fatalf("Validate() = %v, want only ErrNoMasterKey", errs)
	}
	if !strings.Contains(errs[0].Error(), "recrubo-carerix keygen") {
		t.Errorf("message %q does not say how to make a key", errs[0])
	}
	c.Demo = true
	if errs := c.Validate(); len(errs) != 0 {
		t.Fatalf("demo defaults invalid: %v", errs)
	}
	if u, _ := c.StoreURL(); u != "sqlite:data/recrubo.db" {
		t.Errorf("StoreURL = %q", u)
	}
}

func TestApplyReadsEnvironment(t *testing.T) {
	c := config.Default()
	errs := c.Apply(env(map[string]string{
		"ADDR": "127.0.0.1:9000", "PUBLIC_URL": "https://recrubo.example", "DATABASE_URL": "postgres://u@h/db",
		"MASTER_KEY": "k1:abc", "READ_TIMEOUT": "5s", "JOB_WORKERS": "3", "LOG_LEVEL": "debug",
	}))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if c.Addr != "127.0.0.1:9000" || c.PublicURL != "https://recrubo.example" || c.ReadTimeout != 5*time.Second || c.JobWorkers != 3 || c.MasterKey != "k1:abc" {
		t.Errorf("Apply gave %+v", c)
	}
	if errs := c.Validate(); len(errs) != 0 {
		t.Errorf("Validate: %v", errs)
	}
}

func TestEveryProblemGetsOneClearLine(t *testing.T) {
	c := config.Default()
	errs := c.Apply(env(map[string]string{
		"READ_TIMEOUT": "soon", "JOB_WORKERS": "many", "DEMO": "perhaps", "LOG_LEVEL": "loud",
	}))
	want := []string{"DEMO", "LOG_LEVEL", "READ_TIMEOUT", "JOB_WORKERS"}
	if len(errs) != len(want) {
		t.Fatalf("Apply errors = %v, want %d", errs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].Error(), w) {
			t.Errorf("error %d = %q, want it to start with %s", i, errs[i], w)
		}
	}

	c = config.Default()
	c.MasterKey = "k:x"
	c.Addr = "nonsense"
	c.PublicURL = "http://recrubo.example" // plain http outside demo
	c.DatabaseURL = "mysql://root:hunter2@db/x"
	c.LogFormat = "xml"
	c.BodyLimit = 10
	c.JobWorkers = 0
	c.JobRescueAfter = time.Millisecond
	c.MetricsAddr = "9090"
	errs = c.Validate()
	got := make([]string, len(errs))
	for i, e := range errs {
		got[i] = e.Error()
		if strings.Contains(e.Error(), "hunter2") {
			t.Errorf("error %q leaks the database password", e)
		}
	}
	for _, w := range []string{"ADDR", "PUBLIC_URL", "DATABASE_URL", "LOG_FORMAT", "BODY_LIMIT", "JOB_WORKERS", "JOB_RESCUE_AFTER", "METRICS_ADDR"} {
		if !strings.Contains(strings.Join(got, "\n"), w) {
			t.Errorf("no error names %s; got %q", w, got)
		}
	}
}

func TestMetricsListener(t *testing.T) {
	c := config.Default()
	if c.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("metrics listen on %q by default, want loopback", c.MetricsAddr)
	}
	if errs := c.Apply(env(map[string]string{"METRICS_ADDR": "off", "JOB_RESCUE_AFTER": "30s"})); len(errs) != 0 || c.MetricsAddr != "" || c.JobRescueAfter != 30*time.Second {
		t.Errorf("METRICS_ADDR=off JOB_RESCUE_AFTER=30s gave %q %s %v", c.MetricsAddr, c.JobRescueAfter, errs)
	}
	c = config.Default()
	c.MasterKey = "k:x"
	c.MetricsAddr = c.Addr
	if errs := c.Validate(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "METRICS_ADDR") {
		t.Errorf("metrics on the public port: %v", errs)
	}
}

func TestLoopbackHTTPAllowed(t *testing.T) {
	c := config.Default()
	c.MasterKey = "k:x"
	c.PublicURL = "http://127.0.0.1:8080"
	if errs := c.Validate(); len(errs) != 0 {
		t.Errorf("loopback http refused: %v", errs)
	}
}
