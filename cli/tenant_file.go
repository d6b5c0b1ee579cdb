package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// readTenantFile decodes a tenant from a YAML or JSON file (JSON is read as
// the YAML it also is) into t. Unknown fields (a typo is an error, never a
// silently ignored setting) and values of the wrong type are returned as
// problems, one line each, all of them, with t holding every field that
// did read; err is for a file that cannot be read or parsed at all.
func readTenantFile(path string, stdin io.Reader, t *recrubo.Tenant) (problems []string, err error) {
	var data []byte
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading tenant file: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err = dec.Decode(t)
	var te *yaml.TypeError
	switch {
	case err == nil, errors.Is(err, io.EOF):
		return nil, nil
	case errors.As(err, &te):
		var doc yaml.Node
		_ = yaml.Unmarshal(data, &doc) // it decoded above: it parses
		for _, e := range te.Errors {
			problems = append(problems, fileProblem(e, &doc))
		}
		return problems, nil
	}
	return nil, fmt.Errorf("tenant file %s: %w", path, err)
}

// unknownField matches the YAML decoder's report of an unknown field.
var unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S*?\.?(\w+)$`)

// sectionOf names the section of the tenant file each settings type is.
var sectionOf = map[string]string{
	"Tenant": "", "CarerixSettings": "carerix.", "AdminCredentials": "admin.", "StatusFilters": "filters.",
	"SyncSettings": "sync.", "WebhookSettings": "webhook.", "EmbedSettings": "embed.", "WhatsAppSettings": "whatsapp.",
}

// wrongType matches the YAML decoder's report of a value of the wrong type.
var wrongType = regexp.MustCompile(`^line (\d+): cannot unmarshal !!(\w+) (?:` + "`[^`]*`" + ` )?into (\S+)$`)

// fileProblem rewrites one decoder error as "field: problem (line N)";
// doc is the file's node tree, where a value of the wrong type is found.
func fileProblem(e string, doc *yaml.Node) string {
	if m := unknownField.FindStringSubmatch(e); m != nil {
		if section, ok := sectionOf[m[3]]; ok {
			return fmt.Sprintf("%s%s: unknown field (line %s); see examples/tenant.yaml for the fields", section, m[2], m[1])
		}
	}
	if m := wrongType.FindStringSubmatch(e); m != nil {
		line, _ := strconv.Atoi(m[1])
		key := keyAt(doc, "", line, "!!"+m[2])
		if key == "" {
			key = "value"
		}
		want := map[string]string{"time.Duration": `a duration such as "15m"`, "[]string": "a list such as [a, b]",
			"string": "text", "float64": "a number", "int": "a whole number", "bool": "true or false"}[m[3]]
		if want == "" {
			want = "a " + m[3]
		}
		return fmt.Sprintf("%s: wrong type (%s), want %s (line %s)", key, strings.TrimPrefix(m[2], "!!"), want, m[1])
	}
	return e
}

// keyAt returns the dotted path of the mapping key whose value, tagged
// tag, starts at line; "" when there is none.
func keyAt(n *yaml.Node, path string, line int, tag string) string {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if k := keyAt(c, path, line, tag); k != "" {
				return k
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			if path != "" {
				key = path + "." + key
			}
			if val.Line == line && val.Tag == tag {
				return key
			}
			if k := keyAt(val, key, line, tag); k != "" {
				return k
			}
		}
	}
	return ""
}
