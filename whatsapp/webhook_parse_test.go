package whatsapp_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/recrubo/recrubo-carerix/whatsapp"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading fixture: %v", err)
	}
	return b
}

func TestParseWebhookStatuses(t *testing.T) {
	n, err := whatsapp.ParseWebhook(readFixture(t, "statuses.json"))
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}
	want := []whatsapp.StatusUpdate{
		{
			MessageID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDNUQyMDlFRUQ5RjJCMEQ1MTEA", Status: whatsapp.StatusSent,
			Timestamp: time.Unix(1750263773, 0).UTC(), RecipientID: "31612345678",
			ConversationID: "3a9a7b1ff0a1d2e8c1b2d3e4f5a6b7c8", ConversationOrigin: "service",
			Category: "service", PricingModel: "PMP", Billable: false, BizOpaqueCallbackData: "msg-0001",
			PhoneNumberID: "106540352242922", BusinessAccountID: "102290129340398",
		},
		{
			MessageID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDNUQyMDlFRUQ5RjJCMEQ1MTEA", Status: whatsapp.StatusDelivered,
			Timestamp: time.Unix(1750263774, 0).UTC(), RecipientID: "31612345678",
			ConversationID: "3a9a7b1ff0a1d2e8c1b2d3e4f5a6b7c8", ConversationOrigin: "service",
			Category: "service", PricingModel: "PMP", BizOpaqueCallbackData: "msg-0001",
			PhoneNumberID: "106540352242922", BusinessAccountID: "102290129340398",
		},
		{
			MessageID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA", Status: whatsapp.StatusFailed,
			Timestamp: time.Unix(1750263780, 0).UTC(), RecipientID: "31687654321", BizOpaqueCallbackData: "msg-0002",
			Errors: []whatsapp.StatusError{{
				Code: 131047, Title: "Re-engagement message", Message: "Re-engagement message",
				Details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
			}},
			PhoneNumberID: "106540352242922", BusinessAccountID: "102290129340398",
		},
	}
	if diff := cmp.Diff(want, n.Statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if len(n.Messages) != 0 {
		t.Errorf("got %d messages, want 0", len(n.Messages))
	}
	if got := n.Statuses[2].FailureReason(); !strings.HasPrefix(got, "131047: Message failed to send because more than 24 hours") {
		t.Errorf("FailureReason = %q", got)
	}
}

func TestParseWebhookTextMessage(t *testing.T) {
	n, err := whatsapp.ParseWebhook(readFixture(t, "text_message.json"))
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}
	want := []whatsapp.InboundMessage{{
		ID:                 "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUI0QjhFNUE5QzBEMTJFRjM0NQA=",
		From:               "31612345678",
		ProfileName:        "Sanne de Vries",
		Timestamp:          time.Unix(1750263800, 0).UTC(),
		Type:               "text",
		Text:               "Ja, dinsdag om 10 uur past mij goed.",
		Context:            "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDNUQyMDlFRUQ5RjJCMEQ1MTEA",
		PhoneNumberID:      "106540352242922",
		DisplayPhoneNumber: "15550783881",
		BusinessAccountID:  "102290129340398",
	}}
	if diff := cmp.Diff(want, n.Messages); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

