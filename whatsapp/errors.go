package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Error codes the Cloud API returns, in the send response or in a failed
// status webhook. The list is not exhaustive; unknown codes are kept as is.
const (
	CodeAPIUnknown                   = 1      // "API Unknown": possibly temporary
	CodeAPIService                   = 2      // temporary downtime
	CodeTooManyCalls                 = 4      // application request limit
	CodePermissionDenied             = 10     // permission not granted or removed
	CodeInvalidParameter             = 100    // unsupported or misspelled parameter
	CodeAccessTokenExpired           = 190    // token expired, revoked or invalid
	CodeRateLimitHit                 = 130429 // Cloud API throughput reached
	CodeSomethingWentWrong           = 131000 // unknown error; try again
	CodeRequiredParameterMissing     = 131008 // a required parameter is missing
	CodeParameterValueInvalid        = 131009 // a parameter value is invalid
	CodeServiceUnavailable           = 131016 // service temporarily unavailable
	CodeRecipientCannotBeSender      = 131021 // sent to the business number itself
	CodeMessageUndeliverable         = 131026 // not a WhatsApp number, old client, terms not accepted
	CodeReengagementMessage          = 131047 // more than 24 hours since the customer last replied
	CodeSpamRateLimit                = 131048 // too many messages flagged as spam
	CodeUnsupportedMessageType       = 131051 // message type not supported
	CodePairRateLimit                = 131056 // too many messages to the same recipient
	CodeTemplateParamCountMismatch   = 132000 // number of parameters does not match the template
	CodeTemplateNotFound             = 132001 // template missing in that language, or not approved
	CodeTemplateTextTooLong          = 132005
	CodeTemplatePaused               = 132015
	CodeTemplateDisabled             = 132016
	CodeServerTemporarilyUnavailable = 133004
)

var (
	// ErrInvalidRequest is wrapped by errors about the caller's input that
	// the client refuses before any request is made (bad recipient, empty
	// body, oversize callback data). Such a message cannot succeed on retry.
	ErrInvalidRequest = errors.New("whatsapp: invalid request")
	// ErrMalformedResponse is wrapped when a 2xx response cannot be decoded
	// or lacks a message id. Meta may have accepted the message, so it is not
	// retryable: retrying could send it twice.
	ErrMalformedResponse = errors.New("whatsapp: malformed API response")
)

// APIError is an error returned by the Graph API for a request it refused.
type APIError struct {
	// HTTPStatus is the HTTP status code of the response.
	HTTPStatus int
	// Code is Meta's error code, e.g. 131047 or 190. Zero when the body held
	// no Graph error envelope.
	Code int
	// Subcode is error_subcode, zero when absent.
	Subcode int
	// Type is the exception type, e.g. "OAuthException".
	Type string
	// Message is the human-readable message, which usually starts with "(#code)".
	Message string
	// Details is error_data.details, Meta's most specific explanation.
	Details string
	// FBTraceID identifies the request for Meta support.
	FBTraceID string
	// Transient is Graph's is_transient flag.
	Transient bool
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "whatsapp: API error code %d", e.Code)
	if e.Subcode != 0 {
		fmt.Fprintf(&b, " subcode %d", e.Subcode)
	}
	fmt.Fprintf(&b, " (HTTP %d", e.HTTPStatus)
	if e.Type != "" {
		fmt.Fprintf(&b, ", %s", e.Type)
	}
	b.WriteString(")")
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Details != "" {
		fmt.Fprintf(&b, ": %s", e.Details)
	}
	if e.FBTraceID != "" {
		fmt.Fprintf(&b, " [fbtrace_id %s]", e.FBTraceID)
	}
	return b.String()
}

// Reason is a short provider reason suitable for storing on a failed message.
func (e *APIError) Reason() string {
	if e.Details != "" {
		return fmt.Sprintf("%d: %s", e.Code, e.Details)
	}
	return fmt.Sprintf("%d: %s", e.Code, e.Message)
}

