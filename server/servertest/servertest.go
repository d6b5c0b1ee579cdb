// Package servertest runs the service's HTTP server on a loopback port for
// tests that speak to it over real HTTP.
package servertest

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/server"
	"github.com/recrubo/recrubo-carerix/store"
)

// Options adjust the server a test starts.
type Options struct {
	// WebhookBodyLimit is the webhook body limit; zero means 256 KiB.
	WebhookBodyLimit int
}

// Start serves a server built from deps on 127.0.0.1 until tb ends and
// returns its base URL ("http://127.0.0.1:port"). A nil logger discards.
func Start(tb testing.TB, deps server.Deps, o Options) string {
	tb.Helper()
	if o.WebhookBodyLimit == 0 {
		o.WebhookBodyLimit = 256 << 10
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	srv, err := server.New(server.Config{ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
		IdleTimeout: 30 * time.Second, BodyLimit: 1 << 20, WebhookBodyLimit: o.WebhookBodyLimit}, deps)
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

// Feed is what ChangeWaits follows: the store's change feed.
type Feed interface {
	Subscribe(ctx context.Context, fn func(recrubo.Change))
}

// ChangeWaits returns waits woken by feed's conversation changes
// (store.ConversationChanges) until tb ends, as the service wires them.
func ChangeWaits(tb testing.TB, feed Feed) *server.ChangeWaits {
	waits := server.NewChangeWaits(store.ConversationChanges()...)
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	feed.Subscribe(ctx, waits.Notify)
	return waits
}
