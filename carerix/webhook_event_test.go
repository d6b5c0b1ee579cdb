package carerix_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recrubo/recrubo-carerix/carerix"
)

const samplePayload = `{
  "id": "8469bf71-5b1e-4b6f-9f0e-2b8f3c1d2e4a",
  "time": "2024-02-14T14:24:40Z",
  "type": "crmatch:updated",
  "applicationId": "6fc051df-0000-4000-8000-000000000001",
  "webhookId": "22cc6baf-0000-4000-8000-000000000002",
  "tenant": "confair",
  "data": { "entityId": "2.3", "changedFields": ["statusinfo", "modificationdate"] }
}`

func TestParseWebhookEvent(t *testing.T) {
	got, err := carerix.ParseWebhookEvent([]byte(samplePayload))
	if err != nil {
		t.Fatalf("ParseWebhookEvent: %v", err)
	}
	want := carerix.WebhookEvent{
		ID:            "8469bf71-5b1e-4b6f-9f0e-2b8f3c1d2e4a",
		Time:          time.Date(2024, 2, 14, 14, 24, 40, 0, time.UTC),
		Type:          "crmatch:updated",
		Entity:        "crmatch",
		Action:        "updated",
		ApplicationID: "6fc051df-0000-4000-8000-000000000001",
		WebhookID:     "22cc6baf-0000-4000-8000-000000000002",
		Tenant:        "confair",
		EntityID:      "2.3",
		ChangedFields: []string{"statusinfo", "modificationdate"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event mismatch (-want +got):\n%s", diff)
	}
}

func TestParseWebhookEventVariants(t *testing.T) {
	t.Run("CamelCaseTypeIsLowered", func(t *testing.T) {
		ev, err := carerix.ParseWebhookEvent([]byte(`{"id":"e1","type":"CREmployee:Created","data":{"entityId":"12"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if ev.Entity != "cremployee" || ev.Action != "created" || ev.Type != "CREmployee:Created" {
			t.Errorf("got entity %q action %q type %q", ev.Entity, ev.Action, ev.Type)
		}
		if ev.ChangedFields != nil || !ev.Time.IsZero() {
			t.Errorf("optional fields should stay empty: %+v", ev)
		}
	})
	t.Run("UnknownFieldsIgnored", func(t *testing.T) {
		ev, err := carerix.ParseWebhookEvent([]byte(`{"id":"e1","type":"crvacancy:updated","extra":{"x":[1]},"data":{"entityId":"9","more":true}}`))
		if err != nil {
			t.Fatal(err)
		}
		if ev.EntityID != "9" {
			t.Errorf("EntityID = %q", ev.EntityID)
		}
	})
	t.Run("CarerixDateFormat", func(t *testing.T) {
		ev, err := carerix.ParseWebhookEvent([]byte(`{"id":"e1","time":"2024-02-14 15:24:40","type":"crmatch:updated","data":{"entityId":"1"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2024, 2, 14, 14, 24, 40, 0, time.UTC); !ev.Time.Equal(want) {
			t.Errorf("Time = %v, want %v (Amsterdam wall time)", ev.Time, want)
		}
	})
}

func TestParseWebhookEventRejects(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty", ``, "not a JSON object"},
		{"array", `[{"id":"e1"}]`, "not a JSON object"},
		{"string", `"x"`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"truncated", `{"id":"e1"`, "parsing webhook event"},
		{"trailing data", `{"id":"e1","type":"a:b","data":{"entityId":"1"}} {}`, "data after the JSON object"},
		{"trailing garbage", `{"id":"e1","type":"a:b","data":{"entityId":"1"}}x`, "data after the JSON object"},
		{"missing id", `{"type":"a:b","data":{"entityId":"1"}}`, "id is missing"},
		{"empty id", `{"id":"","type":"a:b","data":{"entityId":"1"}}`, "id is missing"},
		{"numeric id", `{"id":5,"type":"a:b","data":{"entityId":"1"}}`, "cannot unmarshal"},
		{"missing type", `{"id":"e1","data":{"entityId":"1"}}`, "type is missing"},
		{"type without action", `{"id":"e1","type":"cremployee","data":{"entityId":"1"}}`, "not <entity>:<action>"},
		{"type with spaces", `{"id":"e1","type":"cr employee:updated","data":{"entityId":"1"}}`, "not <entity>:<action>"},
		{"type with extra colon", `{"id":"e1","type":"a:b:c","data":{"entityId":"1"}}`, "not <entity>:<action>"},
		{"missing data", `{"id":"e1","type":"a:b"}`, "data is missing"},
		{"missing entityId", `{"id":"e1","type":"a:b","data":{}}`, "data.entityId is missing"},
		{"numeric entityId", `{"id":"e1","type":"a:b","data":{"entityId":2}}`, "cannot unmarshal"},
		{"bad time", `{"id":"e1","time":"yesterday","type":"a:b","data":{"entityId":"1"}}`, "time"},
		{"control char in id", `{"id":"e\u0001","type":"a:b","data":{"entityId":"1"}}`, "control"},
		{"newline in tenant", `{"id":"e1","type":"a:b","tenant":"x\ny","data":{"entityId":"1"}}`, "control"},
		{"long id", `{"id":"` + strings.Repeat("a", 201) + `","type":"a:b","data":{"entityId":"1"}}`, "longer than"},
		{"empty changed field", `{"id":"e1","type":"a:b","data":{"entityId":"1","changedFields":[""]}}`, "empty changed field"},
		{"changed fields not strings", `{"id":"e1","type":"a:b","data":{"entityId":"1","changedFields":[1]}}`, "cannot unmarshal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := carerix.ParseWebhookEvent([]byte(tc.body))
			if err == nil {
				t.Fatalf("accepted: %+v", ev)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// FuzzParseWebhookEvent checks that the parser never panics and that every
// accepted event satisfies the invariants consumers rely on.
func FuzzParseWebhookEvent(f *testing.F) {
	f.Add([]byte(samplePayload))
	f.Add([]byte(`{"id":"e1","type":"CREmployee:created","data":{"entityId":"12"}}`))
	f.Add([]byte(`{"id":"e1","time":"2024-02-14 15:24:40 +0100","type":"crmatch:updated","data":{"entityId":"1.2","changedFields":["a"]}}`))
	f.Add([]byte(`{"id":"e1","type":"a:b","data":{"entityId":"1"}} {}`))
	f.Add([]byte(`{"id":"\u0000","type":"a:b","data":{"entityId":"1"}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := carerix.ParseWebhookEvent(body)
		if err != nil {
			return
		}
		if ev.ID == "" || ev.EntityID == "" {
			t.Fatalf("accepted event without id or entity id: %+v", ev)
		}
		if ev.Entity+":"+ev.Action != strings.ToLower(ev.Type) || ev.Entity == "" || ev.Action == "" {
			t.Fatalf("type %q split into %q / %q", ev.Type, ev.Entity, ev.Action)
		}
		for _, s := range append([]string{ev.ID, ev.EntityID, ev.Tenant, ev.ApplicationID, ev.WebhookID}, ev.ChangedFields...) {
			if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
				t.Fatalf("accepted control character in %q", s)
			}
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
	})
}
