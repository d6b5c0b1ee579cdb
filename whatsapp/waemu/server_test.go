package waemu_test

import (
	"context"
	"errors"
	"testing"

	"github.com/recrubo/recrubo-carerix/whatsapp"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

func TestListenServesOnAnAddressAndDropsAnswersOnRequest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHook(t, func(int) int { return 200 })
	srv, err := waemu.Listen(ctx, "127.0.0.1:0", waemu.Options{
		AppSecret: appSecret, AccessTokens: map[string]string{phoneID: token}, WebhookURL: h.srv.URL,
		Templates: []waemu.Template{{Name: "hallo", Language: "nl", Category: "UTILITY", Status: "APPROVED", Body: "Hallo"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := whatsapp.NewClient(whatsapp.Config{BaseURL: srv.URL(), APIVersion: "v21.0", PhoneNumberID: phoneID, AccessToken: token})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.SendTemplate(ctx, candidate, whatsapp.Template{Name: "hallo", Language: "nl"}, "m1:1")
	if err != nil || res.MessageID == "" {
		t.Fatalf("send over Listen = %+v, %v", res, err)
	}

	srv.DropNextResponse()
	_, err = c.SendTemplate(ctx, candidate, whatsapp.Template{Name: "hallo", Language: "nl"}, "m2:1")
	var netErr *whatsapp.NetworkError
	if !errors.As(err, &netErr) {
		t.Fatalf("dropped answer gave %v, want a network error", err)
	}
	sent := srv.SentMessages()
	if len(sent) != 2 || sent[1].BizOpaqueCallbackData != "m2:1" {
		t.Fatalf("the dropped send was not accepted: %+v", sent)
	}
	if err := srv.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	n := len(h.bodies)
	h.mu.Unlock()
	if n != 6 { // sent, delivered, read for each
		t.Errorf("%d webhooks delivered, want 6", n)
	}
	cancel()
	if err := srv.Wait(); err != nil {
		t.Errorf("serving ended with %v", err)
	}
}
