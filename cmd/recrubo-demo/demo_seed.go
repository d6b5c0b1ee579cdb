package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

// demoTemplate is one message template of the demo, registered at the
// WhatsApp emulator (the provider); the service reads them from there.
type demoTemplate struct {
	name, lang, body string
	category         recrubo.TemplateCategory
	vars             int
}

var demoTemplates = []demoTemplate{
	{"vacature_match", "nl", "Hoi {{1}}, we hebben een vacature die bij je past: {{2}}. Interesse?", recrubo.CategoryMarketing, 2},
	{"intake_afspraak", "nl", "Hoi {{1}}, zullen we een intakegesprek plannen? Antwoord met een dag die je uitkomt.", recrubo.CategoryUtility, 1},
	{"vacancy_match", "en", "Hi {{1}}, we have a job that suits you: {{2}}. Interested?", recrubo.CategoryMarketing, 2},
}

// demoRates are the demo tenant's prices per conversation, in EUR.
var demoRates = map[recrubo.TemplateCategory]string{
	recrubo.CategoryMarketing:      "0.1186",
	recrubo.CategoryUtility:        "0.0519",
	recrubo.CategoryAuthentication: "0.0519",
	recrubo.CategoryService:        "0.0000",
}

func demoWhatsAppTemplates() []waemu.Template {
	out := make([]waemu.Template, 0, len(demoTemplates))
	for _, t := range demoTemplates {
		out = append(out, waemu.Template{Name: t.name, Language: t.lang, Category: strings.ToUpper(string(t.category)), Status: "APPROVED", Body: t.body})
	}
	return out
}

// demoSample is a candidate the demo's printed links point at: synced, with
// a mobile number and a conversation whose service window is open.
type demoSample struct {
	candidateID string
	phone       string
	// lastSent is the provider id of the recruiter's last message, for a
	// reaction.
	lastSent string
}

// demoCandidateReplies and demoRecruiterLines are the demo's chat lines.
var (
	demoCandidateReplies = []string{
		"Ja, dat klinkt goed!", "Wat is het uurloon?", "Kan ik ook parttime?", "Ik ben volgende week beschikbaar.",
		"Graag, bel me maar.", "Is het ver van Utrecht?", "Dank je, ik denk erover na.", "Top, stuur maar door 👍",
	}
	demoRecruiterLines = []string{
		"Leuk! Ik stuur je de details.", "Het uurloon is €17,50.", "Parttime kan, 24 uur per week.",
		"Zal ik je morgen om 10:00 bellen?", "Prima, ik zet je voor.",
	}
)

