package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/templates"
)

// headerConversationState carries the conversation's state (open or
// closed) with every thread response.
const headerConversationState = "X-Conversation-State"

// defaultThreadPage is EmbedDeps.ThreadPage's default.
const defaultThreadPage = 30

// threadPage is how many messages the thread shows at first, and how many
// older ones each "Older messages" adds.
func (s *Server) threadPage() int {
	if n := s.deps.Embeds.ThreadPage; n > 0 {
		return n
	}
	return defaultThreadPage
}

// inboxData is everything the inbox of one candidate shows.
type inboxData struct {
	Candidate *recrubo.Candidate // nil when not synced
	Conv      *recrubo.Conversation
	Messages  []*recrubo.Message
	// More is set when older messages than Messages exist.
	More     bool
	OptedOut bool
	// Mobile is set when the candidate has a number WhatsApp reaches.
	Mobile    bool
	Matches   []*recrubo.Match
	Vacancies map[string]*recrubo.Vacancy
	// UnsyncedMatches counts the candidate's matches in Carerix whose
	// vacancy is not synced (-1 when Carerix could not say).
	UnsyncedMatches int
	Recruiters      []*recrubo.Recruiter
	Templates       []*recrubo.MessageTemplate
	// Statuses names the candidate statuses the tenant syncs; set for a
	// candidate that is not synced.
	Statuses string
}

// carerixLookupTimeout bounds how long a page waits for Carerix to tell
// what the mirror does not hold; without an answer it shows less.
const carerixLookupTimeout = 3 * time.Second

// loadInbox reads the inbox of candidateID; the conversation is the
// candidate's WhatsApp one, nil before the first message. A candidate
// that is not synced (or no longer) keeps its conversation's history.
func (s *Server) loadInbox(ctx context.Context, p *embedPage, candidateID string) (*inboxData, error) {
	t := p.tenant
	d := s.deps.Embeds.Data
	out := &inboxData{Vacancies: map[string]*recrubo.Vacancy{}, UnsyncedMatches: -1}
	cand, err := d.Candidate(ctx, t.ID, candidateID)
	if err != nil && recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
		return nil, err
	}
	if out.Conv, out.Messages, out.More, err = s.loadThread(ctx, t, candidateID); err != nil {
		return nil, err
	}
	if out.Recruiters, err = d.Recruiters(ctx, t.ID); err != nil {
		return nil, err
	}
	if cand == nil {
		out.Statuses = s.syncedStatuses(ctx, p, recrubo.StatusCandidate)
		return out, nil
	}
	out.Candidate = cand
	out.Mobile = hasMobile(cand)
	if cand.PhoneE164 != "" {
		consent, err := d.Consent(ctx, t.ID, cand.PhoneE164)
		if err != nil {
			return nil, err
		}
		out.OptedOut = consent.OptedOut
	}
	if out.Matches, err = d.MatchesByCandidate(ctx, t.ID, candidateID); err != nil {
		return nil, err
	}
	for _, m := range out.Matches {
		v, err := d.Vacancy(ctx, t.ID, m.VacancyID)
		if err != nil && recrubo.ErrorCode(err) != recrubo.ENOTFOUND {
			return nil, err
		}
		out.Vacancies[m.VacancyID] = v
	}
	if out.UnsyncedMatches, err = s.unsyncedMatches(ctx, t, candidateID, out.Vacancies); err != nil {
		return nil, err
	}
	if out.Templates, err = d.Templates(ctx, t.ID); err != nil {
		return nil, err
	}
	return out, nil
}

