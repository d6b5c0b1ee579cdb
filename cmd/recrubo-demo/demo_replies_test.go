package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/clitest"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
)

// httpDo sends a request and returns the status, headers and body.
func httpDo(t *testing.T, method, u string, header map[string]string, body []byte) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// startDemo runs the demo with a few candidates on free ports until the
// test ends and returns what it printed once it runs.
func startDemo(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var out, errOut clitest.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"--candidates", "40", "--addr", "127.0.0.1:0", "--carerix-addr", "127.0.0.1:0",
			"--whatsapp-addr", "127.0.0.1:0", "--data-dir", t.TempDir()}, args...), clitest.Env(map[string]string{"LOG_LEVEL": "error"}), &out, &errOut)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the demo did not stop")
		}
	})
	eventually.SucceedsWithin(t, time.Minute, "the demo running", func() error {
		select {
		case code := <-done:
			t.Fatalf("the demo exited with %d:\n%s\n%s", code, out.String(), errOut.String())
		default:
		}
		if !strings.Contains(out.String(), "Press Ctrl-C to stop.") {
			return fmt.Errorf("not yet")
		}
		return nil
	})
	return out.String()
}

// findPrinted returns the first group of re in what the demo printed.
func findPrinted(t *testing.T, printed, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(printed)
	if m == nil {
		t.Fatalf("the demo did not print %s:\n%s", re, printed)
	}
	return m[1]
}

// TestDemoRepliesLikeProduction runs the demo and, as a recruiter in the
// record page's inbox, replies to the sample candidate: the WhatsApp
// emulator saw that candidate write, so the free text is delivered, not
// refused with 131047. A photo the candidate sends shows up in the inbox.
func TestDemoRepliesLikeProduction(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	printed := startDemo(t)
	find := func(re string) string { return findPrinted(t, printed, re) }
	record := find(`A candidate record, as Carerix shows it:\s+(\S+)`)
	waURL := find(`(http://\S+)/_emulator/inbound`)
	from := find(`"from":"(\d+)","text"`)

	// The printed command that changes the candidate is this command's.
	change := strings.Fields(find(`go run ./cmd/recrubo-demo (emulate candidate update .+)`))
	var changed, changeErr clitest.Buffer
	if code := run(t.Context(), change, clitest.Env(nil), &changed, &changeErr); code != 0 || !strings.Contains(changed.String(), "Sanne") {
		t.Errorf("the printed %q = %d %s %s", strings.Join(change, " "), code, changed.String(), changeErr.String())
	}

	// The record page as Carerix shows it frames the inbox with its proof.
	_, _, page := httpDo(t, "GET", record, nil, nil)
	src := regexp.MustCompile(`<iframe[^>]*src="([^"]+)"`).FindStringSubmatch(page)
	if src == nil {
		t.Fatalf("no inbox framed in the record page:\n%s", page)
	}
	inboxURL := html.UnescapeString(src[1])
	ru, _ := url.Parse(record)
	code, _, inbox := httpDo(t, "GET", inboxURL, map[string]string{"Sec-Fetch-Dest": "iframe", "Referer": ru.Scheme + "://" + ru.Host + "/"}, nil)
	if code != 200 {
		t.Fatalf("inbox = %d:\n%s", code, inbox)
	}
	var data struct {
		Token     string `json:"token"`
		ThreadURL string `json:"threadURL"`
		ActionURL string `json:"actionURL"`
	}
	raw := regexp.MustCompile(`(?s)<script type="application/json" id="embed-data">(.*?)</script>`).FindStringSubmatch(inbox)
	if raw == nil || json.Unmarshal([]byte(raw[1]), &data) != nil {
		t.Fatalf("no session in the inbox:\n%s", inbox)
	}
	iu, _ := url.Parse(inboxURL)
	base := iu.Scheme + "://" + iu.Host
	auth := map[string]string{"Authorization": "Bearer " + data.Token, "Content-Type": "application/json"}

	// The seeded conversation's window is open: free text goes out and is read.
	if code, _, body := httpDo(t, "POST", base+data.ActionURL+"/send", auth, []byte(`{"body":"Kom je dinsdag langs?"}`)); code != 200 {
		t.Fatalf("reply = %d %s", code, body)
	}
	eventually.SucceedsWithin(t, time.Minute, "the reply read by the candidate", func() error {
		_, _, body := httpDo(t, "GET", waURL+"/_emulator/messages?to="+from, nil, nil)
		var sent []struct {
			Body      string   `json:"body"`
			Statuses  []string `json:"statuses"`
			ErrorCode int      `json:"error_code"`
		}
		if err := json.Unmarshal([]byte(body), &sent); err != nil {
			return err
		}
		for _, m := range sent {
			if m.Body == "Kom je dinsdag langs?" {
				if m.ErrorCode != 0 || strings.Join(m.Statuses, ",") != "sent,delivered,read" {
					t.Fatalf("the reply failed at WhatsApp: %+v", m)
				}
				return nil
			}
		}
		return fmt.Errorf("not sent yet: %s", body)
	})

	// The candidate sends a photo; the inbox shows it, and serves it to
	// this viewer.
	if code, _, body := httpDo(t, "POST", waURL+"/_emulator/inbound", nil, []byte(`{"from":"`+from+`","type":"image","text":"Mijn rijbewijs"}`)); code != 201 {
		t.Fatalf("photo = %d %s", code, body)
	}
	var mediaURL string
	eventually.SucceedsWithin(t, time.Minute, "the photo in the inbox", func() error {
		_, _, thread := httpDo(t, "GET", base+data.ThreadURL, auth, nil)
		m := regexp.MustCompile(`data-media-src="([^"]+)"`).FindStringSubmatch(thread)
		if m == nil {
			return fmt.Errorf("no photo yet")
		}
		mediaURL = html.UnescapeString(m[1])
		return nil
	})
	if code, h, _ := httpDo(t, "GET", base+mediaURL, auth, nil); code != 200 || h.Get("Content-Type") != "image/jpeg" {
		t.Errorf("photo = %d %s", code, h.Get("Content-Type"))
	}
}

