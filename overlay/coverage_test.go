package overlay_test

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk/generated"
	"github.com/zdapi/zendesk/internal/specgen"
	"github.com/zdapi/zendesk/internal/specmeta"
	"github.com/zdapi/zendesk/overlay"
)

// TestEveryAnnotatedOperationHasItsHelpers reads the spec's annotations and
// checks that each paginated operation has its iterators and each job
// operation its wait helper, and that the Operations table says what the
// spec says.
func TestEveryAnnotatedOperationHasItsHelpers(t *testing.T) {
	src, err := os.ReadFile("../spec/zendesk.yaml")
	require.NoError(t, err)
	spec, err := specgen.LoadSpec(src)
	require.NoError(t, err)
	client := reflect.TypeOf(&overlay.Client{})
	table := map[string]overlay.OperationInfo{}
	for _, op := range overlay.Operations {
		table[op.ID] = op
	}
	var paginated, iterators, jobs, waits int
	var missing []string
	for _, p := range spec.Paths.InMatchingOrder() {
		for method, op := range spec.Paths.Value(p).Operations() {
			meta, err := specmeta.Decode(op.Extensions)
			require.NoError(t, err)
			info, ok := table[op.OperationID]
			require.True(t, ok, "%s not in Operations", op.OperationID)
			assert.Equal(t, method, info.Method, op.OperationID)
			assert.Equal(t, p, info.Path, op.OperationID)
			assert.Equal(t, meta.Job, info.Job, op.OperationID)
			assert.Equal(t, meta.Idempotency, info.Idempotent, op.OperationID)
			assert.Equal(t, meta.RateLimit != nil, info.RateLimit != nil, op.OperationID)
			if meta.Pagination != nil {
				paginated++
				require.NotNil(t, info.Listing, op.OperationID)
				assert.Equal(t, meta.Pagination.Style, info.Listing.Style, op.OperationID)
				assert.Equal(t, meta.Pagination.Items, info.Listing.Items, op.OperationID)
				_, all := client.MethodByName(op.OperationID + "All")
				_, pages := client.MethodByName(op.OperationID + "Pages")
				if all && pages {
					iterators++
				} else {
					missing = append(missing, op.OperationID+"All/Pages")
				}
			}
			if meta.Job {
				jobs++
				if _, ok := client.MethodByName(op.OperationID + "AndWait"); ok {
					waits++
				} else {
					missing = append(missing, op.OperationID+"AndWait")
				}
			}
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing)
	assert.Len(t, overlay.Operations, 417)
	t.Logf("iterators available for %d/%d annotated operations; wait helpers for %d/%d", iterators, paginated, waits, jobs)
}

// TestEveryTypedMethodIsShadowed checks that each typed method of the
// generated client (<Operation>WithResponse) is declared by Client itself,
// in the generated glue, not promoted from the embedded generated client:
// so every one's errors name its operation.
func TestEveryTypedMethodIsShadowed(t *testing.T) {
	gen := reflect.TypeOf(&generated.ClientWithResponses{})
	client := reflect.TypeOf(&overlay.Client{})
	typed, shadowed := 0, 0
	var promoted []string
	for i := range gen.NumMethod() {
		name := gen.Method(i).Name
		if !strings.HasSuffix(name, "WithResponse") {
			continue
		}
		typed++
		m, ok := client.MethodByName(name)
		require.True(t, ok, name)
		file, _ := runtime.FuncForPC(m.Func.Pointer()).FileLine(m.Func.Pointer())
		if filepath.Base(file) == "zz_operations.gen.go" {
			shadowed++
		} else {
			promoted = append(promoted, name)
		}
	}
	assert.Empty(t, promoted)
	assert.Equal(t, typed, shadowed)
	t.Logf("typed methods whose errors name their operation: %d/%d", shadowed, typed)
}
