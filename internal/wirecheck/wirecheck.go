// Package wirecheck proves that the client decodes what Zendesk sends: it
// feeds each 2xx JSON example of the spec through the client's method for
// the operation, re-encodes the typed value it returns and compares it with
// the example.
package wirecheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// NewClient builds a client (a *zendesk.Client) whose HTTP client sends its
// requests to rt.
type NewClient func(rt http.RoundTripper) (any, error)

// Result is the round trip of one example.
type Result struct {
	Operation string
	Status    int
	// Decoded is true when the typed method returned the typed body.
	Decoded bool
	// Exact is true when re-encoding gave the example back (see Normalize).
	Exact bool
	// Problem says what went wrong, when something did.
	Problem string
}

type exampleDoer struct {
	status int
	body   []byte
}

func (d *exampleDoer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: d.status,
		Status:     strconv.Itoa(d.status) + " " + http.StatusText(d.status),
		Header:     http.Header{"Content-Type": []string{"application/json; charset=utf-8"}},
		Body:       io.NopCloser(bytes.NewReader(d.body)),
		Request:    req,
	}, nil
}

// RoundTrip runs every 2xx JSON response example of spec through the
// methods, named after the operations, of the client newClient builds.
func RoundTrip(spec *openapi3.T, newClient NewClient) ([]Result, error) {
	doer := &exampleDoer{}
	client, err := newClient(doer)
	if err != nil {
		return nil, err
	}
	cv := reflect.ValueOf(client)
	methods := map[string]reflect.Value{}
	for i := 0; i < cv.NumMethod(); i++ {
		// Method names follow Go's initialisms (ByExternalID for an
		// operation ByExternalId): match them without regard to case.
		methods[strings.ToLower(cv.Type().Method(i).Name)] = cv.Method(i)
	}
	var out []Result
	paths := spec.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, p := range paths {
		for _, op := range spec.Paths.Value(p).Operations() {
			if op.Responses == nil {
				continue
			}
			for code, resp := range op.Responses.Map() {
				if len(code) != 3 || code[0] != '2' || resp.Value == nil {
					continue
				}
				mt := resp.Value.Content.Get("application/json")
				if mt == nil || mt.Example == nil {
					continue
				}
				status, _ := strconv.Atoi(code)
				r := Result{Operation: op.OperationID, Status: status}
				m, ok := methods[strings.ToLower(op.OperationID)]
				if !ok {
					r.Problem = "no typed method for the operation"
					out = append(out, r)
					continue
				}
				body, err := json.Marshal(mt.Example)
				if err != nil {
					r.Problem = "example does not encode: " + err.Error()
					out = append(out, r)
					continue
				}
				doer.status, doer.body = status, body
				typed, err := call(m)
				if err != nil {
					r.Problem = err.Error()
					out = append(out, r)
					continue
				}
				if typed == nil {
					r.Problem = fmt.Sprintf("the method returned no body for the %s example", code)
					out = append(out, r)
					continue
				}
				r.Decoded = true
				again, err := json.Marshal(typed)
				if err != nil {
					r.Problem = "re-encoding failed: " + err.Error()
					out = append(out, r)
					continue
				}
				if diff := Compare(body, again); diff != "" {
					r.Problem = diff
				} else {
					r.Exact = true
				}
				out = append(out, r)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Operation < out[j].Operation })
	return out, nil
}

// call invokes an operation's method with zero arguments (the example doer
// ignores the request; a string path parameter is "x", as an empty one is
// refused) and returns the body it decoded.
func call(m reflect.Value) (any, error) {
	t := m.Type()
	args := make([]reflect.Value, 0, t.NumIn())
	for i := 0; i < t.NumIn(); i++ {
		in := t.In(i)
		if t.IsVariadic() && i == t.NumIn()-1 {
			break
		}
		switch {
		case in.String() == "context.Context":
			args = append(args, reflect.ValueOf(context.Background()))
		case in.Kind() == reflect.String:
			args = append(args, reflect.ValueOf("x").Convert(in))
		case in.Kind() == reflect.Interface && in.String() == "io.Reader":
			args = append(args, reflect.ValueOf(io.Reader(bytes.NewReader(nil))))
		default:
			args = append(args, reflect.Zero(in))
		}
	}
	res := m.Call(args)
	if err, _ := res[len(res)-1].Interface().(error); err != nil {
		return nil, fmt.Errorf("decoding failed: %w", err)
	}
	if len(res) < 2 || res[0].IsNil() {
		return nil, nil
	}
	return res[0].Interface(), nil
}

// Compare reports the first difference between two JSON documents, or "".
// It applies the one documented normalization: a property whose value is
// null equals an absent property, because an optional property of the
// generated types is a pointer that is nil for both and omitted when
// encoded.
func Compare(want, got []byte) string {
	var w, g any
	dw := json.NewDecoder(bytes.NewReader(want))
	dw.UseNumber()
	if err := dw.Decode(&w); err != nil {
		return "example is not JSON: " + err.Error()
	}
	dg := json.NewDecoder(bytes.NewReader(got))
	dg.UseNumber()
	if err := dg.Decode(&g); err != nil {
		return "re-encoded value is not JSON: " + err.Error()
	}
	return diff("$", Normalize(w), Normalize(g))
}

// Normalize drops null-valued object properties, recursively.
func Normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if x == nil {
				continue
			}
			out[k] = Normalize(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = Normalize(x)
		}
		return out
	default:
		return v
	}
}

func diff(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: want an object, got %s", path, brief(got))
		}
		for _, k := range slices.Sorted(maps.Keys(w)) {
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("%s.%s: lost (was %s)", path, k, brief(w[k]))
			}
			if d := diff(path+"."+k, w[k], gv); d != "" {
				return d
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				return fmt.Sprintf("%s.%s: added %s", path, k, brief(g[k]))
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: want an array, got %s", path, brief(got))
		}
		if len(w) != len(g) {
			return fmt.Sprintf("%s: %d items, got %d", path, len(w), len(g))
		}
		for i := range w {
			if d := diff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); d != "" {
				return d
			}
		}
		return ""
	case json.Number:
		g, ok := got.(json.Number)
		if !ok || !sameNumber(w, g) {
			return fmt.Sprintf("%s: %s became %s", path, w, brief(got))
		}
		return ""
	default:
		if !reflect.DeepEqual(want, got) {
			return fmt.Sprintf("%s: %s became %s", path, brief(want), brief(got))
		}
		return ""
	}
}

func sameNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	fa, ea := a.Float64()
	fb, eb := b.Float64()
	return ea == nil && eb == nil && fa == fb && !strings.ContainsAny(string(a)+string(b), "eE") && (strings.Contains(string(a), ".") || strings.Contains(string(b), "."))
}

func brief(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}
