package server

import (
	"context"
	"strings"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestEmbedSendClaimsUnassigned: through the inbox's API, a recruiter who
// starts a conversation, or answers or retries in one nobody has, is
// assigned to it; one assigned to a colleague stays the colleague's.
func TestEmbedSendClaimsUnassigned(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			ctx := context.Background()
			assignee := func() string {
				t.Helper()
				convs, err := f.db.ConversationsByCandidate(ctx, f.tenant.ID, f.cand.ID)
				if err != nil || len(convs) != 1 {
					t.Fatalf("conversations of the candidate = %v %v", convs, err)
				}
				return convs[0].AssigneeID
			}
			send := func(body string) {
				t.Helper()
				_, doc := f.page(f.candidateURL("nl"))
				base := "/embed/acme/api/candidate/" + f.cand.ID
				if resp, out := f.api("POST", base+"/send", pageToken(t, doc), body); resp.StatusCode != 200 {
					t.Fatalf("send %s = %d %s", body, resp.StatusCode, out)
				}
			}

			// Eva starts the conversation with a template: it is hers.
			send(`{"template":"vacature_update|nl","vars":["Sanne","Heftruckchauffeur"]}`)
			if got := assignee(); got != f.viewer.ID {
				t.Fatalf("a conversation the recruiter started is assigned to %q, want %q", got, f.viewer.ID)
			}

			// Unassigned again, the candidate answers; Jan replies and takes it.
			convs, _ := f.db.ConversationsByCandidate(ctx, f.tenant.ID, f.cand.ID)
			f.conv = convs[0]
			f.conv.LastInboundAt, f.conv.AssigneeID = f.now.Add(-time.Minute), ""
			if err := f.db.SaveConversation(ctx, f.conv); err != nil {
				t.Fatal(err)
			}
			f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: "Ja!", Status: recrubo.StatusReceived,
				CreatedAt: f.now.Add(-time.Minute), ProviderID: "wamid.answer"})
			eva := f.viewer
			f.viewer = f.other
			send(`{"body":"Fijn, ik bel je morgen."}`)
			if got := assignee(); got != f.other.ID {
				t.Errorf("a reply to an unassigned conversation left it assigned to %q, want the replying recruiter %q", got, f.other.ID)
			}

			// Assigned to Jan, Eva's reply leaves it Jan's.
			f.viewer = eva
			send(`{"body":"Ik neem het even over."}`)
			if got := assignee(); got != f.other.ID {
				t.Errorf("a reply to a colleague's conversation moved it to %q, want it to stay %q's", got, f.other.ID)
			}

			// Unassigned with a failed message: a retry claims it.
			if err := f.srv.deps.Embeds.Messenger.Assign(ctx, f.tenant.ID, f.conv.ID, "", f.viewer.ID); err != nil {
				t.Fatal(err)
			}
			failed := f.addMessage(&recrubo.Message{Direction: recrubo.Outbound, SenderID: f.other.ID, Body: "Bel je me?",
				Status: recrubo.StatusFailed, FailReason: "131026: Message undeliverable", CreatedAt: f.now, ProviderID: "wamid.failed", SendAttempt: 1})
			_, doc := f.page(f.candidateURL("nl"))
			resp, out := f.api("POST", "/embed/acme/api/candidate/"+f.cand.ID+"/messages/"+failed.ID+"/retry", pageToken(t, doc), "{}")
			if resp.StatusCode != 200 {
				t.Fatalf("retry = %d %s", resp.StatusCode, out)
			}
			if got := assignee(); got != f.viewer.ID {
				t.Errorf("a retry in an unassigned conversation left it assigned to %q, want %q", got, f.viewer.ID)
			}

			// The inbox shows whose it is.
			_, doc = f.page(f.candidateURL("nl"))
			if got := strings.TrimSpace(doc.Find(`select[data-action="assign"] option[selected]`).Text()); got != "Eva de Boer" {
				t.Errorf("the toolbar shows the conversation assigned to %q", got)
			}
		})
	}
}
