package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/templates"
)

// listLimit is how many conversations the list shows.
const listLimit = 100

// listQuery is the conversation list's filter as the page sends it.
type listQuery struct {
	View   string // mine, unassigned, all
	Unread bool
	Query  string
}

// parseListQuery reads and checks the list filter.
func parseListQuery(c *fiber.Ctx) (listQuery, error) {
	q := listQuery{View: c.Query("view", "mine"), Unread: c.Query("unread") == "1", Query: strings.TrimSpace(c.Query("q"))}
	switch q.View {
	case "mine", "unassigned", "all":
	default:
		return q, recrubo.E(recrubo.EINVALID, "embed.error.view")
	}
	if utf8.RuneCountInString(q.Query) > 100 || !utf8.ValidString(q.Query) {
		return q, recrubo.E(recrubo.EINVALID, "embed.error.search_too_long")
	}
	q.Query = strings.Clone(q.Query)
	return q, nil
}

// filter converts the query to the store's filter for viewer, reading a
// number typed without a country code in the tenant's region.
func (q listQuery) filter(viewerID, phoneRegion string) recrubo.ConversationFilter {
	f := recrubo.ConversationFilter{ViewerID: viewerID, UnreadOnly: q.Unread, Query: q.Query, PhoneRegion: phoneRegion, Limit: listLimit}
	switch q.View {
	case "mine":
		f.AssigneeID = viewerID
	case "unassigned":
		f.Unassigned = true
	}
	return f
}

// conversationList renders the list with its filter form for viewer v;
// the "all" view is offered to privileged viewers only. The page's script
// fetches the rows the form asks for with the session token; the form
// carries no proof.
func (s *Server) conversationList(ctx context.Context, p *embedPage, v *recrubo.EmbedViewer, q listQuery, action string) (templates.HTML, error) {
	viewerID := v.User.ID
	rows, err := s.listRows(ctx, p, viewerID, q)
	if err != nil {
		return templates.HTML{}, err
	}
	var views []templates.HTML
	for _, view := range []string{"mine", "unassigned", "all"} {
		if view == "all" && !v.Privileged {
			continue
		}
		views = append(views, p.option(view, p.t("embed.view_"+view), "", view == q.View))
	}
	unread := []templates.HTML{p.option("", p.t("embed.all_messages"), "", !q.Unread), p.option("1", p.t("embed.unread_only"), "", q.Unread)}
	return p.partial("embed_list", templates.Values{
		"formAction": action, "lang": p.lang, "listLabel": p.t("embed.conversations"),
		"candidateHeading": p.t("embed.candidate"), "lastMessageHeading": p.t("embed.list.last_message"),
		"whenHeading": p.t("embed.list.when"), "assigneeHeading": p.t("embed.assign"), "stateHeading": p.t("embed.status"),
		"unreadHeading": p.t("embed.unread"),
		"viewLabel":     p.t("embed.view"), "viewOptions": templates.Join(views),
		"unreadLabel": p.t("embed.unread"), "unreadOptions": templates.Join(unread),
		"query": q.Query, "searchLabel": p.t("embed.search"), "filterLabel": p.t("embed.filter"),
		"rows": rows,
	}), p.err
}

// listRows renders the list's rows, or an empty state.
func (s *Server) listRows(ctx context.Context, p *embedPage, viewerID string, q listQuery) (templates.HTML, error) {
	d := s.deps.Embeds.Data
	convs, err := d.ListConversations(ctx, p.tenant.ID, q.filter(viewerID, p.tenant.PhoneRegion))
	if err != nil {
		return templates.HTML{}, err
	}
	if len(convs) == 0 {
		heading, text := p.emptyList(q)
		return p.partial("embed_list_empty", templates.Values{"heading": heading, "text": text}), p.err
	}
	rs, err := d.Recruiters(ctx, p.tenant.ID)
	if err != nil {
		return templates.HTML{}, err
	}
	names := recruiterNames(rs)
	loc := p.tenant.Location()
	now := p.s.deps.Now()
	rows := make([]templates.HTML, 0, len(convs))
	for _, cv := range convs {
		name := cv.CandidateName
		var note, badge templates.HTML
		switch {
		case name == "":
			name = p.t("embed.unmatched")
		case !cv.CandidateSynced:
			note = p.partial("embed_list_note", templates.Values{"text": p.t("embed.no_longer_synced_short")})
		}
		assignee := p.t("embed.unassigned")
		if cv.AssigneeID != "" {
			assignee = names[cv.AssigneeID]
			if assignee == "" {
				assignee = cv.AssigneeID
			}
		}
		unreadClass := ""
		if cv.Unread > 0 {
			// The badge shows only when there is something to read.
			unreadClass = " unread"
			n := templates.FormatInt(p.lang, int64(cv.Unread))
			badge = p.partial("embed_list_badge", templates.Values{"count": n, "label": p.t("embed.unread"),
				"title": p.t("embed.list.unread_count", n)})
		}
		rows = append(rows, p.partial("embed_list_row", templates.Values{
			"id": cv.ID, "unreadClass": unreadClass, "name": name, "note": note, "phone": recrubo.FormatPhone(cv.Phone),
			"badge": badge, "preview": cv.LastMessagePreview, "isoTime": cv.LastMessageAt.UTC().Format(time.RFC3339),
			"time": templates.FormatRelative(p.lang, cv.LastMessageAt, now, loc), "exactTime": templates.FormatDateTimeZone(p.lang, cv.LastMessageAt, loc),
			"assigneeLabel": p.t("embed.assign"), "assignee": assignee,
			"state": string(cv.State), "stateText": p.t("embed.state_" + string(cv.State)),
		}))
	}
	return templates.Join(rows), p.err
}

