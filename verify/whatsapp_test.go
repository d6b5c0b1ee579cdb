package verify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/internal/eventually"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/messaging/messagingtest"
	"github.com/recrubo/recrubo-carerix/store/storetest"
	"github.com/recrubo/recrubo-carerix/verify"
	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

func TestWhatsAppCheck(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			e := messagingtest.New(t, backend, messagingtest.Options{})
			ctx := context.Background()
			w := &verify.WhatsApp{Number: e.Service, Store: e.DB}
			check := func(tn *recrubo.Tenant) verify.Item {
				t.Helper()
				it, err := w.Check(ctx, tn, e.Clock.Now())
				if err != nil {
					t.Fatal(err)
				}
				return it
			}

			none := messagingtest.NewTenant("zonder", "")
			none.WhatsApp = recrubo.WhatsAppSettings{}
			if it := check(none); it.OK || it.Reason != "not_connected" {
				t.Errorf("without a number: %+v", it)
			}
			wrong := *e.Tenant
			wrong.WhatsApp.AccessToken = recrubo.NewSecret("revoked")
			if it := check(&wrong); it.OK || it.Reason != "token" {
				t.Errorf("a refused token: %+v", it)
			}
			if it := check(e.Tenant); it.OK || it.Reason != "no_templates" {
				t.Errorf("before a template sync: %+v", it)
			}
			if _, err := e.Service.SyncTemplates(ctx, e.Tenant); err != nil {
				t.Fatal(err)
			}
			if it := check(e.Tenant); it.OK || it.Reason != "no_delivery" {
				t.Errorf("before a delivery: %+v", it)
			}
			e.Inbound(t, "31612345678", "Hallo")
			var it verify.Item
			eventually.Succeeds(t, "the check passing", func() error {
				if it = check(e.Tenant); !it.OK {
					return fmt.Errorf("%+v", it)
				}
				return nil
			})
			if it.Args[0] != "+31 20 000 0000" || it.Args[1] != "Recruitment Demo" || it.Args[2] != "2" || it.At.IsZero() {
				t.Errorf("passing check = %+v", it)
			}
			if err := e.Emu.SimulateError(waemu.ValueError{Code: 131042, Title: "Business eligibility payment issue"}); err != nil {
				t.Fatal(err)
			}
			eventually.Succeeds(t, "the reported problem failing the check", func() error {
				if it = check(e.Tenant); it.Reason != "reported" {
					return fmt.Errorf("%+v", it)
				}
				return nil
			})
			if it.OK || it.Args[0] != "131042" {
				t.Errorf("reported problem = %+v", it)
			}
			e.Clock.Advance(verify.DefaultWhatsAppErrorWindow + time.Minute)
			if it := check(e.Tenant); !it.OK {
				t.Errorf("a day after the problem: %+v", it)
			}
		})
	}
}
