// Package glue writes the generated glue of the overlay and the root
// package (see cmd/gluegen).
package glue

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/zdapi/zendesk/internal/specmeta"
)

// operation is one spec operation and its annotations.
type operation struct {
	ID, Method, Path string
	Summary, Desc    string
	Meta             specmeta.Operation
	Params           map[string]bool // query parameter names
	Exploded         []string        // list query parameters sent once per value
	Headers          []string        // header parameters
	PathParams       []pathParam     // in the order of the template
	JSONStatuses     []int           // 2xx statuses with a JSON body
	// Schemas are, by 2xx status, the schema names of the JSON bodies.
	Schemas map[int]string
	// Required are, by 2xx status, the properties of the JSON body that
	// must be present and not null (the envelope: "ticket", "tickets").
	Required map[int][]string
	// JSONBody is true when the request body is JSON; RawBody when it is
	// another media type only (multipart, a file).
	JSONBody, RawBody bool
	HasParams         bool // the operation has query or header parameters
	// Splits are the lists with a largest size (maxItems) of a job
	// operation: a query parameter or a top-level property of the body.
	Splits []split
}

// split is a list of a bulk operation and the most items one call takes.
type split struct {
	In, Name string
	Max      int
}

// pathParam is a path parameter: its name in the template and Go type.
type pathParam struct{ Name, Type string }

// goPkg is what the models file declares.
type goPkg struct {
	types    map[string]*ast.TypeSpec
	typeDocs map[string]string // doc comment text, by type
	consts   []string
	constOf  map[string]constSpec
	lower    map[string]string // type names by lower case
}

// constSpec is a constant's declared type and value, as written.
type constSpec struct{ Type, Value string }

// Write generates the three files from the spec and the models file
// oapi-codegen wrote: the overlay's operation table, the root package's
// operation methods, and the models' getters.
func Write(specPath, modelsFile, overlayOut, methodsOut, gettersOut string) error {
	ops, err := readSpec(specPath)
	if err != nil {
		return err
	}
	pkg, err := readGo(modelsFile)
	if err != nil {
		return err
	}
	table, err := tableFile(ops)
	if err != nil {
		return err
	}
	methods, err := methodsFile(ops, pkg)
	if err != nil {
		return err
	}
	getters, err := gettersFile(pkg)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		src  []byte
	}{{overlayOut, table}, {methodsOut, methods}, {gettersOut, getters}} {
		if err := writeFile(f.path, f.src); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, src []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, src) {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, src, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func readSpec(path string) ([]operation, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	spec, err := openapi3.NewLoader().LoadFromData(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var ops []operation
	for _, p := range spec.Paths.InMatchingOrder() {
		for m, op := range spec.Paths.Value(p).Operations() {
			meta, err := specmeta.Decode(op.Extensions)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", m, p, err)
			}
			o := operation{ID: op.OperationID, Method: m, Path: p, Summary: op.Summary, Desc: op.Description, Meta: meta,
				Params: map[string]bool{}, Schemas: map[int]string{}}
			if op.Responses != nil {
				for code, r := range op.Responses.Map() {
					n, err := strconv.Atoi(code)
					if err != nil || n/100 != 2 || r.Value == nil {
						continue
					}
					for ct, mt := range r.Value.Content {
						if strings.Contains(ct, "json") {
							o.JSONStatuses = append(o.JSONStatuses, n)
							if mt.Schema == nil || mt.Schema.Ref == "" {
								return nil, fmt.Errorf("%s: the %d response's schema is not a $ref to a named schema", o.ID, n)
							}
							o.Schemas[n] = mt.Schema.Ref[strings.LastIndexByte(mt.Schema.Ref, '/')+1:]
							if req := requiredKeys(mt.Schema); len(req) > 0 {
								if o.Required == nil {
									o.Required = map[int][]string{}
								}
								o.Required[n] = req
							}
							break
						}
					}
				}
				sort.Ints(o.JSONStatuses)
			}
			byName := map[string]*openapi3.Parameter{}
			for _, prm := range append(spec.Paths.Value(p).Parameters, op.Parameters...) {
				if prm.Value != nil {
					byName[prm.Value.In+" "+prm.Value.Name] = prm.Value
				}
			}
			for _, k := range slices.Sorted(maps.Keys(byName)) {
				prm := byName[k]
				switch prm.In {
				case "query":
					o.Params[prm.Name] = true
					o.HasParams = true
					if prm.Schema != nil && prm.Schema.Value != nil && prm.Schema.Value.Type.Is("array") && (prm.Explode == nil || *prm.Explode) {
						o.Exploded = append(o.Exploded, prm.Name)
					}
					if sv := prm.Schema; o.Meta.Job && sv != nil && sv.Value != nil && sv.Value.Type.Is("array") && sv.Value.MaxItems != nil {
						o.Splits = append(o.Splits, split{"query", prm.Name, int(*sv.Value.MaxItems)})
					}
				case "header":
					o.Headers = append(o.Headers, prm.Name)
					o.HasParams = true
				}
			}
			for _, name := range pathParams(p) {
				prm := byName["path "+name]
				if prm == nil || prm.Schema == nil || prm.Schema.Value == nil {
					return nil, fmt.Errorf("%s: path parameter %s is not declared", o.ID, name)
				}
				typ := "string"
				if sv := prm.Schema.Value; sv.Type.Is("integer") {
					typ = "int"
					if sv.Format == "int64" {
						typ = "int64"
					}
				}
				o.PathParams = append(o.PathParams, pathParam{name, typ})
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				if mt, ok := rb.Value.Content["application/json"]; ok {
					o.JSONBody = true
					if o.Meta.Job && mt.Schema != nil && mt.Schema.Value != nil {
						props := mt.Schema.Value.Properties
						for _, name := range slices.Sorted(maps.Keys(props)) {
							if pv := props[name]; pv != nil && pv.Value != nil && pv.Value.Type.Is("array") && pv.Value.MaxItems != nil {
								o.Splits = append(o.Splits, split{"body", name, int(*pv.Value.MaxItems)})
							}
						}
					}
				} else {
					o.RawBody = true
				}
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].ID < ops[j].ID })
	return ops, nil
}

// requiredKeys are the required properties of an object schema that are
// not nullable, sorted.
func requiredKeys(ref *openapi3.SchemaRef) []string {
	if ref == nil || ref.Value == nil {
		return nil
	}
	var keys []string
	for _, k := range ref.Value.Required {
		if p := ref.Value.Properties[k]; p != nil && p.Value != nil && p.Value.Nullable {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func readGo(path string) (*goPkg, error) {
	fset := token.NewFileSet()
	files := []string{path}
	pkg := &goPkg{types: map[string]*ast.TypeSpec{}, typeDocs: map[string]string{}, constOf: map[string]constSpec{}, lower: map[string]string{}}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							pkg.types[s.Name.Name] = s
							doc := s.Doc
							if doc == nil && len(d.Specs) == 1 {
								doc = d.Doc
							}
							if doc != nil {
								pkg.typeDocs[s.Name.Name] = doc.Text()
							}
						}
					case *ast.ValueSpec:
						if d.Tok == token.CONST {
							for i, n := range s.Names {
								if n.IsExported() {
									pkg.consts = append(pkg.consts, n.Name)
									var cs constSpec
									if id, ok := s.Type.(*ast.Ident); ok {
										cs.Type = id.Name
									}
									if i < len(s.Values) {
										if lit, ok := s.Values[i].(*ast.BasicLit); ok {
											cs.Value = lit.Value
										}
									}
									pkg.constOf[n.Name] = cs
								}
							}
						}
					}
				}
			}
		}
	}
	if len(pkg.types) == 0 {
		return nil, fmt.Errorf("%s: no types found: generate the models first", path)
	}
	for n := range pkg.types {
		pkg.lower[strings.ToLower(n)] = n
	}
	return pkg, nil
}

