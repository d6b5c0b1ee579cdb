package cli

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/recrubo/recrubo-carerix/config"
)

// healthcheckCmd asks a running service on this machine whether it is up;
// container images without curl use it as their HEALTHCHECK.
func (e *env) healthcheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "healthcheck",
		Short: "Exit 0 if the service on ADDR answers /healthz",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := config.Default()
			cfg.Apply(e.getenv)
			_, port, err := net.SplitHostPort(cfg.Addr)
			if err != nil {
				return fmt.Errorf("ADDR=%q is not host:port", cfg.Addr)
			}
			client := &http.Client{Timeout: 2 * time.Second}
			resp, err := client.Get("http://127.0.0.1:" + port + "/healthz")
			if err != nil {
				return fmt.Errorf("service not answering: %w", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("service unhealthy: status %d", resp.StatusCode)
			}
			return nil
		},
	}
}
