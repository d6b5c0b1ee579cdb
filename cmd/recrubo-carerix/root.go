package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/keyring"
)

// env is how commands read the environment; tests pass their own.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "recrubo-carerix",
		Short:         "Recrubo for Carerix: a recruiting chat inbox and dashboard inside Carerix",
		Version:       recrubo.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	root.AddCommand(e.serveCmd(), e.keygenCmd(), e.healthcheckCmd(), e.tenantCmd(), e.emulateCmd(),
		e.syncCmd(), e.provisionCmd(), e.unprovisionCmd(), e.demoCmd())
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	return 0
}

func (e *env) keygenCmd() *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Print a new MASTER_KEY value (AES-256) for encrypting secrets at rest",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := keyring.GenerateKey(id)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), k)
			return nil
		},
	}
	cmd.Flags().StringVar(&id, "id", "k1", "key id recorded with every value it seals (use a new id when rotating)")
	return cmd
}
