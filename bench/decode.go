package bench

import (
	"encoding/json"
	"github.com/zdapi/zendesk"
	"reflect"
	"strings"
	"testing"
)

// Decoders are the ways a page is decoded, compared by the benchmarks.
type Decoder struct {
	Name string
	// New returns a fresh value to decode a page into.
	New func() any
}

// PlainCopy returns a struct type with the same fields (names, types, tags)
// as t, recursively, but none of t's methods: the floor a generated type is
// measured against. Types that refer to themselves keep the generated type
// at the point of recursion; time.Time, json.RawMessage and AnyValue (a
// JSON value kept as its bytes) stay as they are.
func PlainCopy(t reflect.Type) reflect.Type {
	return plain(t, map[reflect.Type]bool{})
}

var keep = map[reflect.Type]bool{
	reflect.TypeFor[json.RawMessage]():  true,
	reflect.TypeFor[zendesk.AnyValue](): true,
}

func plain(t reflect.Type, seen map[reflect.Type]bool) reflect.Type {
	if keep[t] || t.PkgPath() == "time" {
		return t
	}
	switch t.Kind() {
	case reflect.Pointer:
		return reflect.PointerTo(plain(t.Elem(), seen))
	case reflect.Slice:
		return reflect.SliceOf(plain(t.Elem(), seen))
	case reflect.Map:
		return reflect.MapOf(t.Key(), plain(t.Elem(), seen))
	case reflect.Struct:
		if seen[t] {
			return t
		}
		seen[t] = true
		defer delete(seen, t)
		fields := make([]reflect.StructField, t.NumField())
		for i := range fields {
			f := t.Field(i)
			fields[i] = reflect.StructField{Name: f.Name, Type: plain(f.Type, seen), Tag: f.Tag}
		}
		return reflect.StructOf(fields)
	case reflect.String:
		return reflect.TypeFor[string]()
	default:
		return t
	}
}

func decoders(generatedType reflect.Type, keep func() any) []Decoder {
	plainType := PlainCopy(generatedType)
	out := []Decoder{
		{"generated", func() any { return reflect.New(generatedType).Interface() }},
		{"plain-struct", func() any { return reflect.New(plainType).Interface() }},
		{"map", func() any { return new(map[string]any) }},
	}
	if keep != nil {
		out = append(out, Decoder{"keep-unknown", keep})
	}
	return out
}

// Case is one page to decode and the generated type it decodes into.
type Case struct {
	Name string
	Body []byte
	Type reflect.Type
	// Keep makes a page whose records keep unknown properties (nil when
	// the case has no such variant).
	Keep func() any
}

// Cases are the decode benchmarks' pages.
func Cases(p *Payloads) []Case {
	return []Case{
		{"tickets-100", p.Tickets, reflect.TypeFor[zendesk.TicketList](), func() any { return new(keepUnknownPage[zendesk.Ticket]) }},
		{"users-100", p.Users, reflect.TypeFor[zendesk.UserList](), func() any { return new(keepUnknownPage[zendesk.User]) }},
		{"export-1000", p.Export, reflect.TypeFor[zendesk.TicketCursorExportPage](), nil},
	}
}

// Decoders lists the decoders of a case.
func (c Case) Decoders() []Decoder { return decoders(c.Type, c.Keep) }

// Decode is the body of a decode benchmark.
func Decode(b *testing.B, body []byte, d Decoder) {
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		v := d.New()
		if err := json.Unmarshal(body, v); err != nil {
			b.Fatal(err)
		}
	}
}

// KeepUnknown decodes a record the way oapi-codegen's code for
// `additionalProperties: true` does: the object into a map of raw values,
// then each known property from the map, the rest kept in Extra. It
// measures what keeping unknown properties would cost (docs/design.md).
type KeepUnknown[T any] struct {
	Value T
	Extra map[string]json.RawMessage
}

// UnmarshalJSON is the two-pass decoding.
func (k *KeepUnknown[T]) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	v := reflect.ValueOf(&k.Value).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
		raw, ok := m[name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, v.Field(i).Addr().Interface()); err != nil {
			return err
		}
		delete(m, name)
	}
	if len(m) > 0 {
		k.Extra = m
	}
	return nil
}

// MarshalJSON writes the known properties and the kept ones.
func (k KeepUnknown[T]) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(k.Value)
	if err != nil || len(k.Extra) == 0 {
		return b, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for key, v := range k.Extra {
		m[key] = v
	}
	return json.Marshal(m)
}

// keepUnknownPage is a page whose records keep their unknown properties.
type keepUnknownPage[T any] struct {
	Tickets []KeepUnknown[T] `json:"tickets"`
	Users   []KeepUnknown[T] `json:"users,omitempty"`
	Meta    json.RawMessage  `json:"meta,omitempty"`
	Links   json.RawMessage  `json:"links,omitempty"`
}
