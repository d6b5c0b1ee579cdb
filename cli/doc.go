// Package cli is the command line of Recrubo for Carerix and the wiring of
// the service it runs.
//
// Run is the production command, cmd/recrubo-carerix: serve, keygen,
// healthcheck, tenant (add, update, list, show, remove, verify-link,
// whatsapp), provision, unprovision and sync, everything an operator runs
// against a real Carerix. serve.go starts the service: it opens the store,
// lets each area wire itself in its wire_*.go file (its job handlers, its
// server dependencies, its background loops), starts the job workers and
// the HTTP server, and shuts them down in order.
//
// The demo's command, cmd/recrubo-demo, runs the same service in its own
// process through StartService, and shares Execute, the root command's
// handling of errors and exit codes.
//
// The package imports no emulator: all of it ships in the production
// binary. Its tests drive the commands against the emulators, over HTTP.
package cli
