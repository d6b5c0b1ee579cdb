package server

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/internal/logbuf"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/templates"
)

// benchInbox is a fixture with a 20-message conversation, served through
// the read cache, as in production.
func benchInbox(b *testing.B) *embedFixture {
	b.Helper()
	f := newEmbedFixture(b, storetest.SQLite)
	f.startConversation(time.Hour)
	f.addBackAndForth(16, "b", time.Minute, 30)
	f.serveCached(b)
	return f
}

// addBackAndForth adds n delivered messages to the conversation, outbound
// and inbound in turn, one every step, the first first-steps before now;
// their provider ids start with "wamid."+prefix.
func (f *embedFixture) addBackAndForth(n int, prefix string, step time.Duration, first int) {
	for i := range n {
		dir := recrubo.Outbound
		if i%2 == 1 {
			dir = recrubo.Inbound
		}
		f.addMessage(&recrubo.Message{Direction: dir, SenderID: f.viewer.ID, Body: fmt.Sprintf("Bericht %d: wanneer kun je beginnen?", i),
			Status: recrubo.StatusDelivered, CreatedAt: f.now.Add(-time.Duration(first-i) * step), ProviderID: fmt.Sprintf("wamid.%s%d", prefix, i)})
	}
}

// benchDemoInbox is the inbox of the demo's busiest candidate, served
// through the read cache as in production. `recrubo-demo` (seed 1, 1,000
// candidates) gives 261 conversations of 1 to 9 messages; the busiest have
// 9: a template opener and four replies and answers. This one has those 9
// messages, 2 matched vacancies, the demo's 6 recruiters and 3 templates.
func benchDemoInbox(b *testing.B) *embedFixture {
	b.Helper()
	f := newEmbedFixture(b, storetest.SQLite)
	ctx := context.Background()
	for i, name := range []string{"Pieter Jansen", "Fatima el Amrani", "Kees Visser", "Lotte Bakker"} {
		first, last, _ := strings.Cut(name, " ")
		if _, err := f.db.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: f.tenant.ID, ID: fmt.Sprintf("r%d", i), FirstName: first,
			LastName: last, Active: true, ModifiedAt: f.now}); err != nil {
			b.Fatal(err)
		}
	}
	for _, t := range []*recrubo.MessageTemplate{
		{Name: "vacature_match", Language: "nl", Category: recrubo.CategoryMarketing, Variables: 2,
			Body: "Hoi {{1}}, we hebben een vacature die bij je past: {{2}}. Interesse?"},
		{Name: "intake_afspraak", Language: "nl", Category: recrubo.CategoryUtility, Variables: 1,
			Body: "Hoi {{1}}, zullen we een intakegesprek plannen? Antwoord met een dag die je uitkomt."},
	} {
		t.TenantID, t.Status = f.tenant.ID, recrubo.TemplateApproved
		if err := f.db.SaveTemplate(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := f.db.UpsertVacancy(ctx, &recrubo.Vacancy{TenantID: f.tenant.ID, ID: "v2", Title: "Orderpicker", CompanyName: "Logistiek BV",
		StatusLabel: "Open", ModifiedAt: f.now, SyncedAt: f.now}); err != nil {
		b.Fatal(err)
	}
	if _, err := f.db.UpsertMatch(ctx, &recrubo.Match{TenantID: f.tenant.ID, ID: "m2", CandidateID: f.cand.ID, VacancyID: "v2",
		Stage: "Gesprek", ModifiedAt: f.now}); err != nil {
		b.Fatal(err)
	}
	c, err := f.db.Candidate(ctx, f.tenant.ID, f.cand.ID)
	if err != nil {
		b.Fatal(err)
	}
	at := f.now.Add(-3 * time.Hour)
	f.conv = &recrubo.Conversation{TenantID: f.tenant.ID, Channel: recrubo.ChannelWhatsApp, Phone: c.PhoneE164, CandidateID: c.ID,
		State: recrubo.ConversationOpen, AssigneeID: f.viewer.ID, LastInboundAt: at.Add(2 * time.Hour), LastOutboundAt: at.Add(2*time.Hour + 5*time.Minute),
		LastMessageAt: at.Add(2*time.Hour + 5*time.Minute), LastMessagePreview: "Zal ik je morgen om 10:00 bellen?"}
	if err := f.db.SaveConversation(ctx, f.conv); err != nil {
		b.Fatal(err)
	}
	f.addMessage(&recrubo.Message{Direction: recrubo.Outbound, SenderID: f.viewer.ID, Kind: recrubo.KindTemplate, TemplateName: "intake_afspraak",
		TemplateLanguage: "nl", TemplateVars: []string{"Sanne"}, Body: "Hoi Sanne, zullen we een intakegesprek plannen? Antwoord met een dag die je uitkomt.",
		Status: recrubo.StatusRead, CreatedAt: at, ProviderID: "wamid.demo.0"})
	lines := []struct {
		in, out string
		status  recrubo.MessageStatus
	}{
		{"Ik ben volgende week beschikbaar.", "Het uurloon is €17,50.", recrubo.StatusDelivered},
		{"Graag, bel me maar.", "Zal ik je morgen om 10:00 bellen?", recrubo.StatusDelivered},
		{"Kan ik ook parttime?", "Parttime kan, 24 uur per week.", recrubo.StatusRead},
		{"Kan ik ook parttime?", "Zal ik je morgen om 10:00 bellen?", recrubo.StatusRead},
	}
	for i, l := range lines {
		at = at.Add(10 * time.Minute)
		f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: l.in, Status: recrubo.StatusReceived, CreatedAt: at,
			ProviderID: fmt.Sprintf("wamid.demo.in%d", i)})
		at = at.Add(5 * time.Minute)
		f.addMessage(&recrubo.Message{Direction: recrubo.Outbound, SenderID: f.viewer.ID, Kind: recrubo.KindText, Body: l.out, Status: l.status,
			CreatedAt: at, ProviderID: fmt.Sprintf("wamid.demo.out%d", i)})
	}
	f.serveCached(b)
	return f
}

