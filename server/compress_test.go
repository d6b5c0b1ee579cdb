package server

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// rawGet sends a GET without the client's own decompression, so the test
// sees the bytes on the wire.
func rawGet(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// decode undoes a Content-Encoding.
func decode(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(b)
	switch enc {
	case "br":
		r = brotli.NewReader(r)
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "":
	default:
		t.Fatalf("unknown encoding %q", enc)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStaticAssetsOverHTTP serves the assets pre-compressed: brotli when
// the client takes it, else gzip, else the file; each representation with
// its own entity tag, cached for a year, and varying by Accept-Encoding.
func TestStaticAssetsOverHTTP(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	base := listen(t, f.srv.Serve)
	url := base + f.srv.deps.Assets.URL("app.js")
	if !strings.Contains(url, "/static/app.") {
		t.Fatalf("asset URL %s carries no hash", url)
	}
	plain, _ := f.srv.deps.Assets.Lookup(f.srv.deps.Assets.URL("app.js"))
	tags := map[string]bool{}
	for _, c := range []struct{ accept, enc string }{
		{"", ""}, {"identity", ""}, {"gzip", "gzip"}, {"gzip, deflate, br, zstd", "br"}, {"br;q=0, gzip", "gzip"}, {"deflate", ""},
	} {
		resp, body := rawGet(t, url, "Accept-Encoding", c.accept)
		if resp.StatusCode != 200 {
			t.Fatalf("%q: %d", c.accept, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Encoding"); got != c.enc {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", c.accept, got, c.enc)
		}
		if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("Cache-Control %q", got)
		}
		if got := resp.Header.Values("Vary"); len(got) != 1 || got[0] != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q, want it once", c.accept, got)
		}
		if !bytes.Equal(decode(t, c.enc, body), plain.Body) {
			t.Errorf("Accept-Encoding %q: the decoded body is not the file", c.accept)
		}
		etag := resp.Header.Get("ETag")
		tags[c.enc+" "+etag] = true
		// The tag of what the client holds revalidates to a 304.
		if resp, _ := rawGet(t, url, "Accept-Encoding", c.accept, "If-None-Match", etag); resp.StatusCode != 304 {
			t.Errorf("Accept-Encoding %q with its own tag: %d, want 304", c.accept, resp.StatusCode)
		}
	}
	if len(tags) != 3 {
		t.Errorf("entity tags by encoding: %v, want one per representation (3)", tags)
	}
	if resp, _ := rawGet(t, base+"/static/app.js"); resp.StatusCode != 404 {
		t.Errorf("an unhashed URL = %d, want 404", resp.StatusCode)
	}
}

// TestPagesCompressedOverHTTP compresses pages and JSON above
// compressMin for clients that accept it, leaves small answers alone, and
// keeps a compressed thread's entity tag working for the poll's 304.
func TestPagesCompressedOverHTTP(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	for i := range 30 {
		f.addMessage(&recrubo.Message{Direction: recrubo.Inbound, Body: fmt.Sprintf("Bericht %d: %s", i, strings.Repeat("wanneer kun je beginnen? ", 8)),
			Status: recrubo.StatusReceived, CreatedAt: f.now.Add(-time.Duration(100-i) * time.Hour), ProviderID: fmt.Sprintf("wamid.z%d", i)})
	}
	base := listen(t, f.srv.Serve)
	framed := []string{"Sec-Fetch-Dest", "iframe", "Referer", f.tenant.FrameOrigins[0] + "/record"}
	var token string
	for _, c := range []struct{ accept, enc string }{{"", ""}, {"gzip", "gzip"}, {"gzip, deflate, br", "gzip"}, {"br", "br"}, {"gzip;q=0, br", "br"}} {
		resp, body := rawGet(t, base+f.candidateURL("nl"), append(framed, "Accept-Encoding", c.accept)...)
		if resp.StatusCode != 200 {
			t.Fatalf("inbox = %d", resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Encoding"); got != c.enc {
			t.Errorf("inbox, Accept-Encoding %q: Content-Encoding %q, want %q", c.accept, got, c.enc)
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("inbox, Accept-Encoding %q: Vary %q", c.accept, resp.Header.Get("Vary"))
		}
		page := decode(t, c.enc, body)
		if !bytes.Contains(page, []byte(`id="thread"`)) || !bytes.HasSuffix(bytes.TrimSpace(page), []byte("</html>")) {
			t.Fatalf("inbox, Accept-Encoding %q: not the page", c.accept)
		}
		if c.enc != "" && len(body) >= len(page)/2 {
			t.Errorf("inbox %s: %d bytes of %d", c.enc, len(body), len(page))
		}
		if c.enc == "" {
			token = tokenIn(t, string(page))
		}
	}

	// The thread's poll: a compressed answer's tag is weak, and sent back
	// it still answers 304.
	thread := base + "/embed/acme/api/candidate/" + f.cand.ID + "/thread"
	auth := []string{"Authorization", "Bearer " + token, "Accept-Encoding", "gzip"}
	resp, body := rawGet(t, thread, auth...)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || len(decode(t, resp.Header.Get("Content-Encoding"), body)) < compressMin {
		t.Fatalf("thread = %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp.Header.Get("Content-Encoding") == "gzip" && !strings.HasPrefix(etag, `W/"`) {
		t.Errorf("a compressed thread's tag %q is not weak", etag)
	}
	if resp, _ := rawGet(t, thread, append(auth, "If-None-Match", etag)...); resp.StatusCode != 304 {
		t.Errorf("the poll with the tag it got = %d, want 304", resp.StatusCode)
	}
	plain, _ := rawGet(t, thread, "Authorization", "Bearer "+token)
	if resp, _ := rawGet(t, thread, append(auth, "If-None-Match", plain.Header.Get("ETag"))...); resp.StatusCode != 304 {
		t.Errorf("the poll with the uncompressed tag = %d, want 304", resp.StatusCode)
	}

	// A small answer (an error) is not compressed.
	resp, _ = rawGet(t, thread, "Accept-Encoding", "gzip")
	if resp.StatusCode != 401 || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("a small error answer = %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}

// tokenIn reads the session token of a page's HTML.
func tokenIn(t *testing.T, page string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, `{"token": "`)
	tok, _, ok2 := strings.Cut(rest, `"`)
	if !ok || !ok2 || tok == "" {
		t.Fatal("page has no session token")
	}
	return tok
}

func TestPickEncoding(t *testing.T) {
	for _, c := range []struct{ accept, want string }{
		{"", ""}, {"identity", ""}, {"gzip", "gzip"}, {"gzip, deflate, br", "br"}, {"br;q=0, gzip", "gzip"},
		{"gzip;q=1.0, br;q=0.5", "gzip"}, {"*", "br"}, {"*;q=0.1, br;q=0", "gzip"}, {"GZIP", "gzip"}, {"gzip;q=x, br", "br"},
	} {
		if got := pickEncoding(c.accept, "br", "gzip"); got != c.want { // the static files' order
			t.Errorf("pickEncoding(%q) = %q, want %q", c.accept, got, c.want)
		}
	}
}
