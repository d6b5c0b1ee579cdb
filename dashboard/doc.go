// Package dashboard computes the figures of the recruiting dashboard from
// a tenant's conversations, messages, costs and sync state, for the whole
// tenant or one vacancy, following the definitions in the README
// ("Dashboard definitions"), and draws its charts as inline SVG whose
// every text is escaped.
package dashboard
