package specgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/zdapi/zendesk/internal/specmeta"
)

// The reference (spec/reference/zendesk-oas-facts.json): the shapes
// Zendesk's published OpenAPI document gives for the documented endpoints.
type refFile struct {
	About      string                `json:"about"`
	Editions   []string              `json:"editions"`
	Operations []*refOperation       `json:"operations"`
	Components map[string]*refSchema `json:"components"`
	NotFound   []json.RawMessage     `json:"not_found"`
}

type refOperation struct {
	Method               string                  `json:"method"`
	Path                 string                  `json:"path"`
	PublishedPath        string                  `json:"published_path"`
	DocTitle             string                  `json:"doc_title"`
	Edition              string                  `json:"edition"`
	PublishedOperationID string                  `json:"published_operation_id"`
	Parameters           []*refParam             `json:"parameters"`
	RequestBody          *refBody                `json:"request_body"`
	Responses            map[string]*refResponse `json:"responses"`
}

type refParam struct {
	Name       string     `json:"name"`
	In         string     `json:"in"`
	Required   bool       `json:"required"`
	Style      string     `json:"style"`
	Explode    *bool      `json:"explode"`
	Deprecated bool       `json:"deprecated"`
	Schema     *refSchema `json:"schema"`
}

type refBody struct {
	Required bool                 `json:"required"`
	Content  map[string]*refMedia `json:"content"`
}

type refMedia struct {
	Schema *refSchema `json:"schema"`
}

type refResponse struct {
	Headers map[string]json.RawMessage `json:"headers"`
	Content map[string]*refMedia       `json:"content"`
}

type refSchema struct {
	Ref                  string                `json:"$ref"`
	Type                 string                `json:"type"`
	Format               string                `json:"format"`
	Enum                 []any                 `json:"enum"`
	Nullable             bool                  `json:"nullable"`
	ReadOnly             bool                  `json:"readOnly"`
	WriteOnly            bool                  `json:"writeOnly"`
	Deprecated           bool                  `json:"deprecated"`
	Required             []string              `json:"required"`
	Properties           map[string]*refSchema `json:"properties"`
	Items                *refSchema            `json:"items"`
	AdditionalProperties json.RawMessage       `json:"additionalProperties"`
	AllOf                []*refSchema          `json:"allOf"`
	OneOf                []*refSchema          `json:"oneOf"`
	AnyOf                []*refSchema          `json:"anyOf"`
	Minimum              *float64              `json:"minimum"`
	Maximum              *float64              `json:"maximum"`
	MaxItems             *int                  `json:"maxItems"`
}

const refPrefix = "#/components/"