// unsyncedMatches counts the candidate's matches in Carerix whose vacancy
// the mirror does not hold (outside the tenant's vacancy filter); synced
// are the vacancies of the mirrored matches. -1 when Carerix cannot say.
func (s *Server) unsyncedMatches(ctx context.Context, t *recrubo.Tenant, candidateID string, synced map[string]*recrubo.Vacancy) (int, error) {
	cx := s.deps.Embeds.Carerix
	if cx == nil {
		return -1, nil
	}
	lctx, cancel := context.WithTimeout(ctx, carerixLookupTimeout)
	defer cancel()
	ids, err := cx.MatchedVacancyIDs(lctx, t, candidateID)
	if err != nil {
		s.log.WarnContext(ctx, "reading a candidate's matches from Carerix", "tenant", t.ID, "candidate", candidateID, "err", err)
		return -1, nil
	}
	n := 0
	for _, id := range ids {
		if synced[id] != nil {
			continue
		}
		switch _, err := s.deps.Embeds.Data.Vacancy(ctx, t.ID, id); {
		case recrubo.ErrorCode(err) == recrubo.ENOTFOUND:
			n++
		case err != nil:
			return 0, err
		}
	}
	return n, nil
}

// loadThread reads the candidate's WhatsApp conversation and its newest
// page of messages; more reports older ones. Both are nil before the
// first message.
func (s *Server) loadThread(ctx context.Context, t *recrubo.Tenant, candidateID string) (*recrubo.Conversation, []*recrubo.Message, bool, error) {
	c, err := s.whatsAppConversation(ctx, t, candidateID)
	if err != nil || c == nil {
		return nil, nil, false, err
	}
	n := s.threadPage()
	msgs, err := s.deps.Embeds.Data.Messages(ctx, t.ID, c.ID, n+1)
	if err != nil {
		return nil, nil, false, err
	}
	msgs, more := pageOfThread(msgs, n)
	return c, msgs, more, nil
}

// pageOfThread trims msgs, up to n+1 messages oldest first as read for a
// page of n, to the page, and reports whether there were older ones.
func pageOfThread(msgs []*recrubo.Message, n int) ([]*recrubo.Message, bool) {
	if len(msgs) > n {
		return msgs[len(msgs)-n:], true
	}
	return msgs, false
}

// whatsAppConversation returns the candidate's WhatsApp conversation in
// tenant t, nil before the first message.
func (s *Server) whatsAppConversation(ctx context.Context, t *recrubo.Tenant, candidateID string) (*recrubo.Conversation, error) {
	convs, err := s.deps.Embeds.Data.ConversationsByCandidate(ctx, t.ID, candidateID)
	if err != nil {
		return nil, err
	}
	for _, c := range convs {
		if c.Channel == recrubo.ChannelWhatsApp && c.TenantID == t.ID {
			return c, nil
		}
	}
	return nil, nil
}

// threadETag identifies what the thread shows: its messages, their
// statuses and the conversation's state, so a poll learns of any change.
func threadETag(c *recrubo.Conversation, msgs []*recrubo.Message, lang string, more ...string) string {
	h := sha256.New()
	h.Write([]byte(lang))
	for _, m := range more {
		h.Write([]byte("|" + m))
	}
	if c != nil {
		h.Write([]byte(c.ID + "|" + string(c.State) + "|" + c.AssigneeID + "|" + strconv.FormatInt(c.UpdatedAt.UnixMicro(), 10)))
	}
	for _, m := range msgs {
		h.Write([]byte("|" + m.ID + ":" + string(m.Status) + ":" + m.FailCode + ":" + m.FailReason))
	}
	return `"` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
}

// handleInboxPage serves the inbox on a candidate record, from the page
// cache when it holds a current render.
func (s *Server) handleInboxPage(c *fiber.Ctx) error {
	// A cached page only reads the tenant (its id, frame origins and
	// signing key) and the user (their id), so the viewer may share the
	// store cache's; building the page hands them to far more code, which
	// gets copies of its own.
	return s.serveCachedPage(c, recrubo.EmbedCandidate, "inbox", func(v *recrubo.EmbedViewer) (templates.Values, string, error) {
		own, user := *v, *v.User
		own.Tenant, own.User = v.Tenant.Clone(), &user
		return s.inboxValues(c, &own)
	})
}

