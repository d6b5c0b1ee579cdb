package webhooks

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by Service methods wrap one of them, so
// callers test with errors.Is and show err.Error() to the client.
var (
	// ErrNotFound means the application or webhook does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the request failed validation.
	ErrInvalid = errors.New("invalid request")
	// ErrUnauthenticated is returned by an Options.Authorize function when
	// the request carries no valid bearer token; the API answers 401.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden is returned by an Options.Authorize function when the
	// token lacks the required scope; the API answers 403. Any other
	// non-nil Authorize error is treated the same way.
	ErrForbidden = errors.New("forbidden")
)

// invalidf returns an error wrapping ErrInvalid with a formatted message.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// notFoundf returns an error wrapping ErrNotFound with a formatted message.
func notFoundf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}