// BenchmarkEmbedInboxRender renders the inbox through the whole Fiber
// stack in memory (middleware, authentication from the cache, data,
// templates): the allocations of one page.
func BenchmarkEmbedInboxRender(b *testing.B) {
	f := benchInbox(b)
	benchHandler(b, f)
}

// BenchmarkEmbedInboxRenderParallel is BenchmarkEmbedInboxRender from
// as many goroutines as GOMAXPROCS, as a server's connections would run
// it: what the locks and shared counters of a request cost when the
// cores contend for them.
func BenchmarkEmbedInboxRenderParallel(b *testing.B) {
	f := benchInbox(b)
	h := f.srv.app.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI(f.candidateURL("nl"))
		ctx.Request.Header.Set("Sec-Fetch-Dest", "iframe")
		ctx.Request.Header.Set("Referer", f.tenant.FrameOrigins[0]+"/record")
		for pb.Next() {
			ctx.Response.Reset()
			h(&ctx)
			if ctx.Response.StatusCode() != 200 {
				b.Errorf("status %d", ctx.Response.StatusCode())
				return
			}
		}
	})
}

// BenchmarkEmbedInboxRenderUncached is BenchmarkEmbedInboxRender without
// the page cache: every request loads and renders the page.
func BenchmarkEmbedInboxRenderUncached(b *testing.B) {
	f := benchInbox(b)
	f.srv.deps.Embeds.Pages = nil
	benchHandler(b, f)
}

// benchHandler measures serving the candidate's inbox in memory; it
// returns the size of the page.
func benchHandler(b *testing.B, f *embedFixture) int {
	h, ctx := serveInbox(b, f)
	b.ReportAllocs()
	b.ResetTimer()
	size := len(ctx.Response.Body())
	for b.Loop() {
		ctx.Response.Reset()
		h(ctx)
	}
	return size
}