var builtins = map[string]bool{
	"string": true, "bool": true, "int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "float32": true, "float64": true,
	"byte": true, "rune": true, "any": true, "error": true,
}

// itemType finds the Go type of the records under a response property:
// the element type of the field tagged json:"items" in the body type name.
func itemType(pkg *goPkg, id, name, items string) (string, error) {
	for i := 0; i < 5; i++ { // follow aliases
		ts, ok := pkg.types[name]
		if !ok {
			return "", fmt.Errorf("operation %s: type %s not found", id, name)
		}
		if ts.Assign.IsValid() {
			if name, ok = baseIdent(ts.Type); !ok {
				return "", fmt.Errorf("operation %s: alias %s is not a named type", id, ts.Name.Name)
			}
			continue
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return "", fmt.Errorf("operation %s: %s is not a struct", id, name)
		}
		for _, f := range st.Fields.List {
			if f.Tag == nil {
				continue
			}
			tag, _ := strconv.Unquote(f.Tag.Value)
			jsonName := strings.Split(reflect.StructTag(tag).Get("json"), ",")[0]
			if jsonName != items {
				continue
			}
			t := f.Type
			if s, ok := t.(*ast.StarExpr); ok {
				t = s.X
			}
			arr, ok := t.(*ast.ArrayType)
			if !ok {
				return "", fmt.Errorf("operation %s: %s.%s is not an array", id, name, items)
			}
			elt, ok := arr.Elt.(*ast.Ident)
			if !ok {
				return "", fmt.Errorf("operation %s: the records of %s.%s have no named type: name their schema in the spec", id, name, items)
			}
			return elt.Name, nil
		}
		return "", fmt.Errorf("operation %s: %s has no field for %q", id, name, items)
	}
	return "", fmt.Errorf("operation %s: too many aliases", id)
}

func fieldType(ts *ast.TypeSpec, field string) ast.Expr {
	st, ok := ts.Type.(*ast.StructType)
	if !ok {
		return nil
	}
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == field {
				return f.Type
			}
		}
	}
	return nil
}

func baseIdent(e ast.Expr) (string, bool) {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return "", false
	}
	return id.Name, true
}

// pathParams are the names of a path template's parameters, in order.
func pathParams(path string) []string {
	var names []string
	for rest := path; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return names
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return names
		}
		names = append(names, rest[i+1:i+j])
		rest = rest[i+j+1:]
	}
}

// quotedList renders keys as further arguments: `, "a", "b"`.
func quotedList(keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(", " + strconv.Quote(k))
	}
	return b.String()
}
