package specgen

import (
	"bytes"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v3"

	"github.com/zdapi/zendesk/internal/connectordoc"
	"github.com/zdapi/zendesk/internal/specmeta"
)

// ScaffoldResult is what Scaffold did.
type ScaffoldResult struct {
	// Spec is the new spec text; it equals the input when nothing was added.
	Spec []byte
	// Added lists the operations added, as "METHOD path (operationId)".
	Added []string
}

// Scaffold adds a skeleton operation for every documented endpoint the spec
// lacks. It inserts text and never rewrites what is there: curated
// operations, the file's order and its comments stay byte for byte. New
// paths go where the path order puts them; a new method of an existing path
// goes at the end of that path item. Each skeleton carries what the doc
// states (title, summary, description, parameters, annotations) and an
// x-zendesk-todo list of what a curator must still decide; specgen check
// reports those until they are gone.
func Scaffold(in Inputs) (*ScaffoldResult, error) {
	doc, err := connectordoc.Parse(in.Doc)
	if err != nil {
		return nil, &InputError{File: "connector doc", Err: err}
	}
	index, err := connectordoc.ParseIndex(in.Index)
	if err != nil {
		return nil, &InputError{File: "endpoint index", Err: err}
	}
	documented, err := connectordoc.Join(doc, index)
	if err != nil {
		return nil, &InputError{File: "connector doc", Err: err}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(in.Spec, &root); err != nil {
		return nil, &InputError{File: in.SpecName, Err: err}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &InputError{File: in.SpecName, Err: fmt.Errorf("not a YAML mapping")}
	}
	top := root.Content[0]
	pathsKey, paths := mapGet(top, "paths")
	if paths == nil || (paths.Kind != yaml.MappingNode && !(paths.Kind == yaml.ScalarNode && paths.Tag == "!!null")) {
		return nil, &InputError{File: in.SpecName, Err: fmt.Errorf("no paths mapping")}
	}

	lines := strings.SplitAfter(string(in.Spec), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	// endOfPaths is the 0-based line index where the paths mapping ends: the
	// next top-level key, or the end of file.
	endOfPaths := len(lines)
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i] == pathsKey && i+2 < len(top.Content) {
			endOfPaths = top.Content[i+2].Line - 1
			for endOfPaths > 0 && strings.TrimSpace(lines[endOfPaths-1]) == "" {
				endOfPaths--
			}
		}
	}
	pathIndent, methodIndent := 2, 4
	type pathEntry struct {
		key  string
		line int // 0-based line of the key
		item *yaml.Node
	}
	var existing []pathEntry
	if paths.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(paths.Content); i += 2 {
			k := paths.Content[i]
			existing = append(existing, pathEntry{key: k.Value, line: k.Line - 1, item: paths.Content[i+1]})
			pathIndent = k.Column - 1
			if v := paths.Content[i+1]; v.Kind == yaml.MappingNode && len(v.Content) > 0 {
				methodIndent = v.Content[0].Column - 1
			}
		}
	}
	// Where an existing path item ends (0-based, exclusive).
	itemEnd := func(i int) int {
		if i+1 < len(existing) {
			end := existing[i+1].line
			for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
				end--
			}
			return end
		}
		return endOfPaths
	}

	usedIDs := map[string]bool{}
	if spec, err := openapi3.NewLoader().LoadFromData(in.Spec); err == nil && spec.Paths != nil {
		for _, p := range spec.Paths.Map() {
			for _, op := range p.Operations() {
				usedIDs[op.OperationID] = true
			}
		}
	}

	inserts := map[int][]string{} // 0-based line index → text blocks to insert before it
	// 0-based line index → what replaces the line: a null operation
	// ("get: ~") or a null path item ("/api/v2/x:" with nothing under it) is
	// missing, and its line gives way to what scaffolding writes.
	replaced := map[int]string{}
	nullLine := func(k *yaml.Node) (string, error) {
		l := lines[k.Line-1]
		m := nullEntry.FindStringSubmatch(strings.TrimRight(l, "\n"))
		if m == nil || m[2] != k.Value {
			return "", &InputError{File: in.SpecName, Err: fmt.Errorf("line %d: %s is null but not alone on its line; write it out or remove it", k.Line, k.Value)}
		}
		keep := ""
		if m[3] != "" {
			keep = m[1] + m[3] + "\n" // the line's comment stays
		}
		return keep, nil
	}
	res := &ScaffoldResult{}
	newPaths := map[string][]connectordoc.Documented{}
	for _, d := range documented {
		at := slices.IndexFunc(existing, func(e pathEntry) bool { return e.key == d.Path })
		if at >= 0 {
			item := existing[at].item
			if isNull(item) {
				k, _ := mapGet(paths, d.Path)
				if _, done := replaced[k.Line-1]; !done {
					keep, err := nullLine(k)
					if err != nil {
						return nil, err
					}
					replaced[k.Line-1] = keep + strings.Repeat(" ", pathIndent) + d.Path + ":\n"
				}
			}
			k, v := mapGet(item, strings.ToLower(d.Method))
			if v != nil && !isNull(v) {
				continue
			}
			block, id := skeleton(d, usedIDs, methodIndent, methodIndent-pathIndent)
			res.Added = append(res.Added, fmt.Sprintf("%s %s (%s)", d.Method, d.Path, id))
			if v != nil {
				keep, err := nullLine(k)
				if err != nil {
					return nil, err
				}
				replaced[k.Line-1] = keep + block
				continue
			}
			end := itemEnd(at)
			inserts[end] = append(inserts[end], block)
			continue
		}
		newPaths[d.Path] = append(newPaths[d.Path], d)
	}
	for _, p := range slices.Sorted(maps.Keys(newPaths)) {
		var b strings.Builder
		fmt.Fprintf(&b, "%s%s:\n", strings.Repeat(" ", pathIndent), p)
		ds := newPaths[p]
		sort.SliceStable(ds, func(i, j int) bool { return methodOrder(ds[i].Method) < methodOrder(ds[j].Method) })
		for _, d := range ds {
			block, id := skeleton(d, usedIDs, methodIndent, methodIndent-pathIndent)
			b.WriteString(block)
			res.Added = append(res.Added, fmt.Sprintf("%s %s (%s)", d.Method, d.Path, id))
		}
		// Before the first existing path that sorts after it, and before
		// the comment lines that belong to that path.
		at := endOfPaths
		for _, e := range existing {
			if e.key > p {
				at = e.line
				for at > 0 && strings.HasPrefix(strings.TrimSpace(lines[at-1]), "#") {
					at--
				}
				break
			}
		}
		inserts[at] = append(inserts[at], b.String())
	}
	if len(res.Added) == 0 {
		res.Spec = in.Spec
		return res, nil
	}
	var out bytes.Buffer
	if len(existing) == 0 {
		// "paths:" with no entries ("paths: {}" or "paths:"): rewrite that
		// one line so entries can follow.
		lines[pathsKey.Line-1] = strings.Repeat(" ", pathsKey.Column-1) + "paths:\n"
	}
	for i := 0; i <= len(lines); i++ {
		for _, block := range inserts[i] {
			out.WriteString(block)
		}
		if r, ok := replaced[i]; ok {
			out.WriteString(r)
			continue
		}
		if i < len(lines) {
			out.WriteString(lines[i])
			if i == len(lines)-1 && !strings.HasSuffix(lines[i], "\n") {
				out.WriteString("\n")
			}
		}
	}
	res.Spec = out.Bytes()
	// Never hand back a file that does not load.
	var check yaml.Node
	if err := yaml.Unmarshal(res.Spec, &check); err != nil {
		return nil, fmt.Errorf("scaffold produced invalid YAML (nothing written): %w", err)
	}
	if _, err := openapi3.NewLoader().LoadFromData(res.Spec); err != nil {
		return nil, fmt.Errorf("scaffold produced a spec that does not load (nothing written): %w", err)
	}
	return res, nil
}

