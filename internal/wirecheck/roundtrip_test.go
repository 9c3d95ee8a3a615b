package wirecheck_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/internal/specgen"
	"github.com/zdapi/zendesk/internal/wirecheck"
)

// TestExamplesRoundTrip decodes every 2xx response example through the
// operation's method of zendesk.Client, re-encodes the typed body and compares it with the example. The one
// normalization (wirecheck.Normalize): a null property equals an absent
// one, because optional properties are nil pointers, omitted when encoded.
func TestExamplesRoundTrip(t *testing.T) {
	src, err := os.ReadFile("../../spec/zendesk.yaml")
	require.NoError(t, err)
	spec, err := specgen.LoadSpec(src)
	require.NoError(t, err)
	results, err := wirecheck.RoundTrip(spec, func(rt http.RoundTripper) (any, error) {
		return zendesk.NewClient("example", zendesk.WithHTTPClient(&http.Client{Transport: rt}), zendesk.WithRetry(zendesk.NoRetry))
	})
	require.NoError(t, err)
	decoded, exact := 0, 0
	for _, r := range results {
		if r.Decoded {
			decoded++
		}
		if r.Exact {
			exact++
		} else {
			t.Errorf("%s %d: %s", r.Operation, r.Status, r.Problem)
		}
	}
	t.Logf("examples decoded: %d/%d, round-trip exact: %d/%d", decoded, len(results), exact, len(results))
	assert.Equal(t, len(results), exact)
	assert.Greater(t, len(results), 300)
}

func TestCompare(t *testing.T) {
	cases := []struct{ want, got, diff string }{
		{`{"a":1}`, `{"a":1}`, ""},
		{`{"a":1,"b":null}`, `{"a":1}`, ""},
		{`{"a":1.50}`, `{"a":1.5}`, ""},
		{`{"a":1}`, `{"a":2}`, "$.a: 1 became 2"},
		{`{"a":1,"b":2}`, `{"a":1}`, "$.b: lost"},
		{`{"a":[1,2]}`, `{"a":[1]}`, "$.a: 2 items, got 1"},
		{`{"a":"x"}`, `{"a":"x","c":true}`, "$.c: added true"},
		{`{"a":12345678901234567}`, `{"a":12345678901234568}`, "became"},
	}
	for _, c := range cases {
		d := wirecheck.Compare([]byte(c.want), []byte(c.got))
		if c.diff == "" {
			assert.Empty(t, d, c.want)
		} else {
			assert.Contains(t, d, c.diff, c.want)
		}
	}
}
