package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/clitest"

	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func TestEmulateCarerixAndChangeACandidate(t *testing.T) {
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
		done <- run(ctx, []string{"emulate", "carerix", "--addr", addr, "--candidates", "5", "--vacancies", "1", "--matches", "2"}, clitest.Env(nil), &out, &errOut)
	}()
	t.Cleanup(func() { cancel(); <-done })
	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), "client id/secret") {
		if time.Now().After(deadline) {
			t.Fatalf("emulator did not start:\n%s\n%s", out.String(), errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
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
	var errOut clitest.Buffer
	if code := run(t.Context(), []string{"emulate", "carerix", "--addr", "0.0.0.0:0"}, clitest.Env(nil), io.Discard, &errOut); code == 0 || !strings.Contains(errOut.String(), "loopback") {
		t.Errorf("non-loopback address accepted: %s", errOut.String())
	}
}

// TestEmulateCarerixProfileAndTokenLifetime runs the observed profile with
// two-second tokens and reads both back from the running emulator.
func TestEmulateCarerixProfileAndTokenLifetime(t *testing.T) {
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
		done <- run(ctx, []string{"emulate", "carerix", "--addr", addr, "--candidates", "0", "--vacancies", "0",
			"--profile", "observed", "--token-lifetime", "2s"}, clitest.Env(nil), &out, &errOut)
	}()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), "client id/secret") {
		if time.Now().After(deadline) {
			t.Fatalf("emulator did not start:\n%s\n%s", out.String(), errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "(profile observed)") {
		t.Errorf("banner does not name the profile:\n%s", out.String())
	}
	base := "http://" + addr
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
