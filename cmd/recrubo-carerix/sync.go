package main

import "github.com/spf13/cobra"

func (e *env) syncCmd() *cobra.Command {
	return &cobra.Command{Use: "sync", Short: "Run a tenant's initial sync with a progress bar", Hidden: true}
}
