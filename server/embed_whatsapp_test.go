package server

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// samplePNG is a small real PNG.
func samplePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// kindMessages gives the candidate's conversation one message of every
// kind, with its files stored, and returns them by a name.
func (f *embedFixture) kindMessages(t *testing.T) map[string]*recrubo.Message {
	t.Helper()
	ctx := context.Background()
	at := f.now.Add(-30 * time.Minute)
	ms := map[string]*recrubo.Message{}
	add := func(name string, m *recrubo.Message, file *recrubo.MediaFile) {
		m.Direction, m.Status = recrubo.Inbound, recrubo.StatusReceived
		m.ProviderID, m.CreatedAt = "wamid."+name, at
		at = at.Add(time.Second)
		ms[name] = f.addMessage(m)
		if file != nil {
			file.TenantID, file.MessageID = f.tenant.ID, m.ID
			if err := f.db.SaveMedia(ctx, file); err != nil {
				t.Fatal(err)
			}
		}
	}
	pngData := samplePNG(t)
	pdf := []byte("%PDF-1.4\n% cv\n")
	add("image", &recrubo.Message{Kind: recrubo.KindImage, Body: "Mijn rijbewijs", MediaType: "image",
		Content: recrubo.MessageContent{Media: &recrubo.MediaAttachment{ProviderID: "1", MimeType: "image/png", Caption: "Mijn rijbewijs"}}},
		&recrubo.MediaFile{ProviderID: "1", MimeType: "image/png", State: recrubo.MediaStored, Data: pngData, Size: int64(len(pngData))})
	add("document", &recrubo.Message{Kind: recrubo.KindDocument, Body: "cv.pdf", MediaType: "document",
		Content: recrubo.MessageContent{Media: &recrubo.MediaAttachment{ProviderID: "2", MimeType: "application/pdf", Filename: "cv sanne.pdf"}}},
		&recrubo.MediaFile{ProviderID: "2", MimeType: "application/pdf", Filename: "cv sanne.pdf", State: recrubo.MediaStored, Data: pdf, Size: int64(len(pdf))})
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`)
	add("svg", &recrubo.Message{Kind: recrubo.KindImage, MediaType: "image",
		Content: recrubo.MessageContent{Media: &recrubo.MediaAttachment{ProviderID: "3", MimeType: "image/svg+xml"}}},
		&recrubo.MediaFile{ProviderID: "3", MimeType: "image/svg+xml", Filename: "x.svg", State: recrubo.MediaStored, Data: svg, Size: int64(len(svg))})
	html := []byte(`<html><script>alert(1)</script></html>`)
	add("html", &recrubo.Message{Kind: recrubo.KindDocument, MediaType: "document",
		Content: recrubo.MessageContent{Media: &recrubo.MediaAttachment{ProviderID: "4", MimeType: "text/html", Filename: "../../evil.html"}}},
		&recrubo.MediaFile{ProviderID: "4", MimeType: "text/html", Filename: "../../evil.html", State: recrubo.MediaStored, Data: html, Size: int64(len(html))})
	add("audio", &recrubo.Message{Kind: recrubo.KindAudio, MediaType: "audio",
		Content: recrubo.MessageContent{Media: &recrubo.MediaAttachment{ProviderID: "5", MimeType: "audio/ogg; codecs=opus", Voice: true}}},
		&recrubo.MediaFile{ProviderID: "5", MimeType: "audio/ogg; codecs=opus", State: recrubo.MediaPending})
	add("video", &recrubo.Message{Kind: recrubo.KindVideo, MediaType: "video",
		Content: recrubo.MessageContent{Media: &recrubo.MediaAttachment{ProviderID: "6", MimeType: "video/mp4"}}},
		&recrubo.MediaFile{ProviderID: "6", MimeType: "video/mp4", State: recrubo.MediaTooLarge, Size: 40 << 20})
	add("location", &recrubo.Message{Kind: recrubo.KindLocation, Body: "Kantoor Damrak 1",
		Content: recrubo.MessageContent{Location: &recrubo.GeoLocation{Latitude: 52.3731, Longitude: 4.8926, Name: "Kantoor", Address: "Damrak 1, Amsterdam"}}}, nil)
	add("contacts", &recrubo.Message{Kind: recrubo.KindContacts, Body: "Pieter de Boer",
		Content: recrubo.MessageContent{Contacts: []recrubo.ContactCard{{Name: "Pieter de Boer", Organization: "Bouw BV",
			Phones: []recrubo.ContactPhone{{Phone: "+31 6 11112222", WaID: "31611112222", Type: "CELL"}}, Emails: []string{"pieter@example.nl"}}}}}, nil)
	add("list", &recrubo.Message{Kind: recrubo.KindInteractive, Body: "Dinsdag 10:00", ReplyTo: "wamid.document",
		Content: recrubo.MessageContent{Reply: &recrubo.ReplyChoice{Kind: "list_reply", ID: "slot-2", Title: "Dinsdag 10:00", Description: "Kantoor Amsterdam"}}}, nil)
	add("unsupported", &recrubo.Message{Kind: recrubo.KindUnsupported,
		Content: recrubo.MessageContent{Errors: []recrubo.ProviderError{{Code: 131051, Title: "Message type unknown"}}}}, nil)
	if _, err := f.db.SetReaction(ctx, &recrubo.Reaction{TenantID: f.tenant.ID, ConversationID: f.conv.ID, MessageProviderID: "wamid.1",
		Reactor: f.conv.Phone, Emoji: "👍", At: at}); err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestInboxShowsEveryKindOfMessage(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			f.startConversation(time.Hour)
			ms := f.kindMessages(t)
			_, doc := f.page(f.candidateURL("en"))
			msg := func(name string) *goquery.Selection { return doc.Find(`.thread li[data-id="` + ms[name].ID + `"]`) }

			img := msg("image").Find("img[data-media-src]")
			if img.Length() != 1 || img.AttrOr("data-media-src", "") != "/embed/acme/api/candidate/"+f.cand.ID+"/media/"+ms["image"].ID ||
				img.AttrOr("src", "") != "" {
				t.Errorf("image = %v %q: want an image the page fetches with its token", img.Length(), img.AttrOr("data-media-src", ""))
			}
			if got := msg("image").Find(".text").Text(); got != "Mijn rijbewijs" {
				t.Errorf("caption = %q", got)
			}
			doc1 := msg("document").Find("button[data-media-url]")
			if doc1.AttrOr("data-filename", "") != "cv sanne.pdf" || !strings.Contains(msg("document").Text(), "PDF") {
				t.Errorf("document = %q %q", doc1.AttrOr("data-filename", ""), msg("document").Text())
			}
			if msg("svg").Find("img").Length() != 0 || msg("svg").Find("button[data-media-url]").Length() != 1 {
				t.Error("an SVG is shown inline; it must be a download")
			}
			if msg("html").Find("button[data-media-url]").AttrOr("data-filename", "") != "evil.html" {
				t.Errorf("html file name = %q, want no path", msg("html").Find("button").AttrOr("data-filename", ""))
			}
			if got := strings.TrimSpace(msg("audio").Find(".media-pending").Text()); got != "🎤 Voice message downloading…" {
				t.Errorf("pending audio = %q", got)
			}
			if got := msg("video").Find(".media-too-large").Text(); !strings.Contains(got, "too large to keep (40.0 MB)") {
				t.Errorf("too large video = %q", got)
			}
			if a := msg("location").Find(".location a"); !strings.HasPrefix(a.AttrOr("href", ""), "https://www.openstreetmap.org/?mlat=52.37310&mlon=4.89260") ||
				!strings.Contains(msg("location").Text(), "Damrak 1, Amsterdam") {
				t.Errorf("location = %q %q", a.AttrOr("href", ""), msg("location").Text())
			}
			card := msg("contacts").Find(".contact-card")
			if !strings.Contains(card.Text(), "Pieter de Boer") || !strings.Contains(card.Text(), "Bouw BV") ||
				card.Find(`a[href="tel:+31611112222"]`).Length() != 1 || card.Find(`a[href="mailto:pieter@example.nl"]`).Length() != 1 {
				t.Errorf("contact card = %q", card.Text())
			}
			list := msg("list")
			if !strings.Contains(list.Find(".reply-choice").Text(), "Dinsdag 10:00") || !strings.Contains(list.Text(), "Kantoor Amsterdam") {
				t.Errorf("list reply = %q", list.Text())
			}
			if q := list.Find(".quote").Text(); !strings.Contains(q, "In reply to") || !strings.Contains(q, "cv.pdf") {
				t.Errorf("the reply does not quote the message it answers: %q", q)
			}
			if got := msg("unsupported").Text(); !strings.Contains(got, "cannot pass on (131051)") {
				t.Errorf("unsupported = %q", got)
			}
			// The reaction is on the recruiter's first message, not a message of its own.
			var reacted []string
			doc.Find(".thread li").Each(func(_ int, s *goquery.Selection) {
				if s.Find(".reactions").Length() > 0 {
					reacted = append(reacted, s.Find(".text").First().Text()+"="+strings.TrimSpace(s.Find(".reactions").Text()))
				}
			})
			if len(reacted) != 1 || reacted[0] != "Hoi Sanne, interesse in een baan?=Reactions: 👍" {
				t.Errorf("reactions = %q", reacted)
			}
		})
	}
}

func TestMediaIsServedOnlyToViewersOfTheConversationAndNeverInlineUnlessAPicture(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	ms := f.kindMessages(t)
	_, doc := f.page(f.candidateURL("en"))
	token := pageToken(t, doc)
	media := func(name string) string { return "/embed/acme/api/candidate/" + f.cand.ID + "/media/" + ms[name].ID }

	resp, body := f.api("GET", media("image"), token, "")
	if resp.StatusCode != 200 || body != string(samplePNG(t)) || resp.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline;") {
		t.Errorf("image: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	for _, h := range []struct{ name, want string }{
		{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "private, no-store"},
		{"Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'none'"},
	} {
		if got := resp.Header.Get(h.name); got != h.want {
			t.Errorf("%s = %q, want %q", h.name, got, h.want)
		}
	}
	for _, c := range []struct{ name, ctype, disposition string }{
		{"document", "application/pdf", `attachment; filename="cv sanne.pdf"; filename*=UTF-8''cv%20sanne.pdf`},
		{"svg", "application/octet-stream", `attachment; filename="x.svg"; filename*=UTF-8''x.svg`},
		{"html", "application/octet-stream", `attachment; filename="evil.html"; filename*=UTF-8''evil.html`},
	} {
		resp, _ := f.api("GET", media(c.name), token, "")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != c.ctype || resp.Header.Get("Content-Disposition") != c.disposition {
			t.Errorf("%s: %d %q %q; want %q %q", c.name, resp.StatusCode, resp.Header.Get("Content-Type"),
				resp.Header.Get("Content-Disposition"), c.ctype, c.disposition)
		}
	}
	if resp, _ := f.api("GET", media("audio"), token, ""); resp.StatusCode != 404 {
		t.Errorf("a file still downloading answered %d", resp.StatusCode)
	}
	if resp, _ := f.api("GET", media("image"), "", ""); resp.StatusCode != 401 {
		t.Errorf("without a token: %d", resp.StatusCode)
	}

	// Another candidate's inbox: its token does not open Sanne's files, and
	// its own route does not reach them either.
	other, err := f.emu.CreateEmployee(context.Background(), carerixemu.EmployeeFields{FirstName: carerixemu.Str("Piet"),
		LastName: carerixemu.Str("Bakker"), MobileNumber: carerixemu.Str("0687654321"), Status: carerixemu.Str("Actief")})
	if err != nil {
		t.Fatal(err)
	}
	f.syncCandidate(other)
	sanne := f.cand
	f.cand = other
	f.conv = &recrubo.Conversation{TenantID: f.tenant.ID, Channel: recrubo.ChannelWhatsApp, Phone: "+31687654321", CandidateID: other.ID,
		State: recrubo.ConversationOpen}
	if err := f.db.SaveConversation(context.Background(), f.conv); err != nil {
		t.Fatal(err)
	}
	_, otherDoc := f.page(f.candidateURL("en"))
	otherToken := pageToken(t, otherDoc)
	if resp, _ := f.api("GET", "/embed/acme/api/candidate/"+sanne.ID+"/media/"+ms["image"].ID, otherToken, ""); resp.StatusCode != 403 {
		t.Errorf("another candidate's token: %d, want 403", resp.StatusCode)
	}
	if resp, _ := f.api("GET", "/embed/acme/api/candidate/"+other.ID+"/media/"+ms["image"].ID, otherToken, ""); resp.StatusCode != 404 {
		t.Errorf("a file of another conversation through one's own route: %d, want 404", resp.StatusCode)
	}
}

func TestInboxSaysWhatKeepsItFromWriting(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	ctx := context.Background()

	// The tenant has no WhatsApp number.
	f.tenant.WhatsApp = recrubo.WhatsAppSettings{}
	if err := f.db.UpdateTenant(ctx, f.tenant); err != nil {
		t.Fatal(err)
	}
	_, doc := f.page(f.candidateURL("en"))
	if got := doc.Find(".conversation .notice strong").Text(); got != "WhatsApp is not connected." || doc.Find(".composer").Length() != 0 ||
		strings.Contains(doc.Text(), "No approved message templates") {
		t.Errorf("not connected: notice %q, %d composers", got, doc.Find(".composer").Length())
	}
	f.tenant.WhatsApp = recrubo.WhatsAppSettings{APIBaseURL: "http://127.0.0.1:1", PhoneNumberID: "1000", AccessToken: recrubo.NewSecret("wa-token")}
	if err := f.db.UpdateTenant(ctx, f.tenant); err != nil {
		t.Fatal(err)
	}

	// Only a landline, stored as the number before numbers were checked.
	land, err := f.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Vera"), LastName: carerixemu.Str("Vast"),
		PhoneNumber: carerixemu.Str("020-1234567"), Status: carerixemu.Str("Actief")})
	if err != nil {
		t.Fatal(err)
	}
	f.syncCandidate(land)
	sanne := f.cand
	f.cand = land
	_, doc = f.page(f.candidateURL("nl"))
	if got := doc.Find(".conversation .notice").Text(); !strings.Contains(got, "Geen bruikbaar mobiel nummer.") ||
		!strings.Contains(got, "(020-1234567) is een vast nummer") || doc.Find(".composer").Length() != 0 {
		t.Errorf("landline: %q, %d composers", got, doc.Find(".composer").Length())
	}
	f.cand = sanne

	// Outside the window: the approved template is offered, the paused one
	// is listed with why.
	if err := f.db.SaveTemplate(ctx, &recrubo.MessageTemplate{TenantID: f.tenant.ID, Name: "nieuwsbrief", Language: "nl",
		Category: recrubo.CategoryMarketing, Status: recrubo.TemplatePaused, Reason: "LOW_QUALITY", Body: "Nieuws"}); err != nil {
		t.Fatal(err)
	}
	f.startConversation(25 * time.Hour)
	_, doc = f.page(f.candidateURL("en"))
	if got := doc.Find(`select[name="template"] option`).Length(); got != 1 {
		t.Errorf("%d templates offered, want the approved one", got)
	}
	if got := doc.Find(".unavailable").Text(); !strings.Contains(got, "nieuwsbrief (nl): paused by WhatsApp (LOW_QUALITY)") {
		t.Errorf("unavailable templates = %q", got)
	}
	if got := doc.Find(`form[data-form="send-template"] .notice`).Text(); !strings.Contains(got, "has not written in the last 24 hours") {
		t.Errorf("window notice = %q", got)
	}
}

func TestComposerSendsAFileInsideTheWindow(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	_, doc := f.page(f.candidateURL("en"))
	token := pageToken(t, doc)
	post := func(name, ctype string, data []byte) (int, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("body", "Het contract")
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
		h.Set("Content-Type", ctype)
		part, _ := mw.CreatePart(h)
		_, _ = part.Write(data)
		_ = mw.Close()
		req := httptest.NewRequest("POST", "/embed/acme/api/candidate/"+f.cand.ID+"/send-file", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+token)
		resp, body := f.do(req)
		return resp.StatusCode, body
	}
	if code, body := post("contract.pdf", "application/pdf", []byte("<html>not a pdf")); code != 400 {
		t.Errorf("a file that is not what it says: %d %s", code, body)
	}
	code, body := post("contract.pdf", "application/pdf", []byte("%PDF-1.4 contract"))
	if code != 200 || !strings.Contains(body, `data-filename="contract.pdf"`) || !strings.Contains(body, "Het contract") {
		t.Fatalf("send file = %d %s", code, body)
	}
	msgs, err := f.db.Messages(context.Background(), f.tenant.ID, f.conv.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	last := msgs[len(msgs)-1]
	file, err := f.db.MediaFile(context.Background(), f.tenant.ID, last.ID, true)
	if err != nil || last.Kind != recrubo.KindDocument || last.Status != recrubo.StatusQueued || string(file.Data) != "%PDF-1.4 contract" {
		t.Errorf("stored %+v, file %+v %v", last, file, err)
	}
}
