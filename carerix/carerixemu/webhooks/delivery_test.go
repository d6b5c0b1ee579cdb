package webhooks_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu/webhooks"
)

func TestDeliverySignedWithHeadersAndPayload(t *testing.T) {
	svc, api := newService(t, webhooks.Options{})
	rc := newReceiver(t, nil)
	app := createApp(t, api, "recrubo")
	hook := createHook(t, api, app.ID, rc.URL+"/hooks/carerix", "cremployee:updated")

	svc.Publish(t.Context(), webhooks.Event{
		Entity: "cremployee", Action: "updated", EntityID: "2.3",
		ChangedFields: []string{"statusinfo", "modificationdate"},
	})
	waitIdle(t, svc)

	got := rc.requests()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	req := got[0]
	if app.SignatureVerification.Algorithm != "RSA-SHA256" {
		t.Errorf("algorithm = %q, want RSA-SHA256", app.SignatureVerification.Algorithm)
	}
	pem := []byte(app.SignatureVerification.PublicKey)
	if err := webhooks.VerifySignature(pem, req.body, req.header.Get("Cx-Signature")); err != nil {
		t.Errorf("signature does not verify with the application's public key: %v", err)
	}
	tampered := append([]byte(nil), req.body...)
	tampered[len(tampered)-2] ^= 1
	if err := webhooks.VerifySignature(pem, tampered, req.header.Get("Cx-Signature")); err == nil {
		t.Error("signature verified over a tampered body")
	}
	for name, want := range map[string]string{
		"Content-Type":              "application/json",
		"Cx-Payload-Schema-Version": "1",
		"X-Api-Key":                 "k-123",
	} {
		if got := req.header.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}

	p := req.payload(t)
	if _, err := uuid.Parse(p.ID); err != nil {
		t.Errorf("payload id %q is not a UUID: %v", p.ID, err)
	}
	want := webhooks.Payload{
		ID: p.ID, Time: "2024-02-14T14:24:40Z", Type: "cremployee:updated",
		ApplicationID: app.ID, WebhookID: hook.ID, Tenant: "acme",
		Data: webhooks.PayloadData{EntityID: "2.3", ChangedFields: []string{"statusinfo", "modificationdate"}},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("payload mismatch (-want +got):\n%s", diff)
	}
	var raw map[string]any
	if err := json.Unmarshal(req.body, &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) != 7 {
		t.Errorf("payload has %d top-level keys, want 7: %s", len(raw), req.body)
	}

	jobs := svc.DeliveryJobs(t.Context(), hook.ID)
	if len(jobs) != 1 {
		t.Fatalf("got %d delivery jobs, want 1", len(jobs))
	}
	job := jobs[0]
	if job.State != webhooks.JobSucceeded || job.Payload != string(req.body) || job.URL != rc.URL+"/hooks/carerix" {
		t.Errorf("job = state %q url %q payload %q", job.State, job.URL, job.Payload)
	}
	if diff := cmp.Diff([]webhooks.Header{{Name: "X-Api-Key", Value: "k-123"}}, job.Headers); diff != "" {
		t.Errorf("job header snapshot (-want +got):\n%s", diff)
	}
	if len(job.Attempts) != 1 {
		t.Fatalf("got %d attempts, want 1", len(job.Attempts))
	}
	att := job.Attempts[0]
	if att.DeliveryStatus != webhooks.DeliverySucceeded || att.ResponseStatusCode != 200 || att.ResponsePayload != `{"ok":true}` {
		t.Errorf("attempt = %+v", att)
	}
	var respHeaders map[string][]string
	if err := json.Unmarshal([]byte(att.ResponseHeaders), &respHeaders); err != nil {
		t.Fatalf("responseHeaders %q is not a JSON map of lists: %v", att.ResponseHeaders, err)
	}
	if !slices.Equal(respHeaders["X-Receiver"], []string{"yes"}) {
		t.Errorf("responseHeaders = %v, want X-Receiver: [yes]", respHeaders)
	}

	var key struct {
		Algorithm string `json:"algorithm"`
		PublicKey string `json:"publicKey"`
	}
	if code := call(t, api, "GET", "/webhooks/v1/applications/"+app.ID+"/signature-key", nil, &key); code != http.StatusOK {
		t.Fatalf("signature-key status %d", code)
	}
	if key.PublicKey != app.SignatureVerification.PublicKey || key.Algorithm != "RSA-SHA256" {
		t.Errorf("signature-key = %+v, want the application's key", key)
	}
}