// serveInbox serves the candidate's inbox once, in memory, as Carerix's
// frame asks for it, and returns the handler and the request, answered.
func serveInbox(b *testing.B, f *embedFixture) (fasthttp.RequestHandler, *fasthttp.RequestCtx) {
	b.Helper()
	h := f.srv.app.Handler()
	ctx := &fasthttp.RequestCtx{}
	ctx.Request.SetRequestURI(f.candidateURL("nl"))
	ctx.Request.Header.Set("Sec-Fetch-Dest", "iframe")
	ctx.Request.Header.Set("Referer", f.tenant.FrameOrigins[0]+"/record")
	h(ctx)
	if ctx.Response.StatusCode() != 200 {
		b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	return h, ctx
}

// BenchmarkEmbedInboxHTMLTemplate renders the same inbox (same data, same
// markup) with html/template instead of the templates package, after the
// same loading.
func BenchmarkEmbedInboxHTMLTemplate(b *testing.B) {
	f := benchInbox(b)
	tenant, err := f.srv.deps.Embeds.Data.TenantBySlug(context.Background(), "acme")
	if err != nil {
		b.Fatal(err)
	}
	tpl := template.Must(template.New("inbox").Parse(htmlTemplateInbox))
	var buf bytes.Buffer
	render := func() {
		ctx := context.Background()
		v, err := f.srv.deps.Embeds.Auth.Authenticate(ctx, embedProofFor(f))
		if err != nil {
			b.Fatal(err)
		}
		d, err := f.srv.loadInbox(ctx, f.srv.newEmbedPage("nl", tenant), v.RecordID)
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		if err := tpl.Execute(&buf, htmlTemplateData(f.srv, tenant, d)); err != nil {
			b.Fatal(err)
		}
	}
	render()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		render()
	}
}

func embedProofFor(f *embedFixture) recrubo.EmbedProof {
	return recrubo.EmbedProof{TenantSlug: "acme", Kind: recrubo.EmbedCandidate, RecordID: f.cand.ID, RecordHash: f.cand.StableHash,
		UserID: f.viewer.ID, UserHash: f.viewer.StableHash, Lang: "nl"}
}

// BenchmarkEmbedInboxServed serves the demo's busiest inbox over real
// HTTP and loads it from 16 keep-alive clients, next to a bare Fiber
// handler on the service's configuration measured the same way in the
// same run; then it offers half the inbox's throughput at
// a fixed rate and measures latency. Reported: inbox requests/s, bare
// requests/s, their ratio, and p50/p99 at half load.
func BenchmarkEmbedInboxServed(b *testing.B) {
	f := benchDemoInbox(b)
	inboxURL := serve(b, f.srv.app) + f.candidateURL("nl")
	bare := fiber.New(fiberConfig(f.srv.cfg))
	bare.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	bareURL := serve(b, bare) + "/"
	hdr := http.Header{"Sec-Fetch-Dest": {"iframe"}, "Referer": {f.tenant.FrameOrigins[0] + "/record"}}
	const window = 3 * time.Second
	for b.Loop() {
		inbox := closedLoop(b, inboxURL, hdr, 16, window)
		base := closedLoop(b, bareURL, hdr, 16, window)
		lat := openLoop(b, inboxURL, hdr, inbox/2, window)
		b.ReportMetric(inbox, "inbox-req/s")
		b.ReportMetric(base, "bare-req/s")
		b.ReportMetric(inbox/base, "ratio")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms@half")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms@half")
	}
}

// serve runs app on a loopback port until the benchmark ends.
func serve(b *testing.B, app *fiber.App) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	b.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}, Timeout: 10 * time.Second}
}

func get(b *testing.B, c *http.Client, url string, hdr http.Header) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header = hdr
	resp, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Errorf("GET %s = %d", url, resp.StatusCode)
	}
}

