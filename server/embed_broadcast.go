package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/templates"
)

// EmbedBroadcaster sends a template to a vacancy's matched candidates
// (messaging.Service).
type EmbedBroadcaster interface {
	PlanBroadcast(ctx context.Context, tenant *recrubo.Tenant, vacancyID, name, language string) ([]*recrubo.BroadcastRecipient, error)
	StartBroadcast(ctx context.Context, tenant *recrubo.Tenant, req messaging.BroadcastRequest) (*recrubo.Broadcast, error)
	Progress(ctx context.Context, tenantID, broadcastID string) (*messaging.BroadcastProgress, error)
	BroadcastRate() float64
}

// headerBroadcastState carries a broadcast's state with its progress, so
// the page stops polling when it is done.
const headerBroadcastState = "X-Broadcast-State"

// broadcastHistory is how many earlier broadcasts the page lists.
const broadcastHistory = 10

// broadcaster returns the broadcast API or EUNAVAILABLE.
func (s *Server) broadcaster() (EmbedBroadcaster, error) {
	if s.deps.Embeds.Broadcasts == nil {
		return nil, recrubo.E(recrubo.EUNAVAILABLE, "embed.error.messaging_unavailable")
	}
	return s.deps.Embeds.Broadcasts, nil
}

// broadcastLink is the vacancy page's link to its broadcast page, with
// the URL's proof; nothing on the overall dashboard.
func (p *embedPage) broadcastLink(c *fiber.Ctx, kind recrubo.EmbedKind) templates.HTML {
	if kind != recrubo.EmbedVacancy || p.s.deps.Embeds.Broadcasts == nil {
		return templates.HTML{}
	}
	href := strings.Replace(embedURL(c, nil), "?", "/broadcast?", 1)
	return p.partial("wa_broadcast_link", templates.Values{"href": href, "label": p.t("whatsapp.broadcast.link")})
}

// handleBroadcastPage serves the page that sends a template to the
// matched candidates of the vacancy it is framed on.
func (s *Server) handleBroadcastPage(c *fiber.Ctx) error {
	v, err := s.authenticateEmbed(c, recrubo.EmbedVacancy)
	if err != nil || v == nil {
		return err // nil: the sign-in page was sent
	}
	b, err := s.broadcaster()
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	d := s.deps.Embeds.Data
	vacancy := v.RecordID
	vac, err := d.Vacancy(ctx, v.Tenant.ID, v.RecordID)
	switch {
	case err == nil:
		vacancy = vac.Title
	case recrubo.ErrorCode(err) != recrubo.ENOTFOUND:
		return err
	}
	p := s.newEmbedPage(v.Lang, v.Tenant)
	vals, err := p.sessionValues(v)
	if err != nil {
		return err
	}
	heading := p.t("whatsapp.broadcast.heading", vacancy)
	vals["whatsappStylesheetURL"] = s.deps.Assets.URL("whatsapp.css")
	vals["broadcastURL"] = apiBase(v.Tenant) + "/vacancy/" + url.PathEscape(v.RecordID) + "/broadcasts"
	vals["sendingText"] = p.t("embed.sending")
	vals["heading"] = heading
	vals["backURL"] = strings.Replace(embedURL(c, nil), "/broadcast?", "?", 1)
	vals["backLabel"] = p.t("embed.dashboard")
	vals["intro"] = p.t("whatsapp.broadcast.intro", int(b.BroadcastRate()))
	ts, err := d.Templates(ctx, v.Tenant.ID)
	if err != nil {
		return err
	}
	plan, err := b.PlanBroadcast(ctx, v.Tenant, v.RecordID, "", "")
	if err != nil && recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		return err
	}
	var sample *recrubo.Candidate
	for _, r := range plan {
		if r.State != recrubo.RecipientPending {
			continue
		}
		if c, err := d.Candidate(ctx, v.Tenant.ID, r.CandidateID); err == nil {
			sample = c
			break
		}
	}
	vals["form"] = p.broadcastForm(ts, sample, vac)
	eligible := 0
	rows := make([]templates.HTML, 0, len(plan))
	for _, r := range plan {
		if r.State == recrubo.RecipientPending {
			eligible++
		}
		rows = append(rows, p.recipientRow(&recrubo.BroadcastResult{BroadcastRecipient: *r}, true))
	}
	vals["recipientsHeading"] = p.t("whatsapp.broadcast.title")
	if len(plan) == 0 {
		vals["recipientsText"] = p.t("whatsapp.broadcast.no_matches")
		vals["recipients"] = templates.HTML{}
	} else {
		vals["recipientsText"] = p.t("whatsapp.broadcast.count", eligible, len(plan))
		vals["recipients"] = p.resultsTable(rows)
	}
	earlier, err := d.VacancyBroadcasts(ctx, v.Tenant.ID, v.RecordID, broadcastHistory)
	if err != nil {
		return err
	}
	vals["historyHeading"] = p.t("whatsapp.broadcast.history")
	vals["history"] = p.partial("embed_empty_block", templates.Values{"text": p.t("whatsapp.broadcast.none_yet")})
	vals["progress"] = templates.HTML{}
	if len(earlier) > 0 {
		items := make([]templates.HTML, 0, len(earlier))
		for _, e := range earlier {
			items = append(items, p.partial("wa_broadcast_item", templates.Values{"title": e.TemplateName + " (" + e.TemplateLanguage + ")",
				"text": p.sentBy(ctx, e)}))
		}
		vals["history"] = p.partial("wa_broadcast_history", templates.Values{"items": templates.Join(items)})
		prog, err := b.Progress(ctx, v.Tenant.ID, earlier[0].ID)
		if err != nil {
			return err
		}
		vals["progress"] = p.progress(ctx, prog)
	}
	if p.err != nil {
		return p.err
	}
	return s.renderPage(c, fiber.StatusOK, "broadcast", p.lang, heading, vals, pageSecurity{FrameOrigins: v.Tenant.FrameOrigins})
}

