package e2e

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/messaging"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/server/servertest"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// signInStack is the service framed by a Carerix whose API gives no
// stableHash (the observed profile): every page signs its viewer in
// through the tenant's realm. The emulated Carerix (realm included) is
// reached as localhost, our service as 127.0.0.1: another site, so the
// frame is third-party and its cookies are blocked.
type signInStack struct {
	*embedStack
	eva, jan carerixemu.User // a manager, a recruiter
}

func startSignInStack(t *testing.T) *signInStack {
	t.Helper()
	ctx := context.Background()
	st := &signInStack{embedStack: &embedStack{}}
	// Carerix, its realm included, answers as localhost (its tokens'
	// issuer); its realm lets our callback on 127.0.0.1 (any port) be a
	// redirect URI.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	st.emuURL = "http://localhost:" + addr[strings.LastIndex(addr, ":")+1:]
	if st.emu, err = carerixemu.New(carerixemu.Options{Tenant: "acme", Profile: carerixemu.ProfileObserved, BaseURL: st.emuURL}); err != nil {
		t.Fatal(err)
	}
	if err := st.emu.Start(ctx, addr); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.emu.Close() })
	if st.eva, err = st.emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("eva"), FirstName: carerixemu.Str("Eva"),
		LastName: carerixemu.Str("de Boer"), Roles: []string{"Teamleider"}}); err != nil {
		t.Fatal(err)
	}
	if st.jan, err = st.emu.CreateUser(ctx, carerixemu.UserFields{UserName: carerixemu.Str("jan"), FirstName: carerixemu.Str("Jan"),
		LastName: carerixemu.Str("Smit"), Roles: []string{"Recruiter"}}); err != nil {
		t.Fatal(err)
	}
	st.user = st.eva
	if st.cand, err = st.emu.CreateEmployee(ctx, carerixemu.EmployeeFields{FirstName: carerixemu.Str("Sanne"), LastName: carerixemu.Str("Dijk"),
		MobileNumber: carerixemu.Str("0612345678"), Status: carerixemu.Str("Actief"), Owner: carerixemu.Str(st.eva.ID)}); err != nil {
		t.Fatal(err)
	}
	st.db = storetest.NewEnv(t, storetest.SQLite).Open(t)
	st.tenant = &recrubo.Tenant{Slug: "acme", DisplayName: "Acme", FrameOrigins: []string{st.emuURL},
		// The realm and the API at the name the browser uses for Carerix.
		Carerix: recrubo.CarerixSettings{APIBaseURL: st.emuURL, IdentityBaseURL: st.emuURL, Realm: "acme", Application: "acme",
			ClientID: carerixemu.DefaultClientID, ClientSecret: recrubo.NewSecret(carerixemu.DefaultClientSecret)},
		Admin:   recrubo.AdminCredentials{ClientID: "a", ClientSecret: recrubo.NewSecret("s")},
		Filters: recrubo.StatusFilters{CandidateStatuses: []string{"Actief"}},
		Webhook: recrubo.WebhookSettings{Secret: recrubo.NewSecret("webhook-secret-0123456789")},
		Embed: recrubo.EmbedSettings{SigningKey: recrubo.NewSecret("embed-signing-key-0123456789"),
			SignInClientID: carerixemu.DefaultPublicClientID, ManagerRoles: []string{"Teamleider"}},
		WhatsApp: recrubo.WhatsAppSettings{APIBaseURL: "http://127.0.0.1:1", PhoneNumberID: "1000", AccessToken: recrubo.NewSecret("t")},
		Language: "nl", TimeZone: "Europe/Amsterdam"}
	if err := st.db.CreateTenant(ctx, st.tenant); err != nil {
		t.Fatal(err)
	}
	for _, u := range []carerixemu.User{st.eva, st.jan} {
		if _, err := st.db.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: st.tenant.ID, ID: u.ID, UserName: u.UserName,
			FirstName: *u.FirstName, LastName: *u.LastName, Active: true, ModifiedAt: u.ModificationDate}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.db.UpsertCandidate(ctx, &recrubo.Candidate{TenantID: st.tenant.ID, ID: st.cand.ID, FirstName: "Sanne", LastName: "Dijk",
		Mobile: "0612345678", PhoneE164: "+31612345678", StatusLabel: "Actief", OwnerID: st.eva.ID, ModifiedAt: st.cand.ModificationDate}); err != nil {
		t.Fatal(err)
	}

	tpl, cat, assets, err := server.LoadPages()
	if err != nil {
		t.Fatal(err)
	}
	auth, err := embed.New(embed.Config{Mirror: st.db, Fetcher: &embed.CarerixFetcher{Contracts: st.db}})
	if err != nil {
		t.Fatal(err)
	}
	realm := &embed.Realm{}
	st.base = servertest.Start(t, server.Deps{Templates: tpl, Catalog: cat, Assets: assets,
		Embeds: server.EmbedDeps{Auth: auth, SignIn: realm, Data: st.db, Messenger: messaging.New(messaging.Config{Store: st.db}),
			Waits: servertest.ChangeWaits(t, st.db)}},
		servertest.Options{})
	realm.PublicURL = st.base // before any request: the callback is ours

	// The templates provisioning installs for a tenant that signs in:
	// the user's id is a hint only, never a proof.
	install := func(name, target, path string) {
		src := `<cx:let name="u" value="` + st.base + `/embed/acme/` + path + `?u=${activity.owner.userID.urlEncoded}&amp;lang=nl" expand="1"/>` +
			`<cx:element tag="iframe"><cx:parameter name="src" value="$u"/><cx:parameter name="id" value="recrubo"/><cx:parameter name="width" value="100%"/>` +
			`<cx:parameter name="height" value="760"/><cx:parameter name="sandbox" value="allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox"/></cx:element>`
		if _, err := st.emu.CreateTemplate(ctx, carerixemu.TemplateFields{Name: carerixemu.Str(name), Code: carerixemu.Str(name), Content: carerixemu.Str(src),
			TargetEntityName: carerixemu.Str(target), IsEmbedded: carerixemu.Bool(true), IsActive: carerixemu.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	install("Recrubo inbox", "CREmployee", "candidate/${activity.toEmployee.employeeID.urlEncoded}")
	install("Recrubo dashboard", carerixemu.HomeTargetEntity, "dashboard")
	return st
}

// signIn clicks the frame's sign-in button and waits until the page it
// stands for loaded (cond holds in a new document).
func (st *signInStack) signIn(t *testing.T, frame context.Context, cond string) {
	t.Helper()
	waitFrame(t, frame, `document.documentElement.dataset.ready === "true" && !!document.querySelector('[data-action="signin"]')`, 10*time.Second)
	markDocument(t, frame)
	if err := chromedp.Do(frame, chromedp.Click(chromedp.CSS(`[data-action="signin"]`))); err != nil {
		t.Fatalf("clicking sign in: %v", err)
	}
	waitNewDocument(t, frame, cond)
}

func TestSignInThroughTheRealmInBrowser(t *testing.T) {
	ctx := embedChromium(t)
	st := startSignInStack(t)
	dir := embedArtifacts(t)
	st.inbound(t, "Hallo, is de vacature nog open?")
	bg := context.Background()
	// A conversation assigned to Eva and one unassigned, besides Sanne's.
	assigned := &recrubo.Conversation{TenantID: st.tenant.ID, Channel: recrubo.ChannelWhatsApp, Phone: "+31611111111",
		State: recrubo.ConversationOpen, AssigneeID: st.eva.ID, LastMessageAt: time.Now(), LastMessagePreview: "van Eva"}
	if err := st.db.SaveConversation(bg, assigned); err != nil {
		t.Fatal(err)
	}

	// Before any sign-in, the dashboard on Carerix's home page shows the
	// sign-in page and nothing of the tenant, and the conversation list
	// answers nothing without a session.
	st.open(t, ctx, st.emuURL+"/home?user="+st.eva.ID)
	home := st.frame(t, ctx)
	waitFrame(t, home, `document.documentElement.dataset.ready === "true" && !!document.querySelector('[data-action="signin"]')`, 10*time.Second)
	if txt, err := chromedp.Run(home, chromedp.Text(chromedp.CSS("h1"))); err != nil || txt != "Aanmelden met Carerix" {
		t.Errorf("the dashboard frame before sign-in shows %q %v, want the sign-in page", txt, err)
	}
	if n, err := chromedp.Run(home, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart-trend, .list-item, .kpi").length`)); err != nil || n != 0 {
		t.Errorf("the dashboard frame before sign-in shows %d charts, rows or figures (%v)", n, err)
	}
	if got, err := chromedp.Run(home, chromedp.Evaluate[string](`(async () => {
			const res = await fetch("/embed/acme/api/conversations?view=all");
			return String(res.status);
		})()`, chromedp.EvalAwaitPromise)); err != nil || (got != "401" && got != "403") {
		t.Errorf("the conversation list without a session answered %s %v, want 401 or 403", got, err)
	}

	// Eva opens Sanne in Carerix. The API gives no stableHash, so the
	// frame asks her to sign in; the popup comes straight back (she is
	// signed in to Carerix) and the inbox loads.
	st.open(t, ctx, st.emuURL+"/record/candidate/"+st.cand.ID+"?user="+st.eva.ID)
	frame := st.frame(t, ctx)
	if txt, err := chromedp.Run(frame, chromedp.Text(chromedp.CSS("h1"))); err != nil || txt != "Aanmelden met Carerix" {
		t.Fatalf("the frame shows %q %v, want the sign-in page", txt, err)
	}
	embedScreenshot(t, ctx, dir, "signin-page.png")
	st.emu.ResetStats()
	st.signIn(t, frame, `!!document.querySelector(".candidate-name")`)
	if name, err := chromedp.Run(frame, chromedp.Text(chromedp.CSS(".candidate-name"))); err != nil || name != "Sanne Dijk" {
		t.Errorf("inbox after sign-in shows %q %v", name, err)
	}
	realm := st.emu.Stats().Realm
	if realm.CodeGrants != 1 || realm.LoginsOK != 0 || realm.LoginsFailed != 0 {
		t.Errorf("realm stats %+v: want one code grant and no password prompt", realm)
	}
	if u, err := chromedp.Run(frame, chromedp.Evaluate[string](`location.href`)); err != nil || strings.Contains(u, "u=") {
		t.Errorf("the signed-in page's URL carries a proof: %q %v", u, err)
	}
	// Signed in, the inbox's list tab shows her conversations.
	if n, err := chromedp.Run(frame, chromedp.Evaluate[int](`document.querySelectorAll('[data-panel="list"] .list-item').length`)); err != nil || n != 1 {
		t.Errorf("list tab after sign-in: %d rows %v, want Eva's one", n, err)
	}
	embedScreenshot(t, ctx, dir, "signin-inbox.png")
	if cookies, err := chromedp.Run(frame, chromedp.Evaluate[string](`document.cookie`)); err != nil || cookies != "" {
		t.Errorf("cookies in the frame: %q %v", cookies, err)
	}

	// The dashboard opens in the same tab without a second sign-in (the
	// frame kept the session) and, Eva being a manager, shows the tenant.
	st.open(t, ctx, st.emuURL+"/home?user="+st.eva.ID)
	frame = st.frame(t, ctx)
	waitFrame(t, frame, `!!document.querySelector("svg.chart-trend")`, 15*time.Second)
	if realm := st.emu.Stats().Realm; realm.CodeGrants != 1 {
		t.Errorf("the dashboard needed another sign-in: %+v", realm)
	}
	embedScreenshot(t, ctx, dir, "signin-dashboard.png")

	// A period link navigates with the session token, not a proof.
	markDocument(t, frame)
	if err := chromedp.Do(frame, chromedp.Click(chromedp.CSS(`a.period[href*="days=7"]`))); err != nil {
		t.Fatal(err)
	}
	waitNewDocument(t, frame, `!!document.querySelector("svg.chart-trend")`)

	// Deactivated in Carerix (as sync then records it), Eva's session
	// opens nothing more.
	if _, err := st.db.UpsertRecruiter(bg, &recrubo.Recruiter{TenantID: st.tenant.ID, ID: st.eva.ID, UserName: "eva", FirstName: "Eva",
		LastName: "de Boer", Active: false, ModifiedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	markDocument(t, frame)
	if err := chromedp.Do(frame, chromedp.Click(chromedp.CSS(`a.period[href*="days=90"]`))); err != nil {
		t.Fatal(err)
	}
	waitFrame(t, frame, `!window.recruboOldDocument && !!document.querySelector(".card.error")`, 10*time.Second)
	if txt, err := chromedp.Run(frame, chromedp.Text(chromedp.CSS(".card.error"))); err != nil || !strings.Contains(txt, "403") {
		t.Errorf("an inactive recruiter's page shows %q %v, want a 403", txt, err)
	}
}

func TestRecruiterWithoutRoleSeesOwnAndUnassignedInBrowser(t *testing.T) {
	ctx := embedChromium(t)
	st := startSignInStack(t)
	bg := context.Background()
	for _, c := range []*recrubo.Conversation{
		{Phone: "+31611111111", AssigneeID: st.jan.ID, LastMessagePreview: "van Jan"},
		{Phone: "+31622222222", AssigneeID: st.eva.ID, LastMessagePreview: "van Eva"},
		{Phone: "+31633333333", LastMessagePreview: "niemands"},
	} {
		c.TenantID, c.Channel, c.State, c.LastMessageAt = st.tenant.ID, recrubo.ChannelWhatsApp, recrubo.ConversationOpen, time.Now()
		if err := st.db.SaveConversation(bg, c); err != nil {
			t.Fatal(err)
		}
	}
	// Jan opens the conversation list from a candidate's inbox.
	st.open(t, ctx, st.emuURL+"/record/candidate/"+st.cand.ID+"?user="+st.jan.ID)
	frame := st.frame(t, ctx)
	st.signIn(t, frame, `!!document.querySelector(".candidate-name")`)
	views, err := chromedp.Run(frame, chromedp.Evaluate[string](`[...document.querySelectorAll('[data-panel="list"] select[name="view"] option')].map(o => o.value).join(",")`))
	if err != nil || views != "mine,unassigned" {
		t.Errorf("a recruiter is offered the views %q %v, want mine and unassigned only", views, err)
	}
	rows := func(view string) string {
		t.Helper()
		s, err := chromedp.Run(frame, chromedp.Evaluate[string](`(async () => {
			const token = JSON.parse(document.getElementById("embed-data").textContent).token;
			const res = await fetch("/embed/acme/api/conversations?view=`+view+`", {headers: {Authorization: "Bearer " + token}});
			return res.status + " " + (await res.text()).replace(/\s+/g, " ");
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := rows("mine"); !strings.HasPrefix(got, "200") || !strings.Contains(got, "van Jan") || strings.Contains(got, "van Eva") {
		t.Errorf("Jan's own conversations: %s", got)
	}
	if got := rows("unassigned"); !strings.HasPrefix(got, "200") || !strings.Contains(got, "niemands") || strings.Contains(got, "van Eva") {
		t.Errorf("unassigned conversations: %s", got)
	}
	if got := rows("all"); !strings.HasPrefix(got, "403") {
		t.Errorf("all conversations for a recruiter: %s, want 403", got)
	}
	// The list, shown, follows a new message without a reload: its
	// request waits at the server for the change. Without the wait it
	// would ask again only after 30 s, past this test's 20. The thread's
	// waiting request holds the browser's one wait until the list is
	// shown, which gives it up.
	if held, err := chromedp.Run(frame, chromedp.Evaluate[bool](`(async () => {
		for (let i = 0; i < 100; i++) {
			const q = await navigator.locks.query();
			if (q.held.some((l) => l.name === "recrubo-wait")) return true;
			await new Promise((r) => setTimeout(r, 50));
		}
		return false;
	})()`, chromedp.EvalAwaitPromise)); err != nil || !held {
		t.Fatalf("the thread's request never waited: %v %v", held, err)
	}
	if err := chromedp.Do(frame, chromedp.Click(chromedp.CSS(`#tab-list`))); err != nil {
		t.Fatalf("showing the list: %v", err)
	}
	waitFrame(t, frame, `document.querySelector("[data-list-rows]").textContent.includes("van Jan")`, 10*time.Second)
	markDocument(t, frame)
	time.Sleep(time.Second) // the list's first request, which learns its ETag, has been answered
	jans, err := st.db.ConversationByPhone(bg, st.tenant.ID, recrubo.ChannelWhatsApp, "+31611111111")
	if err != nil {
		t.Fatal(err)
	}
	jans.LastMessagePreview, jans.LastMessageAt = "Jan, ik kan morgen beginnen", time.Now()
	if err := st.db.SaveConversation(bg, jans); err != nil {
		t.Fatal(err)
	}
	saved := time.Now()
	waitFrame(t, frame, `window.recruboOldDocument === true && document.querySelector("[data-list-rows]").textContent.includes("Jan, ik kan morgen beginnen")`,
		20*time.Second)
	t.Logf("the list showed the new message %v after it was stored, without a reload", time.Since(saved).Round(time.Millisecond))
	// The tenant-wide dashboard is for administrators and managers.
	st.open(t, ctx, st.emuURL+"/home?user="+st.jan.ID)
	frame = st.frame(t, ctx)
	waitFrame(t, frame, `!!document.querySelector(".card.error")`, 15*time.Second)
	if txt, err := chromedp.Run(frame, chromedp.Text(chromedp.CSS(".card.error"))); err != nil || !strings.Contains(txt, "beheerders en managers") {
		t.Errorf("the dashboard for a recruiter shows %q %v", txt, err)
	}
}
