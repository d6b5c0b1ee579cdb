package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/internal/eventually"
	"github.com/recrubo/recrubo-carerix/jobs"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

// whatsAppStack is the embed stack with the candidate writing through the
// WhatsApp emulator: webhooks in, jobs downloading files and sending.
type whatsAppStack struct {
	*embedStack
	emu *waemu.TestServer
	svc *messaging.Service
}

func startWhatsAppStack(t *testing.T) *whatsAppStack {
	t.Helper()
	return startWhatsAppStackWith(t, storetest.SQLite, jobs.Config{PollInterval: 20 * time.Millisecond})
}

// startWhatsAppStackWith is startWhatsAppStack on the backend, with the
// job runner configured by jc.
func startWhatsAppStackWith(t testing.TB, backend string, jc jobs.Config) *whatsAppStack {
	t.Helper()
	ws := &whatsAppStack{}
	ws.embedStack = startEmbedStackOn(t, backend, func(st *embedStack, deps *server.Deps) {
		ws.emu = waemu.NewTestServer(t, waemu.Options{AppSecret: "app-secret", AccessTokens: map[string]string{"1000": "wa-token"},
			StatusDelay: -1, RetryBackoff: 5 * time.Millisecond})
		st.tenant.WhatsApp = recrubo.WhatsAppSettings{APIBaseURL: ws.emu.URL(), PhoneNumberID: "1000",
			BusinessAccountID: waemu.DefaultBusinessAccountID, AccessToken: recrubo.NewSecret("wa-token"),
			AppSecret: recrubo.NewSecret("app-secret"), VerifyToken: recrubo.NewSecret("verify-token")}
		if err := st.db.UpdateTenant(context.Background(), st.tenant); err != nil {
			t.Fatal(err)
		}
		ws.svc = messaging.New(messaging.Config{Store: st.db, RetryBase: 10 * time.Millisecond})
		deps.WhatsApp.Ingester = ws.svc
		deps.Embeds.Messenger, deps.Embeds.Broadcasts = ws.svc, ws.svc
		reg := jobs.NewRegistry()
		ws.svc.Register(reg)
		r, err := jobs.NewRunner(st.db, reg, jc)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = r.Stop(ctx)
		})
	})
	ws.emu.SetWebhookURL(ws.base + "/webhooks/whatsapp/acme")
	return ws
}

