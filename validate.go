package recrubo

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/go-playground/validator/v10"
)

// validate is built once and never changed afterwards; validator.Validate is
// safe for concurrent use and caches struct metadata internally.
var validate = sync.OnceValue(newValidator)

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		for _, tag := range []string{"json", "yaml"} {
			name, _, _ := strings.Cut(f.Tag.Get(tag), ",")
			if name == "-" {
				return ""
			}
			if name != "" {
				return name
			}
		}
		return f.Name
	})
	// origin: a web origin as browsers send it: scheme://host[:port], nothing else.
	_ = v.RegisterValidation("origin", func(fl validator.FieldLevel) bool {
		return ValidOrigin(fl.Field().String()) == nil
	})
	// baseurl: an absolute http(s) URL without query or fragment.
	_ = v.RegisterValidation("baseurl", func(fl validator.FieldLevel) bool {
		return validBaseURL(fl.Field().String())
	})
	// timezone: an IANA zone name this machine knows.
	_ = v.RegisterValidation("timezone", func(fl validator.FieldLevel) bool {
		_, err := time.LoadLocation(fl.Field().String())
		return fl.Field().String() != "" && err == nil
	})
	// slug: lower-case letters, digits and single dashes, 2 to 63 characters.
	_ = v.RegisterValidation("slug", func(fl validator.FieldLevel) bool {
		return ValidSlug(fl.Field().String())
	})
	_ = v.RegisterValidation("secret_required", func(fl validator.FieldLevel) bool {
		s, ok := fl.Field().Interface().(Secret)
		return ok && !s.IsZero()
	})
	return v
}

// Validate checks v's `validate` struct tags and returns an EINVALID error
// with one field error per problem, named as in the JSON/YAML input.
func Validate(v any) error {
	err := validate().Struct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return fmt.Errorf("validating %T: %w", v, err)
	}
	e := &Error{Code: EINVALID, Message: "Some fields are not valid."}
	for _, fe := range verrs {
		e.Fields = append(e.Fields, FieldError{Field: fieldPath(fe), Message: fieldMessage(fe)})
	}
	return e
}

// fieldPath turns "Tenant.carerix.api_base_url" into "carerix.api_base_url".
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

func fieldMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required", "required_with", "required_if", "secret_required":
		return "is required"
	case "origin":
		return fmt.Sprintf("%q is not an origin like https://acme.carerix.net (scheme and host only, no path)", fe.Value())
	case "baseurl", "url", "http_url":
		return fmt.Sprintf("%q is not an absolute http(s) URL", fe.Value())
	case "timezone":
		return fmt.Sprintf("%q is not a known time zone (e.g. Europe/Amsterdam)", fe.Value())
	case "slug":
		return fmt.Sprintf("%q must be 2-63 lower-case letters, digits or dashes", fe.Value())
	case "oneof":
		return fmt.Sprintf("must be one of: %s", strings.ReplaceAll(fe.Param(), " ", ", "))
	case "max":
		return fmt.Sprintf("must be at most %s long", fe.Param())
	case "min":
		return fmt.Sprintf("must be at least %s", fe.Param())
	case "gt", "gte":
		return fmt.Sprintf("must be greater than %s", fe.Param())
	case "dive":
		return "has an invalid element"
	case "unique":
		return "has duplicate entries"
	default:
		return fmt.Sprintf("fails the %q rule", fe.Tag())
	}
}

// ValidSlug reports whether s is a tenant slug: 2 to 63 lower-case letters,
// digits and inner dashes.
func ValidSlug(s string) bool {
	if len(s) < 2 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// ValidOrigin returns an error unless s is a web origin: http or https, a
// host, an optional port, and nothing else (no path, query or user info).
// The host is ASCII letters, digits, '-' and '.' and the port digits, as
// in a Content-Security-Policy source, where origins end up: browsers
// ignore a source they cannot parse (an IPv6 literal, a Unicode host),
// and a ';' would start a directive of its own.
func ValidOrigin(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("parsing origin %q: %w", s, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		!cspHost(u.Hostname()) || !cspPort(u.Host, u.Port()) {
		return fmt.Errorf("%q is not an origin (scheme://host[:port])", s)
	}
	return nil
}

// cspHost reports whether h is dot-separated labels of ASCII letters,
// digits and '-' (CSP's host-part), with an optional final dot.
func cspHost(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// cspPort reports whether the port of host (as written, port as
// url.URL.Port reads it) is absent or 1 to 5 digits.
func cspPort(host, port string) bool {
	if port == "" {
		return !strings.HasSuffix(host, ":")
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return len(port) <= 5
}

func validBaseURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
		u.User == nil && u.RawQuery == "" && u.Fragment == ""
}
