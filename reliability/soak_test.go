package reliability

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
	"go.uber.org/goleak"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// soakRates are the faults of the soak: 10% 429s with Retry-After, 5%
// 500/503, 2% truncated bodies, 1% connection resets, 1% slow answers.
func soakRates(ops ...string) zendesktest.FaultRates {
	return zendesktest.FaultRates{
		RateLimit: 0.10, ServerError: 0.025, Unavailable: 0.025, Truncated: 0.02, Reset: 0.01, Slow: 0.01,
		RetryAfter: 20 * time.Millisecond, Delay: 100 * time.Millisecond, Operations: ops,
	}
}

// soakPolicy retries more than the default: with 18% of attempts faulted,
// eight attempts fail together once in a few million requests. The budget
// is sized for a run that faults on purpose.
var soakPolicy = zendesk.RetryPolicy{MaxAttempts: 8, MinBackoff: 5 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
	MaxRetryAfter: 5 * time.Second, MaxElapsed: time.Minute, Budget: 10_000}

const soakBound = 4 * time.Minute

// TestSoakRecordsExactlyOnce iterates 200,000 records — 100,000 tickets by
// cursor pagination and 100,000 by the cursor-based incremental export, at
// the same time — while the server faults, and checks that every record
// arrives exactly once, within the bound, leaving no goroutine.
func TestSoakRecordsExactlyOnce(t *testing.T) {
	defer goleak.VerifyNone(t)
	const perSource = 100_000
	srv, err := zendesktest.Start(zendesktest.WithTickets(perSource), zendesktest.WithoutRateLimits(), zendesktest.WithSeed(20261128),
		zendesktest.WithFaultRates(soakRates("ListTickets", "IncrementalTicketCursorExport")))
	require.NoError(t, err)
	defer srv.Close()
	client, err := srv.Client(zendesk.WithoutOperationPacing(), zendesk.WithRetry(soakPolicy))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), soakBound)
	defer cancel()
	start := time.Now()
	type source struct {
		name string
		seen []uint8
		errs []error
	}
	sources := []*source{{name: "cursor pagination"}, {name: "cursor export"}}
	var wg sync.WaitGroup
	for i, s := range sources {
		s.seen = make([]uint8, perSource+1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			count := func(id *int64, err error) {
				switch {
				case err != nil:
					s.errs = append(s.errs, err)
				case id == nil || *id < 1 || *id > perSource:
					s.errs = append(s.errs, fmt.Errorf("unexpected ticket id %v", id))
				default:
					s.seen[*id]++
				}
			}
			if i == 0 {
				for tk, err := range client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}, zendesk.WithPrefetch()) {
					count(tk.ID, err)
				}
				return
			}
			params := &zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(int64(1))}
			for tk, err := range client.IncrementalTicketCursorExportAll(ctx, params, zendesk.WithPageSize(1000)) {
				count(tk.ID, err)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	records, lost, duplicated := 0, 0, 0
	for _, s := range sources {
		require.Empty(t, s.errs, s.name)
		for id := 1; id <= perSource; id++ {
			switch n := int(s.seen[id]); {
			case n == 0:
				lost++
			case n > 1:
				duplicated += n - 1
			}
			records += int(s.seen[id])
		}
	}
	st := srv.Stats()
	retries := st.TotalFaults()
	t.Logf("records: %d, lost %d, duplicated %d, retries %d, elapsed %s", records-duplicated, lost, duplicated, retries, elapsed.Round(time.Millisecond))
	t.Logf("faults injected: %v over %d requests", st.Faults, st.Total())
	assert.Equal(t, 2*perSource, records)
	assert.Zero(t, lost)
	assert.Zero(t, duplicated)
	assert.Greater(t, retries, 100, "the run did meet faults")
	for _, k := range []zendesktest.FaultKind{zendesktest.FaultRateLimit, zendesktest.FaultServerError, zendesktest.FaultUnavailable, zendesktest.FaultTruncated, zendesktest.FaultReset, zendesktest.FaultSlow} {
		assert.Positive(t, st.Faults[k], "fault %s met", k)
	}
	assert.Less(t, elapsed, soakBound)
}