// write makes the candidate (+31612345678) send in through the emulator.
func (ws *whatsAppStack) write(t testing.TB, in waemu.Inbound) waemu.InboundRecord {
	t.Helper()
	in.From, in.ProfileName = "31612345678", "Sanne"
	rec, err := ws.emu.SimulateInbound(in)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// waitStored waits until the messages with the provider ids are stored,
// their files included.
func (ws *whatsAppStack) waitStored(t testing.TB, wamids ...string) map[string]*recrubo.Message {
	t.Helper()
	ctx := context.Background()
	out := map[string]*recrubo.Message{}
	deadline := time.Now().Add(20 * time.Second)
	for _, id := range wamids {
		for {
			m, err := ws.db.MessageByProviderID(ctx, ws.tenant.ID, id)
			if err == nil {
				f, ferr := ws.db.MediaFile(ctx, ws.tenant.ID, m.ID, false)
				if recrubo.ErrorCode(ferr) == recrubo.ENOTFOUND || (ferr == nil && f.State != recrubo.MediaPending) {
					out[id] = m
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("message %s not stored with its file: %v", id, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return out
}

var cvPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func TestInboxImageAndDocumentInBrowser(t *testing.T) {
	ctx := embedChromium(t)
	ws := startWhatsAppStack(t)
	dir := embedArtifacts(t)

	photo := ws.write(t, waemu.Inbound{Type: "image", Text: "Mijn rijbewijs"})
	cv := ws.write(t, waemu.Inbound{Type: "document", Filename: "cv Sanne.pdf", Text: "Mijn cv", Content: cvPDF})
	stored := ws.waitStored(t, photo.ID, cv.ID)
	photoData, _, _ := ws.emu.MediaFile(photo.MediaID)

	ws.open(t, ctx, ws.emuURL+"/record/candidate/"+ws.cand.ID+"?user="+ws.user.ID)
	frame := ws.frame(t, ctx)
	consoleErrors := watchConsole(t, frame)
	// The picture shows, fetched with the session token into memory.
	waitFrame(t, frame, `(() => { const i = document.querySelector(".media-image img");
		return !!i && i.src.startsWith("blob:") && i.complete && i.naturalWidth === 240 && i.naturalHeight === 160; })()`, 15*time.Second)
	alt, err := chromedp.Run(frame, chromedp.Evaluate[string](`document.querySelector(".media-image img").alt + "|" + document.querySelector(".media-image").parentElement.textContent.trim()`))
	if err != nil || alt != "Photo|Mijn rijbewijs" {
		t.Errorf("image alt and caption = %q %v", alt, err)
	}
	// The service kept the very bytes the candidate sent (the page shows
	// them: 240×160 is the emulator's sample picture).
	if f, err := ws.db.MediaFile(context.Background(), ws.tenant.ID, stored[photo.ID].ID, true); err != nil || !bytes.Equal(f.Data, photoData) {
		t.Errorf("kept image differs from the one sent: %v", err)
	}

	// The document downloads under its name when its button is clicked.
	downloads := t.TempDir()
	if err := chromedp.Do(frame, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
		return err
	})); err != nil {
		t.Fatalf("allowing downloads: %v", err)
	}
	label, err := chromedp.Run(frame, chromedp.Evaluate[string](`document.querySelector("button[data-media-url]").textContent.trim() + "|" + document.querySelector(".media-file").textContent.replace(/\s+/g, " ").trim()`))
	if want := fmt.Sprintf("📄 cv Sanne.pdf|📄 cv Sanne.pdf %d B · PDF", len(cvPDF)); err != nil || label != want {
		t.Errorf("document = %q %v", label, err)
	}
	if err := chromedp.Do(frame, chromedp.Click(chromedp.CSS("button[data-media-url]"))); err != nil {
		t.Fatalf("clicking the document: %v", err)
	}
	saved := filepath.Join(downloads, "cv Sanne.pdf")
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := os.ReadFile(saved)
		if err == nil && bytes.Equal(got, cvPDF) {
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(downloads)
			t.Fatalf("no download of the document: %v (%d files in the download folder)", err, len(entries))
		}
		time.Sleep(50 * time.Millisecond)
	}
	embedScreenshot(t, ctx, dir, "inbox-image-document.png")

	// The recruiter answers with a document of her own, chosen in the
	// composer, with a caption: it goes to WhatsApp as a document and
	// shows in the thread.
	offer := filepath.Join(t.TempDir(), "contract Sanne.pdf")
	if err := os.WriteFile(offer, cvPDF, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(frame,
		chromedp.SetUploadFiles(chromedp.CSS(`form[data-form="send"] input[name="file"]`), []string{offer}),
		chromedp.SetValue(chromedp.CSS(`form[data-form="send"] textarea`), "Je contract"),
		chromedp.Click(chromedp.CSS(`form[data-form="send"] button[type="submit"]`)),
	); err != nil {
		t.Fatalf("sending a document from the composer: %v", err)
	}
	waitFrame(t, frame, `document.getElementById("thread").textContent.includes("contract Sanne.pdf")`, 15*time.Second)
	if !eventually.True(15*time.Second, func() bool {
		for _, m := range ws.emu.SentMessages() {
			if m.Type == "document" && m.Filename == "contract Sanne.pdf" && m.MediaID != "" {
				return true
			}
		}
		return false
	}) {
		t.Errorf("WhatsApp received no document from the composer: %+v", ws.emu.SentMessages())
	}
	// The thread's waiting request may show the file before the send
	// has answered, which is when the composer empties.
	emptied := `document.querySelector('form[data-form="send"] textarea').value + "|" + document.querySelector('form[data-form="send"] input[name="file"]').files.length`
	if !eventually.True(10*time.Second, func() bool {
		left, err := chromedp.Run(frame, chromedp.Evaluate[string](emptied))
		return err == nil && left == "|0"
	}) {
		left, err := chromedp.Run(frame, chromedp.Evaluate[string](emptied))
		t.Errorf("the composer after sending holds %q %v, want it emptied", left, err)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("the page logged errors: %q", errs)
	}
}

// watchConsole collects what the frame logs as errors (a refused
// Content-Security-Policy, a failed script) and returns a func reading
// them. Listening also keeps the frame's events flowing, which chromedp
// needs for later evaluations.
func watchConsole(t *testing.T, frame context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var errs []string
	if err := chromedp.Listen(frame, func(ev any) {
		if e, ok := ev.(*log.EventEntryAdded); ok && e.Entry.Level == log.EntryLevelError {
			mu.Lock()
			errs = append(errs, e.Entry.Text)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

func TestInboxEveryKindScreenshot(t *testing.T) {
	ctx := embedChromium(t)
	ws := startWhatsAppStack(t)
	dir := embedArtifacts(t)
	bg := context.Background()

	hello := ws.write(t, waemu.Inbound{Text: "Hoi! Ik zag de vacature voor heftruckchauffeur."})
	ws.waitStored(t, hello.ID)
	sent, err := ws.svc.Send(bg, ws.tenant, messaging.SendRequest{CandidateID: ws.cand.ID, SenderID: ws.user.ID,
		Body: "Leuk! Kun je je cv en rijbewijs sturen?"})
	if err != nil {
		t.Fatal(err)
	}
	var wamid string
	for deadline := time.Now().Add(10 * time.Second); wamid == ""; {
		m, err := ws.db.Message(bg, ws.tenant.ID, sent.ID)
		if err == nil && m.Status == recrubo.StatusRead {
			wamid = m.ProviderID
		}
		if time.Now().After(deadline) {
			t.Fatalf("the recruiter's message was not read: %+v %v", m, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ids := []string{
		ws.write(t, waemu.Inbound{Type: "reaction", ReactTo: wamid, Emoji: "👍"}).ID,
		ws.write(t, waemu.Inbound{Type: "image", Text: "Mijn rijbewijs", ReplyTo: wamid}).ID,
		ws.write(t, waemu.Inbound{Type: "document", Filename: "cv Sanne.pdf", Text: "En mijn cv", Content: cvPDF}).ID,
		ws.write(t, waemu.Inbound{Type: "audio"}).ID,
		ws.write(t, waemu.Inbound{Type: "video"}).ID,
		ws.write(t, waemu.Inbound{Type: "sticker"}).ID,
		ws.write(t, waemu.Inbound{Type: "location", Text: "Mijn huis", Address: "Stationsplein 1, Zwolle", Latitude: 52.5049, Longitude: 6.0916}).ID,
		ws.write(t, waemu.Inbound{Type: "contacts", Contacts: []waemu.InboundContact{{Name: "Pieter de Boer", Company: "Bouw BV",
			Phones: []string{"+31 6 11112222"}, Emails: []string{"pieter@example.nl"}}}}).ID,
		ws.write(t, waemu.Inbound{Type: "interactive", Interactive: "list_reply", Text: "Dinsdag 10:00", Description: "Kantoor Zwolle"}).ID,
		ws.write(t, waemu.Inbound{Type: "button", Text: "Ja, graag"}).ID,
		ws.write(t, waemu.Inbound{Type: "unsupported"}).ID,
	}
	ws.waitStored(t, ids[1:]...)

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(760, 1500)); err != nil {
		t.Fatal(err)
	}
	ws.open(t, ctx, ws.emuURL+"/record/candidate/"+ws.cand.ID+"?user="+ws.user.ID)
	frame := ws.frame(t, ctx)
	consoleErrors := watchConsole(t, frame)
	waitFrame(t, frame, `(() => { const i = document.querySelectorAll(".media-image img");
		return i.length === 2 && [...i].every(x => x.complete && x.naturalWidth > 0); })()`, 15*time.Second)
	got, err := chromedp.Run(frame, chromedp.Evaluate[string](`[
		document.querySelectorAll(".thread .message").length,
		document.querySelector(".reactions").closest(".message").querySelector(".text").textContent,
		document.querySelectorAll(".contact-card a").length,
		!!document.querySelector(".location a[href^='https://www.openstreetmap.org/']"),
		[...document.querySelectorAll(".reply-choice")].some((r) => r.parentElement.textContent.includes("Kantoor Zwolle")),
	].join("|")`))
	if want := "12|Leuk! Kun je je cv en rijbewijs sturen?|2|true|true"; err != nil || got != want {
		t.Errorf("thread = %q %v, want %q", got, err, want)
	}
	// The picture a recruiter sees, 760 pixels wide: first the inbox as
	// Carerix frames it, then the whole thread (the frame made as tall as
	// its content, the thread unscrolled).
	embedScreenshot(t, ctx, dir, "inbox-every-kind-760.png")
	height, err := chromedp.Run(frame, chromedp.Evaluate[int](`document.getElementById("thread").style.maxHeight = "none", document.documentElement.scrollHeight`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(760, int64(height+400))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById("recrubo").style.height = "%dpx", true`, height+20))); err != nil {
		t.Fatal(err)
	}
	embedScreenshot(t, ctx, dir, "inbox-every-kind-760-full.png")
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("the page logged errors: %q", errs)
	}
}
