// Package keyring encrypts secrets at rest with AES-256-GCM.
//
// A keyring holds one or more 32-byte keys, each with an id. Seal always uses
// the primary key and writes its id into the ciphertext
// ("v1:<key id>:<base64url nonce+ciphertext>"), so Open can find the right key
// after the primary has rotated: add the new key, make it primary, keep the
// old one until every value has been rewritten.
//
// The master key comes from the MASTER_KEY environment variable as
// "<id>:<base64 32 bytes>[,<id>:<base64>...]"; the first entry is primary.
// GenerateKey prints a fresh one.
package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
)

const prefix = "v1"

// Keyring seals and opens secrets. It is safe for concurrent use.
type Keyring struct {
	primary string
	aeads   map[string]cipher.AEAD
}

var _ recrubo.Cipher = (*Keyring)(nil)

// New returns a keyring of the given keys (id to 32-byte key) that seals with
// the primary key.
func New(keys map[string][]byte, primary string) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("keyring: no keys")
	}
	if _, ok := keys[primary]; !ok {
		return nil, fmt.Errorf("keyring: primary key %q is not in the keyring", primary)
	}
	k := &Keyring{primary: primary, aeads: make(map[string]cipher.AEAD, len(keys))}
	for id, key := range keys {
		if !validID(id) {
			return nil, fmt.Errorf("keyring: key id %q must be 1-32 letters, digits, '-' or '_'", id)
		}
		if len(key) != 32 {
			return nil, fmt.Errorf("keyring: key %q is %d bytes, want 32 (AES-256)", id, len(key))
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("keyring: key %q: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("keyring: key %q: %w", id, err)
		}
		k.aeads[id] = aead
	}
	return k, nil
}

// Parse reads a MASTER_KEY value: comma-separated "<id>:<base64 key>" entries,
// the first one primary. The error never contains key material.
func Parse(s string) (*Keyring, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("keyring: empty master key")
	}
	keys := map[string][]byte{}
	var primary string
	for i, entry := range strings.Split(s, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(entry), ":")
		if !ok {
			return nil, fmt.Errorf("keyring: entry %d is not <id>:<base64 key>", i+1)
		}
		key, err := decodeKey(b64)
		if err != nil {
			return nil, fmt.Errorf("keyring: entry %d (id %q): key is not base64", i+1, id)
		}
		if _, dup := keys[id]; dup {
			return nil, fmt.Errorf("keyring: key id %q appears twice", id)
		}
		keys[id] = key
		if i == 0 {
			primary = id
		}
	}
	return New(keys, primary)
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// GenerateKey returns a new MASTER_KEY value with one random key of the given id.
func GenerateKey(id string) (string, error) {
	if !validID(id) {
		return "", fmt.Errorf("keyring: key id %q must be 1-32 letters, digits, '-' or '_'", id)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("keyring: reading random bytes: %w", err)
	}
	return id + ":" + base64.StdEncoding.EncodeToString(key), nil
}

// PrimaryID returns the id of the key Seal uses.
func (k *Keyring) PrimaryID() string { return k.primary }

// Seal encrypts plaintext with the primary key. The empty string seals to
// the empty string, so unset secrets stay visibly unset.
func (k *Keyring) Seal(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	aead := k.aeads[k.primary]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("keyring: reading nonce: %w", err)
	}
	// The key id is authenticated as additional data, so a ciphertext cannot
	// be relabelled to another key.
	sealed := aead.Seal(nonce, nonce, []byte(plaintext), []byte(k.primary))
	return prefix + ":" + k.primary + ":" + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open decrypts a value returned by Seal with whichever key sealed it.
func (k *Keyring) Open(ciphertext string) (string, error) {
	if ciphertext == "" {
		return "", nil
	}
	parts := strings.SplitN(ciphertext, ":", 3)
	if len(parts) != 3 || parts[0] != prefix {
		return "", errors.New("keyring: not a sealed value")
	}
	id := parts[1]
	aead, ok := k.aeads[id]
	if !ok {
		return "", fmt.Errorf("keyring: value was sealed with key %q, which is not in the keyring", id)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return "", errors.New("keyring: sealed value is corrupt")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(id))
	if err != nil {
		return "", fmt.Errorf("keyring: opening value sealed with key %q: authentication failed", id)
	}
	return string(plain), nil
}

// NeedsRotation reports whether a sealed value was sealed with a key other
// than the primary one.
func (k *Keyring) NeedsRotation(ciphertext string) bool {
	parts := strings.SplitN(ciphertext, ":", 3)
	return ciphertext != "" && (len(parts) != 3 || parts[1] != k.primary)
}

func validID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