// Retryable reports whether the same request can succeed later without
// changes: HTTP 429 and 5xx, Graph's is_transient flag, and the codes Meta
// documents as throttling or temporary (1, 2, 4, 130429, 131000, 131016,
// 131056, 133004). Everything else (bad parameters, unknown template,
// invalid or expired token, outside the customer service window,
// undeliverable number) is permanent: fix the input or mark the message failed.
func (e *APIError) Retryable() bool {
	if e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500 || e.Transient {
		return true
	}
	switch e.Code {
	case CodeAPIUnknown, CodeAPIService, CodeTooManyCalls, CodeRateLimitHit,
		CodeSomethingWentWrong, CodeServiceUnavailable, CodePairRateLimit,
		CodeServerTemporarilyUnavailable:
		return true
	}
	return false
}

// IsAuth reports whether the error means the access token is missing,
// invalid or expired.
func (e *APIError) IsAuth() bool {
	return e.Code == CodeAccessTokenExpired || e.HTTPStatus == http.StatusUnauthorized
}

// NetworkError is a transport failure: the request may or may not have
// reached Meta. It is retryable, but a retry after a failure that happened
// once the request was written can send the message twice, because the
// Cloud API has no idempotency key.
type NetworkError struct {
	// Op names the step that failed.
	Op string
	// Err is the underlying error.
	Err error
}

// Error implements error.
func (e *NetworkError) Error() string { return fmt.Sprintf("whatsapp: %s: %v", e.Op, e.Err) }

// Unwrap returns the underlying error.
func (e *NetworkError) Unwrap() error { return e.Err }

// Retryable always reports true; see the type comment about duplicates.
func (e *NetworkError) Retryable() bool { return true }

// Retryable reports whether err, returned by a [Client] method, is worth
// retrying later. It is false for nil, for cancellation by the caller, for
// [ErrInvalidRequest] and [ErrMalformedResponse], and for permanent API errors.
func Retryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Retryable()
	}
	var netErr *NetworkError
	return errors.As(err, &netErr)
}

// graphErrorEnvelope is the Graph API error body.
type graphErrorEnvelope struct {
	Error *struct {
		Message     string          `json:"message"`
		Type        string          `json:"type"`
		Code        int             `json:"code"`
		Subcode     int             `json:"error_subcode"`
		IsTransient bool            `json:"is_transient"`
		UserMsg     string          `json:"error_user_msg"`
		ErrorData   json.RawMessage `json:"error_data"`
		FBTraceID   string          `json:"fbtrace_id"`
	} `json:"error"`
}

// parseAPIError converts a non-2xx response into *APIError. A body that is
// not a Graph error envelope keeps the status and a bounded excerpt.
func parseAPIError(status int, body []byte) *APIError {
	e := &APIError{HTTPStatus: status}
	var env graphErrorEnvelope
	if err := json.Unmarshal(body, &env); err != nil || env.Error == nil {
		e.Message = excerpt(body, 200)
		return e
	}
	g := env.Error
	e.Code, e.Subcode, e.Type, e.Message = g.Code, g.Subcode, g.Type, g.Message
	e.FBTraceID, e.Transient = g.FBTraceID, g.IsTransient
	e.Details = errorDataDetails(g.ErrorData)
	if e.Details == "" {
		e.Details = g.UserMsg
	}
	return e
}

// errorDataDetails reads error_data, which is an object with "details" for
// messaging errors and a plain string for some template API errors.
func errorDataDetails(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var obj struct {
		Details string `json:"details"`
	}
	if err := json.Unmarshal(raw, &obj); err == nil {
		return obj.Details
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return ""
}

// excerpt returns at most n bytes of b as valid UTF-8 text.
func excerpt(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return strings.ToValidUTF8(strings.TrimSpace(string(b)), string(utf8.RuneError))
}
