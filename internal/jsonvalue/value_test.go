package jsonvalue

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReaders reads each JSON type with each reader: the value of the
// reader's type, the zero value for null, an error naming the value
// otherwise.
func TestReaders(t *testing.T) {
	cases := []struct {
		json string
		kind string
		str  string
		i    int64
		f    float64
		b    bool
		strs []string
		errs string // readers that fail: s, i, f, b, l
	}{
		{`"gold"`, "string", "gold", 0, 0, false, nil, "ifbl"},
		{`"42"`, "string", "42", 42, 0, false, nil, "fbl"},
		{`9007199254740993`, "number", "", 9007199254740993, 9007199254740992, false, nil, "sbl"},
		{`-3.5`, "number", "", 0, -3.5, false, nil, "sibl"},
		{`true`, "boolean", "", 0, 0, true, nil, "sifl"},
		{`["a","b"]`, "array", "", 0, 0, false, []string{"a", "b"}, "sifb"},
		{`[1]`, "array", "", 0, 0, false, nil, "sifbl"},
		{`{"a":1}`, "object", "", 0, 0, false, nil, "sifbl"},
		{`null`, "null", "", 0, 0, false, nil, ""},
		{``, "null", "", 0, 0, false, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.json, func(t *testing.T) {
			v := Value(c.json)
			assert.Equal(t, c.kind, v.Kind())
			check := func(r byte, err error) {
				if contains(c.errs, r) {
					assert.Error(t, err, string(r))
				} else {
					assert.NoError(t, err, string(r))
				}
			}
			s, err := v.AsString()
			check('s', err)
			i, err := v.AsInt64()
			check('i', err)
			f, err := v.AsFloat64()
			check('f', err)
			b, err := v.AsBool()
			check('b', err)
			l, err := v.AsStrings()
			check('l', err)
			if !contains(c.errs, 's') {
				assert.Equal(t, c.str, s)
			}
			if !contains(c.errs, 'i') {
				assert.Equal(t, c.i, i)
			}
			if !contains(c.errs, 'f') {
				assert.Equal(t, c.f, f)
			}
			if !contains(c.errs, 'b') {
				assert.Equal(t, c.b, b)
			}
			if !contains(c.errs, 'l') {
				assert.Equal(t, c.strs, l)
			}
		})
	}
	_, err := Value(`12`).AsString()
	assert.EqualError(t, err, "the value 12 is a JSON number, not a string")
}

func contains(s string, r byte) bool {
	for i := range len(s) {
		if s[i] == r {
			return true
		}
	}
	return false
}

// TestRoundTrip: a value decoded from a document encodes to the same
// bytes, a struct field of the zero Value encodes as null, and Of makes
// what encoding/json makes.
func TestRoundTrip(t *testing.T) {
	var doc struct {
		A Value `json:"a"`
		B Value `json:"b"`
		C Value `json:"c"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"a":12345678901234567890,"b":null,"c":{"x":[1,"y"]}}`), &doc))
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":12345678901234567890,"b":null,"c":{"x":[1,"y"]}}`, string(out))
	assert.Contains(t, string(out), "12345678901234567890")
	out, err = json.Marshal(struct{ V Value }{})
	require.NoError(t, err)
	assert.Equal(t, `{"V":null}`, string(out))

	assert.Equal(t, `"gold"`, Of("gold").String())
	assert.Equal(t, `["a","b"]`, Of([]string{"a", "b"}).String())
	assert.Equal(t, `null`, Of(nil).String())
	bad := Of(make(chan int))
	_, err = json.Marshal(map[string]Value{"f": bad})
	assert.ErrorContains(t, err, "unsupported type")
	assert.Equal(t, "invalid", bad.Kind())
}