// broadcastForm renders the template picker, or why there is none; its
// preview fills the values of sample, the first candidate to receive the
// broadcast (nil: none), and vac.
func (p *embedPage) broadcastForm(ts []*recrubo.MessageTemplate, sample *recrubo.Candidate, vac *recrubo.Vacancy) templates.HTML {
	if !p.tenant.WhatsApp.Enabled() {
		return p.notice("warning", p.t("whatsapp.not_connected_heading"), p.t("whatsapp.not_connected_text"))
	}
	label := p.t("embed.var.preview")
	if sample != nil {
		label = p.t("embed.var.preview_for", sample.FullName())
	}
	pk := p.templatePicker(ts, []string{"{first_name}", "{vacancy}"}, label)
	if pk.count == 0 {
		return templates.Join([]templates.HTML{p.notice("warning", p.t("whatsapp.broadcast.no_templates"), ""), p.unavailableTemplates(ts)})
	}
	v := templates.Values{"key": requestKey(), "picker": pk.html, "sendLabel": p.t("whatsapp.broadcast.send"),
		"firstName": "", "lastName": "", "name": "", "vacancy": "", "company": ""}
	if sample != nil {
		// The preview shows the message of the first candidate to receive it.
		v["firstName"], v["lastName"], v["name"] = sample.FirstName, strings.TrimSpace(sample.LastNamePrefix+" "+sample.LastName), sample.FullName()
	}
	if vac != nil {
		v["vacancy"], v["company"] = vac.Title, vac.CompanyName
	}
	return templates.Join([]templates.HTML{p.partial("wa_broadcast_form", v), p.unavailableTemplates(ts)})
}

// requestKey is a fresh key for a form, so sending it twice makes one
// broadcast.
func requestKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// sentBy says when and by whom a broadcast was sent, and how far it is.
func (p *embedPage) sentBy(ctx context.Context, b *recrubo.Broadcast) string {
	who := b.CreatedBy
	if r, err := p.s.deps.Embeds.Data.Recruiter(ctx, p.tenant.ID, b.CreatedBy); err == nil {
		who = r.FullName()
	}
	state := p.t("whatsapp.broadcast.running")
	if b.State == recrubo.BroadcastDone {
		state = p.t("whatsapp.broadcast.done")
	}
	return p.t("whatsapp.broadcast.sent_by", state, templates.FormatDateTimeZone(p.lang, b.CreatedAt, p.tenant.Location()), who)
}

// progress renders a broadcast's progress and result per candidate.
func (p *embedPage) progress(ctx context.Context, pr *messaging.BroadcastProgress) templates.HTML {
	b := pr.Broadcast
	rows := make([]templates.HTML, 0, len(pr.Results))
	for _, r := range pr.Results {
		rows = append(rows, p.recipientRow(r, false))
	}
	state := p.t("whatsapp.broadcast.running")
	if b.State == recrubo.BroadcastDone {
		state = p.t("whatsapp.broadcast.done")
	}
	handed := len(pr.Results) - pr.Pending - pr.Skipped
	return p.partial("wa_broadcast_progress", templates.Values{"id": b.ID, "state": string(b.State),
		"title": b.TemplateName + " (" + b.TemplateLanguage + ")", "sentBy": p.sentBy(ctx, b), "stateText": state,
		"progress":         p.t("whatsapp.broadcast.progress", handed, len(pr.Results)-pr.Skipped, pr.Delivered+pr.Read, pr.Failed, pr.Skipped),
		"candidateHeading": p.t("whatsapp.broadcast.candidate"), "resultHeading": p.t("whatsapp.broadcast.result"),
		"rows": templates.Join(rows)})
}

