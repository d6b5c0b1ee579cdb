// Command recrubo-carerix runs Recrubo for Carerix in production: the HTTP
// service with its background workers, and the operator commands around it
// (keygen, healthcheck, tenant, provision, unprovision, sync). The commands
// live in package cli; this binary holds no emulator (the demo and the
// emulators are cmd/recrubo-demo).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/recrubo/recrubo-carerix/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
