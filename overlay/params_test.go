package overlay

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type color string

// TestParamStyles writes each kind of parameter value Zendesk's operations
// take, in the form style of a query and the simple style of a path
// segment and a header.
func TestParamStyles(t *testing.T) {
	at := time.Date(2024, 7, 1, 12, 30, 0, 500, time.UTC)
	n := int64(42)
	cases := []struct {
		name          string
		value         any
		explode       bool
		query, simple string
		path          string
	}{
		{"string", "a b&c/d", false, "q=a+b%26c%2Fd", "a b&c/d", "a%20b&c%2Fd"},
		{"int64", int64(-7), false, "q=-7", "-7", "-7"},
		{"int pointer", &n, false, "q=42", "42", "42"},
		{"bool", true, false, "q=true", "true", "true"},
		{"enum", color("dark-red"), false, "q=dark-red", "dark-red", "dark-red"},
		{"time", at, false, "q=2024-07-01T12%3A30%3A00.0000005Z", "2024-07-01T12:30:00.0000005Z", "2024-07-01T12:30:00.0000005Z"},
		{"list", []int64{1, 2, 3}, false, "q=1,2,3", "1,2,3", "1,2,3"},
		{"list exploded", []string{"a,b", "c"}, true, "q=a%2Cb&q=c", "a,b,c", "a%2Cb,c"},
		{"enum list", []color{"red", "blue"}, false, "q=red,blue", "red,blue", "red,blue"},
		{"map", map[string]int{"b": 2, "a b": 1}, true, "a+b=1&b=2", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := reflect.ValueOf(c.value)
			q, err := queryParam("q", v, c.explode)
			require.NoError(t, err)
			assert.Equal(t, c.query, q)
			if v.Kind() == reflect.Map {
				return
			}
			h, err := simpleParam(v, false)
			require.NoError(t, err)
			assert.Equal(t, c.simple, h)
			p, err := simpleParam(v, true)
			require.NoError(t, err)
			assert.Equal(t, c.path, p)
		})
	}
	// A name with brackets is escaped like a value.
	q, err := queryParam("page[size]", reflect.ValueOf(100), false)
	require.NoError(t, err)
	assert.Equal(t, "page%5Bsize%5D=100", q)
	// What is not a parameter value is an error, not a guess.
	_, err = queryParam("q", reflect.ValueOf(struct{ A int }{1}), false)
	assert.ErrorContains(t, err, "cannot be a parameter")
	var nilp *int64
	_, err = simpleParam(reflect.ValueOf(nilp), true)
	assert.ErrorContains(t, err, "a nil *int64")
}
