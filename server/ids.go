package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
)

// idSource makes a server's request ids and CSP nonces.
type idSource struct {
	// prefix is the random part of the request ids, drawn when the server
	// is built; seq numbers them.
	prefix [16]byte
	seq    atomic.Uint64
	// nonces holds *nonceBatch.
	nonces sync.Pool
}

func newIDSource() *idSource {
	g := &idSource{}
	var b [8]byte
	_, _ = rand.Read(b[:])
	hex.Encode(g.prefix[:], b[:])
	g.nonces.New = func() any { return &nonceBatch{next: nonceBatchSize * nonceSize} }
	return g
}

// requestID makes a request id: 16 hex digits drawn at random when the
// server was built, then the request's sequence number as 16 more. Ids
// only have to be unique (across processes by the random part, within
// one by the counter), not unguessable: they name a request in the logs
// and authorize nothing. Drawing them from crypto/rand cost a system
// call per request.
func (g *idSource) requestID() string {
	var b [32]byte
	copy(b[:], g.prefix[:])
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], g.seq.Add(1))
	hex.Encode(b[16:], n[:])
	return string(b[:])
}

const (
	nonceSize      = 16
	nonceBatchSize = 64
)

// nonceBatch is random bytes for the nonces not handed out yet, from
// next on.
type nonceBatch struct {
	buf  [nonceBatchSize * nonceSize]byte
	next int
}

// nonce returns 16 random bytes from crypto/rand, base64-encoded, for a
// CSP nonce. The bytes are read from crypto/rand for 64 nonces at a time,
// not one: each nonce is still 16 bytes of the system's CSPRNG that no
// other nonce shares (a batch belongs to one caller at a time, and its
// bytes are handed out once and cleared).
func (g *idSource) nonce() (string, error) {
	b := g.nonces.Get().(*nonceBatch)
	defer g.nonces.Put(b)
	if b.next == len(b.buf) {
		if _, err := rand.Read(b.buf[:]); err != nil {
			return "", fmt.Errorf("making a CSP nonce: %w", err)
		}
		b.next = 0
	}
	raw := b.buf[b.next : b.next+nonceSize]
	var enc [22]byte // base64.RawStdEncoding.EncodedLen(nonceSize)
	base64.RawStdEncoding.Encode(enc[:], raw)
	clear(raw)
	b.next += nonceSize
	return string(enc[:]), nil
}