// emptyList says why the list has no rows and what would put some there.
func (p *embedPage) emptyList(q listQuery) (heading, text string) {
	switch {
	case q.Query != "":
		return p.t("embed.list.empty_search_heading", q.Query), p.t("embed.list.empty_search_text")
	case q.Unread:
		return p.t("embed.list.empty_unread_heading"), p.t("embed.list.empty_unread_text")
	case q.View == "mine":
		return p.t("embed.list.empty_mine_heading"), p.t("embed.list.empty_mine_text")
	case q.View == "unassigned":
		return p.t("embed.list.empty_unassigned_heading"), p.t("embed.list.empty_unassigned_text")
	}
	return p.t("embed.list.empty_all_heading"), p.t("embed.list.empty_all_text")
}

// handleConversationsPage serves the full conversation list, framed on a
// Carerix page without a record.
func (s *Server) handleConversationsPage(c *fiber.Ctx) error {
	v, err := s.authenticateEmbed(c, recrubo.EmbedDashboard)
	if err != nil || v == nil {
		return err // nil: the sign-in page was sent
	}
	q, err := parseListQuery(c)
	if err != nil {
		return err
	}
	if q.View == "all" && !v.Privileged {
		return recrubo.E(recrubo.EFORBIDDEN, "embed.error.privileged_only")
	}
	p := s.newEmbedPage(v.Lang, v.Tenant)
	vals, err := p.sessionValues(v)
	if err != nil {
		return err
	}
	list, err := s.conversationList(c.UserContext(), p, v, q, c.Path())
	if err != nil {
		return err
	}
	vals["list"] = list
	vals["heading"] = p.t("embed.conversations")
	return s.renderPage(c, fiber.StatusOK, "conversations", p.lang, p.t("embed.conversations"), vals, pageSecurity{FrameOrigins: v.Tenant.FrameOrigins})
}

// handleConversationList answers the list's script with its rows, tagged
// with an ETag (304 when the script holds them); with ?wait=N, when they
// change (answerOnChange). The rows also tell times relative to now ("2
// h ago"), which the script's next request picks up.
func (s *Server) handleConversationList(c *fiber.Ctx) error {
	ses := sessionOf(c)
	q, err := parseListQuery(c)
	if err != nil {
		return err
	}
	if ses.Claims.Proof != recrubo.ProvedBySignIn && ses.Claims.Proof != recrubo.ProvedByPageKey {
		// A record's URL proof opens that record's inbox and nothing else.
		return recrubo.E(recrubo.EFORBIDDEN, "error.forbidden")
	}
	if q.View == "all" && !ses.Claims.Privileged {
		return recrubo.E(recrubo.EFORBIDDEN, "embed.error.privileged_only")
	}
	return s.answerOnChange(c, ses.Tenant.ID, func(ctx context.Context) (string, func() error, string, error) {
		p := s.newEmbedPage(ses.Claims.Lang, ses.Tenant)
		rows, err := s.listRows(ctx, p, ses.Claims.Subject, q)
		if err != nil {
			return "", nil, "", err
		}
		body := rows.String()
		sum := sha256.Sum256([]byte(body))
		etag := `"` + hex.EncodeToString(sum[:12]) + `"`
		return etag, func() error {
			if notModified(c, etag) {
				return c.SendStatus(fiber.StatusNotModified)
			}
			c.Type("html", "utf-8")
			return c.SendString(body)
		}, "", nil
	})
}

// embedURL builds the URL of another view of the current page (a period)
// without the proof: the page's script follows it by POST with the
// session token, so no proof travels in a URL after the load.
func embedURL(c *fiber.Ctx, extra url.Values) string {
	q := url.Values{}
	if v := c.Query("lang"); v != "" {
		q.Set("lang", v)
	}
	for k, v := range extra {
		q[k] = v
	}
	return c.Path() + "?" + q.Encode()
}
