package specgen

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// ExampleResult is the validation of one example against its schema.
type ExampleResult struct {
	// Operation is the operationId, Where says which example ("response 200
	// application/json", "request body application/json").
	Operation, Method, Path, Where string
	// Err is nil when the example validates.
	Err error
}

// Examples finds every example of the spec's operations — request bodies and
// 2xx responses — and validates each against its schema (formats included,
// read-only rules as for a request or a response). Missing lists the 2xx
// JSON responses that have no example.
func Examples(spec *openapi3.T) (results []ExampleResult, missing []ExampleResult) {
	if spec.Paths == nil {
		return nil, nil
	}
	paths := spec.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, p := range paths {
		item := spec.Paths.Value(p)
		for _, m := range slices.Sorted(maps.Keys(item.Operations())) {
			op := item.GetOperation(m)
			base := ExampleResult{Operation: op.OperationID, Method: m, Path: p}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for ct, mt := range op.RequestBody.Value.Content {
					for name, ex := range mediaExamples(mt) {
						r := base
						r.Where = strings.TrimSpace("request body " + ct + " " + name)
						r.Err = validateExample(mt, ex, openapi3.VisitAsRequest())
						results = append(results, r)
					}
				}
			}
			if op.Responses == nil {
				continue
			}
			for code, resp := range op.Responses.Map() {
				if len(code) != 3 || code[0] != '2' || resp.Value == nil {
					continue
				}
				for ct, mt := range resp.Value.Content {
					exs := mediaExamples(mt)
					if len(exs) == 0 && strings.Contains(ct, "json") {
						r := base
						r.Where = "response " + code + " " + ct
						missing = append(missing, r)
					}
					for name, ex := range exs {
						r := base
						r.Where = strings.TrimSpace("response " + code + " " + ct + " " + name)
						r.Err = validateExample(mt, ex, openapi3.VisitAsResponse())
						results = append(results, r)
					}
				}
			}
		}
	}
	sort.SliceStable(results, func(i, j int) bool { return results[i].Operation < results[j].Operation })
	return results, missing
}

// mediaExamples returns a media type's example and named examples.
func mediaExamples(mt *openapi3.MediaType) map[string]any {
	out := map[string]any{}
	if mt == nil {
		return out
	}
	if mt.Example != nil {
		out[""] = mt.Example
	}
	for name, ex := range mt.Examples {
		if ex != nil && ex.Value != nil && ex.Value.Value != nil {
			out[name] = ex.Value.Value
		}
	}
	return out
}

func validateExample(mt *openapi3.MediaType, ex any, mode openapi3.SchemaValidationOption) error {
	if mt.Schema == nil || mt.Schema.Value == nil {
		return fmt.Errorf("example without a schema")
	}
	return mt.Schema.Value.VisitJSON(ex, mode, openapi3.MultiErrors(), openapi3.EnableFormatValidation())
}

// LoadSpec loads and resolves a spec.
func LoadSpec(src []byte) (*openapi3.T, error) {
	return openapi3.NewLoader().LoadFromData(src)
}

// ValidateSpec runs kin-openapi's validation of the whole document,
// examples included.
func ValidateSpec(spec *openapi3.T) error {
	return spec.Validate(context.Background(), openapi3.EnableExamplesValidation())
}
