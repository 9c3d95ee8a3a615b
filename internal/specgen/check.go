// Package specgen holds the work of cmd/specgen: proving that the connector
// doc and spec/zendesk.yaml agree (Check) and adding skeleton operations for
// documented endpoints the spec lacks (Scaffold).
package specgen

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/zdapi/zendesk/internal/connectordoc"
	"github.com/zdapi/zendesk/internal/specmeta"
)

// Inputs are the three files a check reads.
type Inputs struct {
	Doc, Index, Spec []byte
	// SpecName is the spec's path as findings print it.
	SpecName string
}

// Finding is one disagreement, at a line of the spec.
type Finding struct {
	Line int
	Msg  string
}

// Report is the outcome of a check.
type Report struct {
	SpecName string
	Findings []Finding
	// Documented is the number of documented endpoints; Matched those that
	// map to exactly one operation.
	Documented, Matched int
	// Operations is the number of operations in the spec.
	Operations int
	// Counts of annotated operations, and how many of each the doc implies.
	Paginated, PaginatedFromDoc, PaginatedSupplemented int
	Jobs, JobsFromDoc                                  int
	RateLimited, RateLimitedFromDoc                    int
	Sideloaded, SideloadedFromDoc                      int
	Errata                                             int
}

// Lines renders the findings, one "spec:LINE: message" each, in line order.
func (r *Report) Lines() []string {
	fs := slices.Clone(r.Findings)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Line < fs[j].Line })
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s:%d: %s", r.SpecName, f.Line, f.Msg))
	}
	return out
}

// Summary is the annotation counts line.
func (r *Report) Summary() string {
	return fmt.Sprintf("operations %d; x-zendesk-pagination %d (doc says %d, supplemented %d); x-zendesk-job %d (doc says %d); x-zendesk-rate-limit %d (doc says %d); x-zendesk-sideloads %d (doc says %d); doc errata %d",
		r.Operations, r.Paginated, r.PaginatedFromDoc, r.PaginatedSupplemented, r.Jobs, r.JobsFromDoc,
		r.RateLimited, r.RateLimitedFromDoc, r.Sideloaded, r.SideloadedFromDoc, r.Errata)
}

// Totals is the last line a check prints.
func (r *Report) Totals() string {
	return fmt.Sprintf("%d/%d endpoints, %d disagreements", r.Matched, r.Documented, len(r.Findings))
}

// InputError is a problem with an input file that stops the check.
type InputError struct {
	File string
	Err  error
}

// Error names the file and the problem.
func (e *InputError) Error() string { return fmt.Sprintf("%s: %v", e.File, e.Err) }

// Unwrap gives the problem.
func (e *InputError) Unwrap() error { return e.Err }

var (
	operationIDRe = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	spaces        = regexp.MustCompile(`\s+`)
	// Suffixes oapi-codegen appends to an operationId for the types it
	// generates; a schema with such a name collides with them.
	generatedSuffixes = []string{"Response", "Params", "JSONBody", "JSONRequestBody", "MultipartBody", "MultipartRequestBody", "TextBody", "TextRequestBody", "RequestBody"}
)

type specOp struct {
	path, method string
	op           *openapi3.Operation
	item         *openapi3.PathItem
}

