package carerix

import (
	"context"
	"iter"
)

// User is a Carerix user (CRUser), e.g. a recruiter owning candidates.
type User struct {
	// ID is the record's _id.
	ID string
	// UserID is the legacy key, printed by templates as
	// $activity.owner.userID.
	UserID    string
	UserName  string
	FirstName string
	LastName  string
	// LessFormalName is the display name templates use.
	LessFormalName string
	EmailAddress   string
	// IsActive is false for a deactivated user; true where the tenant's
	// API does not say (Contract).
	IsActive bool
	// Deleted is set on soft-deleted users (visible with NoRestrict).
	Deleted bool
	// StableHash is Carerix's stableHash; it changes whenever the record
	// changes. Empty where the tenant's API has none (Contract).
	StableHash string
}

// wireUser is CRUser on the wire.
type wireUser struct {
	ID             looseString `json:"_id"`
	UserID         looseString `json:"userID"`
	UserName       string      `json:"userName"`
	FirstName      string      `json:"firstName"`
	LastName       string      `json:"lastName"`
	LessFormalName string      `json:"lessFormalName"`
	EmailAddress   string      `json:"emailAddress"`
	IsActive       *looseBool  `json:"isActive"`
	Deleted        looseBool   `json:"deleted"`
	StableHash     string      `json:"stableHash"`
}

func (w wireUser) user() User {
	return User{
		ID:             string(w.ID),
		UserID:         string(w.UserID),
		UserName:       w.UserName,
		FirstName:      w.FirstName,
		LastName:       w.LastName,
		LessFormalName: w.LessFormalName,
		EmailAddress:   w.EmailAddress,
		IsActive:       w.IsActive == nil || bool(*w.IsActive),
		Deleted:        bool(w.Deleted),
		StableHash:     w.StableHash,
	}
}

// User reads one user by _id. A missing user is ErrNotFound.
func (c *Client) User(ctx context.Context, id string) (*User, error) {
	return fetchOne(ctx, c, opUser, opUserPage, typeUser, id, wireUser.user)
}

// UserPage reads one page of users (crUserPage).
func (c *Client) UserPage(ctx context.Context, r PageRequest) (*Page[User], error) {
	return fetchPage(ctx, c, opUserPage, typeUser, r, wireUser.user)
}

// UserPages reads several pages of users in one request (fetchPages).
func (c *Client) UserPages(ctx context.Context, rs []PageRequest) ([]*Page[User], error) {
	return fetchPages(ctx, c, opUserPage, typeUser, rs, wireUser.user)
}

// UserPager returns a Pager over users starting at r.Page.
func (c *Client) UserPager(r PageRequest) *Pager[User] {
	return NewPager(c.UserPage, r)
}

// Users iterates over all users matching r, from page r.Page on.
func (c *Client) Users(ctx context.Context, r PageRequest) iter.Seq2[User, error] {
	return c.UserPager(r).All(ctx)
}