// parseReference decodes and validates the reference: known fields only,
// every operation with a method, a path and a 2xx or other response, and
// every $ref pointing at a component it holds.
func parseReference(src []byte) (*refFile, error) {
	d := json.NewDecoder(bytes.NewReader(src))
	d.DisallowUnknownFields()
	var f refFile
	if err := d.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a reference facts file: %w", err)
	}
	if d.More() {
		return nil, fmt.Errorf("not a reference facts file: data after the top-level object")
	}
	if len(f.Operations) == 0 {
		return nil, fmt.Errorf("no operations")
	}
	var errs []string
	check := func(where string, s *refSchema) {
		f.walkRefs(s, func(ref string) {
			name, ok := strings.CutPrefix(ref, refPrefix)
			if !ok || f.Components[name] == nil {
				errs = append(errs, fmt.Sprintf("%s: $ref %q names no component", where, ref))
			}
		})
	}
	seen := map[string]bool{}
	for i, o := range f.Operations {
		if o == nil || o.Method == "" || !strings.HasPrefix(o.Path, "/") {
			errs = append(errs, fmt.Sprintf("operation %d: no method or path", i))
			continue
		}
		o.Method = strings.ToUpper(o.Method)
		k := o.Method + " " + o.Path
		if seen[k] {
			errs = append(errs, fmt.Sprintf("operation %s appears twice", k))
		}
		seen[k] = true
		if len(o.Responses) == 0 {
			errs = append(errs, fmt.Sprintf("operation %s: no responses", k))
		}
		for j, p := range o.Parameters {
			if p == nil || p.Name == "" || p.In == "" {
				errs = append(errs, fmt.Sprintf("operation %s: parameter %d has no name or in", k, j))
				continue
			}
			check(k+" parameter "+p.Name, p.Schema)
		}
		if o.RequestBody != nil {
			for ct, m := range o.RequestBody.Content {
				if m != nil {
					check(k+" request body "+ct, m.Schema)
				}
			}
		}
		for code, r := range o.Responses {
			if r == nil {
				continue
			}
			for ct, m := range r.Content {
				if m != nil {
					check(k+" response "+code+" "+ct, m.Schema)
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(f.Components)) {
		check("component "+name, f.Components[name])
	}
	if len(errs) > 0 {
		if len(errs) > 5 {
			errs = append(errs[:5], fmt.Sprintf("and %d more", len(errs)-5))
		}
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return &f, nil
}

// walkRefs calls fn with every $ref of s and of its subschemas (not
// following the refs).
func (f *refFile) walkRefs(s *refSchema, fn func(string)) {
	if s == nil {
		return
	}
	if s.Ref != "" {
		fn(s.Ref)
	}
	for _, p := range s.Properties {
		f.walkRefs(p, fn)
	}
	f.walkRefs(s.Items, fn)
	if ap := s.additional(); ap != nil {
		f.walkRefs(ap, fn)
	}
	for _, list := range [][]*refSchema{s.AllOf, s.OneOf, s.AnyOf} {
		for _, a := range list {
			f.walkRefs(a, fn)
		}
	}
}

// additional is the schema of additionalProperties, when it is one.
func (s *refSchema) additional() *refSchema {
	if len(s.AdditionalProperties) == 0 || s.AdditionalProperties[0] != '{' {
		return nil
	}
	var a refSchema
	if json.Unmarshal(s.AdditionalProperties, &a) != nil {
		return nil
	}
	return &a
}

// open reports whether the schema takes properties it does not name.
func (s *refSchema) open() bool {
	return len(s.AdditionalProperties) > 0 && string(s.AdditionalProperties) != "false"
}

// resolve follows $refs (parseReference proved they resolve).
func (f *refFile) resolve(s *refSchema) *refSchema {
	for i := 0; s != nil && s.Ref != "" && i < 32; i++ {
		s = f.Components[strings.TrimPrefix(s.Ref, refPrefix)]
	}
	return s
}

// refName is the component a schema is, or "".
func refName(s *refSchema) string {
	if s == nil {
		return ""
	}
	return strings.TrimPrefix(strings.TrimPrefix(s.Ref, refPrefix), "schemas/")
}

// props collects the properties of a reference schema through $refs and
// allOf, oneOf and anyOf (the union of the alternatives' properties).
func (f *refFile) props(s *refSchema, into map[string]*refSchema, depth int) {
	s = f.resolve(s)
	if s == nil || depth > 16 {
		return
	}
	for n, p := range s.Properties {
		if _, ok := into[n]; !ok && p != nil {
			into[n] = p
		}
	}
	for _, list := range [][]*refSchema{s.AllOf, s.OneOf, s.AnyOf} {
		for _, a := range list {
			f.props(a, into, depth+1)
		}
	}
}

// types are the JSON types a reference schema allows ("" for any).
func (f *refFile) types(s *refSchema, depth int) []string {
	s = f.resolve(s)
	if s == nil || depth > 16 {
		return nil
	}
	if s.Type != "" {
		return []string{s.Type}
	}
	var out []string
	for _, a := range append(slices.Clone(s.OneOf), s.AnyOf...) {
		ts := f.types(a, depth+1)
		if ts == nil {
			return nil
		}
		out = append(out, ts...)
	}
	for _, a := range s.AllOf {
		if ts := f.types(a, depth+1); ts != nil {
			return ts
		}
	}
	if out == nil && len(s.Properties) > 0 {
		return []string{"object"}
	}
	return out
}

// flag reports whether s, or the component it refers to, is readOnly
// (write false) or writeOnly (write true).
func (f *refFile) flag(s *refSchema, write bool) bool {
	for _, x := range []*refSchema{s, f.resolve(s)} {
		if x != nil && ((write && x.WriteOnly) || (!write && x.ReadOnly)) {
			return true
		}
	}
	return false
}

// enum is the schema's enum without null, as strings.
func (f *refFile) enum(s *refSchema) []string {
	s = f.resolve(s)
	if s == nil {
		return nil
	}
	if s.Type == "array" && s.Items != nil {
		s = f.resolve(s.Items)
	}
	if s == nil {
		return nil
	}
	var out []string
	for _, e := range s.Enum {
		if e != nil {
			out = append(out, fmt.Sprint(e))
		}
	}
	return out
}

// ReferenceFigures count what the spec and the reference agree on: each
// figure is agreeing/compared, and what does not agree is waived by a
// reference erratum or is a finding.
type ReferenceFigures struct {
	Params, ParamsTotal         int
	Sideloads, SideloadsTotal   int
	Bodies, BodiesTotal         int
	Responses, ResponsesTotal   int
	StatusCodes, StatusTotal    int
	Errata                      int
	Waived                      int
	compared, waivedOrDisagreed int
}

// Line is the figures line a check prints.
func (f *ReferenceFigures) Line() string {
	return fmt.Sprintf("reference: params %d/%d, sideloads %d/%d, bodies %d/%d, responses %d/%d, status codes %d/%d, errata %d",
		f.Params, f.ParamsTotal, f.Sideloads, f.SideloadsTotal, f.Bodies, f.BodiesTotal, f.Responses, f.ResponsesTotal, f.StatusCodes, f.StatusTotal, f.Errata)
}

// erratumUse tracks one reference erratum: where it is written and whether
// a disagreement it excuses was met.
type erratumUse struct {
	line   int
	where  string
	reason string
	used   bool
}

type refCheck struct {
	ref     *refFile
	spec    *openapi3.T
	lines   *lineIndex
	fig     *ReferenceFigures
	add     func(int, string, ...any)
	names   map[*openapi3.Schema]string
	schemaE map[*openapi3.Schema]map[string]*erratumUse
	all     []*erratumUse
	// reported dedups findings about shared schemas: one per schema,
	// property and problem, however many operations reach it.
	reported map[string]bool
}

// checkReference compares every operation of the reference with the spec's
// at the same method and path.
func checkReference(r *Report, ref *refFile, spec *openapi3.T, lines *lineIndex, ops map[string]specOp) {
	c := &refCheck{ref: ref, spec: spec, lines: lines, fig: &ReferenceFigures{}, names: map[*openapi3.Schema]string{},
		schemaE: map[*openapi3.Schema]map[string]*erratumUse{}, reported: map[string]bool{}}
	c.add = func(line int, format string, args ...any) {
		r.Findings = append(r.Findings, Finding{Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	r.Reference = c.fig
	if spec.Components != nil {
		for n, s := range spec.Components.Schemas {
			if s != nil && s.Value != nil {
				c.names[s.Value] = n
			}
		}
	}
	c.collectSchemaErrata()
	sort.SliceStable(ref.Operations, func(i, j int) bool {
		return ref.Operations[i].Path+" "+ref.Operations[i].Method < ref.Operations[j].Path+" "+ref.Operations[j].Method
	})
	for _, ro := range ref.Operations {
		k := ro.Method + " " + ro.Path
		o, ok := ops[k]
		if !ok {
			c.add(lines.path(ro.Path), "reference: the reference has operation %s (%s), the spec does not", k, ro.PublishedOperationID)
			continue
		}
		c.operation(ro, o)
	}
	for _, e := range c.all {
		switch {
		case strings.TrimSpace(e.reason) == "":
			c.add(e.line, "%s: reference erratum gives no reason", e.where)
		case !e.used:
			c.add(e.line, "%s: reference erratum excuses nothing: spec and reference agree there", e.where)
		}
	}
	c.fig.Errata = len(c.all)
}

// collectSchemaErrata reads the reference errata of every schema of the
// spec: x-zendesk-doc-errata: {reference: {properties: {name: reason}}}.
func (c *refCheck) collectSchemaErrata() {
	seen := map[*openapi3.Schema]bool{}
	var visit func(s *openapi3.Schema, where string)
	visit = func(s *openapi3.Schema, where string) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if n := c.names[s]; n != "" {
			where = n
		}
		if v, ok := s.Extensions[specmeta.ExtErrata]; ok {
			e, err := specmeta.DecodeSchemaErrata(v)
			line := schemaLine(s, c.lines.top("components"))
			if err != nil {
				c.add(line, "%s: %s: %v", where, specmeta.ExtErrata, err)
			} else {
				m := map[string]*erratumUse{}
				for _, p := range slices.Sorted(maps.Keys(e.Properties)) {
					u := &erratumUse{line: line, where: fmt.Sprintf("%s.%s", where, p), reason: e.Properties[p]}
					if ps := s.Properties[p]; ps != nil {
						u.line = refLine(ps, line)
					}
					m[p] = u
					c.all = append(c.all, u)
				}
				c.schemaE[s] = m
			}
		}
		for _, n := range slices.Sorted(maps.Keys(s.Properties)) {
			if p := s.Properties[n]; p != nil {
				visit(p.Value, where+"."+n)
			}
		}
		if s.Items != nil {
			visit(s.Items.Value, where+"[]")
		}
		if s.AdditionalProperties.Schema != nil {
			visit(s.AdditionalProperties.Schema.Value, where+"{}")
		}
		for _, list := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, a := range list {
				if a != nil {
					visit(a.Value, where)
				}
			}
		}
	}
	if c.spec.Components != nil {
		for _, n := range slices.Sorted(maps.Keys(c.spec.Components.Schemas)) {
			if s := c.spec.Components.Schemas[n]; s != nil {
				visit(s.Value, n)
			}
		}
	}
	for _, p := range c.spec.Paths.InMatchingOrder() {
		item := c.spec.Paths.Value(p)
		for _, m := range slices.Sorted(maps.Keys(item.Operations())) {
			op := item.Operations()[m]
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					if mt.Schema != nil {
						visit(mt.Schema.Value, op.OperationID+" request body")
					}
				}
			}
			if op.Responses != nil {
				for code, resp := range op.Responses.Map() {
					if resp == nil || resp.Value == nil {
						continue
					}
					for _, mt := range resp.Value.Content {
						if mt.Schema != nil {
							visit(mt.Schema.Value, op.OperationID+" "+code+" response")
						}
					}
				}
			}
		}
	}
}

func schemaLine(s *openapi3.Schema, def int) int {
	if s != nil && s.Origin != nil && s.Origin.Key != nil && s.Origin.Key.Line > 0 {
		return s.Origin.Key.Line
	}
	return def
}

func refLine(s *openapi3.SchemaRef, def int) int {
	if s != nil && s.Origin != nil && s.Origin.Key != nil && s.Origin.Key.Line > 0 {
		return s.Origin.Key.Line
	}
	if s != nil {
		return schemaLine(s.Value, def)
	}
	return def
}

// opErrata are the reference errata of one operation.
type opErrata struct {
	params map[string]*erratumUse
	status *erratumUse
	body   *erratumUse
}

func (c *refCheck) operationErrata(o specOp, name string, field func(...string) int) opErrata {
	var out opErrata
	meta, err := specmeta.Decode(o.op.Extensions)
	if err != nil || meta.Errata == nil || meta.Errata.Reference == nil {
		return out // Check reports a malformed annotation.
	}
	re := meta.Errata.Reference
	mk := func(where, reason string, names ...string) *erratumUse {
		u := &erratumUse{line: field(append([]string{specmeta.ExtErrata, "reference"}, names...)...), where: name + ": " + where, reason: reason}
		c.all = append(c.all, u)
		return u
	}
	if len(re.Parameters) > 0 {
		out.params = map[string]*erratumUse{}
		for _, p := range slices.Sorted(maps.Keys(re.Parameters)) {
			out.params[p] = mk("parameter "+p, re.Parameters[p], "parameters", p)
		}
	}
	if re.StatusCodes != nil {
		out.status = mk("status codes", *re.StatusCodes, "status-codes")
	}
	if re.RequestBody != nil {
		out.body = mk("request body", *re.RequestBody, "request-body")
	}
	return out
}

// wantParam is a parameter the reference declares, deepObject parameters
// taken apart as the spec writes them (page[size], page[after]...).
type wantParam struct {
	name, in string
	schema   *refSchema
}

func (c *refCheck) expand(p *refParam) []wantParam {
	s := c.ref.resolve(p.Schema)
	if s == nil {
		return []wantParam{{p.Name, p.In, nil}}
	}
	var out []wantParam
	alts := []*refSchema{s}
	if p.Style == "deepObject" && len(s.OneOf) > 0 {
		alts = s.OneOf
	}
	for _, a := range alts {
		a = c.ref.resolve(a)
		if p.Style == "deepObject" && a != nil && len(a.Properties) > 0 {
			for _, n := range slices.Sorted(maps.Keys(a.Properties)) {
				out = append(out, wantParam{p.Name + "[" + n + "]", p.In, a.Properties[n]})
			}
			continue
		}
		out = append(out, wantParam{p.Name, p.In, a})
	}
	return out
}

func (c *refCheck) operation(ro *refOperation, o specOp) {
	m := strings.ToLower(o.method)
	name := o.op.OperationID
	field := func(names ...string) int { return c.lines.field(o.path, m, names...) }
	er := c.operationErrata(o, name, field)
	params := allParams(o)

	// Parameters.
	for _, rp := range ro.Parameters {
		for _, w := range c.expand(rp) {
			sideload := w.in == "query" && w.name == "include"
			problem, line := "", field("parameters")
			idx := slices.IndexFunc(params, func(p *openapi3.Parameter) bool { return p.In == w.in && p.Name == w.name })
			if idx < 0 {
				problem = fmt.Sprintf("no %s parameter %s (reference: %s)", w.in, w.name, c.describe(w.schema))
			} else {
				line = c.lines.param(o.path, m, idx)
				if ps := params[idx].Schema; ps != nil && ps.Value != nil {
					s := ps.Value
					// A list parameter takes what the reference declares as one
					// value, once or comma-separated.
					rts := c.ref.types(w.schema, 0)
					switch {
					case s.Type.Is("array") && s.Items != nil && slices.Equal(rts, []string{"string"}):
						// The reference's string is the comma-separated list.
						problem = c.enumMismatch(w.schema, s.Items.Value)
					case s.Type.Is("array") && s.Items != nil && !slices.Contains(rts, "array"):
						problem = c.mismatch(w.schema, s.Items.Value)
					default:
						problem = c.mismatch(w.schema, s)
					}
				}
				if problem != "" {
					problem = fmt.Sprintf("parameter %s: %s", w.name, problem)
				}
			}
			ok := problem == ""
			if !ok {
				if e := er.params[w.name]; e != nil {
					e.used = true
					c.fig.Waived++
				} else {
					c.add(line, "%s: %s", name, problem)
				}
			}
			if sideload {
				c.fig.SideloadsTotal++
				if ok {
					c.fig.Sideloads++
				}
			} else {
				c.fig.ParamsTotal++
				if ok {
					c.fig.Params++
				}
			}
		}
	}

	// Success status codes.
	var refCodes, specCodes []string
	for code := range ro.Responses {
		if len(code) == 3 && code[0] == '2' {
			refCodes = append(refCodes, code)
		}
	}
	if o.op.Responses != nil {
		for code := range o.op.Responses.Map() {
			if len(code) == 3 && code[0] == '2' {
				specCodes = append(specCodes, code)
			}
		}
	}
	slices.Sort(refCodes)
	slices.Sort(specCodes)
	c.fig.StatusTotal++
	if slices.Equal(refCodes, specCodes) {
		c.fig.StatusCodes++
	} else if er.status != nil {
		er.status.used = true
		c.fig.Waived++
	} else {
		c.add(field("responses"), "%s: success status codes are [%s], the reference's [%s]", name, strings.Join(specCodes, ", "), strings.Join(refCodes, ", "))
	}

	// Request body.
	if ro.RequestBody != nil {
		if rs := jsonSchema(ro.RequestBody.Content); rs != nil {
			var ss *openapi3.Schema
			if o.op.RequestBody != nil && o.op.RequestBody.Value != nil {
				if mt := o.op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					ss = mt.Schema.Value
				}
			}
			if ss == nil {
				n := c.count(rs, false, 0)
				c.fig.BodiesTotal += n
				if er.body != nil {
					er.body.used = true
					c.fig.Waived += n
				} else {
					c.add(field("requestBody"), "%s: no JSON request body; the reference's has %d properties", name, n)
				}
			} else {
				w := &walk{c: c, request: true, agree: &c.fig.Bodies, total: &c.fig.BodiesTotal, stack: map[[2]any]bool{}}
				w.compare(rs, ss, name+" request body", field("requestBody"))
			}
		}
	} else if er.body != nil {
		// An erratum for a body the reference does not declare excuses
		// nothing; left unused, it is reported.
		_ = er.body
	}

	// Responses: each success response of the reference against the
	// spec's of the same code, or its only 2xx JSON response.
	for _, code := range refCodes {
		rs := jsonSchema(ro.Responses[code].contentOrNil())
		if rs == nil {
			continue
		}
		ss, at := c.specResponse(o.op, code)
		if ss == nil {
			n := c.count(rs, true, 0)
			if n == 0 {
				continue // an empty object: nothing to compare
			}
			c.fig.ResponsesTotal += n
			if er.status != nil {
				// The status erratum says why the spec answers otherwise.
				c.fig.Waived += n
			} else {
				c.add(field("responses"), "%s: no JSON %s response to compare with the reference's (%d properties)", name, code, n)
			}
			continue
		}
		w := &walk{c: c, agree: &c.fig.Responses, total: &c.fig.ResponsesTotal, stack: map[[2]any]bool{}}
		w.compare(rs, ss, name+" "+at+" response", field("responses", at))
	}
}

func (r *refResponse) contentOrNil() map[string]*refMedia {
	if r == nil {
		return nil
	}
	return r.Content
}

func jsonSchema(content map[string]*refMedia) *refSchema {
	for _, ct := range slices.Sorted(maps.Keys(content)) {
		if strings.Contains(ct, "json") && content[ct] != nil && content[ct].Schema != nil {
			return content[ct].Schema
		}
	}
	return nil
}

// specResponse is the spec's JSON schema for a code, or for its only 2xx
// JSON response when it has none for the code.
func (c *refCheck) specResponse(op *openapi3.Operation, code string) (*openapi3.Schema, string) {
	if op.Responses == nil {
		return nil, ""
	}
	get := func(code string) *openapi3.Schema {
		resp := op.Responses.Value(code)
		if resp == nil || resp.Value == nil {
			return nil
		}
		for _, ct := range slices.Sorted(maps.Keys(resp.Value.Content)) {
			if mt := resp.Value.Content[ct]; strings.Contains(ct, "json") && mt.Schema != nil {
				return mt.Schema.Value
			}
		}
		return nil
	}
	if s := get(code); s != nil {
		return s, code
	}
	var found []string
	for k := range op.Responses.Map() {
		if len(k) == 3 && k[0] == '2' && get(k) != nil {
			found = append(found, k)
		}
	}
	if len(found) == 1 {
		return get(found[0]), found[0]
	}
	return nil, ""
}

// count is the number of properties of a reference schema, recursively (in
// a request, readOnly properties are not counted; in a response, writeOnly
// ones).
func (c *refCheck) count(s *refSchema, response bool, depth int) int {
	if depth > 12 {
		return 0
	}
	s = c.ref.resolve(s)
	if s == nil {
		return 0
	}
	if ts := c.ref.types(s, 0); slices.Equal(ts, []string{"array"}) && s.Items != nil {
		return c.count(s.Items, response, depth+1)
	}
	ps := map[string]*refSchema{}
	c.ref.props(s, ps, 0)
	n := 0
	for _, p := range ps {
		if c.ref.flag(p, response) {
			continue
		}
		n += 1 + c.count(p, response, depth+1)
	}
	return n
}

// describe renders a reference schema's type for a message.
func (c *refCheck) describe(s *refSchema) string {
	ts := c.ref.types(s, 0)
	if len(ts) == 0 {
		return "any type"
	}
	d := strings.Join(ts, " or ")
	if rs := c.ref.resolve(s); rs != nil && rs.Type == "array" && rs.Items != nil {
		d = "array of " + c.describe(rs.Items)
	}
	if e := c.ref.enum(s); len(e) > 0 {
		d += " [" + strings.Join(e, ", ") + "]"
	}
	return d
}

// specTypes are the JSON types a spec schema allows (nil for any).
func specTypes(s *openapi3.Schema, depth int) []string {
	if s == nil || depth > 16 {
		return nil
	}
	if s.Type != nil && len(s.Type.Slice()) > 0 {
		return s.Type.Slice()
	}
	var out []string
	for _, a := range append(slices.Clone(s.OneOf), s.AnyOf...) {
		if a == nil {
			return nil
		}
		ts := specTypes(a.Value, depth+1)
		if ts == nil {
			return nil
		}
		out = append(out, ts...)
	}
	for _, a := range s.AllOf {
		if a != nil {
			if ts := specTypes(a.Value, depth+1); ts != nil {
				return ts
			}
		}
	}
	if out == nil && len(s.Properties) > 0 {
		return []string{"object"}
	}
	return out
}

func specEnum(s *openapi3.Schema) []string {
	if s == nil {
		return nil
	}
	if s.Type.Is("array") && s.Items != nil {
		s = s.Items.Value
	}
	var out []string
	for _, e := range s.Enum {
		if e != nil {
			out = append(out, fmt.Sprint(e))
		}
	}
	for _, a := range s.AllOf {
		if a != nil {
			out = append(out, specEnum(a.Value)...)
		}
	}
	return out
}

// mismatch says how a spec schema's type and enum depart from the
// reference's, or "". A spec schema of any type (AnyValue) takes what the
// reference says; an array's items are compared too.
func (c *refCheck) mismatch(r *refSchema, s *openapi3.Schema) string {
	rts, sts := c.ref.types(r, 0), specTypes(s, 0)
	if len(rts) > 0 && len(sts) > 0 {
		match := false
		for _, t := range rts {
			match = match || slices.Contains(sts, t)
		}
		if !match {
			return fmt.Sprintf("is %s, the reference's is %s", strings.Join(sts, " or "), c.describe(r))
		}
		if slices.Equal(rts, []string{"array"}) && slices.Equal(sts, []string{"array"}) {
			rr := c.ref.resolve(r)
			if rr != nil && rr.Items != nil && s.Items != nil {
				if m := c.mismatch(rr.Items, s.Items.Value); m != "" {
					return "items " + m
				}
			}
			return ""
		}
	}
	return c.enumMismatch(r, s)
}

// enumMismatch says which of the reference's enum values the spec schema
// does not list, or "".
func (c *refCheck) enumMismatch(r *refSchema, s *openapi3.Schema) string {
	sts := specTypes(s, 0)
	if want := c.ref.enum(r); len(want) > 0 {
		got := specEnum(s)
		var missing []string
		for _, v := range want {
			if !slices.Contains(got, v) {
				missing = append(missing, v)
			}
		}
		if len(got) == 0 && len(sts) > 0 {
			return fmt.Sprintf("has no enum, the reference lists [%s]", strings.Join(want, ", "))
		}
		if len(got) > 0 && len(missing) > 0 {
			return fmt.Sprintf("enum lacks the reference's [%s]", strings.Join(missing, ", "))
		}
	}
	return ""
}

// walk compares a reference schema's properties with a spec schema's,
// recursively, counting each reference property once per place it is
// reached.
type walk struct {
	c            *refCheck
	request      bool
	agree, total *int
	stack        map[[2]any]bool
}

// specArray is the array a spec schema is, or the array among its
// alternatives (a list or an object: job results), or nil.
func specArray(s *openapi3.Schema, depth int) *openapi3.Schema {
	if s == nil || depth > 16 {
		return nil
	}
	if s.Type.Is("array") && s.Items != nil {
		return s
	}
	for _, list := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, a := range list {
			if a != nil {
				if x := specArray(a.Value, depth+1); x != nil {
					return x
				}
			}
		}
	}
	return nil
}

