package main

import "github.com/spf13/cobra"

func (e *env) demoCmd() *cobra.Command {
	return &cobra.Command{Use: "demo", Short: "Run the whole product on this machine with emulated Carerix and WhatsApp", Hidden: true}
}
