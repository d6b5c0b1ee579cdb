package main

import "github.com/spf13/cobra"

func (e *env) provisionCmd() *cobra.Command {
	return &cobra.Command{Use: "provision", Short: "Install the templates and webhooks in a tenant's Carerix", Hidden: true}
}

func (e *env) unprovisionCmd() *cobra.Command {
	return &cobra.Command{Use: "unprovision", Short: "Remove what provision installed", Hidden: true}
}

func (e *env) tenantVerifyLinkCmd() *cobra.Command {
	return &cobra.Command{Use: "verify-link", Short: "Issue a new verify link for the tenant's admin", Hidden: true}
}
