package specgen

import (
	"os"
	"testing"

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
