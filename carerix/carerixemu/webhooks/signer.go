package webhooks

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// AlgorithmRSASHA256 is the algorithm name advertised for the default signer.
const AlgorithmRSASHA256 = "RSA-SHA256"

// Signer produces the Cx-Signature header value for a delivery body.
// Carerix does not document the scheme, so it sits behind this interface.
type Signer interface {
	// Algorithm is the name advertised in signatureVerification.algorithm.
	Algorithm() string
	// Sign returns the header value for body.
	Sign(key *rsa.PrivateKey, body []byte) (string, error)
}

// RSASHA256Signer signs with RSASSA-PKCS1-v1_5 over SHA-256 of the raw body
// and base64 (standard alphabet, padded) encodes the result. Assumption.
type RSASHA256Signer struct{}

// Algorithm returns "RSA-SHA256".
func (RSASHA256Signer) Algorithm() string { return AlgorithmRSASHA256 }

// Sign signs body with key.
func (RSASHA256Signer) Sign(key *rsa.PrivateKey, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("signing payload: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// VerifySignature checks a Cx-Signature header produced by RSASHA256Signer
// against the application's public key PEM (PKIX "PUBLIC KEY" or PKCS#1
// "RSA PUBLIC KEY") and the raw request body.
func VerifySignature(pubPEM []byte, body []byte, sigHeader string) error {
	pub, err := parseRSAPublicKey(pubPEM)
	if err != nil {
		return fmt.Errorf("verifying signature: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sigHeader))
	if err != nil {
		return fmt.Errorf("verifying signature: decoding base64: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("verifying signature: %w", err)
	}
	return nil
}

// parseRSAPublicKey decodes the first PEM block of pubPEM as an RSA public key.
func parseRSAPublicKey(pubPEM []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(pubPEM)
	if block == nil {
		return nil, errors.New("no PEM block in public key")
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parsing PKIX public key: %w", err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("public key is %T, not RSA", k)
		}
		return rk, nil
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parsing PKCS#1 public key: %w", err)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("unexpected PEM block type %q", block.Type)
	}
}
