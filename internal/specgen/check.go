// Package specgen holds the work of cmd/specgen: proving that the connector
// doc and spec/zendesk.yaml agree (Check) and adding skeleton operations for
// documented endpoints the spec lacks (Scaffold).
package specgen

import (
	"fmt"
	"maps"
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
	// Reference, when set, is Zendesk's published reference facts
	// (spec/reference/zendesk-oas-facts.json), compared with the spec too.
	Reference []byte
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
	// Counts of annotated operations, how many of each the doc implies,
	// how many of those the spec waives by an erratum and how many it adds
	// where the doc is silent: annotated = doc - waived + supplemented.
	Paginated, PaginatedFromDoc, PaginatedWaived, PaginatedSupplemented         int
	Jobs, JobsFromDoc, JobsWaived, JobsSupplemented                             int
	RateLimited, RateLimitedFromDoc, RateLimitedWaived, RateLimitedSupplemented int
	Sideloaded, SideloadedFromDoc, SideloadedWaived, SideloadedSupplemented     int
	// Errata is the number of operations with x-zendesk-doc-errata that
	// excuse a fact of the connector doc.
	Errata int
	// Reference holds the figures of the comparison with the reference,
	// when there was one.
	Reference *ReferenceFigures
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
	count := func(ext string, n, doc, waived, supplemented int) string {
		return fmt.Sprintf("%s %d (doc says %d, %d waived by errata, %d supplemented)", ext, n, doc, waived, supplemented)
	}
	return fmt.Sprintf("operations %d; %s; %s; %s; %s; doc errata %d", r.Operations,
		count(specmeta.ExtPagination, r.Paginated, r.PaginatedFromDoc, r.PaginatedWaived, r.PaginatedSupplemented),
		count(specmeta.ExtJob, r.Jobs, r.JobsFromDoc, r.JobsWaived, r.JobsSupplemented),
		count(specmeta.ExtRateLimit, r.RateLimited, r.RateLimitedFromDoc, r.RateLimitedWaived, r.RateLimitedSupplemented),
		count(specmeta.ExtSideloads, r.Sideloaded, r.SideloadedFromDoc, r.SideloadedWaived, r.SideloadedSupplemented),
		r.Errata)
}

