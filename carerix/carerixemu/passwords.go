package carerixemu

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// maxPasswordBytes is bcrypt's input limit.
const maxPasswordBytes = 72

// checkPassword validates a new password.
func checkPassword(pw string) error {
	switch {
	case pw == "":
		return invalid("password must not be empty")
	case len(pw) > maxPasswordBytes:
		return invalid("password must be at most %d bytes", maxPasswordBytes)
	case !utf8.ValidString(pw):
		return invalid("password must be UTF-8")
	}
	return nil
}

func hashPassword(pw string) ([]byte, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return nil, fmt.Errorf("hashing password: %w", err)
	}
	return h, nil
}

// SetUserPassword sets a live user's realm password; only its bcrypt hash
// is kept. Users without one sign in with Options.UserPassword
// (DefaultUserPassword).
func (s *Server) SetUserPassword(userID, password string) error {
	if err := checkPassword(password); err != nil {
		return fmt.Errorf("setting password: %w", err)
	}
	u, err := s.User(userID)
	if err != nil || u.Deleted {
		return fmt.Errorf("setting password: %w", notFound(KindUser, userID))
	}
	h, err := hashPassword(password)
	if err != nil {
		return fmt.Errorf("setting password of user %s: %w", userID, err)
	}
	s.realm.mu.Lock()
	s.realm.passwords[u.ID] = h
	s.realm.mu.Unlock()
	return nil
}

// hasOwnPassword reports whether SetUserPassword set a user's password.
func (s *Server) hasOwnPassword(userID string) bool {
	s.realm.mu.Lock()
	defer s.realm.mu.Unlock()
	_, ok := s.realm.passwords[userID]
	return ok
}

// authenticate checks a login form's username (or e-mail address) and
// password. Unknown, deleted and inactive users fail like a wrong
// password, after the same bcrypt work.
func (s *Server) authenticate(username, password string) (User, bool) {
	u, found := s.userForLogin(username)
	s.realm.mu.Lock()
	h, own := s.realm.passwords[u.ID]
	s.realm.mu.Unlock()
	if !found || !own {
		var err error
		if h, err = s.realm.defaultHash(); err != nil {
			s.log.Error("hashing the default password", "err", err)
			return User{}, false
		}
	}
	if len(password) > 1024 {
		password = password[:1024]
	}
	ok := bcrypt.CompareHashAndPassword(h, []byte(password)) == nil
	if !found || !u.IsActive || u.Deleted {
		return User{}, false
	}
	return u, ok
}

// userForLogin finds the live user a login name means: the userName
// (case-insensitive, as Keycloak stores usernames in lower case), else a
// unique e-mail address.
func (s *Server) userForLogin(name string) (User, bool) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 255 {
		return User{}, false
	}
	var byMail []User
	for _, u := range s.Users() {
		if u.Deleted {
			continue
		}
		if strings.EqualFold(u.UserName, name) {
			return u, true
		}
		if u.EmailAddress != nil && strings.EqualFold(*u.EmailAddress, name) {
			byMail = append(byMail, u)
		}
	}
	if len(byMail) == 1 {
		return byMail[0], true
	}
	return User{}, false
}

// constantTimeEqual compares two secrets.
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
