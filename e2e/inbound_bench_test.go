package e2e

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

// BenchmarkInboundWhatsAppToScreen measures how long an inbound WhatsApp
// message takes to show in the recruiter's open inbox: the emulator posts
// a signed webhook over HTTP, the service stores it and queues its job
// (job runner with the service's default settings), the job records the
// message, and the page in headless Chromium updates without a reload.
// Each iteration is one message; the clock starts when the emulator is
// told to send and stops when a MutationObserver inside the page sees the
// text in the thread (the page's own timestamp, so chromedp's round trips
// do not count). The page's thread request waits at the server for the
// change (ChangeWaits). Messages go out at random gaps, so they land at
// every phase of the page's update cycle. It reports p50 and p99 in
// milliseconds; run it with -benchtime 40x.
func BenchmarkInboundWhatsAppToScreen(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend, func(b *testing.B) { benchInboundToScreen(b, backend) })
	}
}

func benchInboundToScreen(b *testing.B, backend string) {
	ctx := embedChromium(b)
	ws := startWhatsAppStackWith(b, backend, jobs.Config{})
	// The conversation exists before the page opens, as when a recruiter
	// follows up a candidate who wrote before.
	first := ws.write(b, waemu.Inbound{Text: "Hallo"})
	ws.waitStored(b, first.ID)
	ws.frameFor = 10 * time.Minute
	ws.open(b, ctx, ws.emuURL+"/record/candidate/"+ws.cand.ID+"?user="+ws.user.ID)
	frame := ws.frame(b, ctx)
	waitFrame(b, frame, `document.querySelector("#thread") && document.querySelector("#thread").textContent.includes("Hallo")`, 15*time.Second)
	// The observer notes, in epoch milliseconds, when each awaited text
	// first shows in the thread.
	if _, err := chromedp.Run(frame, chromedp.Evaluate[bool](`(() => {
		window.benchWant = new Set(); window.benchSeen = {};
		const thread = document.getElementById("thread");
		const look = () => {
			const now = performance.timeOrigin + performance.now();
			const text = thread.textContent;
			for (const w of window.benchWant) {
				if (text.includes(w)) { window.benchSeen[w] = now; window.benchWant.delete(w); }
			}
		};
		new MutationObserver(look).observe(thread, { childList: true, subtree: true, characterData: true });
		return true;
	})()`)); err != nil {
		b.Fatalf("installing the observer: %v", err)
	}

	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]float64, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		time.Sleep(time.Duration(rng.IntN(1500)) * time.Millisecond)
		text := fmt.Sprintf("bench-%d-%d", i, rng.Uint32())
		if _, err := chromedp.Run(frame, chromedp.Evaluate[bool](`window.benchWant.add(`+strconv.Quote(text)+`), true`)); err != nil {
			b.Fatalf("arming the observer: %v", err)
		}
		b.StartTimer()
		sent := time.Now()
		ws.write(b, waemu.Inbound{Text: text})
		deadline := time.Now().Add(30 * time.Second)
		for {
			seen, err := chromedp.Run(frame, chromedp.Evaluate[float64](`window.benchSeen[`+strconv.Quote(text)+`] || 0`))
			if err != nil {
				b.Fatalf("reading the observer: %v", err)
			}
			if seen > 0 {
				lat = append(lat, seen-float64(sent.UnixMicro())/1000)
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("message %d did not show within 30 s", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(percentile(lat, 0.50), "p50-ms")
	b.ReportMetric(percentile(lat, 0.99), "p99-ms")
	b.ReportMetric(lat[len(lat)-1], "max-ms")
}

// percentile returns the nearest-rank percentile of sorted values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
