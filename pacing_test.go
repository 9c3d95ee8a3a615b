package zendesk

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// paceAfter makes one call to a server answering with the headers, and
// returns the client's account pacer's decision for the next request, a
// nanosecond after the call was let go: whether it may go and how long
// after the call it may (the decision is computed, not waited for). The
// pacer is nil when pacing is off.
func paceAfter(t *testing.T, header map[string]string, opts ...Option) (a *accountPacer, ok bool, wait time.Duration) {
	t.Helper()
	c, _, _ := newTestClient(t, []answer{{status: 200, header: header, body: ticketJSON}}, append([]Option{WithRetry(NoRetry)}, opts...)...)
	require.NotPanics(t, func() { require.NoError(t, showTicket(c)) })
	a = c.tr.pacer.account
	if a == nil {
		return nil, true, 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	last := a.last
	ok, until, _ := a.next(last.Add(time.Nanosecond))
	if !until.IsZero() {
		wait = until.Sub(last)
	}
	return a, ok, wait
}

func TestAccountPacing(t *testing.T) {
	evenly := time.Minute / 110 // 100 a minute at paceRate
	cases := []struct {
		name   string
		header map[string]string
		opts   []Option
		// paced: the answer set a pace; then the next request waits
		// between min and max after the call (ok: it may go at once).
		paced    bool
		min, max time.Duration
	}{
		{"full budget: even flow up to the limit", map[string]string{"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "99"},
			nil, true, evenly * 9 / 10, evenly * 11 / 10},
		{"ratelimit-* family", map[string]string{"Ratelimit-Limit": "100", "Ratelimit-Remaining": "99", "Ratelimit-Reset": "30"},
			nil, true, evenly * 9 / 10, evenly * 11 / 10},
		{"budget nearly spent: the rest spread over the horizon", map[string]string{"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "4"},
			nil, true, time.Second / 2, time.Minute},
		// Spent, the client waits for its own request to leave the
		// window (a minute), and at least for the reset.
		{"spent: wait for the budget to grow", map[string]string{"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "0", "Ratelimit-Reset": "7"},
			nil, true, 7 * time.Second, time.Minute + time.Second},
		{"headroom keeps half the limit", map[string]string{"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "52", "Ratelimit-Reset": "7"},
			[]Option{WithHeadroom(0.5)}, true, 7 * time.Second, time.Minute + time.Second},
		{"headroom: spacing of the smaller limit", map[string]string{"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "99"},
			[]Option{WithHeadroom(0.5)}, true, 2 * evenly * 9 / 10, 2 * evenly * 11 / 10},
		{"no headers: unpaced", nil, nil, false, 0, 0},
		{"garbage: unpaced", map[string]string{"X-Rate-Limit": "lots", "X-Rate-Limit-Remaining": "few", "Ratelimit-Reset": "soon"}, nil, false, 0, 0},
		{"negative: unpaced", map[string]string{"X-Rate-Limit": "-100", "X-Rate-Limit-Remaining": "-1"}, nil, false, 0, 0},
		{"overflow: unpaced", map[string]string{"X-Rate-Limit": "99999999999999999999999", "X-Rate-Limit-Remaining": "1e400"}, nil, false, 0, 0},
		{"remaining without a limit: unpaced", map[string]string{"X-Rate-Limit-Remaining": "0"}, nil, false, 0, 0},
		{"garbage reset: read as none", map[string]string{"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "0", "Ratelimit-Reset": "NaN"},
			nil, true, time.Second / 2, time.Minute + time.Second},
		{"remaining above the limit: the limit", map[string]string{"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "5000"},
			nil, true, evenly * 9 / 10, evenly * 11 / 10},
		{"pacing off", map[string]string{"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "0", "Ratelimit-Reset": "3600"},
			[]Option{WithoutAccountPacing()}, false, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, ok, wait := paceAfter(t, tc.header, tc.opts...)
			if !tc.paced {
				assert.True(t, ok, "may go at once")
				assert.Zero(t, wait)
				if a != nil {
					assert.Equal(t, -1, a.limit, "no limit read")
				}
				return
			}
			require.NotNil(t, a)
			assert.False(t, ok, "spaced from the call")
			assert.GreaterOrEqual(t, wait, tc.min)
			assert.LessOrEqual(t, wait, tc.max)
		})
	}
	t.Run("less remaining, wider spacing", func(t *testing.T) {
		var prev time.Duration
		for _, remaining := range []string{"30", "20", "15"} {
			_, _, wait := paceAfter(t, map[string]string{"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": remaining})
			assert.Greater(t, wait, prev, "remaining %s", remaining)
			prev = wait
		}
	})
}

// TestAccountPacingCeiling: WithRateLimit holds the client to its ceiling
// where Zendesk's budget would let it go faster.
func TestAccountPacingCeiling(t *testing.T) {
	c, rec, _ := newTestClient(t, []answer{{status: 200, header: map[string]string{"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "699"}, body: ticketJSON}},
		WithRateLimit(6), WithRetry(NoRetry)) // one every 10 s
	require.NoError(t, showTicket(c))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.ShowTicket(ctx, 1, nil)
	require.Error(t, err, "the ceiling holds the second call past the deadline")
	assert.Len(t, rec.got(), 1)
}

// TestAccountPacingCancel: a call waiting for the budget returns ctx's
// error when ctx is canceled.
func TestAccountPacingCancel(t *testing.T) {
	c, rec, _ := newTestClient(t, []answer{{status: 200, header: map[string]string{"X-Rate-Limit": "100", "X-Rate-Limit-Remaining": "0", "Ratelimit-Reset": "3600"}, body: ticketJSON}},
		WithRetry(NoRetry))
	require.NoError(t, showTicket(c))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err := c.ShowTicket(ctx, 1, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, rec.got(), 1, "the waiting call was not sent")
}

// TestAccountPacingRetryAfter: a 429's Retry-After holds the client's next
// calls when the retry policy would wait it out, and holds none when it
// would not (the call fails at once instead).
func TestAccountPacingRetryAfter(t *testing.T) {
	tooMany := func(ra string) answer {
		return answer{status: 429, header: map[string]string{"Retry-After": ra}, body: `{"error":"TooManyRequests"}`}
	}
	ok := answer{status: 200, body: ticketJSON}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	c, _, _ := newTestClient(t, []answer{tooMany("9999"), ok}, WithRetry(NoRetry))
	var rl *RateLimitError
	require.ErrorAs(t, showTicket(c), &rl)
	_, err := c.ShowTicket(ctx, 1, nil)
	require.NoError(t, err, "a Retry-After beyond MaxRetryAfter holds no other call")

	c, rec, _ := newTestClient(t, []answer{tooMany("60"), ok}, WithRetry(RetryPolicy{MaxAttempts: 1, MaxRetryAfter: time.Hour}))
	require.ErrorAs(t, showTicket(c), &rl)
	short, cancelShort := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancelShort()
	_, err = c.ShowTicket(short, 1, nil)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "held by the Retry-After: %v", err)
	assert.Len(t, rec.got(), 1)
}
