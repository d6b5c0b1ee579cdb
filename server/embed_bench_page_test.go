package server

import (
	"fmt"
	"testing"
	"time"

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
			for i := range 150 {
				dir := recrubo.Outbound
				if i%2 == 1 {
					dir = recrubo.Inbound
				}
				f.addMessage(&recrubo.Message{Direction: dir, SenderID: f.viewer.ID, Body: fmt.Sprintf("Bericht %d: wanneer kun je beginnen?", i),
					Status: recrubo.StatusDelivered, CreatedAt: f.now.Add(-time.Duration(300-i) * time.Hour), ProviderID: fmt.Sprintf("wamid.p%d", i)})
			}
			f.srv.deps.Embeds.Pages = nil
			f.srv.deps.Embeds.ThreadPage = n
			size := benchHandler(b, f)
			b.ReportMetric(float64(size), "page-bytes")
		})
	}
}