// Totals is the last line a check prints.
func (r *Report) Totals() string {
	noun := "disagreements"
	if len(r.Findings) == 1 {
		noun = "disagreement"
	}
	return fmt.Sprintf("%d/%d endpoints, %d %s", r.Matched, r.Documented, len(r.Findings), noun)
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
	var ref *refFile
	if in.Reference != nil {
		if ref, err = parseReference(in.Reference); err != nil {
			return nil, &InputError{File: "reference", Err: err}
		}
	}
	loader := openapi3.NewLoader()
	// Origins give the line of every schema, for the reference findings.
	loader.IncludeOrigin = true
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
	if ref != nil {
		checkReference(r, ref, spec, lines, ops)
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
	// is a parameter whose description starts with the doc's; a query
	// parameter has the wire name and shape its description stands for;
	// "(Required)" rows are required unless an erratum names the
	// parameter; named parameters exist.
	errata := meta.Errata
	if errata == nil {
		errata = &specmeta.Errata{}
	} else if errata.Doc() {
		r.Errata++
	}
	errataLine := func(names ...string) int { return field(append([]string{specmeta.ExtErrata}, names...)...) }
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
	excused := map[string]bool{}
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
		p := params[match]
		if p.In == "query" {
			if msg := checkWireName(row.Description, p.Name, isArray(p)); msg != "" {
				add(lines.param(o.path, m, match), "%s: %s (doc line %d)", name, msg, row.Line)
			}
		}
		if row.Required && !p.Required {
			if _, ok := errata.Parameters[p.Name]; ok {
				excused[p.Name] = true
			} else {
				add(lines.param(o.path, m, match), "%s: parameter %s is documented (Required) but not required", name, p.Name)
			}
		}
	}
	for _, pn := range slices.Sorted(maps.Keys(errata.Parameters)) {
		switch {
		case strings.TrimSpace(errata.Parameters[pn]) == "":
			add(errataLine("parameters", pn), "%s: erratum for parameter %s gives no reason", name, pn)
		case !excused[pn]:
			add(errataLine("parameters", pn), "%s: erratum for parameter %s excuses nothing: it is not a documented (Required) parameter the spec makes optional", name, pn)
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

	// Success responses are typed, or say why Zendesk's payload is
	// open-ended. (A skeleton's todo list already asks for its schema.)
	if meta.FreeForm == "" && len(meta.Todo) == 0 {
		for _, code := range freeFormResponses(op) {
			add(field("responses", code), "%s: the %s response's schema has no properties (`{}` or a bare object): type it, or say in %s why Zendesk's payload is open-ended", name, code, specmeta.ExtFreeForm)
		}
	}

	// Pagination. An erratum excuses one documented fact: "style" (the doc
	// says it paginates, or in another style) or "max-page-size".
	want := d.Pagination
	got := meta.Pagination
	pagLine := field(specmeta.ExtPagination)
	excusedPag := map[string]bool{}
	excuse := func(fact string) bool {
		if _, ok := errata.Pagination[fact]; ok {
			excusedPag[fact] = true
			return true
		}
		return false
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
	switch {
	case want.Style != "" && got == nil:
		if excuse(specmeta.ErratumStyle) {
			r.PaginatedWaived++
		} else {
			add(opLine, "%s: doc says it paginates (%s: %q) but there is no %s", name, want.Style, want.Evidence, specmeta.ExtPagination)
		}
	case want.Style != "" && got.Style != want.Style:
		if !excuse(specmeta.ErratumStyle) {
			add(pagLine, "%s: pagination style is %q, doc says %q (%s)", name, got.Style, want.Style, want.Evidence)
		}
	case want.Style == "" && got != nil && got.Source == "":
		add(pagLine, "%s: the doc does not say it paginates; say where the fact comes from in %s.source", name, specmeta.ExtPagination)
	}
	if got != nil {
		if want.MaxPageSize != 0 && got.MaxPageSize != want.MaxPageSize && !excuse(specmeta.ErratumMaxPageSize) {
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
	for _, fact := range slices.Sorted(maps.Keys(errata.Pagination)) {
		switch {
		case fact != specmeta.ErratumStyle && fact != specmeta.ErratumMaxPageSize:
			add(errataLine("pagination", fact), "%s: pagination erratum %q is not a fact the doc states (%s or %s)", name, fact, specmeta.ErratumStyle, specmeta.ErratumMaxPageSize)
		case strings.TrimSpace(errata.Pagination[fact]) == "":
			add(errataLine("pagination", fact), "%s: pagination erratum %s gives no reason", name, fact)
		case !excusedPag[fact]:
			add(errataLine("pagination", fact), "%s: pagination erratum %s excuses nothing: the spec does not depart from the doc's %s", name, fact, fact)
		}
	}

	// Jobs.
	if d.Job {
		r.JobsFromDoc++
	}
	if meta.Job {
		r.Jobs++
	}
	if d.Job != meta.Job {
		switch {
		case errata.Job != "":
			if d.Job {
				r.JobsWaived++
			} else {
				r.JobsSupplemented++
			}
		case d.Job:
			add(opLine, "%s: doc says it returns a job_status but there is no %s: true", name, specmeta.ExtJob)
		default:
			add(field(specmeta.ExtJob), "%s: %s but the doc does not say it returns a job_status", name, specmeta.ExtJob)
		}
	} else if errata.Job != "" {
		add(errataLine("job"), "%s: job erratum excuses nothing: spec and doc agree", name)
	}
	if meta.Job && !anyResponseHasProperty(success, "job_status") {
		add(field(specmeta.ExtJob), "%s: %s but no 2xx response has a job_status property", name, specmeta.ExtJob)
	}

	checkSideloads(r, lines, d, o, meta, errata, params, success, add)
	checkRateLimit(r, d, meta, errata, tmpl, name, opLine, field, errataLine, add)
}

// checkSideloads compares x-zendesk-sideloads with the doc's sideloads, the
// include parameter with the sideloads a caller asks for, and requires
// every sideload to land in a property of the success response.
func checkSideloads(r *Report, lines *lineIndex, d connectordoc.Documented, o specOp, meta specmeta.Operation, errata *specmeta.Errata, params []*openapi3.Parameter, success []*openapi3.Schema, add func(int, string, ...any)) {
	m := strings.ToLower(o.method)
	name := o.op.OperationID
	slLine := lines.field(o.path, m, specmeta.ExtSideloads)
	var docNames, specNames, askable []string
	docAlways := map[string]bool{}
	for _, s := range d.Sideloads {
		docNames = append(docNames, s.Name)
		docAlways[s.Name] = s.Always
	}
	for _, s := range meta.Sideloads {
		specNames = append(specNames, s.Name)
		if !s.Always {
			askable = append(askable, s.Name)
		}
	}
	if len(docNames) > 0 {
		r.SideloadedFromDoc++
	}
	if len(specNames) > 0 {
		r.Sideloaded++
	}
	disagree := !sameSet(docNames, specNames)
	if disagree {
		switch {
		case errata.Sideloads == "":
			add(slLine, "%s: %s is [%s], doc lists [%s]", name, specmeta.ExtSideloads, strings.Join(specNames, ", "), strings.Join(docNames, ", "))
		case len(specNames) == 0:
			r.SideloadedWaived++
		case len(docNames) == 0:
			r.SideloadedSupplemented++
		}
	}
	for _, s := range meta.Sideloads {
		if always, documented := docAlways[s.Name]; documented && always != s.Always {
			if errata.Sideloads != "" {
				disagree = true
				continue
			}
			if always {
				add(slLine, "%s: the doc says Zendesk always sends the %s sideload: mark it always: true", name, s.Name)
			} else {
				add(slLine, "%s: sideload %s is always: true, but the doc has callers ask for it with include", name, s.Name)
			}
		}
	}
	if errata.Sideloads != "" && !disagree {
		add(lines.field(o.path, m, specmeta.ExtErrata, "sideloads"), "%s: sideloads erratum excuses nothing: spec and doc agree", name)
	}

	// The include parameter asks for exactly the sideloads that are not
	// always sent; an operation with such sideloads has one.
	hasInclude := false
	for i, p := range params {
		if p.In != "query" || p.Name != "include" {
			continue
		}
		hasInclude = true
		enum := includeEnum(p)
		switch {
		case enum == nil:
			add(lines.param(o.path, m, i), "%s: include parameter has no enum: list the sideloads it takes", name)
		case !sameSet(enum, askable):
			add(lines.param(o.path, m, i), "%s: include enum [%s] differs from the sideloads a caller asks for in %s [%s]", name, strings.Join(enum, ", "), specmeta.ExtSideloads, strings.Join(askable, ", "))
		}
	}
	if len(askable) > 0 && !hasInclude {
		add(slLine, "%s: sideloads [%s] are asked for with include, but there is no include query parameter (mark sideloads Zendesk always sends always: true)", name, strings.Join(askable, ", "))
	}

	// Nothing sideloaded is dropped: each lands in a property of the
	// response or of its records.
	if len(meta.Sideloads) > 0 {
		avail := sideloadProperties(success)
		for _, s := range meta.Sideloads {
			prop := s.Name
			if s.Property != "" {
				prop = s.Property
			}
			if !avail[prop] {
				add(slLine, "%s: sideload %s lands in %s, which is not a property of the 2xx response or of its records: the decoder would drop it", name, s.Name, prop)
			}
		}
	}
}

// checkRateLimit compares x-zendesk-rate-limit with every limit the doc
// states for the endpoint.
func checkRateLimit(r *Report, d connectordoc.Documented, meta specmeta.Operation, errata *specmeta.Errata, tmpl []string, name string, opLine int, field func(...string) int, errataLine func(...string) int, add func(int, string, ...any)) {
	wants := d.RateLimits
	gotRL := meta.RateLimit
	if len(wants) > 0 {
		r.RateLimitedFromDoc++
	}
	if gotRL != nil {
		r.RateLimited++
	}
	var stated []string
	distinct := map[[2]int]bool{}
	matches := false
	for _, w := range wants {
		stated = append(stated, fmt.Sprintf("%d per %ds: %q", w.Requests, w.Seconds, w.Sentence))
		distinct[[2]int{w.Requests, w.Seconds}] = true
		if gotRL != nil && gotRL.Requests == w.Requests && gotRL.Seconds == w.Seconds {
			matches = true
		}
	}
	var problem string
	line := field(specmeta.ExtRateLimit)
	switch {
	case len(wants) > 0 && gotRL == nil:
		problem, line = fmt.Sprintf("doc states a rate limit (%s) but there is no %s", strings.Join(stated, "; "), specmeta.ExtRateLimit), opLine
		if errata.RateLimit != "" {
			r.RateLimitedWaived++
		}
	case len(wants) == 0 && gotRL != nil:
		problem = fmt.Sprintf("%s but the doc states no limit for this endpoint", specmeta.ExtRateLimit)
		if errata.RateLimit != "" {
			r.RateLimitedSupplemented++
		}
	case gotRL != nil && !matches:
		problem = fmt.Sprintf("rate limit is %d per %ds, doc says %s", gotRL.Requests, gotRL.Seconds, strings.Join(stated, "; "))
	case len(distinct) > 1:
		problem = fmt.Sprintf("doc states %d different rate limits (%s) and %s holds one: say in %s.rate-limit why the others do not bind", len(distinct), strings.Join(stated, "; "), specmeta.ExtRateLimit, specmeta.ExtErrata)
	}
	switch {
	case problem != "" && errata.RateLimit == "":
		add(line, "%s: %s", name, problem)
	case problem == "" && errata.RateLimit != "":
		add(errataLine("rate-limit"), "%s: rate-limit erratum excuses nothing: spec and doc agree", name)
	}
	if gotRL != nil {
		for _, k := range gotRL.Key {
			if !slices.Contains(tmpl, k) {
				add(field(specmeta.ExtRateLimit), "%s: rate limit key %s is not a path parameter", name, k)
			}
		}
	}
}

func isArray(p *openapi3.Parameter) bool {
	return p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Type.Is("array")
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

// typedResponses sorts the spec's operations by their 2xx responses: typed
// (no 2xx JSON response is free-form; a response without content, such as
// a 204, is typed), free-form with an x-zendesk-free-form reason, and
// free-form without one.
func typedResponses(spec *openapi3.T) (typed, total int, freeForm, unannotated []string) {
	if spec.Paths == nil {
		return 0, 0, nil, nil
	}
	for _, p := range spec.Paths.InMatchingOrder() {
		for _, op := range spec.Paths.Value(p).Operations() {
			total++
			if len(freeFormResponses(op)) == 0 {
				typed++
				continue
			}
			meta, _ := specmeta.Decode(op.Extensions)
			if meta.FreeForm != "" {
				freeForm = append(freeForm, op.OperationID)
			} else {
				unannotated = append(unannotated, op.OperationID)
			}
		}
	}
	sort.Strings(freeForm)
	sort.Strings(unannotated)
	return typed, total, freeForm, unannotated
}

// freeFormResponses are the 2xx codes of the operation whose JSON schema
// has no properties: `{}` or a bare object, through $refs and allOf. A 2xx
// response without content (204) is typed; so is an object that declares
// itself empty (additionalProperties: false) or a map of typed values.
func freeFormResponses(op *openapi3.Operation) []string {
	var out []string
	if op.Responses == nil {
		return nil
	}
	for code, resp := range op.Responses.Map() {
		if len(code) != 3 || code[0] != '2' || resp == nil || resp.Value == nil {
			continue
		}
		for ct, mt := range resp.Value.Content {
			if !strings.Contains(ct, "json") {
				continue
			}
			if mt.Schema == nil || freeForm(mt.Schema.Value) {
				out = append(out, code)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// freeForm reports whether a schema leaves its value's shape open.
func freeForm(s *openapi3.Schema) bool {
	if s == nil {
		return true
	}
	switch {
	case s.Type.Is("array"):
		return s.Items == nil || freeForm(s.Items.Value)
	case s.Type != nil && len(s.Type.Slice()) > 0 && !s.Type.Includes("object"):
		return false // a string, number, integer or boolean
	}
	for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		if len(alts) == 0 {
			continue
		}
		for _, a := range alts {
			if a == nil || freeForm(a.Value) {
				return true
			}
		}
		return false
	}
	if len(s.Properties) > 0 {
		return false
	}
	for _, a := range s.AllOf {
		if a != nil && !freeForm(a.Value) {
			return false
		}
	}
	ap := s.AdditionalProperties
	if ap.Has != nil && !*ap.Has {
		return false // declared empty
	}
	return ap.Schema == nil || freeForm(ap.Schema.Value)
}

// sideloadProperties are the properties a sideload may land in: those of
// the 2xx responses, and those of their properties' objects and records.
func sideloadProperties(schemas []*openapi3.Schema) map[string]bool {
	out := map[string]bool{}
	for _, s := range schemas {
		top := map[string]*openapi3.Schema{}
		properties(s, top)
		for n, p := range top {
			out[n] = true
			if p.Items != nil {
				p = p.Items.Value
			}
			inner := map[string]*openapi3.Schema{}
			properties(p, inner)
			for k := range inner {
				out[k] = true
			}
		}
	}
	return out
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
