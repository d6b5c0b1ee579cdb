package webhooks

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sync/atomic"
)

// KeyBits is the size of the RSA keys generated for applications.
const KeyBits = 2048

// KeySource hands out the private key of a new application.
type KeySource interface {
	// Key returns a private key for a newly created application.
	Key(ctx context.Context) (*rsa.PrivateKey, error)
}

// GeneratedKeys is a KeySource that generates a fresh RSA-2048 key pair per
// call. It is the default; generation takes tens to hundreds of
// milliseconds, so tests usually inject a KeyPool instead.
type GeneratedKeys struct{}

// Key generates a new RSA key of KeyBits bits.
func (GeneratedKeys) Key(ctx context.Context) (*rsa.PrivateKey, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("generating application key: %w", err)
	}
	k, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("generating application key: %w", err)
	}
	return k, nil
}

// KeyPool is a KeySource that hands out pre-made keys round-robin, so
// several applications may share a key. Safe for concurrent use.
type KeyPool struct {
	keys []*rsa.PrivateKey
	next atomic.Uint64
}

// NewKeyPool returns a pool over keys, which must not be empty.
func NewKeyPool(keys ...*rsa.PrivateKey) (*KeyPool, error) {
	if len(keys) == 0 {
		return nil, errors.New("new key pool: no keys")
	}
	for i, k := range keys {
		if k == nil {
			return nil, fmt.Errorf("new key pool: key %d is nil", i)
		}
	}
	return &KeyPool{keys: append([]*rsa.PrivateKey(nil), keys...)}, nil
}

// Key returns the next key of the pool.
func (p *KeyPool) Key(context.Context) (*rsa.PrivateKey, error) {
	i := p.next.Add(1) - 1
	return p.keys[i%uint64(len(p.keys))], nil
}

// SignatureKey is the tenant's global signing key as
// GET /webhooks/v1/signature-key serves it.
type SignatureKey struct {
	// Algorithm is the signature algorithm, e.g. "RSA-SHA256".
	Algorithm string `json:"algorithm"`
	// PublicKey is the PEM-encoded public key that verifies Cx-Signature.
	PublicKey string `json:"publicKey"`
}

// SignatureKey returns the global key that signs every delivery when
// Options.GlobalSignatureKey is set, making it on first use. Without a
// global key it returns an error wrapping ErrNotFound.
func (s *Service) SignatureKey(ctx context.Context) (SignatureKey, error) {
	if !s.opts.GlobalSignatureKey {
		return SignatureKey{}, notFoundf("signature key: deliveries are signed per application")
	}
	key, err := s.globalSigningKey(ctx)
	if err != nil {
		return SignatureKey{}, err
	}
	pub, err := PublicKeyPEM(key)
	if err != nil {
		return SignatureKey{}, err
	}
	return SignatureKey{Algorithm: s.opts.Signer.Algorithm(), PublicKey: pub}, nil
}

// globalSigningKey returns the global key, taking it from Options.Keys the
// first time.
func (s *Service) globalSigningKey(ctx context.Context) (*rsa.PrivateKey, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	s.mu.Lock()
	key := s.globalKey
	s.mu.Unlock()
	if key != nil {
		return key, nil
	}
	key, err := s.opts.Keys.Key(ctx)
	if err != nil {
		return nil, fmt.Errorf("making the global signature key: %w", err)
	}
	s.mu.Lock()
	s.globalKey = key
	s.mu.Unlock()
	return key, nil
}

// PublicKeyPEM encodes the public half of key as a PKIX "PUBLIC KEY" PEM
// block, the format advertised in signatureVerification.publicKey.
func PublicKeyPEM(key *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", fmt.Errorf("encoding public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}
