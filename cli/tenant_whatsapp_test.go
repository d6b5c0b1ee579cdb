package cli

import (
	"regexp"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/whatsapp/waemu"
)

func TestTenantWhatsAppConnectStatusDisconnect(t *testing.T) {
	emu := waemu.NewTestServer(t, waemu.Options{
		AppSecret: "meta-app-secret", AccessTokens: map[string]string{"106540352242922": "EAAG-good-token"},
		VerifiedNames: map[string]string{"106540352242922": "Acme Uitzendbureau"},
		Templates: []waemu.Template{{Name: "intake", Language: "nl", Category: waemu.CategoryUtility, Status: waemu.TemplateApproved, Body: "Hoi {{1}}"},
			{Name: "nieuws", Language: "nl", Category: waemu.CategoryMarketing, Status: waemu.TemplateRejected, Body: "Nieuws"}},
	})
	c := newCLI(t)
	c.env["PUBLIC_URL"] = "https://recrubo.example.nl"
	if code, _, errOut := c.run("tenant", "add", "--no-status-check", "-f", writeFile(t, "acme.yaml", acmeYAML)); code != 0 {
		t.Fatalf("add: %s", errOut)
	}
	settings := writeFile(t, "wa.yaml", "phone_number_id: \"106540352242922\"\nbusiness_account_id: \""+waemu.DefaultBusinessAccountID+
		"\"\napi_base_url: "+emu.URL()+"\napp_secret: meta-app-secret\n")

	c.env["WHATSAPP_ACCESS_TOKEN"] = "EAAG-wrong-token"
	code, out, errOut := c.run("tenant", "whatsapp", "connect", "--tenant", "acme", "-f", settings)
	if code == 0 || !strings.Contains(errOut, "refused the access token") || !strings.Contains(errOut, "nothing stored") {
		t.Fatalf("connect with a wrong token = %d %q %q", code, out, errOut)
	}
	if _, out, _ := c.run("tenant", "whatsapp", "status", "--tenant", "acme"); !strings.Contains(out, "not connected") {
		t.Fatalf("after a refused token: %q", out)
	}

	c.env["WHATSAPP_ACCESS_TOKEN"] = "EAAG-good-token"
	code, out, errOut = c.run("tenant", "whatsapp", "connect", "--tenant", "acme", "-f", settings)
	if code != 0 {
		t.Fatalf("connect = %d %q %q", code, out, errOut)
	}
	for _, want := range []string{"Acme Uitzendbureau", "2 read from the business account",
		"Callback URL:  https://recrubo.example.nl/webhooks/whatsapp/acme", "message_template_status_update"} {
		if !strings.Contains(out, want) {
			t.Errorf("connect output lacks %q:\n%s", want, out)
		}
	}
	token := regexp.MustCompile(`Verify token:  (\S+)`).FindStringSubmatch(out)
	if token == nil || len(token[1]) < 32 {
		t.Fatalf("no verify token printed:\n%s", out)
	}
	_, shown, _ := c.run("tenant", "show", "acme")
	for _, secret := range []string{"EAAG-good-token", "meta-app-secret", token[1]} {
		if strings.Contains(shown, secret) {
			t.Errorf("tenant show prints the secret %q", secret)
		}
	}
	if !strings.Contains(shown, `"business_account_id": "`+waemu.DefaultBusinessAccountID+`"`) {
		t.Errorf("tenant show lacks the business account:\n%s", shown)
	}
	code, out, _ = c.run("tenant", "whatsapp", "status", "--tenant", "acme")
	if code != 0 || !strings.Contains(out, "token:      accepted") || !strings.Contains(out, "templates:  2") {
		t.Errorf("status = %d:\n%s", code, out)
	}

	code, out, _ = c.run("tenant", "whatsapp", "rates", "--tenant", "acme", "--marketing", "0.1186", "--utility", "0.0519")
	if code != 0 || !strings.Contains(out, "marketing       EUR 0.1186") || !strings.Contains(out, "service         not set") {
		t.Errorf("rates = %d:\n%s", code, out)
	}
	if code, _, errOut := c.run("tenant", "whatsapp", "rates", "--tenant", "acme", "--service", "gratis"); code == 0 || !strings.Contains(errOut, "--service") {
		t.Errorf("a bad price = %d %q", code, errOut)
	}

	code, out, _ = c.run("tenant", "whatsapp", "disconnect", "--tenant", "acme")
	if code != 0 || !strings.Contains(out, "disconnected") {
		t.Fatalf("disconnect = %d %q", code, out)
	}
	if _, out, _ := c.run("tenant", "whatsapp", "status", "--tenant", "acme"); !strings.Contains(out, "not connected") {
		t.Errorf("after disconnect: %q", out)
	}
}