// TestDemoOnTheObservedProfile runs the demo against Carerix as real
// tenants show it: it prints the contract read (no stableHash), the realm
// password its users sign in with, and the record page frames the
// sign-in page, not an inbox.
func TestDemoOnTheObservedProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	printed := startDemo(t, "--carerix-profile", "observed")
	for _, want := range []string{"(profile observed)", "has no field stableHash", "recrubo-demo"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the demo on the observed profile did not print %q:\n%s", want, printed)
		}
	}
	record := findPrinted(t, printed, `A candidate record, as Carerix shows it:\s+(\S+)`)
	_, _, page := httpDo(t, "GET", record, nil, nil)
	src := regexp.MustCompile(`<iframe[^>]*src="([^"]+)"`).FindStringSubmatch(page)
	if src == nil {
		t.Fatalf("no inbox framed in the record page:\n%s", page)
	}
	inboxURL := html.UnescapeString(src[1])
	if q, _ := url.Parse(inboxURL); q.Query().Get("rh") != "" || q.Query().Get("uh") != "" {
		t.Errorf("the framed URL carries a stableHash proof the profile does not have: %s", inboxURL)
	}
	ru, _ := url.Parse(record)
	code, _, frame := httpDo(t, "GET", inboxURL, map[string]string{"Sec-Fetch-Dest": "iframe", "Referer": ru.Scheme + "://" + ru.Host + "/"}, nil)
	if code != 200 || !strings.Contains(frame, "Aanmelden met Carerix") || strings.Contains(frame, "candidate-name") {
		t.Errorf("the framed page is not the sign-in page (%d):\n%s", code, frame)
	}
}
