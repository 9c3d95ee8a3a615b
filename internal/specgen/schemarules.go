package specgen

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// checkSchemaRules holds every schema in the spec, wherever it is written, to
// two rules of what Zendesk sends, and every named schema to one of
// documentation:
//   - a nullable enum lists null among its values, as OAS 3.0.3 asks (other
//     validators refuse the null Zendesk sends otherwise), and an enum that is
//     not nullable does not;
//   - a non-integer number is a double, so that a latitude keeps its digits
//     in every generated language;
//   - a schema of components.schemas has a description: it is the doc comment
//     of its type in every generated language (a Go type without one reads
//     "X defines model for X").
//
// Examples and extensions are not schemas and are skipped.
func checkSchemaRules(lines *lineIndex, add func(int, string, ...any)) {
	var walk func(n *yaml.Node, at string)
	walk = func(n *yaml.Node, at string) {
		switch n.Kind {
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, at)
			}
			return
		case yaml.MappingNode:
		default:
			return
		}
		if k, v := mapGet(n, "enum"); v != nil && v.Kind == yaml.SequenceNode {
			_, nv := mapGet(n, "nullable")
			nullable := nv != nil && nv.Kind == yaml.ScalarNode && nv.Value == "true"
			listed := false
			for _, e := range v.Content {
				if e.Kind == yaml.ScalarNode && e.Tag == "!!null" {
					listed = true
				}
			}
			switch {
			case nullable && !listed:
				add(k.Line, "%s: a nullable enum must list null among its values (OAS 3.0.3)", at)
			case listed && !nullable:
				add(k.Line, "%s: the enum lists null but the schema is not nullable", at)
			}
		}
		if k, v := mapGet(n, "type"); v != nil && v.Kind == yaml.ScalarNode && v.Value == "number" {
			if _, f := mapGet(n, "format"); f == nil || f.Value != "double" {
				add(k.Line, "%s: a number must be format: double, so it decodes without losing digits", at)
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if key == "example" || key == "examples" || strings.HasPrefix(key, "x-") {
				continue
			}
			v := n.Content[i+1]
			if key == "schemas" || key == "paths" || key == "properties" {
				// A map of names: each entry is the place it names.
				for j := 0; v.Kind == yaml.MappingNode && j+1 < len(v.Content); j += 2 {
					name := v.Content[j].Value
					if key == "properties" {
						name = at + "." + name
					}
					if key == "schemas" {
						if _, d := mapGet(v.Content[j+1], "description"); d == nil || strings.TrimSpace(d.Value) == "" {
							add(v.Content[j].Line, "%s: a named schema needs a description, the doc comment of its type", name)
						}
					}
					walk(v.Content[j+1], name)
				}
				continue
			}
			walk(v, at)
		}
	}
	walk(lines.root, "")
}
