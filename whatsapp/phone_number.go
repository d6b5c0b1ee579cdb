package whatsapp

import (
	"context"
	"fmt"
	"net/url"
)

// PhoneNumber is what the Graph API says about a business phone number.
type PhoneNumber struct {
	// ID is the phone number id.
	ID string `json:"id"`
	// DisplayPhoneNumber is the number as people dial it.
	DisplayPhoneNumber string `json:"display_phone_number"`
	// VerifiedName is the business name Meta verified for the number.
	VerifiedName string `json:"verified_name"`
	// QualityRating is GREEN, YELLOW, RED or UNKNOWN.
	QualityRating string `json:"quality_rating"`
}

// PhoneNumber reads the client's business phone number
// (GET /{phone-number-id}). It proves that the access token is accepted
// and may use that number: a bad token is an *APIError for which IsAuth
// reports true, a number the token cannot see an *APIError with code 100.
func (c *Client) PhoneNumber(ctx context.Context) (PhoneNumber, error) {
	var out PhoneNumber
	q := url.Values{"fields": {"id,display_phone_number,verified_name,quality_rating"}}
	if err := c.get(ctx, c.phoneID, q, &out); err != nil {
		return PhoneNumber{}, fmt.Errorf("reading phone number %s: %w", c.phoneID, err)
	}
	if out.ID == "" {
		out.ID = c.phoneID
	}
	return out, nil
}
