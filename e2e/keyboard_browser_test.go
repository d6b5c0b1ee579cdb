package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focusState describes the focused element of a document: a name for it,
// whether a focus indicator shows (an outline or a ring), whether the
// focus left the document, and whether it was there before (countFocus
// counts each element's focus events).
const focusState = `(() => {
	const el = document.activeElement;
	if (!document.hasFocus() || !el || el === document.body || el === document.documentElement) return {left: true};
	const s = getComputedStyle(el);
	const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1;
	const ring = s.boxShadow && s.boxShadow !== "none";
	const name = el.tagName.toLowerCase() + (el.name ? "[name=" + el.name + "]" : "") +
		(el.dataset.action ? "[data-action=" + el.dataset.action + "]" : "") +
		(el.dataset.tab ? "[data-tab=" + el.dataset.tab + "]" : "") +
		" \"" + (el.textContent || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 30) + "\"";
	const again = Number(el.dataset.kbFocus || 0) > 1;
	return {name: name.replace(/\s+/g, " "), again, visible: outline || !!ring, focusVisible: el.matches(":focus-visible")};
})()`

// countFocus counts, on each element, the times it takes the focus: an
// event, so a focus is counted even while the frame's focus is still
// settling when focusState looks.
const countFocus = `document.addEventListener("focusin", (e) => {
	const el = e.target;
	if (el && el.dataset) el.dataset.kbFocus = String(Number(el.dataset.kbFocus || 0) + 1);
}), true`

// unreached lists the visible controls of a document that the Tab key
// never focused (countFocus marks the ones it did).
const unreached = `[...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]')]
	.filter((el) => !el.disabled && el.tabIndex >= 0 && el.offsetParent !== null && !el.closest("[hidden], [inert]") && !el.dataset.kbFocus)
	.map((el) => el.tagName.toLowerCase() + (el.name ? "[name=" + el.name + "]" : "") + " \"" + (el.textContent || el.value || "").trim().slice(0, 30) + "\"")`

// TestKeyboardReachesEveryControlWithVisibleFocusInBrowser tabs through
// the framed pages at the frame's width, as a recruiter without a mouse
// does: every visible control is reached, and each shows where the focus
// is.
func TestKeyboardReachesEveryControlWithVisibleFocusInBrowser(t *testing.T) {
	ctx := embedChromium(t)
	ls := startLayoutStack(t)
	want := map[string]bool{"inbox": true, "conversations": true, "dashboard": true, "vacancy-broadcast": true}
	for _, p := range ls.pages(t) {
		if !want[p.name] {
			continue
		}
		view := fmt.Sprintf("keyboard-%s-760", p.name)
		doc := ls.show(t, ctx, p, 760, view)
		if _, err := chromedp.Run(doc, chromedp.Evaluate[bool](`window.focus(), document.activeElement && document.activeElement.blur && document.activeElement.blur(), true`)); err != nil {
			t.Fatalf("%s: %v", view, err)
		}
		if _, err := chromedp.Run(doc, chromedp.Evaluate[bool](countFocus)); err != nil {
			t.Fatalf("%s: %v", view, err)
		}
		type state struct {
			Name         string `json:"name"`
			Visible      bool   `json:"visible"`
			FocusVisible bool   `json:"focusVisible"`
			Left         bool   `json:"left"`
			Again        bool   `json:"again"`
		}
		var seen []string
		for range 120 {
			if err := chromedp.Do(doc, chromedp.KeyEvent(kb.Tab)); err != nil {
				t.Fatalf("%s: pressing Tab: %v", view, err)
			}
			s, err := chromedp.Run(doc, chromedp.Evaluate[state](focusState))
			if err != nil {
				t.Fatalf("%s: %v", view, err)
			}
			if s.Left {
				if len(seen) > 0 {
					break // through the page and out of the frame
				}
				continue // still on the way into the frame
			}
			if s.Again {
				break // round the page once
			}
			seen = append(seen, s.Name)
			if !s.Visible || !s.FocusVisible {
				t.Errorf("%s: %s has the keyboard focus but shows no focus indicator", view, s.Name)
			}
		}
		if len(seen) == 0 {
			t.Errorf("%s: the Tab key focused nothing", view)
			continue
		}
		missed, err := chromedp.Run(doc, chromedp.Evaluate[[]string](unreached))
		if err != nil {
			t.Fatalf("%s: %v", view, err)
		}
		if len(missed) > 0 {
			t.Errorf("%s: the Tab key never reached %s (it went through %s)", view, strings.Join(missed, ", "), strings.Join(seen, ", "))
		}
	}
}
