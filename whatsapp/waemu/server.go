package waemu

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is an Emulator served on a TCP address, for the demo and for
// running it by hand.
type Server struct {
	*Emulator
	http *http.Server
	url  string
	done chan error
}

// Listen creates an emulator with opts, serves it on addr (":0" or
// "127.0.0.1:0" picks a free port) and starts webhook delivery. It runs
// until ctx ends or Close is called.
func Listen(ctx context.Context, addr string, opts Options) (*Server, error) {
	emu, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("waemu: listening on %s: %w", addr, err)
	}
	if err := emu.Start(ctx); err != nil {
		_ = ln.Close()
		return nil, err
	}
	s := &Server{
		Emulator: emu,
		http:     &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second},
		url:      "http://" + ln.Addr().String(),
		done:     make(chan error, 1),
	}
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	go func() {
		<-ctx.Done()
		_ = s.Close()
	}()
	return s, nil
}

// URL is the emulator's base URL, to use as the Graph API base URL
// (whatsapp.Config.BaseURL, a tenant's WhatsApp API base URL).
func (s *Server) URL() string { return s.url }

// Close stops serving and delivering. It is idempotent.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if cerr := s.Emulator.Close(); err == nil {
		err = cerr
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("waemu: closing: %w", err)
	}
	return nil
}

// Wait blocks until the server stopped serving and returns why.
func (s *Server) Wait() error {
	err := <-s.done
	s.done <- err
	return err
}
