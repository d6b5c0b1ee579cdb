package templates

import (
	"errors"
	"fmt"
	"strconv"
)

// Values holds the values for one render, keyed by placeholder name.
// Accepted value types: string, fmt.Stringer, the integer and float types,
// bool, and HTML (for {{raw:...}} placeholders only). Times, money and
// other locale-dependent values are formatted by the caller first (see
// FormatDate, FormatEUR and friends).
type Values map[string]any

// Errors returned (wrapped) by Render and RenderHTML.
var (
	// ErrUnknownTemplate: no page or partial has the requested name.
	ErrUnknownTemplate = errors.New("unknown template")
	// ErrMissingValue: a placeholder has no value in Values.
	ErrMissingValue = errors.New("missing value")
	// ErrNotHTML: a {{raw:...}} placeholder got a value that is not HTML.
	ErrNotHTML = errors.New("raw placeholder needs a templates.HTML value")
	// ErrUnexpectedHTML: an escaped placeholder got an HTML value, which
	// would be escaped twice; use {{raw:...}} in the template instead.
	ErrUnexpectedHTML = errors.New("HTML value in an escaped placeholder")
	// ErrUnsupportedType: a value has a type Values does not accept.
	ErrUnsupportedType = errors.New("unsupported value type")
	// ErrHTMLInForeign: a {{raw:...}} placeholder inside <svg> or <math>
	// got HTML with an element (<script>, <style>, <title>, <textarea>,
	// ...) whose text browsers parse differently there.
	ErrHTMLInForeign = errors.New("HTML with raw text elements in a raw placeholder inside <svg> or <math>")
)

// appendEscaped appends s escaped for ctx.
func appendEscaped(dst []byte, ctx escContext, s string) []byte {
	switch ctx {
	case ctxURL:
		return appendURLEscaped(dst, s)
	case ctxSiteURL:
		return appendSiteURLEscaped(dst, s)
	case ctxURLPart:
		return appendURLComponentEscaped(dst, s)
	case ctxJSString:
		return appendJSStringEscaped(dst, s)
	default: // ctxText, ctxAttr
		return appendHTMLEscaped(dst, s)
	}
}

// appendValue appends v escaped for ctx (never ctxRaw).
func appendValue(dst []byte, ctx escContext, v any) ([]byte, error) {
	var scratch [32]byte
	var num []byte
	switch x := v.(type) {
	case string:
		return appendEscaped(dst, ctx, x), nil
	case HTML:
		return dst, ErrUnexpectedHTML
	case fmt.Stringer:
		return appendEscaped(dst, ctx, x.String()), nil
	case int:
		num = strconv.AppendInt(scratch[:0], int64(x), 10)
	case int8:
		num = strconv.AppendInt(scratch[:0], int64(x), 10)
	case int16:
		num = strconv.AppendInt(scratch[:0], int64(x), 10)
	case int32:
		num = strconv.AppendInt(scratch[:0], int64(x), 10)
	case int64:
		num = strconv.AppendInt(scratch[:0], x, 10)
	case uint:
		num = strconv.AppendUint(scratch[:0], uint64(x), 10)
	case uint8:
		num = strconv.AppendUint(scratch[:0], uint64(x), 10)
	case uint16:
		num = strconv.AppendUint(scratch[:0], uint64(x), 10)
	case uint32:
		num = strconv.AppendUint(scratch[:0], uint64(x), 10)
	case uint64:
		num = strconv.AppendUint(scratch[:0], x, 10)
	case float32:
		num = strconv.AppendFloat(scratch[:0], float64(x), 'f', -1, 32)
	case float64:
		num = strconv.AppendFloat(scratch[:0], x, 'f', -1, 64)
	case bool:
		num = strconv.AppendBool(scratch[:0], x)
	default:
		return dst, fmt.Errorf("%w %T", ErrUnsupportedType, v)
	}
	return appendEscaped(dst, ctx, string(num)), nil
}
