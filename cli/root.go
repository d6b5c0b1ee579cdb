package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/keyring"
	"github.com/recrubo/recrubo-carerix/templates"
)

// env is how commands read the environment; tests pass their own.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// Run executes the production command line (recrubo-carerix: serve,
// keygen, healthcheck, tenant, provision, unprovision, sync) and returns
// the process exit code. getenv reads the environment; tests pass their own.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "recrubo-carerix",
		Short: "Recrubo for Carerix: a recruiting chat inbox and dashboard inside Carerix",
	}
	root.AddCommand(e.serveCmd(), e.keygenCmd(), e.healthcheckCmd(), e.tenantCmd(),
		e.syncCmd(), e.provisionCmd(), e.unprovisionCmd())
	return Execute(ctx, root, args, stdout, stderr)
}

// Execute runs a root command of the product with args, writing to stdout
// and stderr, and returns the process exit code: 0, or 1 after printing
// the error as one "error: …" line (no usage text). Both commands,
// recrubo-carerix and recrubo-demo, run through it.
func Execute(ctx context.Context, root *cobra.Command, args []string, stdout, stderr io.Writer) int {
	root.Version = recrubo.Version
	root.SilenceUsage, root.SilenceErrors = true, true
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "error:", errorText(err))
		return 1
	}
	return 0
}

// errorText is what the command line says of err: an error made with a
// catalog key in the catalog's English, with the detail an operator
// needs (what the commands wrapped around it, its cause); any other as
// it reads.
func errorText(err error) string {
	var e *recrubo.Error
	if !errors.As(err, &e) || e.Key == "" {
		return err.Error()
	}
	cat, cerr := templates.NewCatalog()
	if cerr != nil {
		return err.Error()
	}
	text := cat.Error(templates.LangEN, err)
	if outer := strings.TrimSuffix(err.Error(), e.Error()); outer != "" {
		text = outer + text
	}
	if e.Err != nil {
		text += " (" + e.Err.Error() + ")"
	}
	return text
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
