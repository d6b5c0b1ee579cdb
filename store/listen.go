package store

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// changeChannel is the NOTIFY channel of a schema. Channels are database
// wide, so each schema gets its own and instances on different schemas of
// one database do not hear each other.
func changeChannel(schema string) string {
	if schema == "" {
		return "recrubo_changes"
	}
	return "recrubo_changes_" + schema
}

// wireChange is a Change as sent through NOTIFY (at most 8000 bytes; ids
// are short).
type wireChange struct {
	TenantID string `json:"t,omitempty"`
	Kind     string `json:"k"`
	ID       string `json:"i,omitempty"`
}

// notifyChanges queues the changes as notifications in the transaction;
// PostgreSQL delivers them when, and only if, it commits.
func notifyChanges(ctx context.Context, q querier, channel string, changes []recrubo.Change) error {
	payloads := make([]string, len(changes))
	for i, c := range changes {
		b, err := json.Marshal(wireChange(c))
		if err != nil {
			return fmt.Errorf("encoding change: %w", err)
		}
		payloads[i] = string(b)
	}
	if _, err := q.exec(ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, channel, payloads); err != nil {
		return fmt.Errorf("notifying changes: %w", err)
	}
	return nil
}

// listener holds a dedicated PostgreSQL connection in LISTEN and publishes
// what it hears to the hub. When the connection breaks it reconnects with
// backoff and then publishes a resync for every tenant, because
// notifications sent while it was away are lost.
type listener struct {
	channel string
	cc      *pgx.ConnConfig
	hub     *hub
	log     *slog.Logger
	cancel  context.CancelFunc
	done    chan struct{}
}

const (
	listenBackoffMin = 100 * time.Millisecond
	listenBackoffMax = 10 * time.Second
)

// startListener connects and LISTENs before returning, so the caller knows
// every later commit will be heard.
func startListener(ctx context.Context, cc *pgx.ConnConfig, channel string, h *hub, log *slog.Logger) (*listener, error) {
	cc = cc.Copy()
	cc.RuntimeParams["application_name"] = "recrubo listener " + channel
	l := &listener{channel: channel, cc: cc, hub: h, log: log, done: make(chan struct{})}
	conn, err := l.connect(ctx)
	if err != nil {
		return nil, err
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go l.run(loopCtx, conn)
	return l, nil
}

func (l *listener) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, l.cc)
	if err != nil {
		return nil, fmt.Errorf("connecting change listener: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.channel}.Sanitize()); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("listening for changes: %w", err)
	}
	return conn, nil
}

func (l *listener) run(ctx context.Context, conn *pgx.Conn) {
	defer close(l.done)
	backoff := listenBackoffMin
	for {
		err := l.receive(ctx, conn)
		_ = conn.Close(context.WithoutCancel(ctx))
		if ctx.Err() != nil {
			return
		}
		l.log.Warn("change listener lost its connection; reconnecting", "err", err)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			var cerr error
			if conn, cerr = l.connect(ctx); cerr == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			l.log.Warn("change listener could not reconnect", "err", cerr, "retry_in", backoff)
			backoff = min(backoff*2, listenBackoffMax)
		}
		backoff = listenBackoffMin
		l.hub.publish([]recrubo.Change{{Kind: ChangeResync}})
	}
}

// receive publishes notifications until the connection fails or ctx ends.
func (l *listener) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var w wireChange
		if err := json.Unmarshal([]byte(n.Payload), &w); err != nil || w.Kind == "" {
			l.log.Warn("ignoring malformed change notification", "payload", n.Payload)
			continue
		}
		l.hub.publish([]recrubo.Change{recrubo.Change(w)})
	}
}

func (l *listener) stop() {
	l.cancel()
	<-l.done
}
