package zendesktest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"mime/multipart"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.uber.org/goleak"

	"github.com/zdapi/zendesk/spec"
)

// The tests read the spec themselves, independently of the server, to
// drive requests from it.
var (
	docOnce sync.Once
	doc     *openapi3.T
	docErr  error
)

func loadDoc(t testing.TB) *openapi3.T {
	t.Helper()
	docOnce.Do(func() {
		doc, docErr = openapi3.NewLoader().LoadFromData(spec.YAML)
	})
	if docErr != nil {
		t.Fatalf("load spec: %v", docErr)
	}
	return doc
}

// specOp is an operation of the spec, as the tests see it.
type specOp struct {
	id, method, path string
	op               *openapi3.Operation
	params           []*openapi3.Parameter // path-level and operation-level
}

func specOps(t testing.TB) []specOp {
	d := loadDoc(t)
	var out []specOp
	for path, item := range d.Paths.Map() {
		for method, op := range item.Operations() {
			so := specOp{id: op.OperationID, method: method, path: path, op: op}
			seen := map[string]bool{}
			for _, p := range op.Parameters {
				so.params = append(so.params, p.Value)
				seen[p.Value.In+" "+p.Value.Name] = true
			}
			for _, p := range item.Parameters {
				if !seen[p.Value.In+" "+p.Value.Name] {
					so.params = append(so.params, p.Value)
				}
			}
			out = append(out, so)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// pathParamNames are the path parameters of a template, in order.
func pathParamNames(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, seg[1:len(seg)-1])
		}
	}
	return out
}

// minimal is a small value valid for schema s: its example when it has
// one, else the first enum value, else a value built from its type and
// constraints (objects get their required properties only).
func minimal(s *openapi3.SchemaRef, depth int) any {
	if s == nil || s.Value == nil || depth > 12 {
		return nil
	}
	v := s.Value
	if v.Example != nil {
		return v.Example
	}
	if len(v.Enum) > 0 {
		return v.Enum[0]
	}
	if len(v.AllOf) > 0 {
		out := map[string]any{}
		for _, part := range v.AllOf {
			if m, ok := minimal(part, depth+1).(map[string]any); ok {
				for k, x := range m {
					out[k] = x
				}
			}
		}
		for _, name := range v.Required {
			if _, ok := out[name]; !ok {
				out[name] = minimal(v.Properties[name], depth+1)
			}
		}
		return out
	}
	if len(v.OneOf) > 0 {
		return minimal(v.OneOf[0], depth+1)
	}
	if len(v.AnyOf) > 0 {
		return minimal(v.AnyOf[0], depth+1)
	}
	switch {
	case v.Type.Is("object") || (v.Type == nil && len(v.Properties) > 0):
		out := map[string]any{}
		for _, name := range v.Required {
			out[name] = minimal(v.Properties[name], depth+1)
		}
		return out
	case v.Type.Is("array"):
		n := max(int(v.MinItems), 1)
		items := make([]any, n)
		for i := range items {
			items[i] = minimal(v.Items, depth+1)
		}
		return items
	case v.Type.Is("string"):
		switch v.Format {
		case "date-time":
			return "2024-01-15T09:30:00Z"
		case "date":
			return "2024-01-15"
		case "email":
			return "someone@example.com"
		case "uri", "url":
			return "https://example.com/"
		}
		s := "example"
		for uint64(len(s)) < v.MinLength {
			s += "x"
		}
		return s
	case v.Type.Is("integer"), v.Type.Is("number"):
		n := 1.0
		if v.Min != nil {
			n = math.Ceil(*v.Min)
			if v.ExclusiveMin.IsTrue() {
				n++
			}
		}
		if v.Max != nil && n > *v.Max {
			n = *v.Max
		}
		if v.Type.Is("integer") {
			return int64(n)
		}
		return n
	case v.Type.Is("boolean"):
		return false
	}
	return nil
}

// paramValue is the value a test gives a parameter: its example, else a
// minimal valid one.
func paramValue(p *openapi3.Parameter) any {
	if p.Example != nil {
		return p.Example
	}
	return minimal(p.Schema, 0)
}

// requestBody is the body a test sends: the spec's example of the media
// type, else a minimal valid value, encoded for the media type.
func requestBody(op *openapi3.Operation) (contentType string, body []byte, err error) {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return "", nil, nil
	}
	content := op.RequestBody.Value.Content
	for _, ct := range []string{"application/json", "multipart/form-data", "application/binary", "application/octet-stream"} {
		mt := content[ct] // exactly: Get would answer application/json with a */* entry
		if mt == nil {
			continue
		}
		switch ct {
		case "application/json":
			v := mt.Example
			if v == nil {
				for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
					if ex := mt.Examples[name]; ex != nil && ex.Value != nil {
						v = ex.Value.Value
						break
					}
				}
			}
			if v == nil {
				v = minimal(mt.Schema, 0)
			}
			b, err := json.Marshal(v)
			return ct, b, err
		case "multipart/form-data":
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			props := mt.Schema.Value.Properties
			for _, name := range slices.Sorted(maps.Keys(props)) {
				p := props[name].Value
				required := false
				for _, r := range mt.Schema.Value.Required {
					required = required || r == name
				}
				if p.Format == "binary" {
					fw, err := w.CreateFormFile(name, "hello.txt")
					if err != nil {
						return "", nil, err
					}
					fmt.Fprint(fw, "hello, zendesk")
					continue
				}
				if required {
					if err := w.WriteField(name, fmt.Sprint(minimal(props[name], 0))); err != nil {
						return "", nil, err
					}
				}
			}
			if err := w.Close(); err != nil {
				return "", nil, err
			}
			return w.FormDataContentType(), buf.Bytes(), nil
		default:
			return ct, []byte("hello, zendesk"), nil
		}
	}
	return "", nil, fmt.Errorf("no request media type the test knows among %v", slices.Sorted(maps.Keys(content)))
}

// leakCheck fails the test if it leaves goroutines behind. Call it first:
// its check runs after every other cleanup (the server's Close included).
func leakCheck(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

func jsonUnmarshal(raw json.RawMessage, v any) error { return json.Unmarshal(raw, v) }