func TestParseWebhookMediaAndOtherTypesArePlaceholders(t *testing.T) {
	n, err := whatsapp.ParseWebhook(readFixture(t, "media_messages.json"))
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}
	type row struct {
		Type, Text, Summary string
		Media               *whatsapp.Media
		HasLocation         bool
		Errors              int
	}
	var got []row
	for _, m := range n.Messages {
		if m.ProfileName != "Jeroen" || m.From != "31611111111" {
			t.Errorf("message %s: profile %q from %q", m.ID, m.ProfileName, m.From)
		}
		got = append(got, row{m.Type, m.Text, m.Summary(), m.Media, m.Location != nil, len(m.Errors)})
	}
	want := []row{
		{Type: "image", Summary: "[image] Mijn rijbewijs", Media: &whatsapp.Media{ID: "1001", MimeType: "image/jpeg", SHA256: "c2hh", Caption: "Mijn rijbewijs"}},
		{Type: "document", Summary: "[document] cv-jeroen.pdf CV", Media: &whatsapp.Media{ID: "1002", MimeType: "application/pdf", SHA256: "c2hh", Caption: "CV", Filename: "cv-jeroen.pdf"}},
		{Type: "audio", Summary: "[audio]", Media: &whatsapp.Media{ID: "1003", MimeType: "audio/ogg; codecs=opus", SHA256: "c2hh", Voice: true}},
		{Type: "video", Summary: "[video]", Media: &whatsapp.Media{ID: "1004", MimeType: "video/mp4", SHA256: "c2hh"}},
		{Type: "sticker", Summary: "[sticker]", Media: &whatsapp.Media{ID: "1005", MimeType: "image/webp", SHA256: "c2hh"}},
		{Type: "location", Text: "Kantoor Damrak 1, Amsterdam", Summary: "[location] Kantoor Damrak 1, Amsterdam", HasLocation: true},
		{Type: "button", Text: "Ja, ik kom", Summary: "[button] Ja, ik kom"},
		{Type: "interactive", Text: "Dinsdag 10:00", Summary: "[interactive] Dinsdag 10:00 (Kantoor Amsterdam)"},
		{Type: "reaction", Text: "👍", Summary: "[reaction] 👍"},
		{Type: "unsupported", Summary: "[unsupported]", Errors: 1},
		{Type: "hologram", Summary: "[hologram]"},
		{Type: "contacts", Text: "Pieter de Boer", Summary: "[contacts] Pieter de Boer"},
		{Type: "reaction", Summary: "[reaction]"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if n.Messages[6].Context != "wamid.template1" {
		t.Errorf("button reply context = %q", n.Messages[6].Context)
	}
	if n.Messages[9].Errors[0].Code != 131051 {
		t.Errorf("unsupported error code = %d", n.Messages[9].Errors[0].Code)
	}
	if diff := cmp.Diff([]string{"account_update"}, n.OtherFields); diff != "" {
		t.Errorf("OtherFields (-want +got):\n%s", diff)
	}
}

func TestParseWebhookKeepsEveryKindWhole(t *testing.T) {
	n, err := whatsapp.ParseWebhook(readFixture(t, "media_messages.json"))
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}
	byID := map[string]whatsapp.InboundMessage{}
	for _, m := range n.Messages {
		byID[m.ID] = m
	}
	wantContacts := []whatsapp.Contact{{
		FormattedName: "Pieter de Boer", FirstName: "Pieter", LastName: "de Boer", Organization: "Bouw BV, Uitvoerder",
		Phones: []whatsapp.ContactPhone{{Phone: "+31 6 12345678", WaID: "31612345678", Type: "CELL"}, {Phone: "020-1234567", Type: "WORK"}},
		Emails: []string{"pieter@example.nl"},
	}}
	if diff := cmp.Diff(wantContacts, byID["wamid.contacts1"].Contacts); diff != "" {
		t.Errorf("contacts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&whatsapp.Reply{Kind: "list_reply", ID: "slot-2", Title: "Dinsdag 10:00", Description: "Kantoor Amsterdam"},
		byID["wamid.interactive1"].Reply); diff != "" {
		t.Errorf("list reply (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&whatsapp.Reply{Kind: "button", Title: "Ja, ik kom", Payload: "accept"}, byID["wamid.button1"].Reply); diff != "" {
		t.Errorf("button reply (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&whatsapp.Reaction{MessageID: "wamid.template1", Emoji: "👍"}, byID["wamid.reaction1"].Reaction); diff != "" {
		t.Errorf("reaction (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&whatsapp.Reaction{MessageID: "wamid.template1"}, byID["wamid.reaction2"].Reaction); diff != "" {
		t.Errorf("removed reaction (-want +got):\n%s", diff)
	}
	if a := byID["wamid.audio1"].Media; a == nil || !a.Voice {
		t.Errorf("voice note = %+v", a)
	}
	at := time.Unix(1750263900, 0).UTC()
	wantTpl := []whatsapp.TemplateStatusUpdate{{BusinessAccountID: "102290129340398", TemplateID: "12345", Name: "interview_invite",
		Language: "nl", Event: "APPROVED", Reason: "NONE", Category: "UTILITY", Time: at}}
	if diff := cmp.Diff(wantTpl, n.TemplateUpdates); diff != "" {
		t.Errorf("template updates (-want +got):\n%s", diff)
	}
	wantErrs := []whatsapp.ValueError{{StatusError: whatsapp.StatusError{Code: 131031, Title: "Business Account locked",
		Message: "Business Account locked", Details: "Your account is locked."},
		PhoneNumberID: "106540352242922", BusinessAccountID: "102290129340398", Time: at}}
	if diff := cmp.Diff(wantErrs, n.Errors); diff != "" {
		t.Errorf("value-level errors (-want +got):\n%s", diff)
	}
}

func TestParseWebhookRefuses(t *testing.T) {
	valid := string(readFixture(t, "text_message.json"))
	tests := []struct {
		name    string
		body    string
		wantErr error
		msg     string
	}{
		{"NotJSON", `{"object":`, whatsapp.ErrInvalidWebhook, ""},
		{"UnknownObject", `{"object":"page","entry":[{"id":"1","changes":[]}]}`, whatsapp.ErrUnknownObject, "unknown object"},
		{"NoEntries", `{"object":"whatsapp_business_account","entry":[]}`, whatsapp.ErrInvalidWebhook, "no entries"},
		{"EntryWithoutID", strings.Replace(valid, `"id": "102290129340398"`, `"id": ""`, 1), whatsapp.ErrInvalidWebhook, "entry[0].id: missing"},
		{"NoChanges", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}`, whatsapp.ErrInvalidWebhook, "no changes"},
		{"ChangeWithoutField", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{}}]}]}`, whatsapp.ErrInvalidWebhook, "missing field"},
		{"ValueNotObject", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":[]}]}]}`, whatsapp.ErrInvalidWebhook, "not an object"},
		{"NoPhoneNumberID", strings.Replace(valid, `"phone_number_id": "106540352242922"`, `"phone_number_id": ""`, 1), whatsapp.ErrInvalidWebhook, "phone_number_id: missing"},
		{"OtherProduct", strings.Replace(valid, `"messaging_product": "whatsapp"`, `"messaging_product": "instagram"`, 1), whatsapp.ErrInvalidWebhook, "messaging_product"},
		{"MessageWithoutID", strings.Replace(valid, `"id": "wamid.HBgLMzE2`, `"id": "", "x": "`, 1), whatsapp.ErrInvalidWebhook, "messages[0].id: missing"},
		{"MessageWithoutFrom", strings.Replace(valid, `"from": "31612345678"`, `"from": ""`, 1), whatsapp.ErrInvalidWebhook, ".from: missing"},
		{"MessageWithoutType", strings.Replace(valid, `"type": "text"`, `"type": ""`, 1), whatsapp.ErrInvalidWebhook, ".type: missing"},
		{"MessageBadTimestamp", strings.Replace(valid, `"timestamp": "1750263800"`, `"timestamp": "yesterday"`, 1), whatsapp.ErrInvalidWebhook, "timestamp"},
		{"MessageAncientTimestamp", strings.Replace(valid, `"timestamp": "1750263800"`, `"timestamp": "12"`, 1), whatsapp.ErrInvalidWebhook, "timestamp"},
		{"MessageWithoutTimestamp", strings.Replace(valid, `"timestamp": "1750263800",`, ``, 1), whatsapp.ErrInvalidWebhook, ".timestamp: missing"},
		{"StatusWithoutID", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"2"},"statuses":[{"status":"sent","timestamp":"1750263773"}]}}]}]}`, whatsapp.ErrInvalidWebhook, "statuses[0].id: missing"},
		{"StatusWithoutStatus", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"2"},"statuses":[{"id":"wamid.x","timestamp":"1750263773"}]}}]}]}`, whatsapp.ErrInvalidWebhook, ".status: missing"},
		{"IDTooLong", strings.Replace(valid, `"from": "31612345678"`, `"from": "`+strings.Repeat("9", 600)+`"`, 1), whatsapp.ErrInvalidWebhook, "longer than"},
		{"TooBig", `{"object":"whatsapp_business_account","pad":"` + strings.Repeat("x", whatsapp.MaxWebhookBodyBytes) + `"}`, whatsapp.ErrInvalidWebhook, "limit"},
		{"TooManyItems", tooManyStatuses(whatsapp.MaxWebhookItems), whatsapp.ErrInvalidWebhook, "items"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := whatsapp.ParseWebhook([]byte(tc.body))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %q, want it to mention %q", err, tc.msg)
			}
			if len(n.Messages)+len(n.Statuses) != 0 {
				t.Errorf("refused payload returned %d items", len(n.Messages)+len(n.Statuses))
			}
		})
	}
}

