package e2e

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// TestEmbedOlderMessagesInBrowser loads the inbox of a candidate with 75
// messages: it shows the newest 30 and "Older messages" adds 30, then the
// last 15, and goes; a message arriving meanwhile joins the thread
// without taking away the older ones.
func TestEmbedOlderMessagesInBrowser(t *testing.T) {
	ctx := embedChromium(t)
	st := startEmbedStack(t)
	dir := embedArtifacts(t)
	bg := context.Background()
	start := time.Now().Add(-3 * time.Hour)
	conv := &recrubo.Conversation{TenantID: st.tenant.ID, Channel: recrubo.ChannelWhatsApp, Phone: "+31612345678", CandidateID: st.cand.ID,
		State: recrubo.ConversationOpen, LastInboundAt: start, LastMessageAt: start}
	if err := st.db.SaveConversation(bg, conv); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 75; i++ {
		if _, err := st.db.AddMessage(bg, &recrubo.Message{TenantID: st.tenant.ID, ConversationID: conv.ID, Direction: recrubo.Inbound,
			Body: fmt.Sprintf("Bericht %d", i), Status: recrubo.StatusReceived, CreatedAt: start.Add(time.Duration(i) * time.Minute),
			ProviderID: fmt.Sprintf("wamid.older.%d", i)}); err != nil {
			t.Fatal(err)
		}
	}

	st.open(t, ctx, st.emuURL+"/record/candidate/"+st.cand.ID+"?user="+st.user.ID)
	frame := st.frame(t, ctx)
	waitFrame(t, frame, `document.documentElement.dataset.ready === "true"`, 10*time.Second)
	count := `document.querySelectorAll("#thread .message").length`
	first := `document.querySelector("#thread .message .bubble").textContent.trim()`
	shown := func() (int, string) {
		t.Helper()
		n, err := chromedp.Run(frame, chromedp.Evaluate[int](count))
		if err != nil {
			t.Fatal(err)
		}
		s, err := chromedp.Run(frame, chromedp.Evaluate[string](first))
		if err != nil {
			t.Fatal(err)
		}
		return n, s
	}
	if n, s := shown(); n != 30 || s != "Bericht 46" {
		t.Fatalf("the inbox shows %d messages from %q, want the newest 30 from Bericht 46", n, s)
	}
	older := `#thread [data-older] button[data-action="older"]`
	if err := chromedp.Do(frame, chromedp.WaitVisible(chromedp.CSS(older))); err != nil {
		t.Fatalf("no Older messages button: %v", err)
	}

	// The first click adds 30 above, and the reader keeps their place:
	// the message that was on top stays where it was on screen.
	before, err := chromedp.Run(frame, chromedp.Evaluate[float64](`(() => {
		const t = document.getElementById("thread"); t.scrollTop = 0;
		const m = [...t.querySelectorAll(".message")].find((m) => m.textContent.includes("Bericht 46"));
		return m.getBoundingClientRect().top;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(frame, chromedp.Click(chromedp.CSS(older))); err != nil {
		t.Fatal(err)
	}
	waitFrame(t, frame, count+` === 60`, 10*time.Second)
	if n, s := shown(); n != 60 || s != "Bericht 16" {
		t.Errorf("after one click: %d messages from %q, want 60 from Bericht 16", n, s)
	}
	after, err := chromedp.Run(frame, chromedp.Evaluate[float64](`(() => {
		const m = [...document.querySelectorAll("#thread .message")].find((m) => m.textContent.includes("Bericht 46"));
		return m.getBoundingClientRect().top;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if d := after - before; d < -2 || d > 2 {
		t.Errorf("the message on top moved by %.0f px when older ones loaded above it", d)
	}
	embedScreenshot(t, ctx, dir, "inbox-older-loaded.png")

	// A new message arrives: the poll replaces the newest page, and the
	// older messages stay (the one that left the newest page too).
	st.inbound(t, "Nieuw bericht")
	waitFrame(t, frame, count+` === 61 && document.querySelector("#thread .message:last-child").textContent.includes("Nieuw bericht")`, 10*time.Second)
	if n, s := shown(); n != 61 || s != "Bericht 16" {
		t.Errorf("after a new message: %d messages from %q, want 61 from Bericht 16", n, s)
	}

	// The second click reaches the first message: the button goes, focus
	// moves to the first message and the status line says so.
	if err := chromedp.Do(frame, chromedp.Click(chromedp.CSS(older))); err != nil {
		t.Fatal(err)
	}
	waitFrame(t, frame, count+` === 76`, 10*time.Second)
	if n, s := shown(); n != 76 || s != "Bericht 1" {
		t.Errorf("after the last page: %d messages from %q, want 76 from Bericht 1", n, s)
	}
	gone, err := chromedp.Run(frame, chromedp.Evaluate[bool](`!document.querySelector("#thread [data-older]")`))
	if err != nil || !gone {
		t.Errorf("the Older messages button is still there at the start of the conversation (%v)", err)
	}
	focused, err := chromedp.Run(frame, chromedp.Evaluate[string](`document.activeElement?.querySelector(".bubble")?.textContent.trim() || ""`))
	if err != nil || focused != "Bericht 1" {
		t.Errorf("focus is on %q (%v), want the first message", focused, err)
	}
	status, err := chromedp.Run(frame, chromedp.Evaluate[string](`document.getElementById("status").textContent`))
	if err != nil || status != "This is the start of the conversation." {
		t.Errorf("status line = %q (%v)", status, err)
	}
	// Every message shows once, in order.
	order, err := chromedp.Run(frame, chromedp.Evaluate[string](`[...document.querySelectorAll("#thread .message .bubble")].map((b) => b.textContent.trim()).join("|")`))
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	for i := 1; i <= 75; i++ {
		want += "Bericht " + strconv.Itoa(i) + "|"
	}
	if order != want+"Nieuw bericht" {
		t.Errorf("the thread reads\n%s\nwant\n%sNieuw bericht", order, want)
	}
	embedScreenshot(t, ctx, dir, "inbox-older-all.png")
}