// Check proves that the connector doc and the spec agree. Bad input files
// are an *InputError; disagreements are findings in the report.
func Check(in Inputs) (*Report, error) {
	if in.SpecName == "" {
		in.SpecName = "spec/zendesk.yaml"
	}
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
	lines, err := newLineIndex(in.Spec)
	if err != nil {
		return nil, &InputError{File: in.SpecName, Err: err}
	}
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData(in.Spec)
	if err != nil {
		return nil, &InputError{File: in.SpecName, Err: err}
	}
	if spec.Paths == nil {
		return nil, &InputError{File: in.SpecName, Err: fmt.Errorf("no paths")}
	}

	r := &Report{SpecName: in.SpecName, Documented: len(documented)}
	add := func(line int, format string, args ...any) {
		r.Findings = append(r.Findings, Finding{Line: line, Msg: fmt.Sprintf(format, args...)})
	}

	// Every operation in the spec, by "METHOD path".
	ops := map[string]specOp{}
	var order []string
	for _, p := range spec.Paths.InMatchingOrder() {
		item := spec.Paths.Value(p)
		for method, op := range item.Operations() {
			k := method + " " + p
			ops[k] = specOp{path: p, method: method, op: op, item: item}
			order = append(order, k)
		}
	}
	sort.Strings(order)
	r.Operations = len(ops)

	// Spec side: operationIds unique and well formed, every operation
	// documented.
	documentedKeys := map[string]bool{}
	for _, d := range documented {
		documentedKeys[d.Method+" "+d.Path] = true
	}
	ids := map[string]string{}
	for _, k := range order {
		o := ops[k]
		line := lines.op(o.path, strings.ToLower(o.method))
		if !documentedKeys[k] {
			add(line, "%s is not a documented endpoint (not in the endpoint index)", k)
		}
		id := o.op.OperationID
		switch {
		case id == "":
			add(line, "%s has no operationId", k)
		case !operationIDRe.MatchString(id):
			add(lines.field(o.path, strings.ToLower(o.method), "operationId"), "operationId %q is not PascalCase", id)
		default:
			if prev, dup := ids[id]; dup {
				add(lines.field(o.path, strings.ToLower(o.method), "operationId"), "operationId %q is also used by %s", id, prev)
			}
			ids[id] = k
		}
	}

	// No schema may take a name oapi-codegen derives from an operationId.
	if spec.Components != nil {
		for name := range spec.Components.Schemas {
			for _, suffix := range generatedSuffixes {
				if base, ok := strings.CutSuffix(name, suffix); ok && ids[base] != "" {
					add(lines.schema(name), "schema %s collides with the %s%s type oapi-codegen generates for operation %s", name, base, suffix, base)
				}
			}
		}
	}

	// Doc side: every documented endpoint maps to exactly one operation that
	// says what the doc says.
	for _, d := range documented {
		k := d.Method + " " + d.Path
		o, ok := ops[k]
		if !ok {
			if lines.isNull(d.Path, strings.ToLower(d.Method)) {
				add(lines.op(d.Path, strings.ToLower(d.Method)), "missing operation %s for %q (doc line %d): the operation is null; write it out (specgen scaffold does) or remove the line", k, d.Title, d.Line)
				continue
			}
			add(lines.path(d.Path), "missing operation %s for %q (doc line %d)", k, d.Title, d.Line)
			continue
		}
		// Method and path identify at most one operation: the endpoint maps.
		// What the operation says is checked on its own.
		r.Matched++
		checkOperation(r, lines, d, o, add)
	}
	sort.SliceStable(r.Findings, func(i, j int) bool { return r.Findings[i].Line < r.Findings[j].Line })
	return r, nil
}

