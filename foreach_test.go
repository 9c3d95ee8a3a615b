package zendesk_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// TestForEach runs calls at once on one client, against an account limit
// they exceed: every item gets its own result, no more than n run at a
// time, and the pacer keeps them from every 429.
func TestForEach(t *testing.T) {
	// 100 a minute, a minute a second: 150 calls span two windows.
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(50), zendesktest.WithAccountRateLimit(100), zendesktest.WithTimeScale(60))
	client, err := srv.Client(zendesk.WithRetry(zendesk.NoRetry))
	require.NoError(t, err)
	ids := make([]int64, 150)
	for i := range ids {
		ids[i] = int64(i%50 + 1)
	}
	ids[7], ids[99] = 100_000, 100_001 // no such tickets
	const n = 8
	var running, most atomic.Int32
	errs := zendesk.ForEach(context.Background(), ids, n, func(ctx context.Context, id int64) error {
		now := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		_, err := client.ShowTicket(ctx, id, nil)
		return err
	})
	require.Len(t, errs, len(ids))
	for i, err := range errs {
		if i == 7 || i == 99 {
			var apiErr *zendesk.APIError
			require.ErrorAs(t, err, &apiErr, "item %d", i)
			assert.Equal(t, 404, apiErr.StatusCode, "item %d", i)
			continue
		}
		assert.NoError(t, err, "item %d", i)
	}
	assert.LessOrEqual(t, most.Load(), int32(n), "at most n calls at a time")
	assert.Greater(t, most.Load(), int32(1), "calls ran at once")
	tooMany := 0
	for _, c := range srv.Stats().RateLimited {
		tooMany += c
	}
	assert.Zero(t, tooMany, "429s")
}

// TestForEachCancel: once ctx is done the items not started fail with its
// error, and those done keep their results.
func TestForEachCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	items := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	var calls atomic.Int32
	errs := zendesk.ForEach(ctx, items, 1, func(ctx context.Context, i int) error {
		calls.Add(1)
		if err := ctx.Err(); err != nil {
			return err
		}
		if i == 3 {
			cancel()
		}
		if i == 2 {
			return errors.New("two")
		}
		return nil
	})
	require.Len(t, errs, len(items))
	assert.NoError(t, errs[0])
	assert.NoError(t, errs[1])
	assert.EqualError(t, errs[2], "two")
	assert.NoError(t, errs[3])
	for i := 4; i < len(items); i++ {
		assert.ErrorIs(t, errs[i], context.Canceled, "item %d", i)
	}
	assert.LessOrEqual(t, calls.Load(), int32(5), "nothing started after the cancel but the item already handed over")
}

func TestForEachEdges(t *testing.T) {
	assert.Empty(t, zendesk.ForEach(context.Background(), []int(nil), 4, func(context.Context, int) error { return errors.New("never") }))
	var most, running atomic.Int32
	errs := zendesk.ForEach(context.Background(), []int{1, 2, 3}, 0, func(context.Context, int) error {
		if now := running.Add(1); now > most.Load() {
			most.Store(now)
		}
		running.Add(-1)
		return nil
	})
	assert.Equal(t, []error{nil, nil, nil}, errs)
	assert.Equal(t, int32(1), most.Load(), "n below 1 is one call at a time")
}
