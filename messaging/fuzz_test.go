package messaging_test

import (
	"context"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging/messagingtest"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/whatsapp"
)

// FuzzIngestWhatsApp feeds arbitrary bodies through signature check, parse
// and storage: a body that is not signed with the tenant's secret is
// refused with nothing stored; a signed one is stored (as many events as
// reported) or refused as invalid with nothing stored; nothing else
// happens.
func FuzzIngestWhatsApp(f *testing.F) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	f.Add(textPayload("wamid.seed1", "31612345678", "Hoi", at), true)
	f.Add(statusPayload("wamid.seed2", "delivered", at), true)
	f.Add(statusPayload("wamid.seed3", "read", at), false)
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[]}`), true)
	f.Add([]byte(`{"object":"page","entry":[{"id":"1"}]}`), true)
	f.Add([]byte(`not json`), true)
	f.Add([]byte{}, true)
	// Unsigned bodies that would not parse: refused for the signature,
	// which is checked before anything is parsed.
	f.Add([]byte("not json"), false)
	f.Add([]byte(`{"object":"page"}`), false)
	e := messagingtest.New(f, storetest.SQLite, messagingtest.Options{NoJobs: true})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte, signed bool) {
		before, err := e.DB.CountEvents(ctx, e.Tenant.ID, recrubo.SourceWhatsApp)
		must(t, err)
		sig := whatsapp.Sign("some other secret", body)
		if signed {
			sig = whatsapp.Sign(messagingtest.AppSecret, body)
		}
		n, err := e.Service.IngestWhatsApp(ctx, messagingtest.Slug, body, sig)
		after, cerr := e.DB.CountEvents(ctx, e.Tenant.ID, recrubo.SourceWhatsApp)
		must(t, cerr)
		switch {
		case !signed:
			if recrubo.ErrorCode(err) != recrubo.EUNAUTHORIZED {
				t.Fatalf("badly signed body: %v", err)
			}
		case err != nil:
			if recrubo.ErrorCode(err) != recrubo.EINVALID {
				t.Fatalf("signed body refused with %v", err)
			}
		}
		if err != nil && after != before {
			t.Fatalf("refused body stored %d events", after-before)
		}
		if err == nil && after-before != int64(n) {
			t.Fatalf("reported %d new events, stored %d", n, after-before)
		}
	})
}