// closedLoop runs clients that each send the next request when the last
// one is answered, for d; it returns requests per second.
func closedLoop(b *testing.B, url string, hdr http.Header, clients int, d time.Duration) float64 {
	c := benchClient()
	defer c.CloseIdleConnections()
	var n atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for time.Now().Before(stop) {
				get(b, c, url, hdr)
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / d.Seconds()
}

// openLoop sends rate requests per second for d, each on schedule
// whatever the answers do, and returns the sorted latencies.
func openLoop(b *testing.B, url string, hdr http.Header, rate float64, d time.Duration) []time.Duration {
	c := benchClient()
	defer c.CloseIdleConnections()
	interval := time.Duration(float64(time.Second) / rate)
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) > d {
			break
		}
		time.Sleep(time.Until(at))
		wg.Go(func() {
			get(b, c, url, hdr)
			l := time.Since(at)
			mu.Lock()
			lat = append(lat, l)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return lat
}

// BenchmarkEmbedInboxTemplates compares the two engines on rendering
// alone: the inbox's data is loaded once, then each iteration builds the
// page's values and renders it.
func BenchmarkEmbedInboxTemplates(b *testing.B) {
	f := benchInbox(b)
	ctx := context.Background()
	tenant, err := f.srv.deps.Embeds.Data.TenantBySlug(ctx, "acme")
	if err != nil {
		b.Fatal(err)
	}
	d, err := f.srv.loadInbox(ctx, f.srv.newEmbedPage("nl", tenant), f.cand.ID)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.Run("fasttemplate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := f.srv.newEmbedPage("nl", tenant)
			vals, _ := p.sessionValues(nil)
			lv := templates.Layout{Lang: "nl", Title: "t", StylesheetURL: "/static/app.css", ScriptURL: "/static/app.js", Nonce: "n"}.Values()
			for k, v := range vals {
				lv[k] = v
			}
			for _, k := range []string{"threadURL", "actionURL", "sendingText", "tabsLabel", "tabChat", "tabList", "chatLabel", "candidateLabel", "threadETag"} {
				lv[k] = k
			}
			lv["notice"] = p.inboxNotice(d)
			lv["toolbar"] = p.toolbar(d)
			lv["thread"] = p.thread(d.Messages, recruiterNames(d.Recruiters), p.t("embed.no_messages"))
			lv["composer"] = p.composer(d)
			lv["candidate"] = p.candidatePanel(d)
			lv["list"] = templates.HTML{}
			buf.Reset()
			if err := f.srv.deps.Templates.Render(&buf, "inbox", lv); err != nil || p.err != nil {
				b.Fatal(err, p.err)
			}
		}
	})
	tpl := template.Must(template.New("inbox").Parse(htmlTemplateInbox))
	b.Run("html-template", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			if err := tpl.Execute(&buf, htmlTemplateData(f.srv, tenant, d)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEmbedInboxWrk is BenchmarkEmbedInboxServed's throughput ratio
// (the demo's busiest inbox) measured with wrk (2 threads, 16
// connections) instead of the Go client, which costs the shared cores
// less. The baselines run in the same process, on the service's own
// configuration (fiberConfig): a bare Fiber handler answering "ok"; one
// answering the inbox's answer byte for byte (bareSameBytes), asked for
// at "/page"; and that same handler asked for with the inbox's own
// request (its path and query), so that reading the request costs both
// alike and only our work differs. A fourth round asks for the inbox
// compressed (as browsers do), to tell whether compression wins on
// loopback. Rounds alternate so machine noise hits all alike. Skipped
// without /usr/bin/wrk.
func BenchmarkEmbedInboxWrk(b *testing.B) {
	if _, err := os.Stat("/usr/bin/wrk"); err != nil {
		b.Skip("no /usr/bin/wrk")
	}
	f := benchDemoInbox(b)
	inboxURL := serve(b, f.srv.app) + f.candidateURL("nl")
	hdr := http.Header{"Sec-Fetch-Dest": {"iframe"}, "Referer": {f.tenant.FrameOrigins[0] + "/record"}}
	page, pageHdr := fetchResponse(b, inboxURL, hdr)
	packedHdr := hdr.Clone()
	packedHdr.Set("Accept-Encoding", "gzip, deflate, br")
	packedPage, _ := fetchResponse(b, inboxURL, packedHdr) // the client leaves it compressed
	bare := bareSameBytes(f, page, pageHdr)
	bare.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	bareURL := serve(b, bare)
	wrk := func(url string, hdr ...string) (rps, cpu float64) {
		return wrkRound(b, url, f.tenant.FrameOrigins[0], hdr...)
	}
	for b.Loop() {
		// Five rounds of each; a ratio is the median of the rounds' own
		// ratios, each from one round's measurements, back to back.
		const rounds = 5
		var inbox, ok, same, request, packed, inboxCPU, sameCPU, requestCPU float64
		var toOK, toSame, toRequest []float64
		for range rounds {
			in, inCPU := wrk(inboxURL)
			o, _ := wrk(bareURL + "/")
			sm, smCPU := wrk(bareURL + "/page")
			rq, rqCPU := wrk(bareURL + f.candidateURL("nl"))
			pk, _ := wrk(inboxURL, "Accept-Encoding: gzip, deflate, br")
			inbox, ok, same, request, packed = inbox+in, ok+o, same+sm, request+rq, packed+pk
			inboxCPU, sameCPU, requestCPU = inboxCPU+inCPU, sameCPU+smCPU, requestCPU+rqCPU
			toOK, toSame, toRequest = append(toOK, in/o), append(toSame, in/sm), append(toRequest, in/rq)
		}
		b.ReportMetric(inboxCPU/rounds, "inbox-cpu-µs/req")
		b.ReportMetric(sameCPU/rounds, "bare-page-cpu-µs/req")
		b.ReportMetric(requestCPU/rounds, "bare-request-cpu-µs/req")
		b.ReportMetric(inbox/rounds, "inbox-req/s")
		b.ReportMetric(packed/rounds, "inbox-br-req/s")
		b.ReportMetric(ok/rounds, "bare-req/s")
		b.ReportMetric(same/rounds, "bare-page-req/s")
		b.ReportMetric(request/rounds, "bare-request-req/s")
		b.ReportMetric(median(toOK), "ratio")
		b.ReportMetric(median(toSame), "ratio-same-bytes")
		b.ReportMetric(median(toRequest), "ratio-same-request")
		b.ReportMetric(float64(len(page)), "page-bytes")
		b.ReportMetric(float64(len(packedPage)), "page-br-bytes")
	}
}

// median returns the middle of xs (the mean of the two middle ones for
// an even count); xs is sorted in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// bareSameBytes returns a bare Fiber app on the service's own
// configuration (write buffer, timeouts, limits) whose one handler
// answers with the inbox's answer, page and headers: its body and every
// header it sends (one answer's nonce and request id, set as they are),
// kept in canonical form so that setting them converts nothing. The
// handler answers at "/page" and at the inbox's own route.
func bareSameBytes(f *embedFixture, page []byte, pageHdr http.Header) *fiber.App {
	replayed := replayHeaders(pageHdr)
	bare := fiber.New(fiberConfig(f.srv.cfg))
	same := func(c *fiber.Ctx) error {
		h := &c.Response().Header
		for _, kv := range replayed {
			h.SetCanonical(kv[0], kv[1])
		}
		return c.Send(page)
	}
	bare.Get("/page", same)
	bare.Get(embedPrefix+"/candidate/:id", same)
	return bare
}

// BenchmarkEmbedInboxVsBare serves the demo's busiest inbox in memory
// (no network: the handlers alone) beside a bare handler sending the same
// answer for the same request (bareSameBytes), one request at a time and
// from as many goroutines as GOMAXPROCS: what our stack costs over Fiber
// itself, without the system calls that dominate over HTTP.
func BenchmarkEmbedInboxVsBare(b *testing.B) {
	f := benchDemoInbox(b)
	inbox, ctx := serveInbox(b, f)
	hdr := http.Header{}
	ctx.Response.Header.VisitAll(func(k, v []byte) { hdr.Add(string(k), string(v)) })
	bare := bareSameBytes(f, bytes.Clone(ctx.Response.Body()), hdr).Handler()
	request := func(ctx *fasthttp.RequestCtx) {
		ctx.Request.SetRequestURI(f.candidateURL("nl"))
		ctx.Request.Header.Set("Sec-Fetch-Dest", "iframe")
		ctx.Request.Header.Set("Referer", f.tenant.FrameOrigins[0]+"/record")
	}
	for _, h := range []struct {
		name string
		h    fasthttp.RequestHandler
	}{{"inbox", inbox}, {"bare", bare}} {
		b.Run(h.name, func(b *testing.B) {
			var ctx fasthttp.RequestCtx
			request(&ctx)
			b.ReportAllocs()
			for b.Loop() {
				ctx.Response.Reset()
				h.h(&ctx)
			}
			if ctx.Response.StatusCode() != 200 {
				b.Fatalf("status %d", ctx.Response.StatusCode())
			}
		})
		b.Run(h.name+"-parallel", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				var ctx fasthttp.RequestCtx
				request(&ctx)
				for pb.Next() {
					ctx.Response.Reset()
					h.h(&ctx)
				}
			})
		})
	}
}

