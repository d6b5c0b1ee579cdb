package carerixsync_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/carerix"
	carerixsync "github.com/recrubo/recrubo-carerix/sync"
)

func TestPermanent(t *testing.T) {
	wrap := func(k carerix.Kind) error {
		return fmt.Errorf("syncing candidates: %w", &carerix.Error{Kind: k, Op: "crEmployeePage"})
	}
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"rate limited", wrap(carerix.ErrRateLimited), false},
		{"server error", wrap(carerix.ErrServer), false},
		{"wrong credentials", wrap(carerix.ErrUnauthenticated), true},
		{"missing scope", wrap(carerix.ErrMissingScope), true},
		{"forbidden", wrap(carerix.ErrForbidden), true},
		{"bad request", wrap(carerix.ErrBadRequest), true},
		{"invalid qualifier", wrap(carerix.ErrInvalidQualifier), true},
		{"broken contract", wrap(carerix.ErrProtocol), true},
		{"a kind added later", wrap(carerix.Kind("tenant contract")), true},
		{"a bare kind", fmt.Errorf("x: %w", carerix.ErrMissingScope), true},
		{"unknown status in a filter", recrubo.Errorf(recrubo.EINVALID, "Unknown status."), true},
		{"database unavailable", recrubo.WrapError(recrubo.EUNAVAILABLE, errors.New("connection refused"), "The database is unavailable."), false},
		{"anything else", errors.New("page out of order"), false},
		{"cancelled", context.Canceled, false},
		{"nil", nil, false},
	} {
		if got := carerixsync.Permanent(tt.err); got != tt.want {
			t.Errorf("%s: Permanent = %v, want %v", tt.name, got, tt.want)
		}
	}
}
