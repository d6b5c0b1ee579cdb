package verify

import (
	"slices"
	"strings"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/templates"
)

// TestOriginsCheck checks the origins item: it passes only when every
// origin is one browsers can match in frame-ancestors, secure, and one of
// them is where Carerix shows the application. Tenant validation accepts
// every origin below except the invalid ones, which tenants saved before
// it checked origins as CSP sources may still hold.
func TestOriginsCheck(t *testing.T) {
	const carerixAPI, emulator = "https://api.carerix.io", "http://127.0.0.1:8081"
	tests := []struct {
		name       string
		api, app   string
		origins    []string
		wantReason string
		wantArgs   []string
	}{
		{"carerix application", carerixAPI, "acme", []string{"https://acme.carerix.net"}, "ok", []string{"https://acme.carerix.net"}},
		{"carerix application among others", carerixAPI, "Acme", []string{"https://other.example", "https://acme.carerix.net:443"}, "ok", nil},
		{"emulator at its API origin", emulator, "acme", []string{"http://127.0.0.1:8081"}, "ok", nil},
		{"emulator under the documented address", emulator + "/", "acme", []string{"https://acme.carerix.net"}, "ok", nil},
		{"no origin", carerixAPI, "acme", nil, "missing", nil},
		{"wrong domain", carerixAPI, "acme", []string{"https://acme.carerix.com"}, "application",
			[]string{"https://acme.carerix.net", "https://acme.carerix.com"}},
		{"other application", carerixAPI, "acme", []string{"https://beta.carerix.net"}, "application", nil},
		{"carerix API is not where the application is", carerixAPI, "acme", []string{"https://api.carerix.io"}, "application", nil},
		{"emulator on another port", emulator, "acme", []string{"http://127.0.0.1:9999"}, "application", nil},
		{"plain http", carerixAPI, "acme", []string{"https://acme.carerix.net", "http://acme.carerix.net"}, "insecure", []string{"http://acme.carerix.net"}},
		{"plain http to a public address", emulator, "acme", []string{"http://10.0.0.8:8081"}, "insecure", nil},
		{"http on localhost", "http://localhost:8081", "acme", []string{"http://localhost:8081"}, "ok", nil},
		{"IPv6 literal", "http://[::1]:8081", "acme", []string{"http://[::1]:8081"}, "invalid", []string{"http://[::1]:8081"}},
		{"unicode host", carerixAPI, "acme", []string{"https://bücher.carerix.net"}, "invalid", nil},
		{"underscore", carerixAPI, "acme", []string{"https://acme_x.carerix.net"}, "invalid", nil},
		{"semicolon", carerixAPI, "acme", []string{"https://acme.carerix.net;script-src"}, "invalid", nil},
		{"path", carerixAPI, "acme", []string{"https://acme.carerix.net/app"}, "invalid", nil},
		{"empty port", carerixAPI, "acme", []string{"https://acme.carerix.net:"}, "invalid", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := &recrubo.Tenant{FrameOrigins: tc.origins, Carerix: recrubo.CarerixSettings{APIBaseURL: tc.api, Application: tc.app}}
			it := checkOrigins(tn)
			if it.ID != CheckOrigins || it.Reason != tc.wantReason || it.OK != (tc.wantReason == "ok") {
				t.Fatalf("item = %+v, want reason %q", it, tc.wantReason)
			}
			if tc.wantArgs != nil && !slices.Equal(it.Args, tc.wantArgs) {
				t.Errorf("args = %q, want %q", it.Args, tc.wantArgs)
			}
		})
	}
}

// TestOriginsTexts checks that every outcome of the origins check has a
// Dutch and an English message that names what was checked, and every
// failure a Dutch and an English fix, as the verify page shows them.
func TestOriginsTexts(t *testing.T) {
	cat, err := templates.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tenants := map[string]*recrubo.Tenant{
		"ok":          {FrameOrigins: []string{"https://acme.carerix.net"}},
		"missing":     {},
		"application": {FrameOrigins: []string{"https://acme.carerix.com"}},
		"insecure":    {FrameOrigins: []string{"http://acme.carerix.net"}},
		"invalid":     {FrameOrigins: []string{"https://acme_x.carerix.net"}},
	}
	for reason, tn := range tenants {
		tn.Carerix = recrubo.CarerixSettings{APIBaseURL: "https://api.carerix.io", Application: "acme"}
		it := checkOrigins(tn)
		if it.Reason != reason {
			t.Fatalf("tenant for %q gave %+v", reason, it)
		}
		args := make([]any, len(it.Args))
		for i, a := range it.Args {
			args[i] = a
		}
		keys := []string{"verify.origins." + reason}
		if !it.OK {
			keys = append(keys, keys[0]+".fix")
		}
		for _, key := range keys {
			texts := map[string]string{}
			for _, lang := range []string{templates.LangNL, templates.LangEN} {
				msg, ok := cat.Lookup(lang, key)
				if !ok || !slices.Contains(cat.Keys(lang), key) {
					t.Errorf("%s has no %s text", key, lang)
					continue
				}
				if !strings.HasSuffix(key, ".fix") {
					msg = cat.T(lang, key, args...)
				}
				if strings.Contains(msg, "%!") {
					t.Errorf("%s %s: %q does not fit its arguments %q", lang, key, msg, it.Args)
				}
				for _, a := range it.Args {
					if !strings.HasSuffix(key, ".fix") && !strings.Contains(msg, a) {
						t.Errorf("%s %s: %q does not name %q", lang, key, msg, a)
					}
				}
				texts[lang] = msg
			}
			if texts[templates.LangNL] == texts[templates.LangEN] {
				t.Errorf("%s: the Dutch text is the English one: %q", key, texts[templates.LangEN])
			}
		}
	}
}
