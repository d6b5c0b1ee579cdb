package messaging_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging/messagingtest"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// BenchmarkWebhookIngest measures signed inbound-message deliveries posted
// over HTTP to the webhook, each stored durably with its processing job
// before the 200: events/s accepted and the 99th percentile of the time to
// that answer, with 4 senders at once.
func BenchmarkWebhookIngest(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend, func(b *testing.B) {
			e := messagingtest.New(b, backend, messagingtest.Options{NoJobs: true})
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
			var (
				seq       atomic.Int64
				mu        sync.Mutex
				latencies []time.Duration
			)
			at := time.Now()
			b.SetParallelism(2) // 2 × GOMAXPROCS senders
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					i := seq.Add(1)
					body := textPayload(fmt.Sprintf("wamid.bench%d", i), "31612345678", "Hoi", at)
					req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, e.WebhookURL, bytes.NewReader(body))
					req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign(messagingtest.AppSecret, body))
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_ = resp.Body.Close()
					mine = append(mine, time.Since(t0))
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
				mu.Lock()
				latencies = append(latencies, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			b.StopTimer()
			n, err := e.DB.CountEvents(context.Background(), e.Tenant.ID, recrubo.SourceWhatsApp)
			if err != nil {
				b.Fatal(err)
			}
			if n != seq.Load() {
				b.Fatalf("%d events stored for %d deliveries", n, seq.Load())
			}
			slices.Sort(latencies)
			if len(latencies) > 0 {
				p99 := latencies[max(0, (len(latencies)*99+99)/100-1)]
				b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "events/s")
			}
		})
	}
}
