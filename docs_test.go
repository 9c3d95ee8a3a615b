package zendesk

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryExportedNameIsDocumented: go doc and pkg.go.dev show every
// exported function, type, method and constant of the package with a
// comment of its own, the generated ones included (oapi-codegen's
// templates leave some methods bare unless ours document them).
func TestEveryExportedNameIsDocumented(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	require.NoError(t, err)
	p := pkgs["zendesk"]
	require.NotNil(t, p)
	d := doc.New(p, "github.com/zdapi/zendesk", 0)
	var bare []string
	names := 0
	check := func(name, text string) {
		names++
		if strings.TrimSpace(text) == "" {
			bare = append(bare, name)
		}
	}
	consts := func(vs []*doc.Value) {
		for _, c := range vs {
			for _, s := range c.Decl.Specs {
				spec := s.(*ast.ValueSpec)
				for _, n := range spec.Names {
					if !n.IsExported() {
						continue
					}
					text := c.Doc
					if spec.Doc != nil {
						text += spec.Doc.Text()
					}
					if spec.Comment != nil {
						text += spec.Comment.Text()
					}
					check(n.Name, text)
				}
			}
		}
	}
	consts(d.Consts)
	for _, f := range d.Funcs {
		check(f.Name, f.Doc)
	}
	for _, ty := range d.Types {
		check(ty.Name, ty.Doc)
		consts(ty.Consts)
		for _, f := range ty.Funcs {
			check(f.Name, f.Doc)
		}
		for _, m := range ty.Methods {
			check(ty.Name+"."+m.Name, m.Doc)
		}
	}
	assert.Empty(t, bare, "exported names without a doc comment")
	assert.Greater(t, names, 4000)
	t.Logf("%d exported names, each with its doc comment", names)
}
