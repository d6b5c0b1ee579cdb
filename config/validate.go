package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

// FieldError is one bad setting: the environment variable that holds it,
// its value (empty for secrets, which are never repeated) and what is
// wrong with it.
type FieldError struct {
	Key     string
	Value   string
	Problem string
	secret  bool
}

// Error implements error: KEY="value" problem, or KEY problem for a secret.
func (e *FieldError) Error() string {
	if e.secret || e.Value == "" {
		return e.Key + " " + e.Problem
	}
	return fmt.Sprintf("%s=%q %s", e.Key, e.Value, e.Problem)
}

// validate is built once and never changed afterwards; validator.Validate
// is safe for concurrent use.
var validate = sync.OnceValue(newValidator)

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		if name == "" {
			return f.Name
		}
		return name
	})
	// listenaddr: host:port as net.Listen takes it (":8080" too).
	_ = v.RegisterValidation("listenaddr", func(fl validator.FieldLevel) bool {
		_, _, err := net.SplitHostPort(fl.Field().String())
		return err == nil
	})
	// baseurl: an absolute http(s) URL without query or fragment.
	_ = v.RegisterValidation("baseurl", func(fl validator.FieldLevel) bool {
		u, err := url.Parse(fl.Field().String())
		return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.RawQuery == "" && u.Fragment == ""
	})
	// https_unless_demo: https, unless the host is loopback or Demo is set.
	_ = v.RegisterValidation("https_unless_demo", func(fl validator.FieldLevel) bool {
		u, err := url.Parse(fl.Field().String())
		if err != nil || u.Scheme == "https" || isLoopbackHost(u.Hostname()) {
			return true
		}
		switch c := fl.Parent().Interface().(type) {
		case Config:
			return c.Demo
		case *Config:
			return c.Demo
		}
		return false
	})
	// storeurl: a DATABASE_URL the store can open.
	_ = v.RegisterValidation("storeurl", func(fl validator.FieldLevel) bool {
		return storeURLProblem(fl.Field().String()) == ""
	})
	return v
}

// Validate checks the settings against the rules in Config's `validate`
// tags and returns one error per problem, each a *FieldError naming the
// environment variable (ErrNoMasterKey for a missing master key).
func (c *Config) Validate() []error {
	err := validate().Struct(c)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return []error{fmt.Errorf("validating the configuration: %w", err)}
	}
	errs := make([]error, 0, len(verrs))
	for _, fe := range verrs {
		if fe.Field() == "MASTER_KEY" {
			errs = append(errs, ErrNoMasterKey)
			continue
		}
		errs = append(errs, c.fieldError(fe))
	}
	return errs
}

// fieldError says what rule fe broke, in the terms of the environment.
func (c *Config) fieldError(fe validator.FieldError) *FieldError {
	f, _ := reflect.TypeFor[Config]().FieldByName(fe.StructField())
	_, opts, _ := strings.Cut(f.Tag.Get("env"), ",")
	e := &FieldError{Key: fe.Field(), Value: fmt.Sprint(fe.Value()), secret: opts == "secret"}
	switch fe.Tag() {
	case "listenaddr":
		e.Problem = "is not host:port (e.g. " + f.Tag.Get("example") + ")"
		if e.Key == "METRICS_ADDR" {
			e.Problem = "is not host:port (e.g. " + f.Tag.Get("example") + ") or off"
		}
	case "baseurl":
		e.Problem = "is not an absolute http(s) URL"
	case "https_unless_demo":
		e.Problem = "must use https: Carerix frames it in an https page"
	case "storeurl":
		e.Problem = storeURLProblem(c.DatabaseURL)
	case "required_without":
		e.Problem = dataDirProblem
	case "oneof":
		e.Problem = "must be " + strings.Join(strings.Fields(fe.Param()), " or ")
	case "gt":
		e.Problem = "must be positive"
	case "min":
		e.Problem = "must be at least " + fe.Param()
	case "max":
		e.Problem = "must be at most " + fe.Param()
	case "ltefield":
		other := envName(fe.Param())
		e.Problem = fmt.Sprintf("must not be more than %s (%v)", other, reflect.ValueOf(*c).FieldByName(fe.Param()).Interface())
	case "nefield":
		e.Problem = "must differ from " + envName(fe.Param()) + ": metrics never share the public port"
	default:
		e.Problem = fmt.Sprintf("breaks the rule %q", fe.Tag())
	}
	return e
}

// envName returns the environment variable of Config's field name.
func envName(field string) string {
	f, ok := reflect.TypeFor[Config]().FieldByName(field)
	if !ok {
		return field
	}
	name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
	return name
}
