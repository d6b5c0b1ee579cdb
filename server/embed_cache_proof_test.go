package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix/carerixemu"
	"github.com/recrubo/recrubo-carerix/store"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestEmbedPageCacheRemembersProofs loads the inbox through the store
// cache and the page cache, as the service does, on both databases: a URL
// whose proof the mirror settled is answered again without the check,
// still only when framed as before, and the check comes back as soon as
// anything it read changes, in the store (a deactivated user, a record
// synced with a new hash) or in Carerix (a newer hash reported before
// sync has it). Writes go to the database, not through the server (on
// PostgreSQL, through another instance), so that only the store's change
// feed can tell the caches.
func TestEmbedPageCacheRemembersProofs(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			f := newEmbedFixture(t, backend)
			f.startConversation(time.Hour)
			f.serveCached(t)
			cached := f.srv.deps.Embeds.Data.(*store.Cached)
			// On PostgreSQL the changes are written by another instance,
			// whose changes reach this one's feed.
			writer := f.db
			if backend == storetest.Postgres {
				writer = f.env.Open(t)
			}
			reads := func() uint64 { s := cached.Stats(); return s.Hits + s.Misses }
			status := func(target string) int {
				resp, _ := f.do(f.framed(target))
				return resp.StatusCode
			}
			// eventually waits for the change feed to reach the caches.
			eventually := func(what, target string, want int) {
				t.Helper()
				deadline := time.Now().Add(10 * time.Second)
				for status(target) != want {
					if time.Now().After(deadline) {
						t.Fatalf("%s: %s is still %d, want %d", what, target, status(target), want)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}

			good := f.candidateURL("nl")
			if got := status(good); got != 200 {
				t.Fatalf("first load = %d", got)
			}
			before := reads()
			if got := status(good); got != 200 {
				t.Fatalf("second load = %d", got)
			}
			if after := reads(); after != before {
				t.Errorf("a remembered proof was checked again: %d store reads", after-before)
			}

			// Framing is checked on every load.
			f.refusesFraming(good, "remembered URL ")

			// Only the URL a template writes is remembered: another form
			// of the same proof is checked every time.
			encoded := strings.Replace(good, "&u="+f.viewer.ID, "&u="+fmt.Sprintf("%%%02X", f.viewer.ID[0])+f.viewer.ID[1:], 1)
			for _, variant := range []string{good + "&x=1", good + "&u=" + f.viewer.ID, encoded,
				strings.Replace(good, "lang=nl", "lang=NL", 1), strings.Replace(good, "/candidate/", "/Candidate/", 1)} {
				if variant == good {
					t.Fatalf("no variant: %s", variant)
				}
				if got := status(variant); got != 200 {
					t.Fatalf("%s = %d, want 200", variant, got)
				}
				before := reads()
				status(variant)
				if reads() == before {
					t.Errorf("%s was remembered", variant)
				}
			}
			// So is a request target with a fragment, or in absolute form,
			// which name the same path and query.
			inMemory := f.srv.app.Handler()
			for _, target := range []string{good + "#1", "http://recrubo.example" + good} {
				var ctx fasthttp.RequestCtx
				ctx.Request.Header.SetRequestURI(target)
				ctx.Request.Header.Set("Referer", f.tenant.FrameOrigins[0]+"/record")
				for i := range 2 {
					before := reads()
					ctx.Response.Reset()
					inMemory(&ctx)
					if ctx.Response.StatusCode() != 200 {
						t.Fatalf("%s = %d, want 200", target, ctx.Response.StatusCode())
					}
					if i == 1 && reads() == before {
						t.Errorf("%s was remembered", target)
					}
				}
			}
			// A HEAD is checked every time.
			head := f.framed(good)
			head.Method = "HEAD"
			before = reads()
			if resp, _ := f.do(head); resp.StatusCode != 200 || reads() == before {
				t.Errorf("HEAD = %d, checked: %v", resp.StatusCode, reads() != before)
			}

			// The tenant's settings change (Carerix moves to another
			// origin): the remembered URL follows them.
			tn, err := f.db.TenantByID(ctx, f.tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			origins := tn.FrameOrigins
			tn.FrameOrigins = []string{"https://elsewhere.carerix.net"}
			if err := writer.UpdateTenant(ctx, tn); err != nil {
				t.Fatal(err)
			}
			eventually("frame origins changed", good, 403)
			tn.FrameOrigins = origins
			if err := writer.UpdateTenant(ctx, tn); err != nil {
				t.Fatal(err)
			}
			eventually("frame origins back", good, 200)

			// The user is deactivated, then active again, as sync writes it.
			active := func(on bool) {
				if _, err := writer.UpsertRecruiter(ctx, &recrubo.Recruiter{TenantID: f.tenant.ID, ID: f.viewer.ID, UserName: f.viewer.UserName,
					Active: on, StableHash: f.viewer.StableHash, ModifiedAt: f.now}); err != nil {
					t.Fatal(err)
				}
			}
			active(false)
			eventually("user deactivated", good, 403)
			active(true)
			eventually("user active again", good, 200)
			status(good) // remembered again

			// Carerix reports a newer hash of the record before sync has
			// it: the leaked old URL stops working at once, remembered or not.
			changed, err := f.emu.UpdateEmployee(ctx, f.cand.ID, carerixemu.EmployeeFields{City: carerixemu.Str("Zwolle")})
			if err != nil {
				t.Fatal(err)
			}
			f.cand = changed
			newer := f.candidateURL("nl")
			if got := status(newer); got != 200 {
				t.Fatalf("the new hash, confirmed by Carerix = %d", got)
			}
			if got := status(good); got != 403 {
				t.Errorf("the remembered old URL after Carerix reported a newer hash = %d, want 403", got)
			}

			// While Carerix's newer hash is remembered, the new URL is
			// checked on every load too.
			before = reads()
			status(newer)
			if reads() == before {
				t.Error("a load was not checked while Carerix's newer hash is remembered")
			}

			// Sync catches up: the new URL is settled by the mirror (and
			// remembered); the old one stays refused.
			f.syncCandidate(changed)
			eventually("synced", newer, 200)
			if got := status(good); got != 403 {
				t.Errorf("the old URL after sync = %d, want 403", got)
			}
		})
	}
}

