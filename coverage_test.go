package zendesk_test

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/internal/specgen"
	"github.com/zdapi/zendesk/internal/specmeta"
	"github.com/zdapi/zendesk/overlay"
)

// TestEveryAnnotatedOperationHasItsHelpers reads the spec's annotations and
// checks that each operation is a method of zendesk.Client, each paginated
// one has its iterators and each job operation its wait helper, and that
// the Operations table says what the spec says.
func TestEveryAnnotatedOperationHasItsHelpers(t *testing.T) {
	src, err := os.ReadFile("spec/zendesk.yaml")
	require.NoError(t, err)
	spec, err := specgen.LoadSpec(src)
	require.NoError(t, err)
	// Method names follow Go's initialisms (ByExternalID for the
	// operation ByExternalId): look them up without regard to case.
	client := map[string]reflect.Method{}
	ct := reflect.TypeOf(&zendesk.Client{})
	for i := range ct.NumMethod() {
		client[strings.ToLower(ct.Method(i).Name)] = ct.Method(i)
	}
	has := func(name string) bool { _, ok := client[strings.ToLower(name)]; return ok }
	table := map[string]overlay.OperationInfo{}
	for _, op := range overlay.Operations {
		table[op.ID] = op
	}
	var methods, paginated, iterators, jobs, waits int
	var missing []string
	for _, p := range spec.Paths.InMatchingOrder() {
		for method, op := range spec.Paths.Value(p).Operations() {
			if has(op.OperationID) {
				methods++
			} else {
				missing = append(missing, op.OperationID)
			}
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
				all, pages := has(op.OperationID+"All"), has(op.OperationID+"Pages")
				// AllRaw, unless All already yields each record's JSON.
				raw := has(op.OperationID + "AllRaw")
				if m, ok := client[strings.ToLower(op.OperationID+"All")]; ok && !raw {
					raw = strings.Contains(m.Type.Out(0).String(), "json.RawMessage")
				}
				if all && raw && pages {
					iterators++
				} else {
					missing = append(missing, op.OperationID+"All/AllRaw/Pages")
				}
			}
			if meta.Job {
				jobs++
				if has(op.OperationID + "AndWait") {
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
	assert.Equal(t, 417, methods)
	t.Logf("methods of zendesk.Client: %d operations; iterators for %d/%d annotated operations; wait helpers for %d/%d", methods, iterators, paginated, waits, jobs)
}