// TestSoakJobsExactlyOnce creates 50 bulk jobs (Create Many Tickets, two
// tickets each) and waits for them while creation and polling fault. A call
// that fails is made again with the same Idempotency-Key, so that a job the
// server did create is found again rather than created twice. Every job must
// reach its final state and every ticket exist exactly once.
func TestSoakJobsExactlyOnce(t *testing.T) {
	defer goleak.VerifyNone(t)
	const jobs = 50
	srv, err := zendesktest.Start(zendesktest.WithTickets(10), zendesktest.WithoutRateLimits(), zendesktest.WithSeed(7),
		zendesktest.WithJobQueueLimit(jobs), zendesktest.WithFaultRates(soakRates("CreateManyTickets", "ShowJobStatus")))
	require.NoError(t, err)
	defer srv.Close()
	client, err := srv.Client(zendesk.WithRetry(soakPolicy))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), soakBound)
	defer cancel()

	start := time.Now()
	var attempts, failedAttempts atomic.Int32
	finals := make([]string, jobs)
	jobIDs := make([]string, jobs)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			body := zendesk.CreateManyTicketsJSONRequestBody{Tickets: []zendesk.TicketInput{
				{Subject: zendesk.Ptr(fmt.Sprintf("soak job %d ticket 1", i)), Comment: &zendesk.TicketCommentInput{Body: zendesk.Ptr("first")}},
				{Subject: zendesk.Ptr(fmt.Sprintf("soak job %d ticket 2", i)), Comment: &zendesk.TicketCommentInput{Body: zendesk.Ptr("second")}},
			}}
			keyed := zendesk.WithIdempotencyKey(ctx, fmt.Sprintf("soak-job-%d", i))
			for try := 0; try < 20 && ctx.Err() == nil; try++ {
				attempts.Add(1)
				job, err := client.CreateManyTicketsAndWait(keyed, body, zendesk.WithPollInterval(10*time.Millisecond, 50*time.Millisecond))
				var je *zendesk.JobError
				switch {
				case err == nil:
					finals[i], jobIDs[i] = string(*job.Status), *job.ID
					return
				case errors.As(err, &je):
					finals[i], jobIDs[i] = string(*je.Job.Status), *je.Job.ID
					return
				}
				failedAttempts.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	ids := map[string]int{}
	for i := 0; i < jobs; i++ {
		assert.Equal(t, "completed", finals[i], "job %d", i)
		ids[jobIDs[i]]++
	}
	assert.Len(t, ids, jobs, "50 distinct jobs")

	// Every ticket the jobs created exists exactly once.
	subjects := map[string]int{}
	for tk, err := range client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}) {
		require.NoError(t, err)
		if tk.Subject != nil {
			subjects[*tk.Subject]++
		}
	}
	created, twice := 0, 0
	for i := 0; i < jobs; i++ {
		for n := 1; n <= 2; n++ {
			switch c := subjects[fmt.Sprintf("soak job %d ticket %d", i, n)]; {
			case c == 1:
				created++
			case c > 1:
				twice++
			}
		}
	}
	st := srv.Stats()
	final := 0
	for _, f := range finals {
		if f == "completed" || f == "failed" || f == "killed" {
			final++
		}
	}
	t.Logf("jobs: %d, in a final state %d, distinct %d; tickets created %d, created twice %d; calls %d (%d failed and were made again with their key, %d answered from the key); faults %d; elapsed %s",
		jobs, final, len(ids), created, twice, attempts.Load(), failedAttempts.Load(), st.IdempotencyHits, st.TotalFaults(), elapsed.Round(time.Millisecond))
	assert.Equal(t, 2*jobs, created)
	assert.Zero(t, twice)
	assert.Positive(t, st.TotalFaults())
}
