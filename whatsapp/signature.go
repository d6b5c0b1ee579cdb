package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
)

// SignatureHeader is the request header that carries Meta's body signature.
const SignatureHeader = "X-Hub-Signature-256"

const signaturePrefix = "sha256="

// maxChallengeLen bounds the hub.challenge echoed back to Meta.
const maxChallengeLen = 256

var (
	// ErrInvalidSignature is wrapped by every VerifySignature failure.
	ErrInvalidSignature = errors.New("whatsapp: invalid webhook signature")
	// ErrHandshakeRejected is wrapped by every VerifyHandshake failure.
	ErrHandshakeRejected = errors.New("whatsapp: webhook handshake rejected")
)

// Sign returns the X-Hub-Signature-256 value for body: "sha256=" followed by
// the lowercase hex HMAC-SHA256 of body keyed by appSecret.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks header, the X-Hub-Signature-256 value of a webhook
// request, against the raw request body. It requires the "sha256=" prefix and
// exactly 64 hex digits, and compares in constant time. An empty appSecret
// never verifies.
func VerifySignature(appSecret string, body []byte, header string) error {
	if appSecret == "" {
		return fmt.Errorf("%w: no app secret configured", ErrInvalidSignature)
	}
	if header == "" {
		return fmt.Errorf("%w: missing %s header", ErrInvalidSignature, SignatureHeader)
	}
	if len(header) < len(signaturePrefix) || header[:len(signaturePrefix)] != signaturePrefix {
		return fmt.Errorf("%w: header lacks the %q prefix", ErrInvalidSignature, signaturePrefix)
	}
	hexSig := header[len(signaturePrefix):]
	if len(hexSig) != 2*sha256.Size {
		return fmt.Errorf("%w: signature has %d hex digits, want %d", ErrInvalidSignature, len(hexSig), 2*sha256.Size)
	}
	got := make([]byte, sha256.Size)
	if _, err := hex.Decode(got, []byte(hexSig)); err != nil {
		return fmt.Errorf("%w: signature is not hex", ErrInvalidSignature)
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return fmt.Errorf("%w: signature mismatch", ErrInvalidSignature)
	}
	return nil
}

// VerifyHandshake checks Meta's GET subscription request and returns the
// hub.challenge value to write back as the 200 response body. It requires
// hub.mode=subscribe, a hub.verify_token equal to verifyToken (compared in
// constant time) and a short alphanumeric challenge. An empty verifyToken
// never verifies.
func VerifyHandshake(query url.Values, verifyToken string) (string, error) {
	if verifyToken == "" {
		return "", fmt.Errorf("%w: no verify token configured", ErrHandshakeRejected)
	}
	if mode := query.Get("hub.mode"); mode != "subscribe" {
		return "", fmt.Errorf("%w: hub.mode is %q, want subscribe", ErrHandshakeRejected, mode)
	}
	if subtle.ConstantTimeCompare([]byte(query.Get("hub.verify_token")), []byte(verifyToken)) != 1 {
		return "", fmt.Errorf("%w: hub.verify_token does not match", ErrHandshakeRejected)
	}
	challenge := query.Get("hub.challenge")
	if challenge == "" || len(challenge) > maxChallengeLen {
		return "", fmt.Errorf("%w: hub.challenge is empty or longer than %d", ErrHandshakeRejected, maxChallengeLen)
	}
	for i := 0; i < len(challenge); i++ {
		if !isChallengeByte(challenge[i]) {
			return "", fmt.Errorf("%w: hub.challenge has unexpected characters", ErrHandshakeRejected)
		}
	}
	return challenge, nil
}

// isChallengeByte limits the echoed challenge to characters that cannot be
// abused when reflected (Meta sends digits).
func isChallengeByte(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.'
}
