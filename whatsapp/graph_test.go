package whatsapp_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recrubo/recrubo-carerix/whatsapp"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

func TestPhoneNumberProvesTheToken(t *testing.T) {
	_, emu, client := setup(t, func(o *waemu.Options) {
		o.DisplayPhoneNumbers = map[string]string{testPhoneID: "31201234567"}
		o.VerifiedNames = map[string]string{testPhoneID: "Acme Uitzendbureau"}
	})
	got, err := client.PhoneNumber(t.Context())
	if err != nil {
		t.Fatalf("PhoneNumber: %v", err)
	}
	want := whatsapp.PhoneNumber{ID: testPhoneID, DisplayPhoneNumber: "31201234567", VerifiedName: "Acme Uitzendbureau", QualityRating: "GREEN"}
	if got != want {
		t.Errorf("PhoneNumber = %+v, want %+v", got, want)
	}

	_, err = newClient(t, emu.URL(), "wrong-token").PhoneNumber(t.Context())
	var apiErr *whatsapp.APIError
	if !errors.As(err, &apiErr) || !apiErr.IsAuth() {
		t.Errorf("wrong token: err = %v, want an auth error", err)
	}
}

func TestMessageTemplatesFollowsEveryPage(t *testing.T) {
	var tpls []waemu.Template
	for i := range 7 {
		tpls = append(tpls, waemu.Template{Name: "sjabloon_" + strconv.Itoa(i), Language: "nl", Category: waemu.CategoryUtility,
			Status: waemu.TemplateApproved, Body: "Hoi {{1}}, nummer " + strconv.Itoa(i)})
	}
	tpls[2].Status, tpls[2].Reason = waemu.TemplateRejected, "INVALID_FORMAT"
	tpls[3].Status = waemu.TemplatePaused
	tpls[4] = waemu.Template{Name: "sjabloon_4", Language: "en_US", Category: waemu.CategoryMarketing, Status: waemu.TemplatePending,
		Header: "Nieuw voor {{1}}", Body: "Hoi {{1}}, kijk {{2}}", Footer: "Acme", Buttons: []string{"Ja", "Nee"},
		URLButton: &waemu.TemplateURLButton{Text: "Bekijk", URL: "https://acme.example/jobs"}, Examples: []string{"Sanne", "Piet", "hier"}}
	_, _, client := setup(t, func(o *waemu.Options) { o.Templates = tpls })

	got, err := client.MessageTemplates(t.Context(), waemu.DefaultBusinessAccountID, 3)
	if err != nil {
		t.Fatalf("MessageTemplates: %v", err)
	}
	if len(got) != 7 {
		t.Fatalf("%d templates over the pages, want 7: %+v", len(got), got)
	}
	statuses := map[string]string{}
	for _, tp := range got {
		statuses[tp.Name] = tp.Status
		if tp.ID == "" || tp.Language == "" {
			t.Errorf("template %+v lacks id or language", tp)
		}
	}
	if statuses["sjabloon_2"] != "REJECTED" || statuses["sjabloon_3"] != "PAUSED" || statuses["sjabloon_4"] != "PENDING" {
		t.Errorf("statuses = %v", statuses)
	}
	var rich whatsapp.MessageTemplate
	for _, tp := range got {
		if tp.Name == "sjabloon_4" {
			rich = tp
		}
		if tp.Name == "sjabloon_2" && tp.RejectedReason != "INVALID_FORMAT" {
			t.Errorf("rejected reason = %q", tp.RejectedReason)
		}
	}
	want := []whatsapp.TemplateComponent{
		{Type: "HEADER", Format: "TEXT", Text: "Nieuw voor {{1}}", Example: &whatsapp.TemplateExample{HeaderText: []string{"Sanne"}}},
		{Type: "BODY", Text: "Hoi {{1}}, kijk {{2}}", Example: &whatsapp.TemplateExample{BodyText: [][]string{{"Piet", "hier"}}}},
		{Type: "FOOTER", Text: "Acme"},
		{Type: "BUTTONS", Buttons: []whatsapp.TemplateButton{{Type: "QUICK_REPLY", Text: "Ja"}, {Type: "QUICK_REPLY", Text: "Nee"},
			{Type: "URL", Text: "Bekijk", URL: "https://acme.example/jobs"}}},
	}
	if diff := cmp.Diff(want, rich.Components); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}

	if _, err := client.MessageTemplates(t.Context(), "999", 0); err == nil {
		t.Error("another business account's templates were listed")
	}
}

