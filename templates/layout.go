package templates

// Layout holds the values partials/layout.html reads around every page.
type Layout struct {
	// Lang is the document language, "nl" or "en" (see NormalizeLang).
	Lang string
	// Title is the document title.
	Title string
	// StylesheetURL and ScriptURL are the content-hashed asset URLs the
	// server gets from package static.
	StylesheetURL string
	ScriptURL     string
	// Nonce is the per-response CSP nonce for the page's script.
	Nonce string
}

// Values returns a new Values holding the layout's values, to which the
// caller adds the page's own values before calling Registry.Render.
func (l Layout) Values() Values {
	return Values{
		"lang":          l.Lang,
		"title":         l.Title,
		"stylesheetURL": l.StylesheetURL,
		"scriptURL":     l.ScriptURL,
		"nonce":         l.Nonce,
	}
}
