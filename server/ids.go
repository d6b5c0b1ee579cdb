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

// requestID appends a request id to b: 16 hex digits drawn at random
// when the server was built, then the request's sequence number as 16
// more (requestIDLen in all). Ids only have to be unique (across
// processes by the random part, within one by the counter), not
// unguessable: they name a request in the logs and authorize nothing.
// Drawing them from crypto/rand cost a system call per request.
func (g *idSource) requestID(b []byte) []byte {
	b = append(b, g.prefix[:]...)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], g.seq.Add(1))
	return hex.AppendEncode(b, n[:])
}

// requestIDLen is the length of the ids requestID makes.
const requestIDLen = 32

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

// nonce appends a CSP nonce to dst: 16 random bytes from crypto/rand,
// base64-encoded (nonceLen characters). The bytes are read from
// crypto/rand for 64 nonces at a time, not one: each nonce is still 16
// bytes of the system's CSPRNG that no other nonce shares (a batch
// belongs to one caller at a time, and its bytes are handed out once and
// cleared).
func (g *idSource) nonce(dst []byte) ([]byte, error) {
	b := g.nonces.Get().(*nonceBatch)
	defer g.nonces.Put(b)
	if b.next == len(b.buf) {
		if _, err := rand.Read(b.buf[:]); err != nil {
			return dst, fmt.Errorf("making a CSP nonce: %w", err)
		}
		b.next = 0
	}
	raw := b.buf[b.next : b.next+nonceSize]
	dst = base64.RawStdEncoding.AppendEncode(dst, raw)
	clear(raw)
	b.next += nonceSize
	return dst, nil
}

// nonceLen is the length of a nonce: base64 of nonceSize bytes.
const nonceLen = 22
