package zendesktest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/zdapi/zendesk/internal/pathmatch"
	"github.com/zdapi/zendesk/internal/specmeta"
	"github.com/zdapi/zendesk/spec"
)

// apiSpec is the loaded spec: the OpenAPI document, and the operations
// with what the fake needs of each, indexed for routing.
type apiSpec struct {
	doc    *openapi3.T
	ops    []*operation
	byID   map[string]*operation
	routes *pathmatch.Table[*operation]
}

// operation is one operation of the spec.
type operation struct {
	ID     string
	Method string
	Path   string // template, "/api/v2/tickets/{ticket_id}"

	op    *openapi3.Operation
	route *routers.Route
	meta  specmeta.Operation

	// status is the documented success status the fake answers with
	// (the lowest 2xx); example is its example body (nil when the
	// response has no content).
	status  int
	example []byte
	// public is true for operations with `security: []`.
	public bool
	// query holds the names of the query parameters the operation
	// declares (its own and its path's).
	query map[string]bool
}

var (
	embeddedOnce sync.Once
	embeddedSpec *apiSpec
	embeddedErr  error
)

// loadEmbedded parses the spec compiled into the binary (spec.YAML) once
// per process; servers share the parsed, read-only document.
func loadEmbedded() (*apiSpec, error) {
	embeddedOnce.Do(func() {
		embeddedSpec, embeddedErr = loadSpec(spec.YAML)
	})
	return embeddedSpec, embeddedErr
}

// loadSpec parses and indexes an OpenAPI document.
func loadSpec(data []byte) (*apiSpec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("spec is not valid OpenAPI: %w", err)
	}
	s := &apiSpec{doc: doc, byID: map[string]*operation{}, routes: pathmatch.New[*operation]()}
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			o, err := newOperation(doc, path, item, method, op)
			if err != nil {
				return nil, err
			}
			if _, dup := s.byID[o.ID]; dup {
				return nil, fmt.Errorf("spec: operationId %s is used twice", o.ID)
			}
			s.ops = append(s.ops, o)
			s.byID[o.ID] = o
			s.routes.Add(o.Method, o.Path, o)
		}
	}
	sort.Slice(s.ops, func(i, j int) bool { return s.ops[i].ID < s.ops[j].ID })
	if len(s.ops) == 0 {
		return nil, fmt.Errorf("spec has no operations")
	}
	return s, nil
}

func newOperation(doc *openapi3.T, path string, item *openapi3.PathItem, method string, op *openapi3.Operation) (*operation, error) {
	if op.OperationID == "" {
		return nil, fmt.Errorf("spec: %s %s has no operationId", method, path)
	}
	meta, err := specmeta.Decode(op.Extensions)
	if err != nil {
		return nil, fmt.Errorf("spec: %s: %w", op.OperationID, err)
	}
	o := &operation{
		ID: op.OperationID, Method: method, Path: path, op: op, meta: meta,
		route: &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op},
	}
	o.public = op.Security != nil && len(*op.Security) == 0
	o.query = map[string]bool{}
	for _, params := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range params {
			if p != nil && p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				o.query[p.Value.Name] = true
			}
		}
	}

	// The success answer: the lowest documented 2xx status.
	var codes []int
	for code := range op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
			codes = append(codes, n)
		}
	}
	if len(codes) == 0 {
		return nil, fmt.Errorf("spec: %s documents no success response", o.ID)
	}
	sort.Ints(codes)
	o.status = codes[0]
	resp := op.Responses.Status(o.status)
	if resp != nil && resp.Value != nil {
		if mt := resp.Value.Content.Get("application/json"); mt != nil {
			ex := mt.Example
			if ex == nil {
				for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
					if e := mt.Examples[name]; e != nil && e.Value != nil {
						ex = e.Value.Value
						break
					}
				}
			}
			if ex == nil {
				return nil, fmt.Errorf("spec: %s: the %d response has no example", o.ID, o.status)
			}
			b, err := json.Marshal(ex)
			if err != nil {
				return nil, fmt.Errorf("spec: %s: example: %w", o.ID, err)
			}
			o.example = b
		}
	}
	return o, nil
}

// match finds the operation of an escaped request path and its path
// parameters, unescaped (see pathmatch.Table.Match).
func (s *apiSpec) match(method, path string) (*operation, map[string]string) {
	o, params, _ := s.routes.Match(method, path)
	return o, params
}

// pathExists reports whether any operation has this path, whatever its
// method.
func (s *apiSpec) pathExists(path string) bool {
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		if o, _ := s.match(m, path); o != nil {
			return true
		}
	}
	return false
}
