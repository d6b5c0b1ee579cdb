package main

// wireEmbeds wires the inbox and dashboard pages framed in Carerix.
func wireEmbeds(s *services) error {
	_ = s
	return nil
}