// TestEmbedPageCacheProofDuringChange remembers no proof checked while a
// change arrived: the check may have read what the change replaced.
func TestEmbedPageCacheProofDuringChange(t *testing.T) {
	pc := NewEmbedPageCache(time.Minute, nil)
	v := &recrubo.EmbedViewer{Tenant: &recrubo.Tenant{ID: "t1"}, User: &recrubo.Recruiter{ID: "u1"}}
	e := pc.put("key", "t1", pc.stampOf("t1"), "title", []byte("page"))
	const u = "/embed/acme/candidate/1?rh=a"

	seen := pc.seen()
	pc.Invalidate(recrubo.Change{TenantID: "t2", Kind: "candidate"}) // another tenant's, even
	pc.remember(u, seen, v, e)
	if pc.provedBy(u) != nil {
		t.Error("a proof checked while a change arrived was remembered")
	}

	seen = pc.seen()
	pc.remember(u, seen, v, e)
	if p := pc.provedBy(u); p == nil || p.viewer != v || p.page != e {
		t.Fatalf("remembered = %+v", p)
	}
	if pc.provedBy(u+"&x=1") != nil {
		t.Error("another URL was taken for the remembered one")
	}
	pc.Invalidate(recrubo.Change{TenantID: "t1", Kind: "recruiter"})
	if pc.provedBy(u) != nil {
		t.Error("the tenant's change left its proof remembered")
	}

	// A change naming no tenant (a lost notification) drops everything,
	// and a page rendered before it, stored after it, is not served.
	st := pc.stampOf("t1")
	e = pc.put("key", "t1", st, "title", []byte("page"))
	pc.remember(u, pc.seen(), v, e)
	pc.Invalidate(recrubo.Change{Kind: "resync"})
	if pc.provedBy(u) != nil || pc.get("key") != nil {
		t.Error("a change naming no tenant left a proof or a page")
	}
	e = pc.put("key", "t1", st, "title", []byte("page"))
	if pc.get("key") != nil {
		t.Error("a page rendered before a change naming no tenant was served after it")
	}
	pc.remember(u, pc.seen(), v, e)
	if pc.provedBy(u) != nil {
		t.Error("a proof for a page from before a change naming no tenant was remembered")
	}
}
