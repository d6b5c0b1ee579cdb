package whatsapp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// captured is one request seen by a canned server.
type captured struct {
	method, path, auth, contentType string
	body                            map[string]any
}

// cannedServer answers every request with status and body and records what
// it received.
func cannedServer(t *testing.T, status int, body string) (*httptest.Server, *[]captured) {
	t.Helper()
	var got []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		c := captured{method: r.Method, path: r.URL.Path, auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type")}
		if err := json.Unmarshal(raw, &c.body); err != nil {
			t.Errorf("request body is not JSON: %v", err)
		}
		got = append(got, c)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func newClient(t *testing.T, baseURL, token string) *whatsapp.Client {
	t.Helper()
	c, err := whatsapp.NewClient(whatsapp.Config{BaseURL: baseURL, APIVersion: "v21.0", PhoneNumberID: "106540352242922", AccessToken: token, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

const okSendBody = `{"messaging_product":"whatsapp","contacts":[{"input":"+31612345678","wa_id":"31612345678"}],"messages":[{"id":"wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]}`

func TestSendTextRequestShape(t *testing.T) {
	srv, got := cannedServer(t, http.StatusOK, okSendBody)
	c := newClient(t, srv.URL, "tok")
	res, err := c.SendText(t.Context(), "+31612345678", "Hoi Sanne", true, "msg-1")
	if err != nil {
		t.Fatalf("SendText: %v", err)
	}
	want := whatsapp.SendResult{MessageID: "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA", WaID: "31612345678", Input: "+31612345678"}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if len(*got) != 1 {
		t.Fatalf("server saw %d requests", len(*got))
	}
	req := (*got)[0]
	if req.method != http.MethodPost || req.path != "/v21.0/106540352242922/messages" || req.auth != "Bearer tok" || req.contentType != "application/json" {
		t.Errorf("request = %s %s auth %q type %q", req.method, req.path, req.auth, req.contentType)
	}
	wantBody := map[string]any{
		"messaging_product": "whatsapp", "recipient_type": "individual", "to": "31612345678", "type": "text",
		"text":                     map[string]any{"preview_url": true, "body": "Hoi Sanne"},
		"biz_opaque_callback_data": "msg-1",
	}
	if diff := cmp.Diff(wantBody, req.body); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestSendTemplateRequestShape(t *testing.T) {
	srv, got := cannedServer(t, http.StatusOK, okSendBody)
	c := newClient(t, srv.URL, "tok")
	tpl := whatsapp.Template{Name: "interview_invite", Language: "nl", HeaderParams: []string{"Randstad"}, BodyParams: []string{"Sanne", "dinsdag"}}
	if _, err := c.SendTemplate(t.Context(), "31612345678", tpl, ""); err != nil {
		t.Fatalf("SendTemplate: %v", err)
	}
	wantBody := map[string]any{
		"messaging_product": "whatsapp", "recipient_type": "individual", "to": "31612345678", "type": "template",
		"template": map[string]any{
			"name":     "interview_invite",
			"language": map[string]any{"policy": "deterministic", "code": "nl"},
			"components": []any{
				map[string]any{"type": "header", "parameters": []any{map[string]any{"type": "text", "text": "Randstad"}}},
				map[string]any{"type": "body", "parameters": []any{
					map[string]any{"type": "text", "text": "Sanne"},
					map[string]any{"type": "text", "text": "dinsdag"},
				}},
			},
		},
	}
	if diff := cmp.Diff(wantBody, (*got)[0].body); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestSendRefusesBadInputWithoutRequest(t *testing.T) {
	srv, got := cannedServer(t, http.StatusOK, okSendBody)
	c := newClient(t, srv.URL, "tok")
	ctx := t.Context()
	calls := map[string]func() error{
		"LetterInNumber": func() error { _, err := c.SendText(ctx, "+3161234567a", "x", false, ""); return err },
		"ShortNumber":    func() error { _, err := c.SendText(ctx, "12345", "x", false, ""); return err },
		"LongNumber":     func() error { _, err := c.SendText(ctx, "1234567890123456", "x", false, ""); return err },
		"NationalNumber": func() error { _, err := c.SendText(ctx, "0612345678", "x", false, ""); return err },
		"EmptyBody":      func() error { _, err := c.SendText(ctx, "31612345678", "  ", false, ""); return err },
		"LongBody": func() error {
			_, err := c.SendText(ctx, "31612345678", strings.Repeat("é", whatsapp.MaxTextBodyRunes+1), false, "")
			return err
		},
		"LongCallback": func() error {
			_, err := c.SendText(ctx, "31612345678", "x", false, strings.Repeat("a", whatsapp.MaxCallbackDataRunes+1))
			return err
		},
		"NoTemplateName": func() error {
			_, err := c.SendTemplate(ctx, "31612345678", whatsapp.Template{Language: "nl"}, "")
			return err
		},
		"NoMessageID": func() error { return c.MarkRead(ctx, "") },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if !errors.Is(err, whatsapp.ErrInvalidRequest) {
				t.Fatalf("err = %v, want ErrInvalidRequest", err)
			}
			if whatsapp.Retryable(err) {
				t.Errorf("invalid input reported retryable")
			}
		})
	}
	if len(*got) != 0 {
		t.Errorf("server saw %d requests, want none", len(*got))
	}
}

// TestAPIErrorsFromMetaBodies feeds error bodies shaped like Meta's
// documentation examples and checks the typed error and its retry class.
func TestAPIErrorsFromMetaBodies(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		want      whatsapp.APIError
		retryable bool
	}{
		{
			"ExpiredToken", http.StatusUnauthorized,
			`{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"EJplcsCHuLu"}}`,
			whatsapp.APIError{HTTPStatus: 401, Code: 190, Subcode: 463, Type: "OAuthException", Message: "Error validating access token: Session has expired", FBTraceID: "EJplcsCHuLu"},
			false,
		},
		{
			"TemplateMissing", http.StatusNotFound,
			`{"error":{"message":"(#132001) Template name does not exist in the translation","type":"OAuthException","code":132001,"error_data":{"messaging_product":"whatsapp","details":"template name (x) does not exist in nl"},"fbtrace_id":"A1"}}`,
			whatsapp.APIError{HTTPStatus: 404, Code: 132001, Type: "OAuthException", Message: "(#132001) Template name does not exist in the translation", Details: "template name (x) does not exist in nl", FBTraceID: "A1"},
			false,
		},
		{
			"InvalidParameter", http.StatusBadRequest,
			`{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100,"error_data":{"messaging_product":"whatsapp","details":"Invalid parameter"},"fbtrace_id":"A2"}}`,
			whatsapp.APIError{HTTPStatus: 400, Code: 100, Type: "OAuthException", Message: "(#100) Invalid parameter", Details: "Invalid parameter", FBTraceID: "A2"},
			false,
		},
		{
			"ThroughputLimit", http.StatusTooManyRequests,
			`{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"fbtrace_id":"A3"}}`,
			whatsapp.APIError{HTTPStatus: 429, Code: 130429, Type: "OAuthException", Message: "(#130429) Rate limit hit", Details: "Cloud API message throughput has been reached.", FBTraceID: "A3"},
			true,
		},
		{
			"PairRateLimit", http.StatusBadRequest,
			`{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit","type":"OAuthException","code":131056,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."},"fbtrace_id":"A4"}}`,
			whatsapp.APIError{HTTPStatus: 400, Code: 131056, Type: "OAuthException", Message: "(#131056) (Business Account, Consumer Account) pair rate limit hit", Details: "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.", FBTraceID: "A4"},
			true,
		},
		{
			"TransientFlag", http.StatusBadRequest,
			`{"error":{"message":"An unexpected error has occurred.","type":"OAuthException","code":12345,"is_transient":true,"fbtrace_id":"A5"}}`,
			whatsapp.APIError{HTTPStatus: 400, Code: 12345, Type: "OAuthException", Message: "An unexpected error has occurred.", FBTraceID: "A5", Transient: true},
			true,
		},
		{
			"TemplateAPIStringErrorData", http.StatusBadRequest,
			`{"error":{"message":"Invalid parameter","type":"OAuthException","code":100,"error_data":"Param name is required","fbtrace_id":"A6"}}`,
			whatsapp.APIError{HTTPStatus: 400, Code: 100, Type: "OAuthException", Message: "Invalid parameter", Details: "Param name is required", FBTraceID: "A6"},
			false,
		},
		{
			"GatewayHTML", http.StatusBadGateway, `<html>502 Bad Gateway</html>`,
			whatsapp.APIError{HTTPStatus: 502, Message: "<html>502 Bad Gateway</html>"},
			true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := cannedServer(t, tc.status, tc.body)
			c := newClient(t, srv.URL, "tok")
			_, err := c.SendText(t.Context(), "31612345678", "Hoi", false, "")
			var apiErr *whatsapp.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if diff := cmp.Diff(tc.want, *apiErr); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
			if got := whatsapp.Retryable(err); got != tc.retryable {
				t.Errorf("Retryable = %v, want %v", got, tc.retryable)
			}
			if !strings.Contains(err.Error(), "31612345678") {
				t.Errorf("error %q lacks the recipient context", err)
			}
		})
	}
}

func TestMalformedSuccessIsNotRetryable(t *testing.T) {
	for name, body := range map[string]string{
		"NotJSON":     `<html>ok</html>`,
		"NoMessageID": `{"messaging_product":"whatsapp","contacts":[],"messages":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv, _ := cannedServer(t, http.StatusOK, body)
			_, err := newClient(t, srv.URL, "tok").SendText(t.Context(), "31612345678", "Hoi", false, "")
			if !errors.Is(err, whatsapp.ErrMalformedResponse) {
				t.Fatalf("err = %v, want ErrMalformedResponse", err)
			}
			if whatsapp.Retryable(err) {
				t.Errorf("a possibly accepted message was reported retryable")
			}
		})
	}
}

func TestNetworkErrorIsRetryableAndCancelIsNot(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	url := srv.URL
	srv.Close()
	_, err := newClient(t, url, "tok").SendText(t.Context(), "31612345678", "Hoi", false, "")
	var netErr *whatsapp.NetworkError
	if !errors.As(err, &netErr) || !whatsapp.Retryable(err) {
		t.Fatalf("err = %v, want retryable *NetworkError", err)
	}

	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(block) })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = newClient(t, slow.URL, "tok").SendText(ctx, "31612345678", "Hoi", false, "")
	if !errors.Is(err, context.Canceled) || whatsapp.Retryable(err) {
		t.Fatalf("err = %v, want non-retryable context.Canceled", err)
	}
}

func TestNewClientValidatesConfig(t *testing.T) {
	base := whatsapp.Config{APIVersion: "v21.0", PhoneNumberID: "106540352242922", AccessToken: "tok"}
	tests := map[string]func(*whatsapp.Config){
		"BadVersion":   func(c *whatsapp.Config) { c.APIVersion = "21" },
		"PhoneLetters": func(c *whatsapp.Config) { c.PhoneNumberID = "abc" },
		"NoToken":      func(c *whatsapp.Config) { c.AccessToken = "" },
		"RelativeBase": func(c *whatsapp.Config) { c.BaseURL = "/graph" },
		"FTPBase":      func(c *whatsapp.Config) { c.BaseURL = "ftp://graph.facebook.com" },
	}
	if _, err := whatsapp.NewClient(base); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := base
			mutate(&cfg)
			if _, err := whatsapp.NewClient(cfg); err == nil {
				t.Fatal("NewClient accepted an invalid config")
			}
		})
	}
}