func checkOperation(r *Report, lines *lineIndex, d connectordoc.Documented, o specOp, add func(int, string, ...any)) {
	m := strings.ToLower(o.method)
	opLine := lines.op(o.path, m)
	field := func(names ...string) int { return lines.field(o.path, m, names...) }
	op := o.op
	meta, err := specmeta.Decode(op.Extensions)
	if err != nil {
		add(opLine, "%s: %v", op.OperationID, err)
	}
	name := op.OperationID
	if name == "" {
		name = d.Method + " " + d.Path
	}
	for _, t := range meta.Todo {
		add(field(specmeta.ExtTodo), "%s: not curated yet: %s", name, t)
	}
	if meta.DocTitle != d.Title {
		add(field(specmeta.ExtDocTitle), "%s: %s is %q, doc title is %q", name, specmeta.ExtDocTitle, meta.DocTitle, d.Title)
	}
	if op.Summary != d.Summary {
		add(field("summary"), "%s: summary is %q, doc title's summary is %q", name, op.Summary, d.Summary)
	}
	if strings.TrimSpace(op.Description) == "" {
		add(opLine, "%s: no description", name)
	}
	if len(op.Tags) == 0 {
		add(opLine, "%s: no tag", name)
	}
	success := successResponses(op)
	if len(success) == 0 {
		add(field("responses"), "%s: no 2xx response", name)
	}

	// Parameters: path parameters match the template; every documented row
	// is a parameter whose description starts with the doc's; "(Required)"
	// rows are required; named parameters exist.
	params := allParams(o)
	tmpl := connectordoc.PathParams(d.Path)
	for _, pn := range tmpl {
		found := false
		for i, p := range params {
			if p.In == "path" && p.Name == pn {
				found = true
				if !p.Required {
					add(lines.param(o.path, m, i), "%s: path parameter %s must be required", name, pn)
				}
				if p.Schema == nil || p.Schema.Value == nil || !(p.Schema.Value.Type.Is("integer") || p.Schema.Value.Type.Is("string")) {
					add(lines.param(o.path, m, i), "%s: path parameter %s must be an integer or a string", name, pn)
				} else if p.Schema.Value.Type.Is("integer") && p.Schema.Value.Format != "int64" {
					add(lines.param(o.path, m, i), "%s: id path parameter %s must be int64", name, pn)
				}
			}
		}
		if !found {
			add(field("parameters"), "%s: no path parameter %s", name, pn)
		}
	}
	for i, p := range params {
		if p.In == "path" && !slices.Contains(tmpl, p.Name) {
			add(lines.param(o.path, m, i), "%s: path parameter %s is not in the path", name, p.Name)
		}
	}
	used := map[int]bool{}
	for _, row := range d.Params {
		want := normalize(row.Description)
		match := -1
		for i, p := range params {
			if !used[i] && strings.HasPrefix(normalize(p.Description), want) {
				match = i
				break
			}
		}
		if match < 0 {
			add(field("parameters"), "%s: no parameter described %q (doc line %d)", name, row.Description, row.Line)
			continue
		}
		used[match] = true
		if row.Required && !params[match].Required && (meta.Errata == nil || meta.Errata.Parameters == "") {
			add(lines.param(o.path, m, match), "%s: parameter %s is documented (Required) but not required", name, params[match].Name)
		}
	}
	for _, np := range d.NamedParams {
		found := false
		for _, p := range params {
			if p.In == "query" && p.Name == np.Name {
				found = true
			}
		}
		if !found {
			add(field("parameters"), "%s: no query parameter %s (doc line %d)", name, np.Name, np.Line)
		}
	}

	// Pagination.
	want := d.Pagination
	got := meta.Pagination
	errata := meta.Errata
	if errata == nil {
		errata = &specmeta.Errata{}
	}
	if want.Style != "" {
		r.PaginatedFromDoc++
	}
	if got != nil {
		r.Paginated++
		if want.Style == "" {
			r.PaginatedSupplemented++
		}
	}
	if meta.Errata != nil {
		r.Errata++
	}
	pagLine := field(specmeta.ExtPagination)
	switch {
	case errata.Pagination != "":
	case want.Style != "" && got == nil:
		add(opLine, "%s: doc says it paginates (%s: %q) but there is no %s", name, want.Style, want.Evidence, specmeta.ExtPagination)
	case want.Style != "" && got.Style != want.Style:
		add(pagLine, "%s: pagination style is %q, doc says %q (%s)", name, got.Style, want.Style, want.Evidence)
	case want.Style == "" && got != nil && got.Source == "":
		add(pagLine, "%s: the doc does not say it paginates; say where the fact comes from in %s.source", name, specmeta.ExtPagination)
	}
	if got != nil && errata.Pagination == "" {
		if want.MaxPageSize != 0 && got.MaxPageSize != want.MaxPageSize {
			add(pagLine, "%s: max-page-size is %d, doc says %d", name, got.MaxPageSize, want.MaxPageSize)
		}
		if want.MaxPageSize == 0 && got.MaxPageSize != 0 && got.Source == "" {
			add(pagLine, "%s: max-page-size %d is not stated by the doc; say where it comes from in source", name, got.MaxPageSize)
		}
		for _, items := range append([]string{got.Items}, got.ItemsAlternatives...) {
			if items != "" && !anyResponseHasArray(success, items) {
				add(pagLine, "%s: pagination items %q is not an array property of the 2xx response", name, items)
			}
		}
	}

	// Jobs.
	if d.Job {
		r.JobsFromDoc++
	}
	if meta.Job {
		r.Jobs++
	}
	if errata.Job == "" {
		switch {
		case d.Job && !meta.Job:
			add(opLine, "%s: doc says it returns a job_status but there is no %s: true", name, specmeta.ExtJob)
		case !d.Job && meta.Job:
			add(field(specmeta.ExtJob), "%s: %s but the doc does not say it returns a job_status", name, specmeta.ExtJob)
		}
	}
	if meta.Job && !anyResponseHasProperty(success, "job_status") {
		add(field(specmeta.ExtJob), "%s: %s but no 2xx response has a job_status property", name, specmeta.ExtJob)
	}

	// Sideloads.
	var docNames, specNames []string
	for _, s := range d.Sideloads {
		docNames = append(docNames, s.Name)
	}
	for _, s := range meta.Sideloads {
		specNames = append(specNames, s.Name)
	}
	if len(docNames) > 0 {
		r.SideloadedFromDoc++
	}
	if len(specNames) > 0 {
		r.Sideloaded++
	}
	if errata.Sideloads == "" && !sameSet(docNames, specNames) {
		add(field(specmeta.ExtSideloads), "%s: %s is [%s], doc lists [%s]", name, specmeta.ExtSideloads, strings.Join(specNames, ", "), strings.Join(docNames, ", "))
	}
	if len(specNames) > 0 {
		for i, p := range params {
			if p.In != "query" || p.Name != "include" {
				continue
			}
			enum := includeEnum(p)
			if enum != nil && !sameSet(enum, specNames) {
				add(lines.param(o.path, m, i), "%s: include enum [%s] differs from %s [%s]", name, strings.Join(enum, ", "), specmeta.ExtSideloads, strings.Join(specNames, ", "))
			}
		}
	}

	// Rate limits.
	var wantRL *connectordoc.RateLimit
	if len(d.RateLimits) > 0 {
		wantRL = &d.RateLimits[0]
		r.RateLimitedFromDoc++
	}
	gotRL := meta.RateLimit
	if gotRL != nil {
		r.RateLimited++
	}
	if errata.RateLimit == "" {
		switch {
		case wantRL != nil && gotRL == nil:
			add(opLine, "%s: doc states a rate limit (%d per %ds: %q) but there is no %s", name, wantRL.Requests, wantRL.Seconds, wantRL.Sentence, specmeta.ExtRateLimit)
		case wantRL == nil && gotRL != nil:
			add(field(specmeta.ExtRateLimit), "%s: %s but the doc states no limit for this endpoint", name, specmeta.ExtRateLimit)
		case wantRL != nil && (gotRL.Requests != wantRL.Requests || gotRL.Seconds != wantRL.Seconds):
			add(field(specmeta.ExtRateLimit), "%s: rate limit is %d per %ds, doc says %d per %ds (%q)", name, gotRL.Requests, gotRL.Seconds, wantRL.Requests, wantRL.Seconds, wantRL.Sentence)
		}
	}
	if gotRL != nil {
		for _, k := range gotRL.Key {
			if !slices.Contains(tmpl, k) {
				add(field(specmeta.ExtRateLimit), "%s: rate limit key %s is not a path parameter", name, k)
			}
		}
	}
}