// seedDemoConversations gives the synced candidates with a mobile number a
// conversation history spread over the last 90 days, as if recruiters had
// used the inbox: template openers, replies, statuses, costs. The
// recruiters' messages of the past are written to the store (nothing is
// sent again); every candidate's message is sent through the WhatsApp
// emulator at its time in the past, so the service receives it as in
// production and the emulator knows whose service window is open.
func seedDemoConversations(ctx context.Context, st recrubo.Store, t *recrubo.Tenant, seed int64, wa *waemu.Server, out io.Writer) (demoSample, int, error) {
	var sample demoSample
	for cat, price := range demoRates {
		if err := st.SaveCostRate(ctx, &recrubo.CostRate{TenantID: t.ID, Category: cat, Price: decimal.RequireFromString(price)}); err != nil {
			return sample, 0, fmt.Errorf("saving the %s rate: %w", cat, err)
		}
	}
	vacancies, err := st.Vacancies(ctx, t.ID, recrubo.ListOptions{Limit: 50})
	if err != nil {
		return sample, 0, fmt.Errorf("listing vacancies: %w", err)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	now := time.Now()
	n := 0
	after := ""
	var inbound []waemu.Inbound
	for {
		page, err := st.Candidates(ctx, t.ID, recrubo.ListOptions{AfterID: after, Limit: 200})
		if err != nil {
			return sample, n, fmt.Errorf("listing candidates: %w", err)
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			after = c.ID
			if c.PhoneE164 == "" || rng.IntN(10) < 2 { // most, not all, candidates have been contacted
				continue
			}
			open := sample.candidateID == ""
			in, lastSent, err := seedDemoConversation(ctx, st, t, c, vacancies, rng, now, open)
			if err != nil {
				return sample, n, err
			}
			inbound = append(inbound, in...)
			if open {
				sample = demoSample{candidateID: c.ID, phone: c.PhoneE164, lastSent: lastSent}
			}
			n++
		}
	}
	if sample.candidateID == "" {
		return sample, n, fmt.Errorf("no synced candidate has a usable mobile number")
	}
	fmt.Fprintf(out, "  %d conversations; %d candidate messages through the WhatsApp emulator ...\n", n, len(inbound))
	for _, in := range inbound {
		if _, err := wa.SimulateInbound(in); err != nil {
			return sample, n, fmt.Errorf("a candidate writing through the WhatsApp emulator: %w", err)
		}
	}
	return sample, n, waitDemoInbound(ctx, st, t, wa, len(inbound))
}

// waitDemoInbound waits until the emulator delivered every webhook and
// the service processed the n messages.
func waitDemoInbound(ctx context.Context, st recrubo.Store, t *recrubo.Tenant, wa *waemu.Server, n int) error {
	if err := wa.WaitIdle(ctx); err != nil {
		return err
	}
	for {
		stats, err := st.EventStats(ctx, t.ID, recrubo.SourceWhatsApp)
		if err != nil {
			return err
		}
		if stats.Total >= int64(n) && stats.Unprocessed == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// seedDemoConversation writes one candidate's conversation: the
// recruiters' messages to the store, and returns the candidate's messages
// to send through the emulator, and the provider id of the last
// recruiter's message. open makes the last message a recent reply, so the
// service window is open.
func seedDemoConversation(ctx context.Context, st recrubo.Store, t *recrubo.Tenant, c *recrubo.Candidate, vacancies []*recrubo.Vacancy, rng *rand.Rand, now time.Time, open bool) ([]waemu.Inbound, string, error) {
	var inbound []waemu.Inbound
	lastSent := ""
	start := now.Add(-time.Duration(rng.IntN(90*24)) * time.Hour)
	if open {
		start = now.Add(-3 * time.Hour)
	}
	conv := &recrubo.Conversation{
		TenantID: t.ID, Channel: recrubo.ChannelWhatsApp, Phone: c.PhoneE164, CandidateID: c.ID,
		State: recrubo.ConversationOpen, AssigneeID: c.OwnerID, CreatedAt: start, UpdatedAt: start,
	}
	if rng.IntN(5) == 0 {
		conv.AssigneeID = ""
	}
	if err := st.SaveConversation(ctx, conv); err != nil {
		return nil, "", fmt.Errorf("saving a conversation: %w", err)
	}
	at := start
	add := func(m *recrubo.Message) error {
		m.TenantID, m.ConversationID, m.CreatedAt = t.ID, conv.ID, at
		if m.Direction == recrubo.Inbound {
			inbound = append(inbound, waemu.Inbound{From: strings.TrimPrefix(c.PhoneE164, "+"), ProfileName: c.FirstName,
				Text: m.Body, At: at})
			return nil
		}
		if m.Direction == recrubo.Outbound {
			m.ProviderID = "wamid.demo." + randomHex()
			m.SentAt = at.Add(2 * time.Second)
			m.Status = recrubo.StatusSent
			switch r := rng.IntN(20); {
			case r == 0:
				m.Status, m.FailedAt, m.FailCode, m.FailReason = recrubo.StatusFailed, at.Add(3*time.Second), "131026", "131026: Message undeliverable"
			case r < 8:
				m.Status, m.DeliveredAt = recrubo.StatusDelivered, at.Add(5*time.Second)
			default:
				m.Status, m.DeliveredAt, m.ReadAt = recrubo.StatusRead, at.Add(5*time.Second), at.Add(time.Duration(1+rng.IntN(90))*time.Minute)
			}
			conv.LastOutboundAt = at
			lastSent = m.ProviderID
		}
		conv.LastMessageAt, conv.LastMessagePreview = at, m.Body
		if _, err := st.AddMessage(ctx, m); err != nil {
			return fmt.Errorf("adding a message: %w", err)
		}
		return nil
	}

	// The recruiter opens with a template, billed as its category.
	dt := demoTemplates[rng.IntN(2)]
	vacancy := "Orderpicker"
	if len(vacancies) > 0 {
		vacancy = vacancies[rng.IntN(len(vacancies))].Title
	}
	vars := []string{c.FirstName, vacancy}[:dt.vars]
	body := dt.body
	for i, v := range vars {
		body = strings.ReplaceAll(body, fmt.Sprintf("{{%d}}", i+1), v)
	}
	if err := add(&recrubo.Message{Direction: recrubo.Outbound, SenderID: conv.AssigneeID, Body: body, Kind: recrubo.KindTemplate,
		TemplateName: dt.name, TemplateLanguage: dt.lang, TemplateVars: vars}); err != nil {
		return nil, "", err
	}
	price := decimal.RequireFromString(demoRates[dt.category])
	if err := st.AddCost(ctx, t.ID, conv.ID, dt.category, price, at.In(t.Location())); err != nil {
		return nil, "", fmt.Errorf("adding a cost: %w", err)
	}
	// Seven in ten candidates reply, some after minutes, some after days;
	// then a few lines back and forth. The open conversation's lines are
	// minutes apart, so its window is open now.
	if open || rng.IntN(10) < 7 {
		for turn := 0; turn < 1+rng.IntN(4); turn++ {
			reply, answer := time.Duration(5+rng.IntN(36*60))*time.Minute, time.Duration(2+rng.IntN(240))*time.Minute
			if open {
				reply, answer = 10*time.Minute, 5*time.Minute
			}
			if at = at.Add(reply); at.After(now) {
				break
			}
			if err := add(&recrubo.Message{Direction: recrubo.Inbound, Body: demoCandidateReplies[rng.IntN(len(demoCandidateReplies))]}); err != nil {
				return nil, "", err
			}
			if !open && rng.IntN(4) == 0 {
				break // awaiting the recruiter's reply
			}
			if at = at.Add(answer); at.After(now) {
				break
			}
			if err := add(&recrubo.Message{Direction: recrubo.Outbound, SenderID: conv.AssigneeID, Kind: recrubo.KindText,
				Body: demoRecruiterLines[rng.IntN(len(demoRecruiterLines))]}); err != nil {
				return nil, "", err
			}
		}
	}
	conv.UpdatedAt = at
	if err := st.SaveConversation(ctx, conv); err != nil {
		return nil, "", fmt.Errorf("saving a conversation: %w", err)
	}
	return inbound, lastSent, nil
}
