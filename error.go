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

// Error is the application's error: a code, what the user is told, optional
// field errors, and an optional cause that is only logged.
//
// What the user is told is either a catalog key with its arguments (Key,
// Args), set where the error is made and translated where it leaves the
// program (the HTTP server, the command line) from the catalog's English
// and Dutch texts; or, for errors only an operator meets, an English
// Message.
type Error struct {
	Code Code
	// Key names the user's text in the message catalog (the locales of
	// package templates); Args fill its verbs.
	Key  string
	Args []any
	// Message is the English text of an error without a Key.
	Message string
	Fields  []FieldError
	Err     error
}

// Error implements error. It includes the cause, so logs carry the detail;
// user-facing output must translate the error (Key) or use ErrorMessage.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	switch {
	case e.Key != "":
		b.WriteString(": ")
		b.WriteString(e.Key)
		if len(e.Args) > 0 {
			fmt.Fprintf(&b, " %v", e.Args)
		}
	case e.Message != "":
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

// E returns an error a user reads in their language: key names its text
// in the message catalog, args fill the text's verbs.
func E(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// WrapE is E with a cause that is kept for logs only.
func WrapE(code Code, err error, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args, Err: err}
}

// Errorf returns an application error with a formatted English message,
// for errors only an operator meets (the command line, logs, stored
// outcomes); what a recruiter or an admin may read is made with E.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError is Errorf with a cause that is kept for logs only.
func WrapError(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorKey returns the catalog key and arguments of the first
// application error in err's chain; "" when it has none.
func ErrorKey(err error) (key string, args []any) {
	var e *Error
	if errors.As(err, &e) {
		return e.Key, e.Args
	}
	return "", nil
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

// ErrorMessage returns the user-safe English message of an error without
// a catalog key, or the key and its arguments of one with it (translate
// those with the catalog where a person reads them). Errors that are not
// application errors, and internal ones, say only "Internal error.".
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) || e.Code == EINTERNAL {
		return "Internal error."
	}
	if e.Key != "" {
		if len(e.Args) == 0 {
			return e.Key
		}
		return fmt.Sprintf("%s %v", e.Key, e.Args)
	}
	return e.Message
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