// inboxValues loads and renders the inbox's values and title.
func (s *Server) inboxValues(c *fiber.Ctx, v *recrubo.EmbedViewer) (templates.Values, string, error) {
	ctx := c.UserContext()
	p := s.newEmbedPage(v.Lang, v.Tenant)
	d, err := s.loadInbox(ctx, p, v.RecordID)
	if err != nil {
		return nil, "", err
	}
	if p.extras, err = s.loadThreadExtras(ctx, v.Tenant, v.RecordID, d.Conv, d.Messages); err != nil {
		return nil, "", err
	}
	vals, err := p.sessionValues(nil)
	if err != nil {
		return nil, "", err
	}
	vals["whatsappStylesheetURL"] = s.deps.Assets.URL("whatsapp.css")
	base := apiBase(v.Tenant) + "/candidate/" + v.RecordID
	vals["threadURL"] = base + "/thread"
	vals["olderURL"] = base + "/messages"
	vals["olderLoadingText"] = p.t("embed.older_loading")
	vals["olderLoadedText"] = p.t("embed.older_loaded")
	vals["olderStartText"] = p.t("embed.older_start")
	vals["actionURL"] = base
	vals["sendingText"] = p.t("embed.sending")
	vals["tabsLabel"] = p.t("embed.tabs")
	vals["tabChat"] = p.t("embed.tab_chat")
	vals["tabList"] = p.t("embed.tab_list")
	vals["chatLabel"] = p.t("embed.chat")
	vals["candidateLabel"] = p.t("embed.candidate")
	vals["threadETag"] = threadETag(d.Conv, d.Messages, p.lang, p.extras.tag())
	vals["notice"] = p.inboxNotice(d)
	vals["toolbar"] = p.toolbar(d)
	empty := p.t("embed.no_messages")
	if d.canWrite() {
		empty = p.t("embed.no_messages_write")
	}
	vals["older"] = p.olderControl(d.Messages, d.More)
	vals["thread"] = p.thread(d.Messages, recruiterNames(d.Recruiters), empty)
	vals["composer"] = p.composer(d)
	vals["candidate"] = p.candidatePanel(d)
	list, err := s.inboxList(ctx, p, v)
	if err != nil {
		return nil, "", err
	}
	vals["list"] = list
	if p.err != nil {
		return nil, "", p.err
	}
	title := p.t("embed.inbox_title")
	if name := d.name(); name != "" {
		title = name + " · " + title
	}
	return vals, title, nil
}

// inboxList is the inbox's list tab: the viewer's conversations when a
// sign-in proved them; a record's URL proof opens that record only, so
// then the tab offers the sign-in (where the tenant has one) that opens
// the list.
func (s *Server) inboxList(ctx context.Context, p *embedPage, v *recrubo.EmbedViewer) (templates.HTML, error) {
	convs := "/embed/" + url.PathEscape(v.Tenant.Slug) + "/conversations"
	if v.Proof == recrubo.ProvedBySignIn {
		return s.conversationList(ctx, p, v, listQuery{View: "mine"}, convs)
	}
	if v.Tenant.Embed.SignInClientID == "" {
		return p.partial("embed_list_locked", templates.Values{"text": p.t("embed.list.open_dashboard")}), p.err
	}
	return p.partial("embed_list_signin", templates.Values{"text": p.t("embed.list.signin_needed"),
		"href": convs + "?lang=" + url.QueryEscape(p.lang), "button": p.t("embed.signin.button")}), p.err
}

// name is the candidate's name: as synced, or as the conversation keeps
// it for a candidate no longer synced; "" when neither knows it.
func (d *inboxData) name() string {
	switch {
	case d.Candidate != nil:
		return d.Candidate.FullName()
	case d.Conv != nil:
		return d.Conv.CandidateName
	}
	return ""
}