func normalize(s string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

// allParams are the operation's parameters, after its path item's.
func allParams(o specOp) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	seen := map[string]bool{}
	for _, list := range []openapi3.Parameters{o.op.Parameters, o.item.Parameters} {
		for _, p := range list {
			if p == nil || p.Value == nil {
				continue
			}
			k := p.Value.In + " " + p.Value.Name
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, p.Value)
		}
	}
	return out
}

// successResponses are the schemas of the operation's 2xx JSON responses.
func successResponses(op *openapi3.Operation) []*openapi3.Schema {
	var out []*openapi3.Schema
	found := false
	if op.Responses == nil {
		return nil
	}
	for code, resp := range op.Responses.Map() {
		if len(code) != 3 || code[0] != '2' {
			continue
		}
		found = true
		if resp == nil || resp.Value == nil {
			continue
		}
		for ct, mt := range resp.Value.Content {
			if strings.Contains(ct, "json") && mt.Schema != nil && mt.Schema.Value != nil {
				out = append(out, mt.Schema.Value)
			}
		}
		if len(resp.Value.Content) == 0 {
			out = append(out, &openapi3.Schema{})
		}
	}
	if !found {
		return nil
	}
	return out
}

// properties collects a schema's properties, through allOf.
func properties(s *openapi3.Schema, into map[string]*openapi3.Schema) {
	if s == nil {
		return
	}
	for n, p := range s.Properties {
		if p != nil && p.Value != nil {
			into[n] = p.Value
		}
	}
	for _, a := range s.AllOf {
		if a != nil {
			properties(a.Value, into)
		}
	}
}

func anyResponseHasArray(schemas []*openapi3.Schema, prop string) bool {
	for _, s := range schemas {
		ps := map[string]*openapi3.Schema{}
		properties(s, ps)
		if p, ok := ps[prop]; ok && p.Type.Is("array") {
			return true
		}
	}
	return false
}

func anyResponseHasProperty(schemas []*openapi3.Schema, prop string) bool {
	for _, s := range schemas {
		ps := map[string]*openapi3.Schema{}
		properties(s, ps)
		if _, ok := ps[prop]; ok {
			return true
		}
	}
	return false
}

// includeEnum is the enum of an include parameter (a string or an array of
// strings), or nil when it has none.
func includeEnum(p *openapi3.Parameter) []string {
	if p.Schema == nil || p.Schema.Value == nil {
		return nil
	}
	s := p.Schema.Value
	if s.Type.Is("array") && s.Items != nil && s.Items.Value != nil {
		s = s.Items.Value
	}
	if len(s.Enum) == 0 {
		return nil
	}
	var out []string
	for _, e := range s.Enum {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
