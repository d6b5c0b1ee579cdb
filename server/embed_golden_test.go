package server

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/store/storetest"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

var (
	nonceAttr = regexp.MustCompile(`nonce="[^"]*"`)
	tokenJSON = regexp.MustCompile(`"token": "[^"]*"`)
	assetURL  = regexp.MustCompile(`/static/app\.[0-9a-f]+\.(css|js)`)
)

// TestEmbedGolden compares renders of every embedded page, in Dutch and
// English, with testdata/embed_*.golden. Values that differ per run (the
// nonce, the token, generated ids, asset hashes) are replaced by names.
func TestEmbedGolden(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	ctx := context.Background()
	msgs, err := f.db.Messages(ctx, f.tenant.ID, f.conv.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	replacer := []string{f.conv.ID, "CONVERSATION"}
	for i, m := range msgs {
		replacer = append(replacer, m.ID, "MESSAGE"+string(rune('1'+i)))
	}
	normalise := func(s string) string {
		s = nonceAttr.ReplaceAllString(s, `nonce="NONCE"`)
		s = tokenJSON.ReplaceAllString(s, `"token": "TOKEN"`)
		s = assetURL.ReplaceAllString(s, "/static/app.HASH.$1")
		s = regexp.MustCompile(`data-etag="[^"]*"`).ReplaceAllString(s, `data-etag="ETAG"`)
		return strings.NewReplacer(replacer...).Replace(s)
	}
	pages := map[string]func(string) string{
		"inbox":     f.candidateURL,
		"dashboard": f.dashboardURL,
		"vacancy":   f.vacancyURL,
		"conversations": func(lang string) string {
			return strings.Replace(f.dashboardURL(lang), "/dashboard?", "/conversations?view=all&", 1)
		},
	}
	for name, urlOf := range pages {
		for _, lang := range []string{"nl", "en"} {
			file := "embed_" + name + "_" + lang + ".golden"
			t.Run(file, func(t *testing.T) {
				resp, body := f.do(f.framed(urlOf(lang)))
				if resp.StatusCode != 200 {
					t.Fatalf("%d: %s", resp.StatusCode, body)
				}
				got := normalise(body)
				path := filepath.Join("testdata", file)
				if *updateGolden {
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("reading golden file (run with -update to create it): %v", err)
				}
				if got != string(want) {
					t.Errorf("render differs from %s (run with -update if intended):\n%s", path, got)
				}
			})
		}
	}
}
