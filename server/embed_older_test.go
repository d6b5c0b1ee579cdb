package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestEmbedOlderMessages pages a 74-message thread over real HTTP: the
// page shows the newest 30 and the cursor of the page before; each JSON
// page adds older ones until there are none, every message once, in
// order. Only the session's tenant and candidate are served, and a cursor
// the server did not write is a 400 in the session's language.
func TestEmbedOlderMessages(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			f := newEmbedFixture(t, backend)
			f.startConversation(time.Hour)
			base := f.now.Add(-30 * 24 * time.Hour)
			for i := range 70 {
				// Pairs of messages share their time: the id orders them.
				f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: fmt.Sprintf("Bericht %d", i), Status: recrubo.StatusReceived,
					CreatedAt: base.Add(time.Duration(i/2) * time.Minute), ProviderID: fmt.Sprintf("wamid.p%d", i)})
			}
			all, err := f.db.Messages(context.Background(), f.tenant.ID, f.conv.ID, 500)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 74 {
				t.Fatalf("%d messages stored", len(all))
			}
			srvURL := listen(t, f.srv.Serve)
			get := func(target, token string, hdr ...string) (int, string) {
				t.Helper()
				req, _ := http.NewRequest("GET", srvURL+target, nil)
				for i := 0; i+1 < len(hdr); i += 2 {
					req.Header.Set(hdr[i], hdr[i+1])
				}
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			status, page := get(f.candidateURL("nl"), "", "Sec-Fetch-Dest", "iframe", "Referer", f.tenant.FrameOrigins[0]+"/record")
			if status != 200 {
				t.Fatalf("inbox = %d", status)
			}
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
			if err != nil {
				t.Fatal(err)
			}
			token := pageToken(t, doc)
			var got []string
			doc.Find("#thread .message").Each(func(_ int, s *goquery.Selection) { got = append(got, s.AttrOr("data-id", "")) })
			if len(got) != 30 {
				t.Fatalf("the page shows %d messages, want 30", len(got))
			}
			cursor, ok := doc.Find("#thread [data-older]").Attr("data-cursor")
			if !ok || cursor == "" || doc.Find(`#thread [data-older] button[data-action="older"]`).Text() != "Oudere berichten" {
				t.Fatalf("no Older messages button with a cursor above the thread")
			}
			older := "/embed/acme/api/candidate/" + f.cand.ID + "/messages?before="
			for pages := 0; cursor != ""; pages++ {
				if pages > 5 {
					t.Fatal("paging does not end")
				}
				status, body := get(older+url.QueryEscape(cursor), token)
				if status != 200 {
					t.Fatalf("older page = %d %s", status, body)
				}
				var p olderPage
				if err := json.Unmarshal([]byte(body), &p); err != nil {
					t.Fatal(err)
				}
				d, _ := goquery.NewDocumentFromReader(strings.NewReader(p.HTML))
				var ids []string
				d.Find(".message").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-id", "")) })
				if len(ids) == 0 || len(ids) > 30 || p.More != (p.Cursor != "") || (p.More && len(ids) != 30) {
					t.Fatalf("a page of %d messages, more %v, cursor %q", len(ids), p.More, p.Cursor)
				}
				got = append(ids, got...)
				cursor = p.Cursor
			}
			want := make([]string, len(all))
			for i, m := range all {
				want[i] = m.ID
			}
			if !slices.Equal(got, want) {
				t.Errorf("paged thread =\n%v\nwant\n%v", got, want)
			}

			// Before the first message there is nothing.
			status, body := get(older+url.QueryEscape(encodeCursor(all[0].Cursor())), token)
			if status != 200 || body != `{"html":"","cursor":"","more":false}` {
				t.Errorf("before the first message = %d %s", status, body)
			}

			first := older + url.QueryEscape(encodeCursor(all[40].Cursor()))
			_, dash := f.page(f.dashboardURL("nl"))
			f2 := newEmbedFixture(t, storetest.SQLite)
			_, doc2 := f2.page(f2.candidateURL("nl"))
			for _, c := range []struct {
				name, target, token string
				want                int
			}{
				{"no token", first, "", 401},
				{"other candidate", strings.Replace(first, "/candidate/"+f.cand.ID+"/", "/candidate/99999/", 1), token, 403},
				{"other tenant's URL", strings.Replace(first, "/acme/", "/globex/", 1), token, 401},
				{"another tenant's token", first, pageToken(t, doc2), 401},
				{"dashboard token", first, pageToken(t, dash), 403},
			} {
				if status, body := get(c.target, c.token); status != c.want {
					t.Errorf("%s: %d, want %d: %s", c.name, status, c.want, body)
				}
			}

			// A cursor the server did not write is refused in the
			// session's language.
			msg := f.srv.deps.Catalog.T("nl", "embed.error.bad_cursor")
			for _, bad := range []string{"", "not-base64!", encodeB64("12"), encodeB64("abc.m1"), encodeB64("-5.m1"), encodeB64("123.")} {
				status, body := get(older+url.QueryEscape(bad), token)
				var e errorBody
				_ = json.Unmarshal([]byte(body), &e)
				if status != 400 || e.Error != msg || e.Code != recrubo.EINVALID {
					t.Errorf("cursor %q = %d %s, want 400 %q", bad, status, body, msg)
				}
			}
		})
	}
}

// encodeB64 is s as a cursor is encoded, whatever s holds.
func encodeB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
