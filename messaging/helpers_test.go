package messaging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging/messagingtest"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// forEachBackend runs fn on SQLite and, when TEST_DATABASE_URL is set,
// PostgreSQL.
func forEachBackend(t *testing.T, opts messagingtest.Options, fn func(t *testing.T, e *messagingtest.Env)) {
	t.Helper()
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, messagingtest.New(t, backend, opts))
		})
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code recrubo.Code) {
	t.Helper()
	if got := recrubo.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

// post sends body to the tenant's webhook signed with secret ("" for no
// signature header) and returns the status and answer.
func post(t testing.TB, url, secret string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(body))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign(secret, body))
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// statusPayload is a status webhook for wamid, without callback data.
func statusPayload(wamid, status string, at time.Time) []byte {
	v := map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": "100000000000001", "changes": []any{map[string]any{
			"field": "messages",
			"value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]any{"display_phone_number": "31200000000", "phone_number_id": messagingtest.PhoneNumberID},
				"statuses": []any{map[string]any{"id": wamid, "status": status,
					"timestamp": fmt.Sprint(at.Unix()), "recipient_id": "31612345678"}},
			},
		}}}},
	}
	b, _ := json.Marshal(v)
	return b
}

// textPayload is an inbound text webhook from "from" with wamid.
func textPayload(wamid, from, text string, at time.Time) []byte {
	v := map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": "100000000000001", "changes": []any{map[string]any{
			"field": "messages",
			"value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]any{"display_phone_number": "31200000000", "phone_number_id": messagingtest.PhoneNumberID},
				"contacts":          []any{map[string]any{"wa_id": from, "profile": map[string]any{"name": "K"}}},
				"messages": []any{map[string]any{"id": wamid, "from": from, "type": "text",
					"timestamp": fmt.Sprint(at.Unix()), "text": map[string]any{"body": text}}},
			},
		}}}},
	}
	b, _ := json.Marshal(v)
	return b
}
