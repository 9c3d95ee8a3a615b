package zendesk_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// TestAccountPacingSharedAccount runs clients that share one account of
// the fake (each standing in for a process), each with several callers,
// for three of the account's windows: pacing by the account's headers, they
// meet no 429 and every call succeeds. (How much of the limit they reach is
// measured by go run ./bench/report -only pacing, not asserted here.)
func TestAccountPacingSharedAccount(t *testing.T) {
	for _, clients := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d clients", clients), func(t *testing.T) {
			const scale = 60 // the account's minute is a second
			srv := zendesktest.NewServer(t, zendesktest.WithTickets(10), zendesktest.WithAccountRateLimit(300), zendesktest.WithTimeScale(scale))
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute/scale)
			defer cancel()
			var ok, failed atomic.Int64
			var wg sync.WaitGroup
			for range clients {
				c, err := srv.Client(zendesk.WithRetry(zendesk.NoRetry))
				require.NoError(t, err)
				for g := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for ctx.Err() == nil {
							_, err := c.ShowTicket(ctx, int64(g+1), nil)
							switch {
							case err == nil:
								ok.Add(1)
							case !errors.Is(err, context.DeadlineExceeded):
								failed.Add(1)
							}
						}
					}()
				}
			}
			wg.Wait()
			tooMany := 0
			for _, n := range srv.Stats().RateLimited {
				tooMany += n
			}
			assert.Zero(t, tooMany, "429s, %d clients", clients)
			assert.Zero(t, failed.Load(), "failed calls (no retries: a 429 fails the call)")
			assert.Positive(t, ok.Load())
			t.Logf("%d clients: %d calls of the 900 the limit allows in 3 windows", clients, ok.Load())
		})
	}
}
