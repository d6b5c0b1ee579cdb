package server

import (
	"regexp"
	"strconv"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/templates"
)

// The template picker of the inbox's composer and of the vacancy's
// broadcast: an option per template the inbox can send, and per template
// its variables, each labelled from the template itself (the words around
// its placeholder and the example given for it when the template was
// submitted to WhatsApp), and a preview of the message the candidate
// receives, which the page's script fills in as the recruiter types.

// placeholderRE finds a template text's {{n}} placeholders, as recrubo's.
var placeholderRE = regexp.MustCompile(`\{\{\s*([0-9]{1,2})\s*\}\}`)

// picker is a rendered template picker: the choice of template, each
// template's values and its preview.
type picker struct {
	html  templates.HTML
	count int // templates offered
}

// templatePicker renders the picker for the sendable templates of ts;
// defaults fill the first variables (the broadcast's "{first_name}");
// previewLabel heads the preview.
func (p *embedPage) templatePicker(ts []*recrubo.MessageTemplate, defaults []string, previewLabel string) picker {
	var out picker
	var opts, fields, previews []templates.HTML
	for _, t := range ts {
		// A template with more variables than a send may carry could
		// never be sent; it is not offered.
		if ok, _ := t.Sendable(); !ok || t.Variables > maxVars {
			continue
		}
		key := t.Name + "|" + t.Language
		first := len(opts) == 0
		opts = append(opts, p.option(key, t.Name+" ("+t.Language+")", strconv.Itoa(t.Variables), false))
		fields = append(fields, p.templateFields(t, key, first, defaults))
		previews = append(previews, p.templatePreview(t, key, first, defaults, previewLabel))
	}
	out.count = len(opts)
	out.html = p.partial("template_picker", templates.Values{"templateLabel": p.t("embed.template"),
		"options": templates.Join(opts), "fields": templates.Join(fields), "previews": templates.Join(previews)})
	return out
}

// templateVar is one value a send fills: where its placeholder stands.
type templateVar struct {
	n       int    // 1-based, in the order a send lists values
	header  bool   // in the header (else in the body)
	context string // the words around it
	example string // the example WhatsApp was given, if any
	dflt    string // the value filled in beforehand
}

// templateVars lists t's values in send order: the text header's
// placeholders first, then the body's.
func templateVars(t *recrubo.MessageTemplate, defaults []string) []templateVar {
	header := t.HeaderText()
	k := recrubo.CountPlaceholders(header)
	vars := make([]templateVar, t.Variables)
	for i := range vars {
		vars[i].n = i + 1
	}
	examples := t.Examples()
	for i := range vars {
		if i < len(examples) {
			vars[i].example = examples[i]
		}
		if i < len(defaults) {
			vars[i].dflt = defaults[i]
		}
	}
	place := func(text string, offset int, header bool) {
		for _, m := range placeholderRE.FindAllStringSubmatchIndex(text, -1) {
			local, _ := strconv.Atoi(text[m[2]:m[3]])
			i := offset + local - 1
			if i < 0 || i >= len(vars) || vars[i].context != "" {
				continue
			}
			vars[i].header = header
			vars[i].context = placeholderContext(text, m[0], m[1])
		}
	}
	place(header, 0, true)
	place(t.Body, k, false)
	return vars
}

// placeholderContext is up to four words before the placeholder at
// text[start:end] and two after, the placeholders among them shown as
// "…": what tells a recruiter what the value is for.
func placeholderContext(text string, start, end int) string {
	clean := func(s string) []string { return strings.Fields(placeholderRE.ReplaceAllString(s, "…")) }
	before, after := clean(text[:start]), clean(text[end:])
	if len(before) > 4 {
		before = before[len(before)-4:]
	}
	if len(after) > 2 {
		after = after[:2]
	}
	b, a := strings.Join(before, " "), strings.Join(after, " ")
	switch {
	case b == "" && a == "":
		return ""
	case a == "":
		return b + " …"
	case b == "":
		return "… " + a
	case strings.ContainsAny(a[:1], ",.;:!?)"):
		return b + " …" + a
	}
	return b + " … " + a
}

// templateFields renders the inputs of t's values.
func (p *embedPage) templateFields(t *recrubo.MessageTemplate, key string, shown bool, defaults []string) templates.HTML {
	vars := templateVars(t, defaults)
	inputs := make([]templates.HTML, len(vars))
	for i, v := range vars {
		part := p.t("embed.var.body")
		if v.header {
			part = p.t("embed.var.header")
		}
		label := p.t("embed.var.plain", part, v.n)
		if v.context != "" {
			label = p.t("embed.var.context", v.context)
		}
		hint := p.t("embed.var.where", part, v.n)
		if v.example != "" {
			hint = p.t("embed.var.example", v.example)
		}
		inputs[i] = p.partial("wa_picker_var", templates.Values{"n": v.n, "label": label, "hint": hint,
			"example": v.example, "value": v.dflt, "maxLength": maxVarRunes})
	}
	name := "wa_picker_fields"
	if !shown {
		name = "wa_picker_fields_hidden"
	}
	return p.partial(name, templates.Values{"key": key, "legend": p.t("embed.var.legend", t.Name), "inputs": templates.Join(inputs)})
}

// templatePreview renders t as the candidate will read it: the text
// header, the body, the footer and the buttons, each value standing in a
// slot the page's script fills as the recruiter types (the example, or
// the placeholder, until then).
func (p *embedPage) templatePreview(t *recrubo.MessageTemplate, key string, shown bool, defaults []string, label string) templates.HTML {
	vars := templateVars(t, defaults)
	fill := func(text string, offset int) templates.HTML {
		var parts []templates.HTML
		last := 0
		for _, m := range placeholderRE.FindAllStringSubmatchIndex(text, -1) {
			parts = append(parts, p.partial("wa_preview_lit", templates.Values{"text": text[last:m[0]]}))
			local, _ := strconv.Atoi(text[m[2]:m[3]])
			i := offset + local - 1
			if i < 0 || i >= len(vars) {
				parts = append(parts, p.partial("wa_preview_lit", templates.Values{"text": text[m[0]:m[1]]}))
			} else {
				v := vars[i]
				stand := v.example
				if stand == "" {
					stand = "{{" + strconv.Itoa(v.n) + "}}"
				}
				shownText := v.dflt
				if shownText == "" {
					shownText = stand
				}
				parts = append(parts, p.partial("wa_preview_slot", templates.Values{"n": v.n, "example": stand, "shown": shownText}))
			}
			last = m[1]
		}
		parts = append(parts, p.partial("wa_preview_lit", templates.Values{"text": text[last:]}))
		return templates.Join(parts)
	}
	var header, footer, buttons templates.HTML
	if h := t.HeaderText(); h != "" {
		header = p.partial("wa_preview_header", templates.Values{"text": fill(h, 0)})
	}
	if f := t.Footer(); f != "" {
		footer = p.partial("wa_preview_footer", templates.Values{"text": f})
	}
	if bs := t.Buttons(); len(bs) > 0 {
		items := make([]templates.HTML, len(bs))
		for i, b := range bs {
			items[i] = p.partial("wa_preview_button", templates.Values{"text": b.Text})
		}
		buttons = p.partial("wa_preview_buttons", templates.Values{"label": p.t("embed.var.buttons"), "items": templates.Join(items)})
	}
	name := "wa_picker_preview"
	if !shown {
		name = "wa_picker_preview_hidden"
	}
	return p.partial(name, templates.Values{"key": key, "label": label, "header": header,
		"body": fill(t.Body, recrubo.CountPlaceholders(t.HeaderText())), "footer": footer, "buttons": buttons})
}
