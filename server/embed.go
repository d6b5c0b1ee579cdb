package server

// EmbedDeps are what the routes of the inbox and dashboard pages framed inside Carerix need. The zero value disables them.
type EmbedDeps struct{}

// embedRoutes registers the routes of the inbox and dashboard pages framed inside Carerix.
func (s *Server) embedRoutes() {}
