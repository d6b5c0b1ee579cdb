package cli

import (
	"errors"
	"fmt"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// TestErrorText: the command line tells an error made with a catalog key
// in English words, keeping what was wrapped around it and its cause; any
// other error reads as it is.
func TestErrorText(t *testing.T) {
	keyed := recrubo.WrapE(recrubo.EINVALID, errors.New("WhatsApp is not connected for tenant acme"), "embed.error.whatsapp_not_connected")
	for _, tt := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("sending: %w", keyed),
			"sending: WhatsApp is not connected for this account yet. Ask your administrator. (WhatsApp is not connected for tenant acme)"},
		{recrubo.E(recrubo.EINVALID, "embed.error.too_many_vars", 10), "A template has at most 10 variables."},
		{recrubo.Errorf(recrubo.ENOTFOUND, "No tenant %q.", "acme"), `not_found: No tenant "acme".`},
		{errors.New("plain"), "plain"},
	} {
		if got := errorText(tt.err); got != tt.want {
			t.Errorf("errorText(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