func TestParseWebhookToleratesUnknownFields(t *testing.T) {
	body := `{"object":"whatsapp_business_account","new_top":1,"entry":[{"id":"1","time":1750263773,"changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"phone_number_id":"2","new_meta":true},
		"statuses":[{"id":"wamid.x","status":"sent","timestamp":1750263773,"recipient_id":"31612345678","new_status_field":{"a":[1,2]},
		"pricing":{"billable":true,"pricing_model":"PMP","category":"utility","type":"regular"}}]}}]}]}`
	n, err := whatsapp.ParseWebhook([]byte(body))
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}
	if len(n.Statuses) != 1 || n.Statuses[0].Category != "utility" || !n.Statuses[0].Billable {
		t.Fatalf("statuses = %+v", n.Statuses)
	}
	if got, want := n.Statuses[0].Timestamp, time.Unix(1750263773, 0).UTC(); !got.Equal(want) {
		t.Errorf("numeric timestamp parsed as %v, want %v", got, want)
	}
}

func TestParseWebhookKeepsUnknownStatusValue(t *testing.T) {
	body := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
		"metadata":{"phone_number_id":"2"},"statuses":[{"id":"wamid.x","status":"played","timestamp":"1750263773"}]}}]}]}`
	n, err := whatsapp.ParseWebhook([]byte(body))
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}
	if got := n.Statuses[0].Status; got != "played" {
		t.Fatalf("status = %q, want played", got)
	}
	if got, changed := whatsapp.Advance(whatsapp.StatusDelivered, n.Statuses[0].Status); changed || got != whatsapp.StatusDelivered {
		t.Errorf("Advance(delivered, played) = %q, %v; want delivered, false", got, changed)
	}
}

func tooManyStatuses(n int) string {
	var b strings.Builder
	b.WriteString(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"2"},"statuses":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":"wamid.x","status":"sent","timestamp":"1750263773"}`)
	}
	b.WriteString(`]}}]}]}`)
	return b.String()
}
