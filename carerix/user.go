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
	IsActive       bool
	// StableHash is Carerix's stableHash; it changes whenever the record changes.
	StableHash string
}

// userFields selects what the product needs of a user.
const userFields = `_id userID userName firstName lastName lessFormalName emailAddress isActive stableHash`

// wireUser is CRUser on the wire.
type wireUser struct {
	ID             looseString `json:"_id"`
	UserID         looseString `json:"userID"`
	UserName       string      `json:"userName"`
	FirstName      string      `json:"firstName"`
	LastName       string      `json:"lastName"`
	LessFormalName string      `json:"lessFormalName"`
	EmailAddress   string      `json:"emailAddress"`
	IsActive       looseBool   `json:"isActive"`
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
		IsActive:       bool(w.IsActive),
		StableHash:     w.StableHash,
	}
}

// User reads one user by _id. A missing user is ErrNotFound.
func (c *Client) User(ctx context.Context, id string) (*User, error) {
	return fetchOne(ctx, c, "crUser", userFields, id, wireUser.user)
}

// UserPage reads one page of users (crUserPage).
func (c *Client) UserPage(ctx context.Context, r PageRequest) (*Page[User], error) {
	return fetchPage(ctx, c, "crUserPage", userFields, r, wireUser.user)
}

// UserPager returns a Pager over users starting at r.Page.
func (c *Client) UserPager(r PageRequest) *Pager[User] {
	return NewPager(c.UserPage, r)
}

// Users iterates over all users matching r, from page r.Page on.
func (c *Client) Users(ctx context.Context, r PageRequest) iter.Seq2[User, error] {
	return c.UserPager(r).All(ctx)
}
