package recrubo

// ProvisionStore keeps what provisioning created in a tenant's Carerix and
// the verify links issued to its admin.
type ProvisionStore interface{}
