package server

import (
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// statusByCode is the one table that maps domain error codes to HTTP statuses.
var statusByCode = map[recrubo.Code]int{
	recrubo.EINVALID:      fiber.StatusBadRequest,
	recrubo.EUNAUTHORIZED: fiber.StatusUnauthorized,
	recrubo.EFORBIDDEN:    fiber.StatusForbidden,
	recrubo.ENOTFOUND:     fiber.StatusNotFound,
	recrubo.ECONFLICT:     fiber.StatusConflict,
	recrubo.ETOOLARGE:     fiber.StatusRequestEntityTooLarge,
	recrubo.ERATELIMITED:  fiber.StatusTooManyRequests,
	recrubo.EUNAVAILABLE:  fiber.StatusServiceUnavailable,
	recrubo.EINTERNAL:     fiber.StatusInternalServerError,
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error     string               `json:"error"`
	Code      recrubo.Code         `json:"code"`
	Fields    []recrubo.FieldError `json:"fields,omitempty"`
	RequestID string               `json:"request_id,omitempty"`
}

// handleError is Fiber's ErrorHandler: it picks the status, logs internal
// errors with their detail, and answers with a safe message only.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, code, msg := classify(err)
	rid := requestIDOf(c)
	if status >= 500 {
		s.log.ErrorContext(c.UserContext(), "request failed",
			slog.String("request_id", rid), slog.String("method", c.Method()),
			slog.String("route", routeOf(c)), slog.Int("status", status), slog.Any("error", err))
	}
	body := errorBody{Error: msg, Code: code, Fields: recrubo.ErrorFields(err), RequestID: rid}
	c.Status(status)
	if status == fiber.StatusTooManyRequests || status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	return c.JSON(body)
}

// classify turns any error into a status, a code and a user-safe message.
func classify(err error) (int, recrubo.Code, string) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		// Fiber's own errors (bad method, body too large, ...).
		switch fe.Code {
		case fiber.StatusRequestEntityTooLarge:
			return fe.Code, recrubo.ETOOLARGE, "Request body too large."
		case fiber.StatusNotFound:
			return fe.Code, recrubo.ENOTFOUND, "Page not found."
		case fiber.StatusMethodNotAllowed:
			return fe.Code, recrubo.EINVALID, "Method not allowed."
		}
		if fe.Code >= 500 {
			return fiber.StatusInternalServerError, recrubo.EINTERNAL, "Internal error."
		}
		return fe.Code, recrubo.EINVALID, fe.Message
	}
	code := recrubo.ErrorCode(err)
	status, ok := statusByCode[code]
	if !ok {
		status, code = fiber.StatusInternalServerError, recrubo.EINTERNAL
	}
	return status, code, recrubo.ErrorMessage(err)
}