func TestFiltersSelectEventTypesCaseInsensitively(t *testing.T) {
	svc, api := newService(t, webhooks.Options{})
	employees, matches := newReceiver(t, nil), newReceiver(t, nil)
	app := createApp(t, api, "filters")
	createHook(t, api, app.ID, employees.URL, "CREmployee:Updated")
	createHook(t, api, app.ID, matches.URL, "crmatch:created", "crmatch:updated")

	for _, ev := range []webhooks.Event{
		{Entity: "cremployee", Action: "updated", EntityID: "e1"},
		{Entity: "cremployee", Action: "created", EntityID: "e2"},
		{Entity: "crvacancy", Action: "updated", EntityID: "v1"},
		{Entity: "CRMatch", Action: "created", EntityID: "m1"},
		{Entity: "crmatch", Action: "deleted", EntityID: "m2"},
	} {
		svc.Publish(t.Context(), ev)
	}
	waitIdle(t, svc)

	summarize := func(rc *receiver) []string {
		var out []string
		for _, r := range rc.requests() {
			p := r.payload(t)
			out = append(out, p.Type+" "+p.Data.EntityID)
		}
		slices.Sort(out)
		return out
	}
	if diff := cmp.Diff([]string{"cremployee:updated e1"}, summarize(employees)); diff != "" {
		t.Errorf("employee webhook deliveries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"CRMatch:created m1"}, summarize(matches)); diff != "" {
		t.Errorf("match webhook deliveries (-want +got):\n%s", diff)
	}
}

func TestDisabledWebhookGetsNothingUntilEnabled(t *testing.T) {
	svc, api := newService(t, webhooks.Options{})
	on, off := newReceiver(t, nil), newReceiver(t, nil)
	app := createApp(t, api, "toggle")
	createHook(t, api, app.ID, on.URL, "cremployee:updated")
	offHook := createHook(t, api, app.ID, off.URL, "cremployee:updated")
	base := "/webhooks/v1/applications/" + app.ID + "/webhooks/" + offHook.ID

	var h apiHook
	if code := call(t, api, "POST", base+"/disable", nil, &h); code != http.StatusOK || h.Status != "disabled" {
		t.Fatalf("disable: status %d, webhook status %q", code, h.Status)
	}
	svc.Publish(t.Context(), updated("1"))
	waitIdle(t, svc)
	if n := len(on.requests()); n != 1 {
		t.Errorf("enabled webhook got %d deliveries, want 1", n)
	}
	if n := len(off.requests()); n != 0 {
		t.Errorf("disabled webhook got %d deliveries, want 0", n)
	}
	if jobs := svc.DeliveryJobs(t.Context(), offHook.ID); len(jobs) != 0 {
		t.Errorf("disabled webhook has %d delivery jobs, want 0", len(jobs))
	}

	if code := call(t, api, "POST", base+"/enable", nil, &h); code != http.StatusOK || h.Status != "enabled" {
		t.Fatalf("enable: status %d, webhook status %q", code, h.Status)
	}
	svc.Publish(t.Context(), updated("2"))
	waitIdle(t, svc)
	if got := off.requests(); len(got) != 1 || got[0].payload(t).Data.EntityID != "2" {
		t.Errorf("re-enabled webhook got %d deliveries, want the one for entity 2", len(got))
	}
}

func TestRetryAfterServerErrorRecordsTwoAttempts(t *testing.T) {
	svc, api := newService(t, webhooks.Options{})
	rc := newReceiver(t, func(n int) int {
		if n == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent
	})
	app := createApp(t, api, "retry")
	hook := createHook(t, api, app.ID, rc.URL, "cremployee:updated")

	svc.Publish(t.Context(), updated("7"))
	waitIdle(t, svc)

	got := rc.requests()
	if len(got) != 2 {
		t.Fatalf("receiver got %d requests, want 2", len(got))
	}
	if string(got[0].body) != string(got[1].body) || got[0].header.Get("Cx-Signature") != got[1].header.Get("Cx-Signature") {
		t.Error("retry did not resend the same body and signature")
	}
	jobs := svc.DeliveryJobs(t.Context(), hook.ID)
	if len(jobs) != 1 {
		t.Fatalf("got %d jobs, want 1", len(jobs))
	}
	var summary []string
	for _, a := range jobs[0].Attempts {
		summary = append(summary, string(a.DeliveryStatus)+" "+http.StatusText(a.ResponseStatusCode))
	}
	want := []string{"failed Internal Server Error", "succeeded No Content"}
	if diff := cmp.Diff(want, summary); diff != "" {
		t.Errorf("attempts oldest first (-want +got):\n%s", diff)
	}
	if jobs[0].State != webhooks.JobSucceeded {
		t.Errorf("job state = %q, want succeeded", jobs[0].State)
	}
}

func TestRepeatedFailureFailsJobAndSetsErrorStatus(t *testing.T) {
	svc, api := newService(t, webhooks.Options{
		MaxAttempts: 3, HealthWindow: 4, HealthThreshold: 0.5, HealthMinDeliveries: 2,
	})
	rc := newReceiver(t, func(int) int { return http.StatusServiceUnavailable })
	app := createApp(t, api, "failing")
	hook := createHook(t, api, app.ID, rc.URL, "cremployee:updated")
	path := "/webhooks/v1/applications/" + app.ID + "/webhooks/" + hook.ID

	svc.Publish(t.Context(), updated("1"))
	waitIdle(t, svc)
	var h apiHook
	call(t, api, "GET", path+"?fields=status", nil, &h)
	if h.Status != "enabled" {
		t.Fatalf("after one failed job status = %q, want enabled (below HealthMinDeliveries)", h.Status)
	}

	svc.Publish(t.Context(), updated("2"))
	waitIdle(t, svc)
	jobs := svc.DeliveryJobs(t.Context(), hook.ID)
	if len(jobs) != 2 {
		t.Fatalf("got %d jobs, want 2", len(jobs))
	}
	for _, j := range jobs {
		if j.State != webhooks.JobFailed || len(j.Attempts) != 3 {
			t.Errorf("job %s: state %q with %d attempts, want failed with 3", j.ID, j.State, len(j.Attempts))
		}
		for _, a := range j.Attempts {
			if a.DeliveryStatus != webhooks.DeliveryFailed || a.ResponseStatusCode != 503 {
				t.Errorf("attempt = %+v, want failed 503", a)
			}
		}
	}
	if n := len(rc.requests()); n != 6 {
		t.Errorf("receiver got %d requests, want 6", n)
	}
	call(t, api, "GET", path+"?fields=status", nil, &h)
	if h.Status != "error" {
		t.Fatalf("status = %q, want error", h.Status)
	}

	svc.Publish(t.Context(), updated("3"))
	waitIdle(t, svc)
	if n := len(svc.DeliveryJobs(t.Context(), hook.ID)); n != 2 {
		t.Errorf("webhook in error got a new job: %d jobs, want 2", n)
	}
	if code := call(t, api, "POST", path+"/enable", nil, &h); code != http.StatusOK || h.Status != "enabled" {
		t.Errorf("re-enable: status %d, webhook %q", code, h.Status)
	}
}

func TestNetworkErrorIsRecordedAsFailedAttempt(t *testing.T) {
	svc, api := newService(t, webhooks.Options{MaxAttempts: 2})
	gone := newReceiver(t, nil)
	url := gone.URL
	gone.Close()
	app := createApp(t, api, "unreachable")
	hook := createHook(t, api, app.ID, url, "cremployee:updated")

	svc.Publish(t.Context(), updated("1"))
	waitIdle(t, svc)
	jobs := svc.DeliveryJobs(t.Context(), hook.ID)
	if len(jobs) != 1 || jobs[0].State != webhooks.JobFailed || len(jobs[0].Attempts) != 2 {
		t.Fatalf("jobs = %+v, want one failed job with 2 attempts", jobs)
	}
	for _, a := range jobs[0].Attempts {
		if a.ResponseStatusCode != 0 || !strings.Contains(a.Error, "sending request") {
			t.Errorf("attempt = %+v, want a network error without status", a)
		}
	}
}

func TestTimeoutFailsAttempt(t *testing.T) {
	svc, api := newService(t, webhooks.Options{MaxAttempts: 1, Timeout: 20 * time.Millisecond})
	release := make(chan struct{})
	slow := newReceiver(t, nil)
	t.Cleanup(func() { close(release) }) // runs before the server closes
	slow.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client hanging up.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	app := createApp(t, api, "slow")
	hook := createHook(t, api, app.ID, slow.URL, "cremployee:updated")

	svc.Publish(t.Context(), updated("1"))
	waitIdle(t, svc)
	jobs := svc.DeliveryJobs(t.Context(), hook.ID)
	if len(jobs) != 1 || jobs[0].State != webhooks.JobFailed || len(jobs[0].Attempts) != 1 {
		t.Fatalf("jobs = %+v, want one failed job with 1 attempt", jobs)
	}
	if e := jobs[0].Attempts[0].Error; !strings.Contains(e, "deadline exceeded") {
		t.Errorf("attempt error = %q, want a deadline", e)
	}
}

func TestDeletedEventsAreConfigurable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		disable bool
		want    int
	}{
		{"DefaultOn", false, 1},
		{"Disabled", true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, api := newService(t, webhooks.Options{DisableDeletedEvents: tc.disable})
			rc := newReceiver(t, nil)
			app := createApp(t, api, "deletes")
			createHook(t, api, app.ID, rc.URL, "cremployee:deleted")
			svc.Publish(t.Context(), webhooks.Event{Entity: "cremployee", Action: "deleted", EntityID: "9"})
			waitIdle(t, svc)
			if n := len(rc.requests()); n != tc.want {
				t.Errorf("got %d deliveries, want %d", n, tc.want)
			}
		})
	}
}

