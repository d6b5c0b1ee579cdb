package carerix_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
)

func TestToDoCreateUpdateDelete(t *testing.T) {
	srv := startEmulator(t, nil)
	ctx := t.Context()
	ids := seedEmployees(t, srv, 1, "CAND_ACTIVE")
	owner, err := srv.CreateUser(ctx, carerixemu.UserFields{UserName: ptr("beheer"), Roles: []string{carerixemu.RoleAdministrator}})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, nil)

	if _, err := c.CreateToDo(ctx, carerix.ToDoFields{Notes: ptr("no subject")}); !errors.Is(err, carerix.ErrBadRequest) {
		t.Errorf("create without subject: %v, want ErrBadRequest", err)
	}
	td, err := c.CreateToDo(ctx, carerix.ToDoFields{Subject: ptr("Check"), Notes: ptr("first"), TodoTypeKey: ptr("note"),
		EmployeeID: &ids[0], OwnerID: &owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	if td.ID == "" || td.Subject != "Check" || td.Notes != "first" || td.TodoTypeKey != "note" ||
		td.EmployeeID != ids[0] || td.OwnerID != owner.ID || td.Deleted || td.ModificationDate.IsZero() {
		t.Fatalf("created = %+v", td)
	}
	up, err := c.UpdateToDo(ctx, td.ID, carerix.ToDoFields{Notes: ptr("second")})
	if err != nil {
		t.Fatal(err)
	}
	if up.Notes != "second" || up.Subject != "Check" || up.OwnerID != owner.ID {
		t.Errorf("updated = %+v", up)
	}
	got, err := c.ToDo(ctx, td.ID)
	if err != nil || got.Notes != "second" {
		t.Fatalf("read back = %+v, %v", got, err)
	}
	if _, err := c.UpdateToDo(ctx, td.ID, carerix.ToDoFields{}); !errors.Is(err, carerix.ErrBadRequest) {
		t.Errorf("empty update: %v, want ErrBadRequest", err)
	}
	if err := c.DeleteToDo(ctx, td.ID); err != nil {
		t.Fatal(err)
	}
	if stored, _ := srv.ToDo(td.ID); !stored.Deleted {
		t.Error("the activity is not deleted in the emulator")
	}
	if _, err := c.UpdateToDo(ctx, td.ID, carerix.ToDoFields{Notes: ptr("third")}); !errors.Is(err, carerix.ErrNotFound) {
		t.Errorf("update after delete: %v, want ErrNotFound", err)
	}
	if err := c.DeleteToDo(ctx, td.ID); !errors.Is(err, carerix.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
}

func TestToDoNeedsManageScope(t *testing.T) {
	var readOnly []string
	for _, s := range carerixemu.AllScopes() {
		if s != carerixemu.ScopeCx5Manage && s != carerixemu.ScopeGraphQLManage && s != carerixemu.EntityScope("crtodo", "manage") {
			readOnly = append(readOnly, s)
		}
	}
	srv := startEmulator(t, func(o *carerixemu.Options) {
		o.Clients = []carerixemu.Client{{ID: carerixemu.DefaultClientID, Secret: carerixemu.DefaultClientSecret, Scopes: readOnly}}
	})
	_, err := newClient(t, srv, nil).CreateToDo(t.Context(), carerix.ToDoFields{Subject: ptr("Check")})
	var ce *carerix.Error
	if !errors.As(err, &ce) || ce.Kind != carerix.ErrMissingScope || !slices.Contains(ce.Scopes, carerixemu.EntityScope("crtodo", "manage")) {
		t.Fatalf("create without a manage scope: %v", err)
	}
	if len(srv.ToDos()) != 0 {
		t.Error("an activity was created without the scope")
	}
}

func TestToDoWebhooksDeliveredAndSigned(t *testing.T) {
	srv := startEmulator(t, nil)
	ctx := t.Context()
	got := make(chan []byte, 16)
	sigs := make(chan string, 16)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil || r.Header.Get("X-Secret") != "s3cr3t" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got <- body
		sigs <- r.Header.Get(carerix.SignatureHeader)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)

	c := newClient(t, srv, nil)
	app, err := c.CreateWebhookApplication(ctx, "recrubo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateWebhook(ctx, app.ID, carerix.WebhookRequest{URL: receiver.URL + "/hook",
		Filters:       []carerix.WebhookFilter{{EventType: "crtodo:created"}, {EventType: "crtodo:updated"}, {EventType: "crtodo:deleted"}},
		CustomHeaders: []carerix.WebhookHeader{{Name: "X-Secret", Value: "s3cr3t"}}}); err != nil {
		t.Fatal(err)
	}
	key, err := c.WebhookSignatureKey(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := carerix.NewRSAVerifier(key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	td, err := c.CreateToDo(ctx, carerix.ToDoFields{Subject: ptr("Check"), Notes: ptr("one")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateToDo(ctx, td.ID, carerix.ToDoFields{Notes: ptr("two")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateToDo(ctx, td.ID, carerix.ToDoFields{Notes: ptr("two")}); err != nil { // no change, no event
		t.Fatal(err)
	}
	if err := c.DeleteToDo(ctx, td.ID); err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := srv.Webhooks().WaitIdle(waitCtx); err != nil {
		t.Fatal(err)
	}
	close(got)
	close(sigs)
	var types []string
	for body := range got {
		if err := verifier.Verify(body, <-sigs); err != nil {
			t.Errorf("signature: %v", err)
		}
		ev, err := carerix.ParseWebhookEvent(body)
		if err != nil {
			t.Fatal(err)
		}
		if ev.EntityID != td.ID || ev.Entity != "crtodo" {
			t.Errorf("event = %+v", ev)
		}
		if ev.Action == "updated" && !slices.Contains(ev.ChangedFields, "notes") {
			t.Errorf("update changed fields = %v, want notes", ev.ChangedFields)
		}
		types = append(types, ev.Type)
	}
	slices.Sort(types)
	if want := []string{"crtodo:created", "crtodo:deleted", "crtodo:updated"}; !slices.Equal(types, want) {
		t.Errorf("deliveries = %v, want %v", types, want)
	}
}