// inboxNotice explains why the inbox cannot (fully) work, or nothing.
func (p *embedPage) inboxNotice(d *inboxData) templates.HTML {
	switch {
	case d.Candidate == nil && d.Conv != nil:
		name := d.Conv.CandidateName
		if name == "" {
			name = p.t("embed.this_candidate")
		}
		return p.notice("warning", p.t("embed.no_longer_synced_heading", name), p.t("embed.no_longer_synced_text", d.Statuses))
	case d.Candidate == nil:
		return p.notice("warning", p.t("embed.not_synced_heading"), p.t("embed.not_synced_text", d.Statuses))
	case !p.tenant.WhatsApp.Enabled():
		return p.notice("warning", p.t("whatsapp.not_connected_heading"), p.t("whatsapp.not_connected_text"))
	case !d.Mobile:
		return p.mobileNotice(d.Candidate)
	case d.OptedOut:
		return p.notice("error", p.t("embed.opted_out_heading"), p.t("embed.opted_out_text"))
	}
	return templates.HTML{}
}

// canWrite reports whether the composer is shown.
func (d *inboxData) canWrite() bool {
	return d.Candidate != nil && d.Mobile && !d.OptedOut
}

// hasMobile reports whether the candidate has a number WhatsApp reaches:
// a mobile one (a landline synced before numbers were checked is not).
func hasMobile(c *recrubo.Candidate) bool {
	return c.PhoneE164 != "" && recrubo.IsMobilePhone(c.PhoneE164)
}

// toolbar renders assign, open/close and mark read for an existing conversation.
func (p *embedPage) toolbar(d *inboxData) templates.HTML {
	if d.Conv == nil {
		return templates.HTML{}
	}
	opts := []templates.HTML{p.option("", p.t("embed.unassigned"), "", d.Conv.AssigneeID == "")}
	for _, r := range d.Recruiters {
		if !r.Active && r.ID != d.Conv.AssigneeID {
			continue
		}
		opts = append(opts, p.option(r.ID, r.FullName(), "", r.ID == d.Conv.AssigneeID))
	}
	state, next, button := "open", string(recrubo.ConversationClosed), p.t("embed.close")
	if d.Conv.State == recrubo.ConversationClosed {
		state, next, button = "closed", string(recrubo.ConversationOpen), p.t("embed.reopen")
	}
	return p.partial("embed_toolbar", templates.Values{
		"assignLabel": p.t("embed.assign"), "options": templates.Join(opts),
		"state": state, "stateText": p.t("embed.state_" + state), "nextState": next, "stateButton": button,
		"openText": p.t("embed.state_open"), "closedText": p.t("embed.state_closed"),
		"closeButton": p.t("embed.close"), "reopenButton": p.t("embed.reopen"),
		"readButton": p.t("embed.mark_read"),
	})
}

// thread renders the messages, or empty when there are none; names maps
// recruiters' ids to their names.
func (p *embedPage) thread(msgs []*recrubo.Message, names map[string]string, empty string) templates.HTML {
	if len(msgs) == 0 {
		return p.partial("embed_empty", templates.Values{"text": empty})
	}
	loc := p.tenant.Location()
	items := make([]templates.HTML, 0, len(msgs))
	for _, m := range msgs {
		items = append(items, p.message(m, names, loc))
	}
	return templates.Join(items)
}

// recruiterNames maps recruiters' ids to their names.
func recruiterNames(rs []*recrubo.Recruiter) map[string]string {
	names := make(map[string]string, len(rs))
	for _, r := range rs {
		names[r.ID] = r.FullName()
	}
	return names
}

// message renders one message.
func (p *embedPage) message(m *recrubo.Message, names map[string]string, loc *time.Location) templates.HTML {
	var content templates.HTML
	switch {
	case recrubo.KindOf(m) != recrubo.KindText && recrubo.KindOf(m) != recrubo.KindTemplate:
		content = p.kindContent(m)
	case m.TemplateName != "":
		content = p.partial("embed_template_body", templates.Values{"text": m.Body, "label": p.t("embed.template"),
			"name": m.TemplateName, "language": m.TemplateLanguage})
	default:
		content = p.partial("embed_text", templates.Values{"text": m.Body})
	}
	content = p.decorate(m, content)
	sender := p.t("embed.candidate")
	if m.Direction == recrubo.Outbound {
		sender = names[m.SenderID]
		if sender == "" {
			sender = m.SenderID
		}
	}
	var failure templates.HTML
	if m.Status == recrubo.StatusFailed {
		failure = p.partial("embed_failure", templates.Values{"reasonLabel": p.t("embed.failed_reason"), "reason": p.failureText(m.FailCode, m.FailReason),
			"id": m.ID, "retryLabel": p.t("embed.retry")})
	}
	return p.partial("embed_message", templates.Values{
		"direction": string(m.Direction), "status": string(m.Status), "id": m.ID, "content": content,
		"sender": sender, "isoTime": m.CreatedAt.UTC().Format(time.RFC3339),
		"time": templates.FormatDateTime(p.lang, m.CreatedAt, loc), "exactTime": templates.FormatDateTimeZone(p.lang, m.CreatedAt, loc), "statusText": p.t("embed.status_" + string(m.Status)),
		"failure": failure,
	})
}