func TestPublishBeforeStartIsDeliveredAfterStart(t *testing.T) {
	key, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	pool, err := webhooks.NewKeyPool(key)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := webhooks.New(webhooks.Options{Keys: pool})
	if err != nil {
		t.Fatal(err)
	}
	rc := newReceiver(t, nil)
	app, err := svc.CreateApplication(t.Context(), "early")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateWebhook(t.Context(), app.ID, webhooks.WebhookRequest{
		URL: rc.URL, Filters: []webhooks.Filter{{EventType: "crvacancy:created"}},
	}); err != nil {
		t.Fatal(err)
	}
	svc.Publish(t.Context(), webhooks.Event{Entity: "crvacancy", Action: "created", EntityID: "v1"})
	if n := len(rc.requests()); n != 0 {
		t.Fatalf("delivered %d before Start", n)
	}
	if err := svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	waitIdle(t, svc)
	if n := len(rc.requests()); n != 1 {
		t.Errorf("got %d deliveries after Start, want 1", n)
	}
	if err := svc.Start(t.Context()); err == nil {
		t.Error("second Start succeeded")
	}
}

func TestCloseAbortsInFlightDeliveryAndKeepsJobPending(t *testing.T) {
	svc, api := newService(t, webhooks.Options{})
	arrived := make(chan struct{}, 1)
	hang := newReceiver(t, nil)
	hang.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		arrived <- struct{}{}
		<-r.Context().Done()
	})
	app := createApp(t, api, "hang")
	hook := createHook(t, api, app.ID, hang.URL, "cremployee:updated")

	svc.Publish(t.Context(), updated("1"))
	select {
	case <-arrived:
	case <-t.Context().Done():
		t.Fatal("delivery never arrived")
	}
	if err := svc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	jobs := svc.DeliveryJobs(t.Context(), hook.ID)
	if len(jobs) != 1 || jobs[0].State != webhooks.JobPending || len(jobs[0].Attempts) != 0 {
		t.Errorf("after Close jobs = %+v, want one pending job without attempts", jobs)
	}
	if err := svc.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := svc.Start(t.Context()); err == nil {
		t.Error("Start after Close succeeded")
	}
}

func TestDeletedWebhookCancelsPendingRetry(t *testing.T) {
	svc, api := newService(t, webhooks.Options{})
	arrived, proceed := make(chan struct{}, 1), make(chan struct{})
	rc := newReceiver(t, nil)
	rc.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-proceed
		w.WriteHeader(http.StatusBadGateway)
	})
	app := createApp(t, api, "cancel")
	hook := createHook(t, api, app.ID, rc.URL, "cremployee:updated")

	svc.Publish(t.Context(), updated("1"))
	select {
	case <-arrived:
	case <-t.Context().Done():
		t.Fatal("delivery never arrived")
	}
	if code := call(t, api, "DELETE", "/webhooks/v1/applications/"+app.ID+"/webhooks/"+hook.ID, nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete webhook: %d", code)
	}
	close(proceed)
	waitIdle(t, svc)

	jobs := svc.DeliveryJobs(t.Context(), hook.ID)
	if len(jobs) != 1 || jobs[0].State != webhooks.JobCancelled || len(jobs[0].Attempts) != 1 {
		t.Fatalf("jobs = %+v, want one cancelled job with the single failed attempt", jobs)
	}
	select {
	case <-arrived:
		t.Error("a retry was sent after the webhook was deleted")
	default:
	}
}
