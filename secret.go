package recrubo

import (
	"encoding/json"
	"log/slog"
)

// Secret holds a credential (a client secret, a password, a signing key).
// Every way of printing it shows a mask, so a secret cannot end up in a log
// line or a CLI listing by accident; Reveal is the one explicit way out.
// Stores encrypt secrets at rest.
type Secret struct{ value string }

// NewSecret wraps a plaintext credential.
func NewSecret(plaintext string) Secret { return Secret{value: plaintext} }

// Reveal returns the plaintext. Call it only where the credential is used.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

// Masked returns a mask that shows whether the secret is set, and not one
// of its characters.
func (s Secret) Masked() string {
	if s.value == "" {
		return "(not set)"
	}
	return "********"
}

// String implements fmt.Stringer with the mask.
func (s Secret) String() string { return s.Masked() }

// GoString implements fmt.GoStringer with the mask, for %#v.
func (s Secret) GoString() string { return "recrubo.Secret(" + s.Masked() + ")" }

// LogValue implements slog.LogValuer with the mask.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.Masked()) }

// MarshalJSON writes the mask, never the plaintext.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.Masked()) }

// UnmarshalJSON reads a plaintext secret (from a tenant file or an API).
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s.value = v
	return nil
}

// UnmarshalText reads a plaintext secret (from YAML, flags or environment).
func (s *Secret) UnmarshalText(b []byte) error {
	s.value = string(b)
	return nil
}

// Cipher encrypts secrets for storage. Implementations record which key
// sealed a value, so keys can rotate.
type Cipher interface {
	// Seal encrypts plaintext and returns a self-describing ciphertext.
	Seal(plaintext string) (string, error)
	// Open decrypts a value returned by Seal.
	Open(ciphertext string) (string, error)
}