// nullEntry is a mapping entry alone on its line whose value is null
// ("get: ~", "get: null", "get:"), with an optional comment.
var nullEntry = regexp.MustCompile(`^(\s*)['"]?([^'"#]+?)['"]?:\s*(?:~|null|Null|NULL)?\s*(#.*)?$`)

func isNull(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func methodOrder(m string) int {
	return slices.Index([]string{"GET", "PUT", "POST", "PATCH", "DELETE"}, m)
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// operationIDFromSummary turns "Count Tickets in View" into
// "CountTicketsInView".
func operationIDFromSummary(s string) string {
	var b strings.Builder
	for _, w := range nonWord.Split(s, -1) {
		if w == "" {
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// stringPathParams are path parameters that are keys, codes or opaque
// strings, not integer ids.
var stringPathParams = map[string]bool{
	"custom_object_key": true, "custom_object_field_key_or_id": true, "custom_object_record_id": true,
	"attribute_id": true, "attribute_value_id": true, "incremental_resource": true, "job_status_id": true,
	"locale_id": true, "organization_field_id": true, "user_field_id": true, "source_type": true,
	"target_type": true, "token": true, "trigger_category_id": true,
}

// guessQueryName is the wire name the rules give a documented query
// parameter's description (the first, when they allow several), and whether
// it takes a list; "" when no rule knows it.
func guessQueryName(desc string) (string, bool) {
	names, list, ok := wireName(desc)
	if !ok {
		return "", false
	}
	return names[0], list
}

// tagFor names an operation's resource tag from its path.
func tagFor(path string) string {
	segs := strings.Split(strings.TrimPrefix(path, "/api/v2/"), "/")
	s := segs[0]
	switch s {
	case "incremental":
		return "Incremental Exports"
	case "routing":
		return "Skill-based Routing"
	case "channels":
		return "Channel Framework"
	case "dynamic_content":
		return "Dynamic Content"
	}
	if strings.HasPrefix(s, "{") {
		return "Lookup Relationships"
	}
	words := strings.Split(s, "_")
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// skeleton renders one operation (method key and body) at the given indent.
func skeleton(d connectordoc.Documented, used map[string]bool, indent, step int) (string, string) {
	id := operationIDFromSummary(d.Summary)
	for n := 2; used[id]; n++ {
		id = fmt.Sprintf("%s%d", operationIDFromSummary(d.Summary), n)
	}
	used[id] = true
	todo := []string{"choose operationId, tag and description", "define the 2xx response schema and example"}

	op := &yaml.Node{Kind: yaml.MappingNode}
	set := func(m *yaml.Node, k string, v *yaml.Node) {
		m.Content = append(m.Content, str(k), v)
	}
	set(op, "operationId", str(id))
	set(op, "summary", str(d.Summary))
	desc := str(strings.Join(d.Text, "\n"))
	if desc.Value == "" {
		desc = str(d.Summary + ".")
	}
	if strings.Contains(desc.Value, "\n") {
		desc.Style = yaml.LiteralStyle
	}
	set(op, "description", desc)
	set(op, "tags", seq(str(tagFor(d.Path))))
	set(op, specmeta.ExtDocTitle, &yaml.Node{Kind: yaml.ScalarNode, Value: d.Title, Style: yaml.DoubleQuotedStyle})

	var params []*yaml.Node
	tmpl := connectordoc.PathParams(d.Path)
	rows := d.Params
	// The doc lists path parameters last.
	var pathRows []connectordoc.Param
	if n := len(tmpl); n <= len(rows) {
		pathRows = rows[len(rows)-n:]
		rows = rows[:len(rows)-n]
	}
	for i, pn := range tmpl {
		p := &yaml.Node{Kind: yaml.MappingNode}
		set(p, "name", str(pn))
		set(p, "in", str("path"))
		set(p, "required", boolean(true))
		if i < len(pathRows) {
			set(p, "description", str(pathRows[i].Description))
		}
		if stringPathParams[pn] {
			set(p, "schema", mapping("type", str("string")))
		} else {
			set(p, "schema", mapping("type", str("integer"), "format", str("int64")))
		}
		params = append(params, p)
	}
	named := map[string]bool{}
	for n, row := range rows {
		name, list := guessQueryName(row.Description)
		if name == "" || named[name] {
			name = fmt.Sprintf("TODO_%d", n+1)
			todo = append(todo, fmt.Sprintf("name the query parameter described %q", row.Description))
		}
		named[name] = true
		p := &yaml.Node{Kind: yaml.MappingNode}
		set(p, "name", str(name))
		set(p, "in", str("query"))
		if row.Required {
			set(p, "required", boolean(true))
		}
		set(p, "description", str(row.Description))
		if list {
			set(p, "style", str("form"))
			set(p, "explode", boolean(false))
			set(p, "schema", mapping("type", str("array"), "items", mapping("type", str("string"))))
		} else {
			set(p, "schema", mapping("type", str("string")))
		}
		params = append(params, p)
	}
	for _, np := range d.NamedParams {
		if named[np.Name] {
			continue
		}
		named[np.Name] = true
		typ := np.Type
		if typ != "boolean" && typ != "integer" {
			typ = "string"
		}
		p := &yaml.Node{Kind: yaml.MappingNode}
		set(p, "name", str(np.Name))
		set(p, "in", str("query"))
		set(p, "description", str(np.Description))
		set(p, "schema", mapping("type", str(typ)))
		params = append(params, p)
	}
	if len(params) > 0 {
		set(op, "parameters", seq(params...))
	}
	if d.Method == "POST" || d.Method == "PUT" || d.Method == "PATCH" {
		todo = append(todo, "define the request body, if any")
	}

	if pg := d.Pagination; pg.Style != "" {
		m := mapping("style", str(pg.Style), "items", str("TODO"))
		if pg.MaxPageSize > 0 {
			m.Content = append(m.Content, str("max-page-size"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(pg.MaxPageSize)})
		}
		set(op, specmeta.ExtPagination, m)
		todo = append(todo, "name the pagination items property")
	}
	if d.Job {
		set(op, specmeta.ExtJob, boolean(true))
	}
	if len(d.Sideloads) > 0 {
		var list []*yaml.Node
		for _, s := range d.Sideloads {
			list = append(list, mapping("name", str(s.Name), "description", str(s.Description)))
		}
		set(op, specmeta.ExtSideloads, seq(list...))
	}
	if len(d.RateLimits) > 0 {
		rl := d.RateLimits[0]
		m := mapping("requests", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(rl.Requests)},
			"seconds", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(rl.Seconds)})
		if len(rl.Per) > 0 {
			var per []*yaml.Node
			for _, p := range rl.Per {
				per = append(per, str(p))
			}
			m.Content = append(m.Content, str("per"), seq(per...))
		}
		if rl.AppliesTo != "" {
			m.Content = append(m.Content, str("applies-to"), str(rl.AppliesTo))
		}
		m.Content = append(m.Content, str("doc"), str(rl.Sentence))
		set(op, specmeta.ExtRateLimit, m)
	}

	code := "200"
	switch {
	case d.Method == "DELETE" && !d.Job:
		code = "204"
	case d.Method == "POST" && strings.HasPrefix(d.Summary, "Create") && !d.Job:
		code = "201"
	}
	resp := mapping("description", str("Success"))
	if code != "204" {
		resp.Content = append(resp.Content, str("content"), mapping("application/json", mapping("schema", mapping("type", str("object")))))
	}
	set(op, "responses", mapping(code, resp))
	var todos []*yaml.Node
	for _, t := range todo {
		todos = append(todos, str(t))
	}
	set(op, specmeta.ExtTodo, seq(todos...))

	body := mapping(strings.ToLower(d.Method), op)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(step)
	_ = enc.Encode(body)
	_ = enc.Close()
	var b strings.Builder
	for _, l := range strings.SplitAfter(buf.String(), "\n") {
		if l == "" {
			continue
		}
		if strings.TrimSpace(l) == "" {
			b.WriteString(l)
			continue
		}
		b.WriteString(strings.Repeat(" ", indent) + l)
	}
	return b.String(), id
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func boolean(v bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)}
}

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

func mapping(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Content = append(m.Content, str(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return m
}
