package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/recrubo/recrubo-carerix/carerix"
	"github.com/recrubo/recrubo-carerix/embed"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/store"
)

// embedPageTTL is how long a rendered inbox may be served from memory;
// changes drop it sooner.
const embedPageTTL = 30 * time.Second

// carerixRecordsTTL is how long what a page read from Carerix outside the
// mirror (an unsynced vacancy, a candidate's matches) is reused.
const carerixRecordsTTL = 2 * time.Minute

// wireEmbeds wires the inbox and dashboard pages framed in Carerix: the
// authenticator checks embed URLs against the cached mirror and, when it
// disagrees, against the tenant's Carerix; pages read through the cache,
// act through the conversations service, and rendered inboxes are cached
// until the store reports a change of their tenant. What pages show from
// outside the mirror is read from the tenant's Carerix and kept a while.
func wireEmbeds(s *services) error {
	auth, err := s.embedAuthenticator()
	if err != nil {
		return err
	}
	pages := server.NewEmbedPageCache(embedPageTTL, nil)
	waits := server.NewChangeWaits(store.ConversationChanges()...)
	s.server.Embeds = server.EmbedDeps{
		Auth:       auth,
		SignIn:     &embed.Realm{PublicURL: s.cfg.PublicURL},
		Data:       s.cached,
		Messenger:  s.messaging,
		Broadcasts: s.messaging,
		Pages:      pages,
		Waits:      waits,
		Carerix: embed.NewCarerixRecords(carerix.NewPool(func(c *carerix.Config) { c.Logger = s.log.With("area", "embeds") }, s.db),
			carerixRecordsTTL),
	}
	s.background = append(s.background, func(ctx context.Context) {
		// Through the cache: a page or a waiting request that a change
		// lets go on reads what the change wrote, not the cache's copy
		// from before it.
		s.cached.Subscribe(ctx, pages.Invalidate)
		s.cached.Subscribe(ctx, waits.Notify)
		<-ctx.Done()
	})
	return nil
}

// embedAuthenticator returns the one authenticator of embed proofs, shared
// by the embedded pages and the admin's verify page, so its cache of
// hashes confirmed by Carerix is shared too.
func (s *services) embedAuthenticator() (*embed.Authenticator, error) {
	if s.embedAuth != nil {
		return s.embedAuth, nil
	}
	auth, err := embed.New(embed.Config{
		Mirror:  s.cached,
		Fetcher: &embed.CarerixFetcher{Logger: s.log, Contracts: s.db},
		Logger:  s.log,
	})
	if err != nil {
		return nil, fmt.Errorf("wiring embed authentication: %w", err)
	}
	s.embedAuth = auth
	return auth, nil
}