// composer renders free text inside the service window, a template
// picker outside it, nothing when the candidate cannot be written to.
func (p *embedPage) composer(d *inboxData) templates.HTML {
	if !d.canWrite() {
		return templates.HTML{}
	}
	if !p.tenant.WhatsApp.Enabled() {
		return templates.HTML{} // the notice says WhatsApp is not connected
	}
	if d.Conv != nil && d.Conv.WindowOpen(p.s.deps.Now()) {
		return p.partial("embed_composer_text", templates.Values{"bodyLabel": p.t("embed.message"),
			"placeholder": p.t("embed.placeholder"), "sendLabel": p.t("embed.send"), "attach": p.attachInput()})
	}
	pk := p.templatePicker(d.Templates, nil, p.t("embed.var.preview"))
	if pk.count == 0 {
		return templates.Join([]templates.HTML{p.notice("warning", p.t("embed.window_closed"), p.t("embed.no_templates")),
			p.unavailableTemplates(d.Templates)})
	}
	return templates.Join([]templates.HTML{p.partial("embed_composer_template", templates.Values{
		"windowHeading": p.t("embed.window_closed"), "windowText": p.t("embed.window_text"),
		"picker": pk.html, "sendLabel": p.t("embed.send_template"),
	}), p.unavailableTemplates(d.Templates)})
}

// candidatePanel renders the synced candidate's facts and matches; for a
// candidate no longer synced, what its conversation keeps.
func (p *embedPage) candidatePanel(d *inboxData) templates.HTML {
	c := d.Candidate
	if c == nil {
		if d.Conv == nil || d.Conv.CandidateName == "" {
			return p.partial("embed_empty_block", templates.Values{"text": p.t("embed.not_synced_heading")})
		}
		return p.partial("embed_candidate_unsynced", templates.Values{
			"name": d.Conv.CandidateName, "phoneLabel": p.t("embed.phone"), "phoneHref": d.Conv.Phone,
			"phone": recrubo.FormatPhone(d.Conv.Phone), "note": p.t("embed.no_longer_synced_note"),
		})
	}
	owner := p.t("embed.none")
	for _, r := range d.Recruiters {
		if r.ID == c.OwnerID {
			owner = r.FullName()
		}
	}
	phone, phoneHref := recrubo.FormatPhone(c.PhoneE164), c.PhoneE164
	if c.PhoneE164 == "" {
		phone = strings.TrimSpace(c.Mobile + " " + c.Phone)
		phoneHref = phone
	}
	var matches []templates.HTML
	for _, m := range d.Matches {
		title, company := m.VacancyID, ""
		if v := d.Vacancies[m.VacancyID]; v != nil {
			title, company = v.Title, v.CompanyName
		}
		matches = append(matches, p.partial("embed_match", templates.Values{"title": title, "company": company, "stage": m.Stage}))
	}
	switch {
	case d.UnsyncedMatches == 1:
		matches = append(matches, p.partial("embed_match_note", templates.Values{"text": p.t("embed.unsynced_match")}))
	case d.UnsyncedMatches > 1:
		matches = append(matches, p.partial("embed_match_note", templates.Values{
			"text": p.t("embed.unsynced_matches", templates.FormatInt(p.lang, int64(d.UnsyncedMatches)))}))
	case len(matches) == 0 && d.UnsyncedMatches == 0:
		matches = append(matches, p.partial("embed_empty", templates.Values{"text": p.t("embed.no_matches")}))
	case len(matches) == 0:
		// Carerix could not say whether there are others.
		matches = append(matches, p.partial("embed_empty", templates.Values{"text": p.t("embed.no_synced_matches")}))
	}
	return p.partial("embed_candidate", templates.Values{
		"name": c.FullName(), "phoneLabel": p.t("embed.phone"), "phone": orDash(phone), "phoneHref": phoneHref,
		"emailLabel": p.t("embed.email"), "email": orDash(c.Email), "statusLabel": p.t("embed.status"), "status": orDash(c.StatusLabel),
		"ownerLabel": p.t("embed.owner"), "owner": orDash(owner), "matchesHeading": p.t("embed.matches"), "matches": templates.Join(matches),
	})
}

