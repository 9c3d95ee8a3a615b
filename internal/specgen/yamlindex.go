package specgen

import (
	"fmt"

	yaml "go.yaml.in/yaml/v3"
)

// lineIndex finds the source lines of the spec's paths, operations and their
// fields, so that every finding points at a line of spec/zendesk.yaml.
type lineIndex struct {
	root  *yaml.Node
	paths *yaml.Node
}

func newLineIndex(src []byte) (*lineIndex, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("spec is not a YAML mapping")
	}
	ix := &lineIndex{root: doc.Content[0]}
	if _, v := mapGet(ix.root, "paths"); v != nil {
		ix.paths = v
	}
	return ix, nil
}

// mapGet returns the key and value nodes of a mapping's entry.
func mapGet(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// top is the line of a top-level key, or 1.
func (ix *lineIndex) top(key string) int {
	if k, _ := mapGet(ix.root, key); k != nil {
		return k.Line
	}
	return 1
}

// path is the line of a path item's key, or the "paths:" line.
func (ix *lineIndex) path(p string) int {
	if k, _ := mapGet(ix.paths, p); k != nil {
		return k.Line
	}
	return ix.top("paths")
}

// op is the line of an operation's method key, or its path's line.
func (ix *lineIndex) op(p, method string) int {
	_, item := mapGet(ix.paths, p)
	if k, _ := mapGet(item, method); k != nil {
		return k.Line
	}
	return ix.path(p)
}

// isNull reports whether an operation's method key is there with a null
// value ("get: ~").
func (ix *lineIndex) isNull(p, method string) bool {
	_, item := mapGet(ix.paths, p)
	k, v := mapGet(item, method)
	return k != nil && isNull(v)
}

// field is the line of an operation field's key, or the operation's line.
func (ix *lineIndex) field(p, method string, names ...string) int {
	_, item := mapGet(ix.paths, p)
	_, node := mapGet(item, method)
	line := ix.op(p, method)
	for _, n := range names {
		k, v := mapGet(node, n)
		if k == nil {
			return line
		}
		line, node = k.Line, v
	}
	return line
}

// param is the line of an operation's i-th parameter entry.
func (ix *lineIndex) param(p, method string, i int) int {
	_, item := mapGet(ix.paths, p)
	_, op := mapGet(item, method)
	_, params := mapGet(op, "parameters")
	if params != nil && params.Kind == yaml.SequenceNode && i < len(params.Content) {
		return params.Content[i].Line
	}
	return ix.field(p, method, "parameters")
}

// schema is the line of a component schema's key.
func (ix *lineIndex) schema(name string) int {
	_, comps := mapGet(ix.root, "components")
	_, schemas := mapGet(comps, "schemas")
	if k, _ := mapGet(schemas, name); k != nil {
		return k.Line
	}
	return ix.top("components")
}