// specProp is a property of a spec schema and the schema that declares it.
type specProp struct {
	ref   *openapi3.SchemaRef
	owner *openapi3.Schema
}

// specProps collects a spec schema's properties through allOf, oneOf and
// anyOf, and the schemas that make it up; open reports whether it takes
// properties it does not name (a map: nothing is dropped).
func specProps(s *openapi3.Schema, into map[string]specProp, parts *[]*openapi3.Schema, depth int) (open bool) {
	if s == nil || depth > 16 {
		return false
	}
	*parts = append(*parts, s)
	for n, p := range s.Properties {
		if _, ok := into[n]; !ok && p != nil {
			into[n] = specProp{p, s}
		}
	}
	if s.AdditionalProperties.Schema != nil || (s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has) {
		open = true
	}
	for _, list := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, a := range list {
			if a != nil && specProps(a.Value, into, parts, depth+1) {
				open = true
			}
		}
	}
	return open
}

// opaque reports whether a spec schema keeps any value as it is (no type,
// no properties, no alternatives: AnyValue).
func opaque(s *openapi3.Schema) bool {
	return s == nil || (len(specTypes(s, 0)) == 0 && len(s.Properties) == 0 && len(s.AllOf) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0)
}

func (w *walk) compare(r *refSchema, s *openapi3.Schema, where string, line int) {
	r = w.c.ref.resolve(r)
	if r == nil || s == nil {
		return
	}
	key := [2]any{r, s}
	if w.stack[key] {
		return // a recursive schema: its properties were compared above
	}
	w.stack[key] = true
	defer delete(w.stack, key)
	if n := w.c.names[s]; n != "" {
		where = n
	}
	line = schemaLine(s, line)
	// Arrays compare their items.
	if slices.Equal(w.c.ref.types(r, 0), []string{"array"}) {
		if a := specArray(s, 0); r.Items != nil && a != nil {
			w.compare(r.Items, a.Items.Value, where+"[]", line)
		}
		return
	}
	rp := map[string]*refSchema{}
	w.c.ref.props(r, rp, 0)
	if len(rp) == 0 {
		return
	}
	sp := map[string]specProp{}
	var parts []*openapi3.Schema
	open := specProps(s, sp, &parts, 0)
	for _, n := range slices.Sorted(maps.Keys(rp)) {
		p := rp[n]
		if w.c.ref.flag(p, !w.request) {
			continue
		}
		*w.total++
		got, ok := sp[n]
		if !ok {
			sub := w.c.count(p, !w.request, 0)
			*w.total += sub
			if opaque(s) || open {
				*w.agree += 1 + sub
				continue
			}
			w.disagree(parts, s, n, line, 1+sub, fmt.Sprintf("%s: no property %s (reference: %s)", where, n, w.c.describe(p)))
			continue
		}
		var gs *openapi3.Schema
		if got.ref != nil {
			gs = got.ref.Value
		}
		pline := refLine(got.ref, line)
		if m := w.c.mismatch(p, gs); m != "" {
			sub := w.c.count(p, !w.request, 0)
			*w.total += sub
			w.disagree([]*openapi3.Schema{got.owner}, got.owner, n, pline, 1+sub, fmt.Sprintf("%s.%s %s", where, n, m))
			continue
		}
		*w.agree++
		if opaque(gs) {
			sub := w.c.count(p, !w.request, 0)
			*w.total += sub
			*w.agree += sub
			continue
		}
		w.compare(p, gs, where+"."+n, pline)
	}
}

// disagree waives a property disagreement by an erratum of one of the
// schemas the property belongs to, or reports it once.
func (w *walk) disagree(parts []*openapi3.Schema, s *openapi3.Schema, prop string, line, n int, msg string) {
	for _, p := range parts {
		if e := w.c.schemaE[p][prop]; e != nil {
			e.used = true
			w.c.fig.Waived += n
			return
		}
	}
	k := fmt.Sprintf("%p %s %s", s, prop, msg)
	if w.c.reported[k] {
		return
	}
	w.c.reported[k] = true
	w.c.add(line, "%s", msg)
}
