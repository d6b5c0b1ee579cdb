package server

// VerifyDeps are what the routes of the admin's verify link and its checklist page need. The zero value disables them.
type VerifyDeps struct{}

// verifyRoutes registers the routes of the admin's verify link and its checklist page.
func (s *Server) verifyRoutes() {}
