package specmeta

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeRetryUnsafe(t *testing.T) {
	op, err := Decode(map[string]any{ExtRetryUnsafe: "a comment is added again"})
	require.NoError(t, err)
	assert.Equal(t, "a comment is added again", op.RetryUnsafe)

	op, err = Decode(map[string]any{})
	require.NoError(t, err)
	assert.Empty(t, op.RetryUnsafe)

	for name, v := range map[string]any{"a bool": true, "a list": []any{"x"}, "blank": "  "} {
		_, err := Decode(map[string]any{ExtRetryUnsafe: v})
		assert.ErrorContains(t, err, ExtRetryUnsafe, name)
	}
}

func TestDecodeRateLimitUnpaced(t *testing.T) {
	rl := func(fields map[string]any) map[string]any {
		m := map[string]any{"requests": 5, "seconds": 60}
		for k, v := range fields {
			m[k] = v
		}
		return map[string]any{ExtRateLimit: m}
	}
	cases := []struct {
		name    string
		fields  map[string]any
		unpaced string
		wantErr string
	}{
		{"no per", nil, "", ""},
		{"per account", map[string]any{"per": []any{"account"}}, "", ""},
		{"per view, keyed", map[string]any{"per": []any{"view", "agent"}, "key": []any{"view_id"}}, "", ""},
		{"per view, not keyed", map[string]any{"per": []any{"view", "agent"}}, "", `counted per "view"`},
		{"per end user profile", map[string]any{"per": []any{"end user profile"}}, "", `counted per "end user profile"`},
		{"per end user profile, unpaced", map[string]any{"per": []any{"end user profile"}, "unpaced": "the body names the user"}, "the body names the user", ""},
		{"unpaced with a key", map[string]any{"per": []any{"view"}, "key": []any{"view_id"}, "unpaced": "why"}, "", "unpaced and key exclude each other"},
		{"blank unpaced", map[string]any{"unpaced": " "}, "", "unpaced: give the reason"},
		{"unpaced not a string", map[string]any{"unpaced": true}, "", ExtRateLimit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			op, err := Decode(rl(c.fields))
			if c.wantErr != "" {
				assert.ErrorContains(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, op.RateLimit)
			assert.Equal(t, c.unpaced, op.RateLimit.Unpaced)
		})
	}
}

func TestDecodeRefusesUnknownExtensions(t *testing.T) {
	_, err := Decode(map[string]any{"x-zendesk-retry-unsafe-ish": "typo", "x-other-vendor": 1})
	assert.ErrorContains(t, err, "x-zendesk-retry-unsafe-ish: unknown extension")
	assert.NotContains(t, err.Error(), "x-other-vendor", "other vendors' extensions are not ours to judge")
}
