package reliability

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// TestInterruptedExportResumesExactlyOnce stops an export at random points —
// the context cancelled in the middle of a page, with the next page being
// prefetched — as a process that dies would, then starts a new client from
// the checkpoint file and checks that the two runs together saw every
// ticket exactly once. Faults are injected all along.
func TestInterruptedExportResumesExactlyOnce(t *testing.T) {
	defer goleak.VerifyNone(t)
	const tickets = 5000
	srv, err := zendesktest.Start(zendesktest.WithTickets(tickets), zendesktest.WithoutRateLimits(), zendesktest.WithSeed(99),
		zendesktest.WithFaultRates(soakRates("ListTickets", "IncrementalTicketCursorExport")))
	require.NoError(t, err)
	defer srv.Close()

	rng := rand.New(rand.NewPCG(2026, 11))
	kinds := []string{"cursor export", "cursor pagination"}
	for trial := 0; trial < 12; trial++ {
		kind := kinds[trial%2]
		stopAt := 1 + rng.IntN(tickets-1)
		checkpoint := filepath.Join(t.TempDir(), "export.checkpoint")
		seen := make([]int, tickets+1)

		// run iterates from the checkpoint file (if any) with a fresh client,
		// saving the position after every ticket; it stops at stop (0: never).
		run := func(stop int) (int, error) {
			client, err := srv.Client(zendesk.WithoutOperationPacing(), zendesk.WithRetry(soakPolicy))
			if err != nil {
				return 0, err
			}
			var pos zendesk.Position
			if b, err := os.ReadFile(checkpoint); err == nil {
				if err := pos.UnmarshalText(b); err != nil {
					return 0, err
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opts := []zendesk.ListOption{zendesk.WithStart(pos), zendesk.TrackPosition(&pos), zendesk.WithPrefetch()}
			var seq func(func(zendesk.Ticket, error) bool)
			if kind == "cursor export" {
				seq = client.IncrementalTicketCursorExportAll(ctx, &zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(int64(1))}, append(opts, zendesk.WithPageSize(300))...)
			} else {
				seq = client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}, append(opts, zendesk.WithPageSize(100))...)
			}
			n := 0
			for tk, err := range seq {
				if err != nil {
					if errors.Is(err, context.Canceled) {
						return n, nil // the "crash": what was saved is all that is left
					}
					return n, err
				}
				seen[*tk.ID]++
				n++
				text, _ := pos.MarshalText()
				if err := os.WriteFile(checkpoint, text, 0o600); err != nil {
					return n, err
				}
				if n == stop {
					cancel() // the process dies here, before anything else is saved
				}
			}
			return n, nil
		}
		first, err := run(stopAt)
		require.NoError(t, err, "trial %d (%s) first run", trial, kind)
		second, err := run(0)
		require.NoError(t, err, "trial %d (%s) resumed run", trial, kind)
		lost, twice := 0, 0
		for id := 1; id <= tickets; id++ {
			switch seen[id] {
			case 0:
				lost++
			case 1:
			default:
				twice++
			}
		}
		assert.Zero(t, lost, "trial %d (%s) stopped after %d", trial, kind, stopAt)
		assert.Zero(t, twice, "trial %d (%s) stopped after %d", trial, kind, stopAt)
		assert.Equal(t, tickets, first+second, "trial %d", trial)
		t.Logf("%s stopped after %d tickets, resumed for %d: lost %d, twice %d", kind, first, second, lost, twice)
	}
}