// wrkRound loads url with wrk (2 threads, 16 connections, 2 s) as
// Carerix's frame from origin would, with hdr added, and returns the
// requests per second and the CPU time this process (the servers: wrk
// runs in its own) spent per request, which other work on the machine
// disturbs far less than the rate.
func wrkRound(b *testing.B, url, origin string, hdr ...string) (rps, cpu float64) {
	args := []string{"-t2", "-c16", "-d2s", "-H", "Sec-Fetch-Dest: iframe", "-H", "Referer: " + origin + "/record"}
	for _, h := range hdr {
		args = append(args, "-H", h)
	}
	before := processCPU(b)
	out, err := exec.Command("/usr/bin/wrk", append(args, url)...).CombinedOutput()
	spent := processCPU(b) - before
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`).FindSubmatch(out)
	n := regexp.MustCompile(`([0-9]+) requests in`).FindSubmatch(out)
	if m == nil || n == nil || bytes.Contains(out, []byte("Non-2xx")) {
		b.Fatalf("wrk output:\n%s", out)
	}
	rps, _ = strconv.ParseFloat(string(m[1]), 64)
	reqs, _ := strconv.ParseFloat(string(n[1]), 64)
	return rps, float64(spent.Microseconds()) / reqs
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fetchBody returns one answer's body, which must be a 200.
func fetchBody(b *testing.B, url string, hdr http.Header) []byte {
	body, _ := fetchResponse(b, url, hdr)
	return body
}

// replayHeaders returns the headers of an answer that a handler sets
// itself, in canonical form: all but those the server writes on its own
// (Date, Content-Length, Server, Connection).
func replayHeaders(h http.Header) [][2][]byte {
	var kv [][2][]byte
	for k, vs := range h {
		switch k {
		case "Date", "Content-Length", "Server", "Connection":
			continue
		}
		for _, v := range vs {
			kv = append(kv, [2][]byte{[]byte(k), []byte(v)})
		}
	}
	return kv
}

// fetchResponse returns one answer's body and headers; it must be a 200.
func fetchResponse(b *testing.B, url string, hdr http.Header) ([]byte, http.Header) {
	b.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header = hdr
	resp, err := benchClient().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("GET %s = %d %v", url, resp.StatusCode, err)
	}
	return body, resp.Header
}

// BenchmarkEmbedInboxWrkLog measures what the access log costs over
// HTTP: the demo's busiest inbox under wrk (as BenchmarkEmbedInboxWrk),
// from three servers on the same data that differ only in where their
// log goes: nowhere (slog's DiscardHandler, as the other benchmarks),
// the service's JSON lines written straight to a file (a write(2) per
// request, as the service wrote to stderr), and the same lines through
// logbuf's asynchronous buffer (as the service does now). Rounds
// alternate; reported per server: requests/s and the CPU time the
// process spent per request. Skipped without /usr/bin/wrk.
func BenchmarkEmbedInboxWrkLog(b *testing.B) {
	if _, err := os.Stat("/usr/bin/wrk"); err != nil {
		b.Skip("no /usr/bin/wrk")
	}
	f := benchDemoInbox(b)
	cached, _ := f.srv.deps.Embeds.Data.(*store.Cached)
	open := func(name string) *os.File {
		file, err := os.Create(filepath.Join(b.TempDir(), name))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = file.Close() })
		return file
	}
	direct := newEmbedServerOn(b, f.db, cached, f.now)
	direct.log = slog.New(slog.NewJSONHandler(open("direct.log"), nil))
	buffered := newEmbedServerOn(b, f.db, cached, f.now)
	lb := logbuf.New(open("buffered.log"), 0)
	b.Cleanup(func() { _ = lb.Close() })
	buffered.log = slog.New(slog.NewJSONHandler(lb, nil))
	servers := []struct {
		name string
		url  string
	}{
		{"discard", serve(b, f.srv.app) + f.candidateURL("nl")},
		{"direct", serve(b, direct.app) + f.candidateURL("nl")},
		{"logbuf", serve(b, buffered.app) + f.candidateURL("nl")},
	}
	hdr := http.Header{"Sec-Fetch-Dest": {"iframe"}, "Referer": {f.tenant.FrameOrigins[0] + "/record"}}
	for _, s := range servers {
		fetchBody(b, s.url, hdr)
	}
	for b.Loop() {
		rps, cpu := make([]float64, len(servers)), make([]float64, len(servers))
		for range 3 {
			for i, s := range servers {
				r, c := wrkRound(b, s.url, f.tenant.FrameOrigins[0])
				rps[i] += r / 3
				cpu[i] += c / 3
			}
		}
		for i, s := range servers {
			b.ReportMetric(rps[i], s.name+"-req/s")
			b.ReportMetric(cpu[i], s.name+"-cpu-µs/req")
		}
	}
}
