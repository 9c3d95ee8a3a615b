package specgen

import (
	"context"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpecValidates runs kin-openapi's validation of the whole spec
// (openapi3.T.Validate, examples included).
func TestSpecValidates(t *testing.T) {
	src, err := os.ReadFile(specPath)
	require.NoError(t, err)
	spec, err := LoadSpec(src)
	require.NoError(t, err)
	require.NoError(t, ValidateSpec(spec))
}

// TestExamplesValid validates every example of every operation against its
// schema, formats included, and requires one for every 2xx JSON response.
func TestExamplesValid(t *testing.T) {
	src, err := os.ReadFile(specPath)
	require.NoError(t, err)
	spec, err := LoadSpec(src)
	require.NoError(t, err)
	results, missing := Examples(spec)
	valid := 0
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("%s %s %s: %v", r.Operation, r.Method, r.Where, r.Err)
			continue
		}
		valid++
	}
	for _, m := range missing {
		t.Errorf("%s %s: no example", m.Operation, m.Where)
	}
	t.Logf("examples valid: %d/%d (%d missing)", valid, len(results), len(missing))
	assert.Equal(t, len(results), valid)
	assert.Empty(t, missing)
}

func TestBundleKeepsOrderAndIsStable(t *testing.T) {
	src, err := os.ReadFile(specPath)
	require.NoError(t, err)
	a, err := Bundle(src)
	require.NoError(t, err)
	b, err := Bundle(src)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Contains(t, string(a[:200]), `"openapi": "3.0.3",`)
	committed, err := os.ReadFile("../../api/zendesk.json")
	require.NoError(t, err)
	assert.Equal(t, string(committed), string(a), "api/zendesk.json is stale: run go generate ./...")
	for _, bad := range []string{"a: [", "{1: x}: y", "- a\n---\n- b\n"} {
		_, err := Bundle([]byte(bad))
		assert.Error(t, err, bad)
	}
}

// TestTypedResponses counts the operations whose 2xx responses are typed:
// none is `{}` or an object without properties (through $refs and allOf),
// except where x-zendesk-free-form says why Zendesk's payload is
// open-ended. A 2xx response without content (204) counts as typed.
func TestTypedResponses(t *testing.T) {
	src, err := os.ReadFile(specPath)
	require.NoError(t, err)
	spec, err := LoadSpec(src)
	require.NoError(t, err)
	typed, total, freeForm, unannotated := typedResponses(spec)
	ids := "none"
	if len(freeForm) > 0 {
		ids = strings.Join(freeForm, ", ")
	}
	t.Logf("typed 2xx responses: %d/%d (%d free-form: %s); schemas: %d", typed, total, len(freeForm), ids, len(spec.Components.Schemas))
	assert.Equal(t, 417, total)
	assert.Empty(t, unannotated, "free-form 2xx responses without x-zendesk-free-form")
	assert.Equal(t, total, typed+len(freeForm)+len(unannotated))
}

// TestQueryParametersAgreeAcrossOperations: a query parameter has one
// schema type wherever it appears (field_id is the int64 id of a lookup
// relationship field in all three autocompletes, as in the Lookup
// Relationships paths). The one exception is ids, whose job status ids are
// strings.
func TestQueryParametersAgreeAcrossOperations(t *testing.T) {
	src, err := os.ReadFile(specPath)
	require.NoError(t, err)
	spec, err := LoadSpec(src)
	require.NoError(t, err)
	exceptions := map[string]string{"ids ShowManyJobStatuses": "job status ids are strings"}
	types := map[string]map[string][]string{}
	for _, p := range spec.Paths.InMatchingOrder() {
		item := spec.Paths.Value(p)
		for m, op := range item.Operations() {
			for _, param := range allParams(specOp{path: p, method: m, op: op, item: item}) {
				if param.In != "query" || exceptions[param.Name+" "+op.OperationID] != "" {
					continue
				}
				ty := schemaType(param.Schema.Value)
				if types[param.Name] == nil {
					types[param.Name] = map[string][]string{}
				}
				types[param.Name][ty] = append(types[param.Name][ty], op.OperationID)
			}
		}
	}
	for name, byType := range types {
		if len(byType) > 1 {
			var desc []string
			for ty, ops := range byType {
				sort.Strings(ops)
				desc = append(desc, fmt.Sprintf("%s in %s", ty, strings.Join(ops, ", ")))
			}
			sort.Strings(desc)
			t.Errorf("query parameter %s has several types: %s", name, strings.Join(desc, "; "))
		}
	}
	assert.Equal(t, []string{"integer/int64"}, slices.Sorted(maps.Keys(types["field_id"])))
}

func schemaType(s *openapi3.Schema) string {
	if s == nil {
		return "?"
	}
	ty := strings.Join(s.Type.Slice(), "|")
	if s.Format != "" {
		ty += "/" + s.Format
	}
	if s.Items != nil {
		ty += " of " + schemaType(s.Items.Value)
	}
	return ty
}

// TestUploadTakesAnyMediaType: Zendesk takes an upload's Content-Type as the
// attachment's content type, so Upload Files accepts application/binary
// (the type of Zendesk's own examples, declared first) and any other.
func TestUploadTakesAnyMediaType(t *testing.T) {
	src, err := os.ReadFile(specPath)
	require.NoError(t, err)
	spec, err := LoadSpec(src)
	require.NoError(t, err)
	const path = "/api/v2/uploads"
	item := spec.Paths.Value(path)
	route := &routers.Route{Spec: spec, Path: path, PathItem: item, Method: "POST", Operation: item.Post}
	for _, ct := range []string{"application/binary", "image/png", "text/plain; charset=utf-8", "application/octet-stream"} {
		req := httptest.NewRequest("POST", "https://example.zendesk.com"+path+"?filename=crash.png", strings.NewReader("\x89PNG\r\n"))
		req.Header.Set("Content-Type", ct)
		err := openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
			Request: req, Route: route, Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		})
		assert.NoError(t, err, ct)
	}
	ix, err := newLineIndex(src)
	require.NoError(t, err)
	binary := ix.field(path, "post", "requestBody", "content", "application/binary")
	anyType := ix.field(path, "post", "requestBody", "content", "*/*")
	assert.Less(t, binary, anyType, "application/binary is declared first")
}
