package overlay

import (
	"fmt"
	"reflect"
)

// Part is one call of a split request and the number of items of the
// split list it holds.
type Part struct {
	Request Request
	Items   int
}

// SplitRequest cuts r, a call of a bulk operation, by the first of the
// operation's Split lists that is longer than its Max: one request per Max
// items, each a copy of r with its share of the list (the caller's structs
// are not changed). A request with no such list is its own single part;
// one with two is an error (which of them would go with which?).
func SplitRequest(r Request) ([]Part, error) {
	var found *Split
	var list reflect.Value
	var holder reflect.Value // the struct holding the list
	for i := range r.Op.Split {
		sp := &r.Op.Split[i]
		h, field := listField(r, sp)
		if !field.IsValid() || field.Len() <= sp.Max {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%s: both %s and %s hold more items than one call takes: send one of them at a time", r.Op.ID, found.Name, sp.Name)
		}
		found, list, holder = sp, field, h
	}
	if found == nil {
		return []Part{{Request: r}}, nil
	}
	var parts []Part
	for start := 0; start < list.Len(); start += found.Max {
		end := min(start+found.Max, list.Len())
		copyOf := reflect.New(holder.Type()).Elem()
		copyOf.Set(holder)
		_, field := fieldByName(copyOf, found)
		field.Set(list.Slice3(start, end, end))
		p := r
		if found.In == "query" {
			p.Params = copyOf.Addr().Interface()
		} else {
			p.JSON = copyOf.Interface()
		}
		parts = append(parts, Part{Request: p, Items: end - start})
	}
	return parts, nil
}

// listField finds the list sp names in r: the struct holding it and the
// list, or an invalid Value when r has none.
func listField(r Request, sp *Split) (reflect.Value, reflect.Value) {
	var v reflect.Value
	switch sp.In {
	case "query":
		v = reflect.ValueOf(r.Params)
	case "body":
		v = reflect.ValueOf(r.JSON)
	}
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}, reflect.Value{}
		}
		v = v.Elem()
	}
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return reflect.Value{}, reflect.Value{}
	}
	return fieldByName(v, sp)
}

// fieldByName is the list field of the struct v whose tag names sp: the
// form tag of a query parameter, the json tag of a body property.
func fieldByName(v reflect.Value, sp *Split) (reflect.Value, reflect.Value) {
	tag := "json"
	if sp.In == "query" {
		tag = "form"
	}
	t := v.Type()
	for i := range t.NumField() {
		if name, ok := tagName(t.Field(i).Tag.Get(tag)); ok && name == sp.Name {
			f := v.Field(i)
			if f.Kind() != reflect.Slice {
				return reflect.Value{}, reflect.Value{}
			}
			return v, f
		}
	}
	return reflect.Value{}, reflect.Value{}
}
