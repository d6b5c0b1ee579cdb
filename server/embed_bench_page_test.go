package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// BenchmarkEmbedInboxThreadPage renders the inbox of a candidate with 150
// messages, uncached, through the whole Fiber stack in memory, showing
// the newest 30 (the thread's page) or 100 (as before paging): the cost
// of a load and the page's size.
func BenchmarkEmbedInboxThreadPage(b *testing.B) {
	for _, n := range []int{30, 100} {
		b.Run(fmt.Sprintf("messages=%d", n), func(b *testing.B) {
			f := benchInbox(b)
			f.addBackAndForth(150, "p", time.Hour, 300)
			f.srv.deps.Embeds.Pages = nil
			f.srv.deps.Embeds.ThreadPage = n
			size := benchHandler(b, f)
			b.ReportMetric(float64(size), "page-bytes")
		})
	}
}

// BenchmarkEmbedInboxCompress compresses the demo's busiest inbox page
// and a 30-message one the way the compress middleware does: what a
// compressed answer costs in CPU, against the bytes it saves.
func BenchmarkEmbedInboxCompress(b *testing.B) {
	pages := map[string][]byte{}
	f := benchDemoInbox(b)
	pages["demo"] = renderInbox(b, f)
	g := benchInbox(b)
	for i := range 40 {
		g.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: fmt.Sprintf("Bericht %d: wanneer kun je beginnen?", i),
			Status: recrubo.StatusReceived, CreatedAt: g.now.Add(-time.Duration(300-i) * time.Hour), ProviderID: fmt.Sprintf("wamid.c%d", i)})
	}
	g.srv.deps.Embeds.Pages = nil
	pages["30-messages"] = renderInbox(b, g)
	for _, name := range []string{"demo", "30-messages"} {
		page := pages[name]
		for _, enc := range []string{"gzip", "br"} {
			b.Run(name+"/"+enc, func(b *testing.B) {
				var out []byte
				b.SetBytes(int64(len(page)))
				for b.Loop() {
					if enc == "gzip" {
						out = fasthttp.AppendGzipBytesLevel(out[:0], page, fasthttp.CompressBestSpeed)
					} else {
						out = fasthttp.AppendBrotliBytesLevel(out[:0], page, fasthttp.CompressBrotliBestSpeed)
					}
				}
				b.ReportMetric(float64(len(page)), "page-bytes")
				b.ReportMetric(float64(len(out)), "compressed-bytes")
			})
		}
	}
}

// renderInbox returns the candidate's inbox page as served.
func renderInbox(b *testing.B, f *embedFixture) []byte {
	b.Helper()
	_, ctx := serveInbox(b, f)
	return append([]byte(nil), ctx.Response.Body()...)
}
