package carerixemu

import (
	"fmt"
	"regexp"
	"strings"
)

// SDL layout the editor relies on (schema.graphql keeps it): a definition
// starts a line with its keyword and name, an optional one-line "..."
// description sits on the line just above it, a braced body closes with
// "}" at the start of a line, and each field, input field or enum value
// has a line of its own (its one-line description, if any, just above).
var (
	sdlDefinition = regexp.MustCompile(`^(?:type|input|enum|interface|union|scalar)\s+([A-Za-z_][A-Za-z0-9_]*)`)
	sdlMember     = regexp.MustCompile(`^\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:[(:]|$)`)
)

// sdlBlock is one definition: its lines [from, to] including the
// description, and where its name line is.
type sdlBlock struct {
	from, head, to int
}

// editSDL returns sdl without the definitions and members named in remove.
// An entry is "Type" (the whole definition with its description) or
// "Type.member" (one field of an object, interface or input type, or one
// value of an enum, with its description). An entry that names nothing is
// an error, so a typo cannot leave a field in place unnoticed. What the
// result refers to is not checked here; parsing the schema does that.
func editSDL(sdl string, remove []string) (string, error) {
	lines := strings.Split(sdl, "\n")
	blocks := map[string]sdlBlock{}
	for i := 0; i < len(lines); i++ {
		m := sdlDefinition.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		b := sdlBlock{from: i, head: i, to: i}
		if i > 0 && isDescription(lines[i-1]) {
			b.from = i - 1
		}
		if strings.HasSuffix(strings.TrimSpace(lines[i]), "{") {
			for b.to = i + 1; b.to < len(lines) && !strings.HasPrefix(lines[b.to], "}"); b.to++ {
			}
			if b.to == len(lines) {
				return "", fmt.Errorf("schema: definition %s is not closed", m[1])
			}
		}
		if _, dup := blocks[m[1]]; dup {
			return "", fmt.Errorf("schema: %s is defined twice", m[1])
		}
		blocks[m[1]] = b
		i = b.to
	}
	drop := make([]bool, len(lines))
	for _, entry := range remove {
		typ, member, isMember := strings.Cut(entry, ".")
		b, ok := blocks[typ]
		if !ok {
			return "", fmt.Errorf("schema has no type %s (removing %q)", typ, entry)
		}
		if !isMember {
			for i := b.from; i <= b.to; i++ {
				drop[i] = true
			}
			continue
		}
		found := false
		for i := b.head + 1; i < b.to; i++ {
			if m := sdlMember.FindStringSubmatch(lines[i]); m != nil && m[1] == member {
				drop[i] = true
				if isDescription(lines[i-1]) && i-1 > b.head {
					drop[i-1] = true
				}
				found = true
				break
			}
		}
		if !found {
			return "", fmt.Errorf("schema type %s has no field %s (removing %q)", typ, member, entry)
		}
	}
	out := make([]string, 0, len(lines))
	for i, l := range lines {
		if !drop[i] {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n"), nil
}

// isDescription reports whether a line is a one-line "..." description.
func isDescription(line string) bool {
	t := strings.TrimSpace(line)
	return len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' && !strings.HasPrefix(t, `"""`)
}
