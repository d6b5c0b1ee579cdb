package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/clitest"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/whatsapp"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

// startEmulator runs "emulate <args>" on a free loopback port until the
// test ends, waits for its banner to show ready, and returns its base URL
// and the banner.
func startEmulator(t *testing.T, ready string, args ...string) (string, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(t.Context())
	var out, errOut clitest.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"emulate"}, append(args, "--addr", addr)...), clitest.Env(nil), &out, &errOut)
	}()
	t.Cleanup(func() { cancel(); <-done })
	if !eventually.True(15*time.Second, func() bool { return strings.Contains(out.String(), ready) }) {
		t.Fatalf("emulator did not start:\n%s\n%s", out.String(), errOut.String())
	}
	return "http://" + addr, out.String()
}

func TestEmulateCarerixAndChangeACandidate(t *testing.T) {
	base, _ := startEmulator(t, "client id/secret", "carerix", "--candidates", "5", "--vacancies", "1", "--matches", "2")
	cli := func(args ...string) (int, string, string) {
		var o, e clitest.Buffer
		code := run(t.Context(), append(args, "--emulator", base), clitest.Env(nil), &o, &e)
		return code, o.String(), e.String()
	}
	code, created, stderr := cli("emulate", "candidate", "create", "--first-name", "Eva", "--last-name", "de Vries", "--mobile", "06-12345678")
	if code != 0 {
		t.Fatalf("create: %s", stderr)
	}
	var rec struct {
		ID string `json:"_id"`
	}
	if err := json.Unmarshal([]byte(created), &rec); err != nil || rec.ID == "" {
		t.Fatalf("create printed %q: %v", created, err)
	}
	get := func() string {
		resp, err := http.Get(base + "/_emulator/candidates/" + rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := get(); !strings.Contains(got, "Eva") || !strings.Contains(got, "06-12345678") || strings.Contains(got, `"statusNodeID":0`) {
		t.Fatalf("created candidate = %s, want it with a status", got)
	}
	if !strings.Contains(stderr, "status Actief, which the demo tenant syncs") {
		t.Errorf("create without --status said %q, want which status it gave", stderr)
	}
	code, other, stderr := cli("emulate", "candidate", "create", "--first-name", "Piet", "--status", "Geplaatst")
	if code != 0 || strings.Contains(stderr, "No --status") || !strings.Contains(other, `"_id"`) {
		t.Errorf("create with --status: %d %s %s", code, other, stderr)
	}
	if code, _, stderr := cli("emulate", "candidate", "update", rec.ID, "--first-name", "Evi"); code != 0 || !strings.Contains(get(), "Evi") {
		t.Fatalf("update: %d %s", code, stderr)
	}
	if code, _, stderr := cli("emulate", "candidate", "status", rec.ID, "--status", "no-such-status"); code == 0 || !strings.Contains(stderr, "emulator answered") {
		t.Errorf("unknown status accepted: %d %s", code, stderr)
	}
	if code, _, stderr := cli("emulate", "candidate", "delete", rec.ID); code != 0 || !strings.Contains(get(), `"deleted":true`) {
		t.Errorf("delete: %d %s / %s", code, stderr, get())
	}
	if code, _, stderr := cli("emulate", "candidate", "explode", "1"); code == 0 || !strings.Contains(stderr, "unknown action") {
		t.Errorf("bad action: %d %s", code, stderr)
	}
}

func TestEmulateRefusesNonLoopback(t *testing.T) {
	for _, emulator := range []string{"carerix", "whatsapp"} {
		var errOut clitest.Buffer
		if code := run(t.Context(), []string{"emulate", emulator, "--addr", "0.0.0.0:0"}, clitest.Env(nil), io.Discard, &errOut); code == 0 || !strings.Contains(errOut.String(), "loopback") {
			t.Errorf("emulate %s: non-loopback address accepted: %s", emulator, errOut.String())
		}
	}
}

// TestEmulateCarerixProfileAndTokenLifetime runs the observed profile with
// two-second tokens and reads both back from the running emulator.
func TestEmulateCarerixProfileAndTokenLifetime(t *testing.T) {
	base, banner := startEmulator(t, "client id/secret", "carerix", "--candidates", "0", "--vacancies", "0",
		"--profile", "observed", "--token-lifetime", "2s")
	if !strings.Contains(banner, "(profile observed)") {
		t.Errorf("banner does not name the profile:\n%s", banner)
	}
	resp, err := http.Get(base + "/_emulator/")
	if err != nil {
		t.Fatal(err)
	}
	var info struct{ Profile string }
	err = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if err != nil || info.Profile != "observed" {
		t.Errorf("admin info profile = %q (%v)", info.Profile, err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {carerixemu.DefaultClientID},
		"client_secret": {carerixemu.DefaultClientSecret}}
	resp, err = http.PostForm(base+"/auth/realms/acme/protocol/openid-connect/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		ExpiresIn int `json:"expires_in"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.ExpiresIn != 2 {
		t.Errorf("expires_in = %d (%v), want 2", tok.ExpiresIn, err)
	}
}

func TestEmulateAndDemoRefuseUnknownProfiles(t *testing.T) {
	for _, args := range [][]string{
		{"emulate", "carerix", "--addr", "127.0.0.1:0", "--profile", "cloud"},
		{"emulate", "carerix", "--addr", "127.0.0.1:0", "--token-lifetime", "-1s"},
		{"--carerix-profile", "cloud"},
	} {
		var errOut clitest.Buffer
		if code := run(t.Context(), args, clitest.Env(nil), io.Discard, &errOut); code == 0 ||
			!(strings.Contains(errOut.String(), "profile") || strings.Contains(errOut.String(), "token-lifetime")) {
			t.Errorf("%v: exit %d, %s", args, code, errOut.String())
		}
	}
}

// TestEmulateWhatsAppWithThePrintedCredentials uses what "emulate whatsapp"
// prints as an admin would: the token reads the number and its templates,
// the webhook entered through the subscribe endpoint passes the handshake,
// and a candidate's message arrives there signed with the app secret.
func TestEmulateWhatsAppWithThePrintedCredentials(t *testing.T) {
	base, banner := startEmulator(t, "a candidate writes", "whatsapp")
	for _, want := range []string{demoPhoneNumberID, emulatorWhatsAppToken, emulatorWhatsAppAppSecret, "/_emulator/subscribe"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	client, err := whatsapp.NewClient(whatsapp.Config{BaseURL: base, APIVersion: messaging.DefaultAPIVersion, PhoneNumberID: demoPhoneNumberID, AccessToken: emulatorWhatsAppToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.PhoneNumber(t.Context()); err != nil {
		t.Fatalf("reading the number with the printed token: %v", err)
	}
	templates, err := client.MessageTemplates(t.Context(), waemu.DefaultBusinessAccountID, 0)
	if err != nil || len(templates) != len(demoWhatsAppTemplates()) {
		t.Fatalf("templates: %d (%v), want %d", len(templates), err, len(demoWhatsAppTemplates()))
	}

	signed := make(chan error, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			challenge, err := whatsapp.VerifyHandshake(r.URL.Query(), "verify-me")
			if err != nil {
				http.Error(w, err.Error(), http.StatusForbidden)
				return
			}
			_, _ = io.WriteString(w, challenge)
			return
		}
		body, _ := io.ReadAll(r.Body)
		signed <- whatsapp.VerifySignature(emulatorWhatsAppAppSecret, body, r.Header.Get("X-Hub-Signature-256"))
	}))
	defer receiver.Close()
	post := func(path, body string) {
		t.Helper()
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 {
			out, _ := io.ReadAll(resp.Body)
			t.Fatalf("POST %s: %s %s", path, resp.Status, out)
		}
	}
	post("/_emulator/subscribe", `{"callback_url": "`+receiver.URL+`", "verify_token": "verify-me"}`)
	post("/_emulator/inbound", `{"from": "+31612345678", "text": "Hallo"}`)
	select {
	case err := <-signed:
		if err != nil {
			t.Errorf("the delivery's signature does not verify with the printed app secret: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook delivery")
	}
}
