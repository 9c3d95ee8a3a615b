// Package jsonvalue is the type of the models' values that may be of any
// JSON type (custom field values, rule values, job results), with readers
// for the types Zendesk sends in them. The root package calls it AnyValue.
package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Value is a JSON value kept exactly as Zendesk sent it: a number past
// 2^53 keeps its digits, a null stays null. Read it with AsString,
// AsInt64, AsFloat64, AsBool or AsStrings (a null reads as the zero value,
// IsNull tells it apart), or decode it with Decode; make one with Of.
// Its String method gives the JSON text, so %v prints it as Zendesk sent
// it. The zero Value (nil) encodes as null.
type Value []byte

// Of is the Value of x, which encoding/json encodes: Of("gold"), Of(42),
// Of(true), Of([]string{"a", "b"}). A value encoding/json cannot encode
// (a channel, a function, a cyclic structure) gives a Value whose
// MarshalJSON returns that error, so the request that carries it fails
// before it is sent.
func Of(x any) Value {
	b, err := json.Marshal(x)
	if err != nil {
		return Value(append([]byte{invalidMark}, err.Error()...))
	}
	return Value(b)
}

// invalidMark starts the Value Of makes of what does not encode; no JSON
// text starts with it.
const invalidMark = 0

// MarshalJSON is the value's JSON text, null for the zero Value.
func (v Value) MarshalJSON() ([]byte, error) {
	if len(v) == 0 {
		return []byte("null"), nil
	}
	if v[0] == invalidMark {
		return nil, fmt.Errorf("jsonvalue: %s", v[1:])
	}
	return v, nil
}

// UnmarshalJSON keeps a copy of the JSON text.
func (v *Value) UnmarshalJSON(b []byte) error {
	if v == nil {
		return errors.New("jsonvalue: UnmarshalJSON on a nil pointer")
	}
	*v = append((*v)[:0], b...)
	return nil
}

// String is the JSON text ("gold" with its quotes, 42, null).
func (v Value) String() string {
	b, err := v.MarshalJSON()
	if err != nil {
		return "!" + err.Error()
	}
	return string(b)
}

// IsNull reports whether the value is null (or the zero Value).
func (v Value) IsNull() bool {
	t := bytes.TrimSpace(v)
	return len(t) == 0 || string(t) == "null"
}

// Kind is the value's JSON type: "string", "number", "boolean", "array",
// "object" or "null"; "invalid" for what is not JSON.
func (v Value) Kind() string {
	t := bytes.TrimSpace(v)
	if len(t) == 0 {
		return "null"
	}
	switch c := t[0]; {
	case c == '"':
		return "string"
	case c == '-' || (c >= '0' && c <= '9'):
		return "number"
	case c == 't' || c == 'f':
		return "boolean"
	case c == '[':
		return "array"
	case c == '{':
		return "object"
	case c == 'n':
		return "null"
	}
	return "invalid"
}

// Decode decodes the value into the value out points to, as
// json.Unmarshal does.
func (v Value) Decode(out any) error {
	if len(v) == 0 {
		return json.Unmarshal([]byte("null"), out)
	}
	return json.Unmarshal(v, out)
}

// as decodes a value of the JSON kind want into out; null leaves out
// zero.
func as[T any](v Value, want string) (T, error) {
	var out T
	if v.IsNull() {
		return out, nil
	}
	if k := v.Kind(); k != want {
		return out, fmt.Errorf("the value %s is a JSON %s, not a %s", clip(v.String()), k, want)
	}
	if err := json.Unmarshal(v, &out); err != nil {
		return out, fmt.Errorf("the value %s: %w", clip(v.String()), err)
	}
	return out, nil
}

// AsString is the value as a string: "" for null, an error for a number,
// a boolean, a list or an object.
func (v Value) AsString() (string, error) { return as[string](v, "string") }

// AsBool is the value as a boolean: false for null, an error for any
// other type.
func (v Value) AsBool() (bool, error) { return as[bool](v, "boolean") }

// AsFloat64 is the value as a number: 0 for null, an error for any other
// type.
func (v Value) AsFloat64() (float64, error) { return as[float64](v, "number") }

// AsInt64 is the value as an integer: 0 for null, an error for a number
// with a fraction or past the int64 range, and for any other type. A
// string of digits is read too: Zendesk sends some numeric custom field
// values as strings ("42").
func (v Value) AsInt64() (int64, error) {
	if v.Kind() == "string" {
		s, err := v.AsString()
		if err != nil {
			return 0, err
		}
		var n json.Number = json.Number(s)
		i, err := n.Int64()
		if err != nil {
			return 0, fmt.Errorf("the value %s is a string, not an integer", clip(v.String()))
		}
		return i, nil
	}
	if v.IsNull() {
		return 0, nil
	}
	if k := v.Kind(); k != "number" {
		return 0, fmt.Errorf("the value %s is a JSON %s, not a number", clip(v.String()), k)
	}
	i, err := json.Number(bytes.TrimSpace(v)).Int64()
	if err != nil {
		return 0, fmt.Errorf("the value %s is not an integer in the int64 range", clip(v.String()))
	}
	return i, nil
}

// AsStrings is the value as a list of strings (a multi-select custom
// field): nil for null, an error for anything else.
func (v Value) AsStrings() ([]string, error) { return as[[]string](v, "array") }

// clip shortens a value for an error message.
func clip(s string) string {
	if len(s) <= 80 {
		return s
	}
	return s[:77] + "..."
}