// resultsTable renders recipient rows in a table without a run.
func (p *embedPage) resultsTable(rows []templates.HTML) templates.HTML {
	return p.partial("wa_broadcast_plan", templates.Values{"candidateHeading": p.t("whatsapp.broadcast.candidate"),
		"resultHeading": p.t("whatsapp.broadcast.result"), "rows": templates.Join(rows)})
}

// recipientRow renders one candidate's outcome; plan rows say only who
// would be skipped.
func (p *embedPage) recipientRow(r *recrubo.BroadcastResult, plan bool) templates.HTML {
	class, result := "", ""
	switch {
	case r.State == recrubo.RecipientSkipped:
		class, result = "skipped", p.t("whatsapp.broadcast.skipped", p.t("whatsapp.broadcast."+r.Reason))
	case plan || r.State == recrubo.RecipientPending:
		result = p.t("whatsapp.broadcast.pending")
	case r.MessageStatus == recrubo.StatusFailed:
		class, result = "failed", p.failureText(r.FailCode, r.FailReason)
	case r.MessageStatus == recrubo.StatusQueued || r.MessageStatus == "":
		result = p.t("whatsapp.broadcast.queued")
	default:
		result = p.t("embed.status_" + string(r.MessageStatus))
	}
	name := r.Name
	if name == "" {
		name = r.CandidateID
	}
	return p.partial("wa_broadcast_row", templates.Values{"class": class, "name": name, "result": result})
}

// broadcastSession returns the session of a vacancy route whose token is
// for that very vacancy; any other token is EFORBIDDEN.
func broadcastSession(c *fiber.Ctx) (*embedSession, error) {
	ses := sessionOf(c)
	if ses.Claims.Kind != recrubo.EmbedVacancy || ses.Claims.RecordID != c.Params("id") {
		return nil, recrubo.E(recrubo.EFORBIDDEN, "error.forbidden")
	}
	return ses, nil
}

// handleBroadcastStart starts a broadcast and answers with its progress.
func (s *Server) handleBroadcastStart(c *fiber.Ctx) error {
	ses, err := broadcastSession(c)
	if err != nil {
		return err
	}
	b, err := s.broadcaster()
	if err != nil {
		return err
	}
	var body broadcastBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	name, lang, ok := strings.Cut(body.Template, "|")
	if !ok || name == "" || lang == "" {
		return recrubo.E(recrubo.EINVALID, "embed.error.choose_template")
	}
	bc, err := b.StartBroadcast(c.UserContext(), ses.Tenant, messaging.BroadcastRequest{VacancyID: ses.Claims.RecordID,
		SenderID: ses.Claims.Subject, RequestKey: ses.Claims.RecordID + ":" + body.Key,
		Template: messaging.Template{Name: name, Language: lang, Vars: body.Vars}})
	if err != nil {
		return err
	}
	return s.answerProgress(c, ses, bc.ID)
}

// handleBroadcastProgress answers a poll of a broadcast of the vacancy.
func (s *Server) handleBroadcastProgress(c *fiber.Ctx) error {
	ses, err := broadcastSession(c)
	if err != nil {
		return err
	}
	return s.answerProgress(c, ses, strings.Clone(c.Params("bid")))
}

func (s *Server) answerProgress(c *fiber.Ctx, ses *embedSession, id string) error {
	b, err := s.broadcaster()
	if err != nil {
		return err
	}
	pr, err := b.Progress(c.UserContext(), ses.Tenant.ID, id)
	if err != nil {
		return err
	}
	if pr.Broadcast.VacancyID != ses.Claims.RecordID {
		return recrubo.E(recrubo.ENOTFOUND, "whatsapp.msg.no_broadcast")
	}
	p := s.newEmbedPage(ses.Claims.Lang, ses.Tenant)
	h := p.progress(c.UserContext(), pr)
	if p.err != nil {
		return p.err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(headerBroadcastState, string(pr.Broadcast.State))
	c.Type("html", "utf-8")
	return c.SendString(h.String())
}