// handleThread answers a poll with the thread's HTML, or 304 when it has
// not changed since the ETag the page holds; with ?wait=N, when it
// changes (answerOnChange).
func (s *Server) handleThread(c *fiber.Ctx) error {
	ses, err := candidateSession(c)
	if err != nil {
		return err
	}
	return s.answerOnChange(c, ses.Tenant.ID, func(ctx context.Context) (string, func() error, string, error) {
		conv, msgs, _, err := s.loadThread(ctx, ses.Tenant, ses.Claims.RecordID)
		if err != nil {
			return "", nil, "", err
		}
		th, err := s.threadOf(ctx, ses, conv, msgs)
		if err != nil {
			return "", nil, "", err
		}
		scope := "" // no conversation yet: the one that starts has an id unknown here
		if conv != nil {
			scope = conv.ID
		}
		return th.etag, func() error { return s.writeThread(c, th) }, scope, nil
	})
}

// thread is a conversation's thread as a page sees it, with its ETag.
type thread struct {
	p    *embedPage
	conv *recrubo.Conversation
	msgs []*recrubo.Message
	etag string
}

// threadOf loads what the thread shows besides its messages, and tags it.
func (s *Server) threadOf(ctx context.Context, ses *embedSession, conv *recrubo.Conversation, msgs []*recrubo.Message) (*thread, error) {
	p := s.newEmbedPage(ses.Claims.Lang, ses.Tenant)
	var err error
	if p.extras, err = s.loadThreadExtras(ctx, ses.Tenant, ses.Claims.RecordID, conv, msgs); err != nil {
		return nil, err
	}
	return &thread{p: p, conv: conv, msgs: msgs, etag: threadETag(conv, msgs, p.lang, p.extras.tag())}, nil
}

// sendThread answers with the thread of conv and msgs (304 when the page
// holds it already).
func (s *Server) sendThread(c *fiber.Ctx, ses *embedSession, conv *recrubo.Conversation, msgs []*recrubo.Message) error {
	th, err := s.threadOf(c.UserContext(), ses, conv, msgs)
	if err != nil {
		return err
	}
	return s.writeThread(c, th)
}

// writeThread answers with th's HTML, or 304 when the page holds it.
func (s *Server) writeThread(c *fiber.Ctx, th *thread) error {
	if th.conv != nil {
		// The page's toolbar follows the state without a reload.
		c.Set(headerConversationState, string(th.conv.State))
	}
	if notModified(c, th.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	h, err := s.renderThread(c.UserContext(), th.p, th.p.tenant.ID, th.msgs, th.p.t("embed.no_messages"))
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	return c.SendString(h.String())
}

// renderThread renders msgs as the thread of page p, their senders named
// after the tenant's recruiters; empty is what shows without messages.
func (s *Server) renderThread(ctx context.Context, p *embedPage, tenantID string, msgs []*recrubo.Message, empty string) (templates.HTML, error) {
	rs, err := s.deps.Embeds.Data.Recruiters(ctx, tenantID)
	if err != nil {
		return templates.HTML{}, err
	}
	h := p.thread(msgs, recruiterNames(rs), empty)
	return h, p.err
}

// orDash shows a missing fact as a dash rather than an empty cell.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
