package glue

import (
	"go/ast"
	"go/parser"
	"go/token"
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
		require.NoError(t, Write("../../spec/zendesk.yaml", "../../generated", filepath.Join(dir, run+"-ops.go"), filepath.Join(dir, run+"-methods.go"), filepath.Join(dir, run+"-types.go")))
	}
	for _, f := range []struct{ gen, committed string }{{"ops.go", "../../overlay/zz_operations.gen.go"}, {"methods.go", "../../zz_operations.gen.go"}, {"types.go", "../../zz_types.gen.go"}} {
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

// TestEveryAliasHasADocComment: each type and constant alias of the root
// package says what it is, in a comment that starts with its name.
func TestEveryAliasHasADocComment(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "../../zz_types.gen.go", nil, parser.ParseComments)
	require.NoError(t, err)
	var types, consts int
	var bad []string
	for _, d := range file.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, s := range g.Specs {
			var name string
			var doc *ast.CommentGroup
			switch s := s.(type) {
			case *ast.TypeSpec:
				name, doc = s.Name.Name, s.Doc
				types++
			case *ast.ValueSpec:
				name, doc = s.Names[0].Name, s.Doc
				consts++
			default:
				continue
			}
			text := ""
			if doc != nil {
				text = doc.Text()
			}
			if !strings.HasPrefix(text, name+" is generated."+name) || !strings.HasSuffix(strings.TrimSpace(text), ".") {
				bad = append(bad, name+": "+text)
			}
		}
	}
	assert.Empty(t, bad)
	assert.Greater(t, types, 1000)
	assert.Greater(t, consts, 500)
	t.Logf("%d type and %d constant aliases, each with its doc comment", types, consts)
}

func TestTypeDoc(t *testing.T) {
	pkg := &goPkg{typeDocs: map[string]string{
		"Ticket":            "Ticket A ticket: a request for support, with its\nrequester. Comments are not part of it.\n",
		"ListTicketsParams": "ListTicketsParams defines parameters for ListTickets.\n",
		"Odd":               "Something e.g. this, and i.e. that. Then more.",
		"NoPeriod":          "NoPeriod A thing without a period",
	}, types: map[string]*ast.TypeSpec{}}
	for name, want := range map[string]string{
		"Ticket":            "Ticket is generated.Ticket: A ticket: a request for support, with its requester.",
		"ListTicketsParams": "ListTicketsParams is generated.ListTicketsParams, which defines parameters for ListTickets.",
		"Odd":               "Odd is generated.Odd: Something e.g. this, and i.e. that.",
		"NoPeriod":          "NoPeriod is generated.NoPeriod: A thing without a period.",
		"Undocumented":      "Undocumented is generated.Undocumented.",
	} {
		assert.Equal(t, want, typeDoc(pkg, name), name)
	}
}
