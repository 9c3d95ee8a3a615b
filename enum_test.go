package zendesk

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestOneOf(t *testing.T) {
	const values = "closed\x00open\x00\x00solved\x00"
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{"closed", true}, {"open", true}, {"solved", true}, {"", true},
		{"ope", false}, {"opens", false}, {"losed", false}, {"open\x00", false},
		{"closed\x00open", false}, {"Open", false}, {"pending", false},
	} {
		if got := oneOf(tc.v, values); got != tc.want {
			t.Errorf("oneOf(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
	if oneOf("", "") || oneOf("x", "") {
		t.Error("nothing is one of no values")
	}
}

// TestEnumValidListsEveryValue reads the generated models and checks that
// the Valid method of every string enum looks the value up in exactly the
// enum's constants: none missing, none extra, none with a NUL byte (the
// list's separator).
func TestEnumValidListsEveryValue(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "zz_models.gen.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string][]string{} // enum type -> its constants' values
	lists := map[string]string{}    // enum type -> the list its Valid passes to oneOf
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			if d.Tok != token.CONST {
				continue
			}
			for _, spec := range d.Specs {
				vs := spec.(*ast.ValueSpec)
				typ, ok := vs.Type.(*ast.Ident)
				if !ok || len(vs.Values) != 1 {
					continue
				}
				lit, ok := vs.Values[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				consts[typ.Name] = append(consts[typ.Name], v)
			}
		case *ast.FuncDecl:
			if d.Name.Name != "Valid" || d.Recv == nil || len(d.Body.List) != 1 {
				continue
			}
			ret, ok := d.Body.List[0].(*ast.ReturnStmt)
			if !ok || len(ret.Results) != 1 {
				continue
			}
			call, ok := ret.Results[0].(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				continue
			}
			if fn, ok := call.Fun.(*ast.Ident); !ok || fn.Name != "oneOf" {
				continue
			}
			var src strings.Builder
			if err := printer.Fprint(&src, fset, call.Args[1]); err != nil {
				t.Fatal(err)
			}
			tv, err := types.Eval(fset, nil, token.NoPos, src.String())
			if err != nil || tv.Value == nil || tv.Value.Kind() != constant.String {
				t.Fatalf("the list of %s.Valid is not a constant string: %v", d.Recv.List[0].Type, err)
			}
			lists[types.ExprString(d.Recv.List[0].Type)] = constant.StringVal(tv.Value)
		}
	}
	if len(lists) < 150 {
		t.Fatalf("only %d enums' Valid call oneOf", len(lists))
	}
	for typ, list := range lists {
		values := consts[typ]
		if len(values) == 0 {
			t.Errorf("%s: Valid lists values but the type has no constants", typ)
			continue
		}
		for _, v := range values {
			if strings.Contains(v, "\x00") {
				t.Errorf("%s: the value %q holds the list's separator", typ, v)
			}
		}
		got := strings.Split(strings.TrimSuffix(list, "\x00"), "\x00")
		slices.Sort(got)
		want := slices.Sorted(slices.Values(values))
		if !strings.HasSuffix(list, "\x00") || !slices.Equal(got, want) {
			t.Errorf("%s: Valid lists %q, the constants are %q", typ, got, want)
		}
	}
	t.Logf("%d string enums: each Valid lists exactly its constants", len(lists))
}
