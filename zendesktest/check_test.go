package zendesktest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/zdapi/zendesk/zendesktest"
)

// CheckOptions finds what Start would refuse, without listening.
func TestCheckOptions(t *testing.T) {
	cases := []struct {
		name string
		opts []zendesktest.Option
		want string // "" for no problem
	}{
		{"defaults", nil, ""},
		{"good options", []zendesktest.Option{zendesktest.WithTickets(3), zendesktest.WithTimeScale(60)}, ""},
		{"bad argument", []zendesktest.Option{zendesktest.WithTimeScale(0.5)}, "WithTimeScale: 0.5"},
		{"the first problem", []zendesktest.Option{zendesktest.WithUsers(0), zendesktest.WithJobPolls(0)}, "WithUsers"},
		{"nil option", []zendesktest.Option{nil}, "nil option"},
		{"spec that does not load", []zendesktest.Option{zendesktest.WithSpec([]byte("openapi: ["))}, "load spec"},
		{"unknown operation", []zendesktest.Option{zendesktest.WithFaultRates(zendesktest.FaultRates{Reset: 0.1, Operations: []string{"ShowTikcet"}})}, `no operation "ShowTikcet"`},
		// An address in use is Start's to find: CheckOptions does not listen.
		{"address not checked", []zendesktest.Option{zendesktest.WithAddr("256.0.0.1:http")}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := zendesktest.CheckOptions(c.opts...)
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, c.want)
		})
	}
}
