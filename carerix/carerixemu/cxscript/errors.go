package cxscript

import "fmt"

// Error is a template error tied to a source line.
type Error struct {
	// Line is the 1-based line of the offending cx: tag.
	Line int
	// Msg describes the problem.
	Msg string
}

// Error formats the error as "cxscript: line N: msg".
func (e *Error) Error() string { return fmt.Sprintf("cxscript: line %d: %s", e.Line, e.Msg) }

// errorf returns an *Error for line.
func errorf(line int, format string, args ...any) *Error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}