func TestTemplateStatusChangeArrivesAsWebhook(t *testing.T) {
	rc, emu, _ := setup(t, func(o *waemu.Options) {
		o.Templates = []waemu.Template{{Name: "intake", Language: "nl", Category: waemu.CategoryUtility, Status: waemu.TemplateApproved, Body: "Hoi"}}
	})
	if err := emu.SetTemplateStatus(waemu.TemplateStatusChange{Name: "intake", Language: "nl", Status: "paused", Reason: "LOW_QUALITY"}); err != nil {
		t.Fatal(err)
	}
	if err := emu.SimulateError(waemu.ValueError{Code: 131031, Title: "Business Account locked", Details: "Your account is locked."}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, emu)
	var updates []whatsapp.TemplateStatusUpdate
	var valueErrs []whatsapp.ValueError
	rc.mu.Lock()
	for _, n := range rc.notifications {
		updates = append(updates, n.TemplateUpdates...)
		valueErrs = append(valueErrs, n.Errors...)
	}
	rc.mu.Unlock()
	if len(updates) != 1 || updates[0].Name != "intake" || updates[0].Language != "nl" || updates[0].Event != "PAUSED" ||
		updates[0].Reason != "LOW_QUALITY" || updates[0].TemplateID != emu.Templates()[0].ID || updates[0].BusinessAccountID != waemu.DefaultBusinessAccountID {
		t.Errorf("template updates = %+v", updates)
	}
	if len(valueErrs) != 1 || valueErrs[0].Code != 131031 || valueErrs[0].Details != "Your account is locked." || valueErrs[0].PhoneNumberID != testPhoneID {
		t.Errorf("value-level errors = %+v", valueErrs)
	}
}

func TestInboundMediaDownloadsWithTheTokenWhileTheURLLives(t *testing.T) {
	clock := &fakeClock{now: time.Now().UTC()}
	rc, emu, client := setup(t, func(o *waemu.Options) { o.Now = clock.Now })
	content := []byte("%PDF-1.4 cv van Sanne")
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, Type: "document", Filename: "cv.pdf", Content: content}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, emu)
	msgs := rc.messages()
	if len(msgs) != 1 || msgs[0].Media == nil {
		t.Fatalf("messages = %+v", msgs)
	}
	info, err := client.MediaInfo(t.Context(), msgs[0].Media.ID)
	if err != nil {
		t.Fatalf("MediaInfo: %v", err)
	}
	if info.MimeType != "application/pdf" || info.FileSize != int64(len(content)) || len(info.SHA256) != 64 {
		t.Errorf("info = %+v", info)
	}
	got, err := client.DownloadMedia(t.Context(), info, 1<<20)
	if err != nil {
		t.Fatalf("DownloadMedia: %v", err)
	}
	if !bytes.Equal(got.Data, content) || got.ContentType != "application/pdf" {
		t.Errorf("downloaded %q as %q", got.Data, got.ContentType)
	}

	if _, err := client.DownloadMedia(t.Context(), info, 10); !errors.Is(err, whatsapp.ErrMediaTooLarge) {
		t.Errorf("over the limit: err = %v, want ErrMediaTooLarge", err)
	}
	stranger := newClient(t, emu.URL(), "not-the-token")
	var apiErr *whatsapp.APIError
	if _, err := stranger.DownloadMedia(t.Context(), info, 1<<20); !errors.As(err, &apiErr) || !apiErr.IsAuth() {
		t.Errorf("without the token: err = %v, want an auth error", err)
	}
	tampered := info
	tampered.SHA256 = strings.Repeat("0", 64)
	if _, err := client.DownloadMedia(t.Context(), tampered, 1<<20); !errors.Is(err, whatsapp.ErrMediaChecksum) {
		t.Errorf("wrong checksum: err = %v, want ErrMediaChecksum", err)
	}

	clock.Advance(waemu.DefaultMediaURLTTL + time.Second)
	if _, err := client.DownloadMedia(t.Context(), info, 1<<20); !errors.As(err, &apiErr) || apiErr.HTTPStatus != 404 {
		t.Errorf("expired URL: err = %v, want HTTP 404", err)
	}
	fresh, err := client.MediaInfo(t.Context(), msgs[0].Media.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := client.DownloadMedia(t.Context(), fresh, 1<<20); err != nil || !bytes.Equal(got.Data, content) {
		t.Errorf("fresh URL: %q %v", got.Data, err)
	}
}

