package glue

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutputIsDeterministic generates the three files twice and compares them
// with each other and with the committed ones.
func TestOutputIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	for _, run := range []string{"a", "b"} {
		require.NoError(t, Write("../../spec/zendesk.yaml", "../../zz_models.gen.go", filepath.Join(dir, run+"-ops.go"), filepath.Join(dir, run+"-methods.go"), filepath.Join(dir, run+"-getters.go")))
	}
	for _, f := range []struct{ gen, committed string }{{"ops.go", "../../overlay/zz_operations.gen.go"}, {"methods.go", "../../zz_operations.gen.go"}, {"getters.go", "../../zz_getters.gen.go"}} {
		a, err := os.ReadFile(filepath.Join(dir, "a-"+f.gen))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(dir, "b-"+f.gen))
		require.NoError(t, err)
		committed, err := os.ReadFile(f.committed)
		require.NoError(t, err)
		assert.Equal(t, string(a), string(b), f.gen)
		assert.Equal(t, string(committed), string(a), "%s is not what gluegen writes: run go generate ./...", f.committed)
	}
}

// TestEveryModelHasADocComment: each type of the models says what it is,
// in a comment that starts with its name, so that go doc shows it with no
// other package to open. oapi-codegen's stand-in for a schema without a
// description ("X defines model for X") does not count.
func TestEveryModelHasADocComment(t *testing.T) {
	pkg, err := readGo("../../zz_models.gen.go")
	require.NoError(t, err)
	var bad []string
	for name := range pkg.types {
		if text := pkg.typeDocs[name]; !strings.HasPrefix(text, name+" ") || strings.Contains(text, " defines model for ") {
			bad = append(bad, name+": "+text)
		}
	}
	assert.Empty(t, bad)
	assert.Greater(t, len(pkg.types), 1000)
	t.Logf("%d model types, each with its doc comment", len(pkg.types))
}
