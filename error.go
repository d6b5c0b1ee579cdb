package recrubo

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error for callers and for the HTTP layer, which maps each
// code to one status in one place.
type Code string

// The error codes of the application.
const (
	EINVALID      Code = "invalid"      // the input is malformed or breaks a rule
	ENOTFOUND     Code = "not_found"    // the thing asked for does not exist (for this tenant)
	ECONFLICT     Code = "conflict"     // the change clashes with existing state (duplicate slug, ...)
	EUNAUTHORIZED Code = "unauthorized" // the caller did not prove who they are
	EFORBIDDEN    Code = "forbidden"    // the caller is known but may not do this
	ETOOLARGE     Code = "too_large"    // the request body is over its limit
	EUNAVAILABLE  Code = "unavailable"  // a dependency is down or not ready; try again later
	ERATELIMITED  Code = "rate_limited" // too many requests; try again later
	EINTERNAL     Code = "internal"     // anything else: a bug or an unexpected failure
)

// FieldError names one invalid input field and says what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the application's error: a code, a message that is safe to show to
// the user, optional field errors, and an optional cause that is only logged.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Err     error
}

// Error implements error. It includes the cause, so logs carry the detail;
// user-facing output must use ErrorMessage instead.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an application error with a formatted, user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an application error with a user-safe message and a cause
// that is kept for logs only.
func WrapError(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first application error in err's chain,
// or EINTERNAL when there is none. A nil error has no code.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err. Errors that are not
// application errors, and internal ones, say only "Internal error.".
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the field errors of the first application error in
// err's chain.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