func TestUploadedMediaIsSentInsideTheWindowOnly(t *testing.T) {
	rc, emu, client := setup(t, nil)
	id, err := client.UploadMedia(t.Context(), "application/pdf", "vacature.pdf", []byte("%PDF-1.4 vacature"))
	if err != nil {
		t.Fatalf("UploadMedia: %v", err)
	}
	outside, err := client.SendMedia(t.Context(), "+"+candidate, whatsapp.MediaMessage{Kind: "document", MediaID: id, Filename: "vacature.pdf"}, "m1:1")
	if err != nil {
		t.Fatalf("SendMedia: %v", err)
	}
	if _, err := emu.SimulateInbound(waemu.Inbound{From: candidate, Text: "Stuur maar"}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, emu)
	inside, err := client.SendMedia(t.Context(), "+"+candidate, whatsapp.MediaMessage{Kind: "image", MediaID: id, Caption: "Kijk"}, "m2:1")
	if err != nil {
		t.Fatalf("SendMedia: %v", err)
	}
	waitIdle(t, emu)
	if sts := rc.statuses(outside.MessageID); len(sts) != 1 || sts[0].Status != whatsapp.StatusFailed || sts[0].Errors[0].Code != 131047 {
		t.Errorf("outside the window: %+v", sts)
	}
	if got := statusNames(rc.statuses(inside.MessageID)); len(got) == 0 || got[0] != whatsapp.StatusSent {
		t.Errorf("inside the window: %v", got)
	}
	if _, err := client.SendMedia(t.Context(), "+"+candidate, whatsapp.MediaMessage{Kind: "image", MediaID: "12345"}, ""); err == nil {
		t.Error("an unknown media id was sent")
	}
}

func TestEveryInboundKindArrivesWhole(t *testing.T) {
	rc, emu, _ := setup(t, nil)
	past := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
	ins := []waemu.Inbound{
		{From: candidate, Type: "contacts", Contacts: []waemu.InboundContact{{Name: "Pieter de Boer", Company: "Bouw BV", Phones: []string{"+31 6 12345678", "020-1234567"}, Emails: []string{"p@example.nl"}}}},
		{From: candidate, Type: "interactive", Interactive: "list_reply", ReplyID: "slot-2", Text: "Dinsdag 10:00", Description: "Kantoor Amsterdam"},
		{From: candidate, Type: "reaction", ReactTo: "wamid.x", Emoji: "👍"},
		{From: candidate, Type: "reaction", ReactTo: "wamid.x"},
		{From: candidate, Type: "location", Text: "Kantoor", Address: "Damrak 1", URL: "https://acme.example"},
		{From: candidate, Type: "unsupported"},
		{From: candidate, Type: "sticker"},
		{From: candidate, Text: "Eerder", At: past},
	}
	for _, in := range ins {
		if _, err := emu.SimulateInbound(in); err != nil {
			t.Fatalf("SimulateInbound(%s): %v", in.Type, err)
		}
	}
	waitIdle(t, emu)
	byType := map[string][]whatsapp.InboundMessage{}
	for _, m := range rc.messages() {
		byType[m.Type] = append(byType[m.Type], m)
	}
	if c := byType["contacts"]; len(c) != 1 || len(c[0].Contacts) != 1 || c[0].Contacts[0].Name() != "Pieter de Boer" ||
		len(c[0].Contacts[0].Phones) != 2 || c[0].Contacts[0].Phones[0].WaID != "31612345678" || c[0].Contacts[0].Organization != "Bouw BV" {
		t.Errorf("contacts = %+v", c)
	}
	if r := byType["interactive"]; len(r) != 1 || r[0].Reply == nil || r[0].Reply.Kind != "list_reply" || r[0].Reply.Description != "Kantoor Amsterdam" || r[0].Reply.ID != "slot-2" {
		t.Errorf("list reply = %+v", r)
	}
	reactions := byType["reaction"]
	if len(reactions) != 2 {
		t.Fatalf("reactions = %+v", reactions)
	}
	emojis := map[string]bool{}
	for _, r := range reactions {
		emojis[r.Reaction.Emoji] = true
		if r.Reaction.MessageID != "wamid.x" {
			t.Errorf("reaction on %q", r.Reaction.MessageID)
		}
	}
	if !emojis["👍"] || !emojis[""] {
		t.Errorf("reaction emojis = %v, want one and a removal", emojis)
	}
	if l := byType["location"]; len(l) != 1 || l[0].Location.URL != "https://acme.example" || l[0].Location.Address != "Damrak 1" {
		t.Errorf("location = %+v", l)
	}
	if u := byType["unsupported"]; len(u) != 1 || len(u[0].Errors) != 1 || u[0].Errors[0].Code != 131051 {
		t.Errorf("unsupported = %+v", u)
	}
	if s := byType["sticker"]; len(s) != 1 || s[0].Media == nil || s[0].Media.MimeType != "image/webp" {
		t.Errorf("sticker = %+v", s)
	}
	if txt := byType["text"]; len(txt) != 1 || !txt[0].Timestamp.Equal(past) {
		t.Errorf("text sent in the past = %+v", txt)
	}
}
