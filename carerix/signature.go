package carerix

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// SignatureHeader is the request header carrying the webhook signature.
const SignatureHeader = "Cx-Signature"

// PayloadSchemaVersionHeader is the request header naming the payload
// schema version (value undocumented).
const PayloadSchemaVersionHeader = "Cx-Payload-Schema-Version"

// SignatureVerifier checks the Cx-Signature header of a webhook delivery
// against its raw body. Carerix documents that deliveries are signed
// asymmetrically and that the application exposes a public key, but not
// the exact scheme; implementations are swappable for that reason.
type SignatureVerifier interface {
	// Verify returns nil when header is a valid signature of body. A
	// mismatch wraps ErrBadSignature.
	Verify(body []byte, header string) error
}

// RSAVerifier verifies base64(RSASSA-PKCS1-v1_5(SHA-256(body))), the
// assumed Carerix scheme.
type RSAVerifier struct {
	key *rsa.PublicKey
}

var _ SignatureVerifier = (*RSAVerifier)(nil)

// NewRSAVerifier parses publicKeyPEM (PKIX "PUBLIC KEY", PKCS#1 "RSA PUBLIC
// KEY", or the bare base64 DER Keycloak-style systems sometimes return).
func NewRSAVerifier(publicKeyPEM string) (*RSAVerifier, error) {
	key, err := parseRSAPublicKey(publicKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("carerix: webhook public key: %w", err)
	}
	return &RSAVerifier{key: key}, nil
}

// Verify implements SignatureVerifier. The header may use the standard or
// URL-safe base64 alphabet, padded or not.
func (v *RSAVerifier) Verify(body []byte, header string) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return fmt.Errorf("%w: %s header is missing", ErrBadSignature, SignatureHeader)
	}
	sig, err := decodeBase64(header)
	if err != nil {
		return fmt.Errorf("%w: %s is not base64", ErrBadSignature, SignatureHeader)
	}
	sum := sha256.Sum256(body)
	if err := rsa.VerifyPKCS1v15(v.key, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return nil
}

// VerifySignature verifies a Cx-Signature header value against the raw
// body with the application's public key, using RSAVerifier.
func VerifySignature(publicKeyPEM string, body []byte, header string) error {
	v, err := NewRSAVerifier(publicKeyPEM)
	if err != nil {
		return err
	}
	return v.Verify(body, header)
}

// decodeBase64 accepts the standard and URL-safe alphabets, padded or not.
func decodeBase64(s string) ([]byte, error) {
	var firstErr error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err == nil {
			return b, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// parseRSAPublicKey decodes an RSA public key from PEM or bare base64 DER.
func parseRSAPublicKey(text string) (*rsa.PublicKey, error) {
	var der []byte
	pkcs1 := false
	if block, _ := pem.Decode([]byte(text)); block != nil {
		switch block.Type {
		case "PUBLIC KEY":
		case "RSA PUBLIC KEY":
			pkcs1 = true
		default:
			return nil, fmt.Errorf("unexpected PEM block %q", block.Type)
		}
		der = block.Bytes
	} else {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
		if err != nil || len(b) == 0 {
			return nil, errors.New("neither PEM nor base64 DER")
		}
		der = b
	}
	if pkcs1 {
		k, err := x509.ParsePKCS1PublicKey(der)
		if err != nil {
			return nil, fmt.Errorf("parsing PKCS#1 key: %w", err)
		}
		return k, nil
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		if k1, err1 := x509.ParsePKCS1PublicKey(der); err1 == nil {
			return k1, nil
		}
		return nil, fmt.Errorf("parsing PKIX key: %w", err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("key is %T, not RSA", k)
	}
	return rk, nil
}
