// Recrubo for Carerix page script, loaded as an ES module with the page's
// CSP nonce. The inbox and dashboard behaviour is added here later; pages
// render fully without it.
export {};
