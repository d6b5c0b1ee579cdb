// Command recrubo-demo runs the whole product on this machine against the
// Carerix and WhatsApp emulators (the demo), and runs and drives the
// emulators alone (emulate). It is for trying the product and for
// development: the emulators have no real security, and neither they nor
// this command ship in the production binary, cmd/recrubo-carerix.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/recrubo/recrubo-carerix/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is how commands read the environment; tests pass their own.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdout: stdout, stderr: stderr}
	root := e.demoCmd()
	root.AddCommand(e.emulateCmd())
	return cli.Execute(ctx, root, args, stdout, stderr)
}
