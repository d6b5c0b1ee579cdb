package webhooks

// Payload is the JSON body of a webhook delivery: a thin notification that
// carries ids and changed field names, not the record (third-party sample).
type Payload struct {
	// ID is the event UUID; consumers de-duplicate on it.
	ID string `json:"id"`
	// Time is the event time, RFC 3339 in UTC with second precision.
	Time string `json:"time"`
	// Type is "<entity>:<action>", the entity spelt as published.
	Type          string      `json:"type"`
	ApplicationID string      `json:"applicationId"`
	WebhookID     string      `json:"webhookId"`
	Tenant        string      `json:"tenant"`
	Data          PayloadData `json:"data"`
}

// PayloadData identifies the changed record.
type PayloadData struct {
	EntityID      string   `json:"entityId"`
	ChangedFields []string `json:"changedFields"`
}
