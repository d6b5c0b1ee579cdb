package embed

import (
	"context"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// RealmSignIn is a sign-in through the tenant's Carerix identity realm
// (OpenID Connect, authorization code with PKCE), the stronger proof an
// embedded page may use instead of the URL proof. It runs in a popup or a
// top-level window, since the frame has no cookies. Nothing implements it
// yet; see README.md.
type RealmSignIn interface {
	// AuthURL returns where to send the browser to sign in, carrying
	// state and the PKCE challenge.
	AuthURL(ctx context.Context, t *recrubo.Tenant, state, codeChallenge, redirectURI string) (string, error)
	// Exchange redeems the callback's code and returns who signed in.
	Exchange(ctx context.Context, t *recrubo.Tenant, code, codeVerifier, redirectURI string) (*recrubo.EmbedViewer, error)
}
