package cli

import (
	"context"
	"io"
	"net"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/config"
	"github.com/recrubo/recrubo-carerix/store"
)

// Env is what a command runs with: how it reads the environment and where
// it writes. Tests pass their own.
type Env struct {
	Getenv         func(string) string
	Stdout, Stderr io.Writer
}

// Service is the service started in this process, wired exactly as serve
// wires it, for a command that drives it from the inside (the demo).
type Service struct {
	e *env
	r *runningService
}

// StartService opens the store, wires every area, and starts the job
// workers, the background loops and the HTTP server on ln, as serve does;
// cfg must be valid. The caller must call Wait.
func StartService(ctx context.Context, ev Env, cfg config.Config, ln net.Listener) (*Service, error) {
	e := &env{getenv: ev.Getenv, stdout: ev.Stdout, stderr: ev.Stderr}
	r, err := e.startService(ctx, cfg, ln)
	if err != nil {
		return nil, err
	}
	return &Service{e: e, r: r}, nil
}

// Store is the service's store.
func (s *Service) Store() *store.DB { return s.r.db }

// Wait serves until ctx is done or the server fails, then shuts down in
// order, as serve does.
func (s *Service) Wait(ctx context.Context) error { return s.r.wait(ctx) }

// Provision provisions tenant t as the provision command does, printing
// the plan and the outcome to out; it starts no initial sync (see
// InitialSync). It returns the admin's verify link.
func (s *Service) Provision(ctx context.Context, t *recrubo.Tenant, publicURL string, out io.Writer) (string, error) {
	return s.e.runProvision(ctx, s.r.db, t, publicURL, out, provisionOptions{})
}

// InitialSync runs tenant t's initial sync in this process as the sync
// command does, with its progress on out.
func (s *Service) InitialSync(ctx context.Context, t *recrubo.Tenant, out io.Writer) error {
	return s.e.runSync(ctx, s.r.db, t, out, defaultRetryFor)
}
