package reliability

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
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

// leakOptions are the goroutines the leak checks ignore: the CPU
// profiler's writer, alive for the whole run under -cpuprofile.
var leakOptions = []goleak.Option{goleak.IgnoreAnyFunction("runtime/pprof.profileWriter")}

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

// wire is the client's HTTP transport, counting what goes over the wire:
// the logical calls (a call is one method and URL: every page of a listing
// has its own cursor, and a retry sends the same URL again) and the bulk
// creations the server answered 200, which are the ones it processed (a
// truncated answer has its 200 too; a reset or an error answer processed
// nothing). Retries are the server's requests less the logical calls: Go's
// HTTP transport sends a GET whose reused connection was reset again by
// itself, below any RoundTripper, so only the server sees every attempt.
type wire struct {
	base *http.Transport

	mu      sync.Mutex
	calls   map[string]bool
	created int
}

func newWire() *wire {
	return &wire{base: &http.Transport{MaxIdleConnsPerHost: 32, IdleConnTimeout: 30 * time.Second}, calls: map[string]bool{}}
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	w.mu.Lock()
	w.calls[r.Method+" "+r.URL.String()] = true
	w.mu.Unlock()
	resp, err := w.base.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && r.URL.Path == "/api/v2/tickets/create_many" && resp.StatusCode == http.StatusOK {
		w.mu.Lock()
		w.created++
		w.mu.Unlock()
	}
	return resp, err
}

// client is an *http.Client over the wire.
func (w *wire) client() *http.Client { return &http.Client{Transport: w, Timeout: 2 * time.Minute} }

// logicalCalls is the number of distinct calls made (of GETs: each URL
// once, however often it was sent).
func (w *wire) logicalCalls() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.calls)
}

func (w *wire) createdJobs() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.created
}

// TestSoakRecordsExactlyOnce iterates 200,000 records — 100,000 tickets by
// cursor pagination and 100,000 by the cursor-based incremental export, at
// the same time — while the server faults, and checks that every record
// arrives exactly once, within the bound, leaving no goroutine. With
// -short (the race detector's run) it iterates 2 × 20,000 under the same
// fault rates, with one fault of each kind first and a lower floor on the
// retries met.
func TestSoakRecordsExactlyOnce(t *testing.T) {
	defer goleak.VerifyNone(t, leakOptions...)
	perSource, minRetries := 100_000, 100
	opts := []zendesktest.Option{zendesktest.WithoutRateLimits(), zendesktest.WithSeed(20261128),
		zendesktest.WithFaultRates(soakRates("ListTickets", "IncrementalTicketCursorExport"))}
	if testing.Short() {
		// A fifth of the records, at the same rates: some 300 requests,
		// too few to be sure to draw every kind of fault, so one of each
		// comes first.
		perSource, minRetries = 20_000, 20
		var each []zendesktest.Fault
		for _, k := range []zendesktest.FaultKind{zendesktest.FaultRateLimit, zendesktest.FaultServerError, zendesktest.FaultUnavailable, zendesktest.FaultTruncated, zendesktest.FaultReset, zendesktest.FaultSlow} {
			each = append(each, zendesktest.Fault{Kind: k, RetryAfter: 20 * time.Millisecond, Delay: 100 * time.Millisecond}, zendesktest.Fault{})
		}
		opts = append(opts, zendesktest.WithFaultScript("", each...))
	}
	srv, err := zendesktest.Start(append(opts, zendesktest.WithTickets(perSource))...)
	require.NoError(t, err)
	defer srv.Close()
	w := newWire()
	defer w.base.CloseIdleConnections()
	client, err := srv.Client(zendesk.WithoutOperationPacing(), zendesk.WithRetry(soakPolicy), zendesk.WithHTTPClient(w.client()))
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
				case id == nil || *id < 1 || *id > int64(perSource):
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
	retries := st.Total() - w.logicalCalls()
	// Every fault but a slow answer costs one more attempt; a slow answer
	// costs none.
	retryFaults := st.TotalFaults() - st.Faults[zendesktest.FaultSlow]
	t.Logf("records: %d, lost %d, duplicated %d, retries %d, elapsed %s", records-duplicated, lost, duplicated, retries, elapsed.Round(time.Millisecond))
	t.Logf("faults injected: %v over %d requests (%d that call for a retry)", st.Faults, st.Total(), retryFaults)
	assert.Equal(t, 2*perSource, records)
	assert.Zero(t, lost)
	assert.Zero(t, duplicated)
	assert.Greater(t, retries, minRetries, "the run did meet faults")
	assert.Equal(t, retryFaults, retries, "one retry for each fault that calls for one")
	for _, k := range []zendesktest.FaultKind{zendesktest.FaultRateLimit, zendesktest.FaultServerError, zendesktest.FaultUnavailable, zendesktest.FaultTruncated, zendesktest.FaultReset, zendesktest.FaultSlow} {
		assert.Positive(t, st.Faults[k], "fault %s met", k)
	}
	assert.NoError(t, ctx.Err(), "the run ended within its bound")
}

// TestSoakJobsExactlyOnce creates 50 bulk jobs (Create Many Tickets, two
// tickets each, every ticket with its own external_id) and waits for them
// while every call faults, then creates 50 single tickets with an
// Idempotency-Key. It relies only on what Zendesk guarantees:
//
//   - Create Many Tickets does not honour Idempotency-Key, so the client
//     never sends it again once it may have been processed (only after a
//     429). When a creation fails without saying whether the job was
//     created (a reset, a 5xx, a reply cut short), the careful user waits
//     until every job that exists is final (List Job Statuses, Wait Job),
//     looks the tickets up by external_id, and submits again only the
//     missing ones; a job that failed or was killed is handled the same
//     way.
//   - Create Ticket honours Idempotency-Key: a call that fails is made
//     again with the same key, and a ticket the server did create is
//     answered from the key instead of created twice. Some replies are cut
//     short on purpose, so that this happens.
//
// The checks are on the server's state: every logical ticket exists exactly
// once (counted by external_id over all tickets), every job is final, and
// the server has as many jobs as creations it answered 200. The same run
// by a careless user, who submits everything again after any failure, must
// create tickets twice: the checks can fail.
func TestSoakJobsExactlyOnce(t *testing.T) {
	defer goleak.VerifyNone(t, leakOptions...)
	r := runJobSoak(t, true)
	t.Logf("jobs: %d (%d on the server), in a final state %d, tickets %d (and %d keyed), lost %d, created twice %d; ambiguous failures %d resolved by lookup (%d had been processed), failed or killed jobs %d; keyed creates %d, answered from the key %d; faults %d; elapsed %s",
		r.logicalJobs, r.serverJobs, r.finalJobs, r.tickets, r.keyedTickets, r.lost, r.twice, r.ambiguous, r.processed, r.failedJobs,
		r.keyed, r.keyHits, r.faults, r.elapsed.Round(time.Millisecond))
	assert.Equal(t, r.serverJobs, r.finalJobs, "every job reached a final state")
	assert.Equal(t, r.answered200, r.serverJobs, "one job on the server per creation the server processed")
	assert.Equal(t, 2*r.logicalJobs, r.tickets, "every logical ticket exists")
	assert.Equal(t, r.keyed, r.keyedTickets, "every keyed ticket exists")
	assert.Zero(t, r.lost)
	assert.Zero(t, r.twice, "no ticket created twice")
	assert.Positive(t, r.ambiguous, "creations failed ambiguously")
	assert.Positive(t, r.processed, "some of them had been processed")
	assert.Less(t, r.processed, r.ambiguous, "and some had not")
	assert.Positive(t, r.failedJobs, "jobs failed or were killed")
	assert.Positive(t, r.keyHits, "keyed creates answered from the key")
	assert.Positive(t, r.faults)

	t.Run("a careless user creates tickets twice", func(t *testing.T) {
		r := runJobSoak(t, false)
		t.Logf("careless: tickets %d (and %d keyed), lost %d, created twice %d (%d jobs on the server)", r.tickets, r.keyedTickets, r.lost, r.twice, r.serverJobs)
		assert.Positive(t, r.twice, "submitting everything again after an ambiguous failure duplicates what was processed")
	})
}

type jobSoakResult struct {
	logicalJobs, serverJobs, finalJobs, answered200 int
	tickets, keyedTickets, lost, twice              int
	ambiguous, processed, failedJobs                int
	keyed, keyHits, faults                          int
	elapsed                                         time.Duration
}

// runJobSoak runs the job soak as a careful user (or a careless one, who
// submits everything again after any failure and uses a new
// Idempotency-Key for each try) and counts what the server ends with.
func runJobSoak(t *testing.T, careful bool) jobSoakResult {
	const jobs, keyed = 50, 50
	// Scripted faults come first, then random ones: creations whose reply
	// is cut short after the server processed them, and creations reset or
	// refused before it did.
	var many, single []zendesktest.Fault
	for k := range 24 {
		switch k % 6 {
		case 0:
			many = append(many, zendesktest.Fault{Kind: zendesktest.FaultTruncated})
		case 3:
			kinds := []zendesktest.FaultKind{zendesktest.FaultReset, zendesktest.FaultServerError, zendesktest.FaultUnavailable, zendesktest.FaultReset}
			many = append(many, zendesktest.Fault{Kind: kinds[k/6], RetryAfter: 20 * time.Millisecond})
		default:
			many = append(many, zendesktest.Fault{})
		}
	}
	for k := range 20 {
		f := zendesktest.Fault{}
		if k%4 == 0 {
			f.Kind = zendesktest.FaultTruncated
		}
		single = append(single, f)
	}
	outcomes := []zendesktest.JobOutcome{zendesktest.JobCompletes, zendesktest.JobFails, zendesktest.JobCompletes, zendesktest.JobCompletes,
		zendesktest.JobIsKilled, zendesktest.JobCompletes, zendesktest.JobCompletes, zendesktest.JobFails}
	srv, err := zendesktest.Start(zendesktest.WithTickets(10), zendesktest.WithoutRateLimits(), zendesktest.WithSeed(7),
		zendesktest.WithJobQueueLimit(jobs), zendesktest.WithJobPolls(4), zendesktest.WithJobScript(outcomes...),
		zendesktest.WithFaultScript("CreateManyTickets", many...), zendesktest.WithFaultScript("CreateTicket", single...),
		zendesktest.WithFaultRates(soakRates("CreateManyTickets", "ShowJobStatus", "ListJobStatuses", "ListTickets", "CreateTicket")))
	require.NoError(t, err)
	defer srv.Close()
	w := newWire()
	defer w.base.CloseIdleConnections()
	client, err := srv.Client(zendesk.WithRetry(soakPolicy), zendesk.WithHTTPClient(w.client()))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), soakBound)
	defer cancel()
	poll := zendesk.WithPollInterval(10*time.Millisecond, 50*time.Millisecond)
	ext := func(job, n int) string { return fmt.Sprintf("soak-job-%02d-ticket-%d", job, n) }

	start := time.Now()
	var ambiguous, processed, failedJobs, keyHits atomic.Int32
	var mu sync.Mutex
	var errs []error
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			missing := []string{ext(i, 1), ext(i, 2)}
			for try := 0; len(missing) > 0; try++ {
				if try == 20 || ctx.Err() != nil {
					fail(fmt.Errorf("job %d: still missing %v after %d tries", i, missing, try))
					return
				}
				_, err := client.CreateManyTicketsAndWait(ctx, manyTickets(missing), poll)
				if err == nil {
					return
				}
				var je *zendesk.JobError
				var rl *zendesk.RateLimitError
				switch {
				case !careful:
					continue // everything again
				case errors.As(err, &rl) && rl.StatusCode == http.StatusTooManyRequests:
					continue // a 429 was not processed: submit it again
				case errors.As(err, &je):
					failedJobs.Add(1) // it may have done part of its work
				default:
					ambiguous.Add(1)
					if err := settleJobs(ctx, client, poll); err != nil {
						fail(fmt.Errorf("job %d: %w", i, err))
						return
					}
				}
				still, err := missingTickets(ctx, client, missing)
				if err != nil {
					fail(fmt.Errorf("job %d: %w", i, err))
					return
				}
				if je == nil && len(still) < len(missing) {
					processed.Add(1)
				}
				missing = still
			}
		})
	}
	wg.Wait()

	for i := range keyed {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			body := zendesk.CreateTicketJSONRequestBody{Ticket: zendesk.TicketInput{ExternalID: zendesk.Ptr(fmt.Sprintf("soak-keyed-%02d", i)),
				Subject: zendesk.Ptr("keyed soak ticket"), Comment: &zendesk.TicketCommentInput{Body: zendesk.Ptr("created with an Idempotency-Key")}}}
			for try := range 20 {
				key := fmt.Sprintf("soak-keyed-%02d", i)
				if !careful {
					key += fmt.Sprintf("-try-%d", try)
				}
				var resp *http.Response
				_, err := client.CreateTicket(zendesk.WithIdempotencyKey(ctx, key), &zendesk.CreateTicketParams{}, body, zendesk.KeepResponse(&resp))
				if err == nil {
					if zendesk.IdempotencyLookup(resp) == "hit" {
						keyHits.Add(1)
					}
					return
				}
				if ctx.Err() != nil {
					break
				}
			}
			fail(fmt.Errorf("keyed create %d: failed 20 times", i))
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	require.Empty(t, errs)

	// The server's state: its jobs first (looking at them moves them on),
	// then every ticket by external_id, once time has let any job left
	// behind do its work, as it would on Zendesk.
	r := jobSoakResult{logicalJobs: jobs, keyed: keyed, ambiguous: int(ambiguous.Load()), processed: int(processed.Load()),
		failedJobs: int(failedJobs.Load()), keyHits: int(keyHits.Load()), elapsed: elapsed}
	for js, err := range client.ListJobStatusesAll(ctx, &zendesk.ListJobStatusesParams{}) {
		require.NoError(t, err)
		r.serverJobs++
		if finalJob(*js) {
			r.finalJobs++
		}
	}
	r.answered200 = w.createdJobs()
	require.NoError(t, srv.AdvanceClock(zendesktest.DefaultJobDuration))
	byExt := map[string]int{}
	for tk, err := range client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}) {
		require.NoError(t, err)
		if tk.ExternalID != nil && strings.HasPrefix(*tk.ExternalID, "soak-") {
			byExt[*tk.ExternalID]++
		}
	}
	want := map[string]bool{}
	for i := range jobs {
		want[ext(i, 1)], want[ext(i, 2)] = true, true
	}
	for i := range keyed {
		want[fmt.Sprintf("soak-keyed-%02d", i)] = true
	}
	for e := range want {
		switch n := byExt[e]; {
		case n == 0:
			r.lost++
		case n > 1:
			r.twice++
		}
	}
	for e, n := range byExt {
		switch {
		case want[e] && strings.HasPrefix(e, "soak-keyed-"):
			r.keyedTickets++
		case want[e]:
			r.tickets++
		default:
			t.Errorf("a ticket nobody asked for: %s (%d)", e, n)
		}
	}
	st := srv.Stats()
	r.faults = st.TotalFaults()
	assert.Equal(t, r.keyHits > 0, st.IdempotencyHits > 0, "the client saw hits where the server answered from the key")
	r.keyHits = max(r.keyHits, st.IdempotencyHits)
	return r
}

// manyTickets is the body of a bulk creation of the tickets with these
// external ids.
func manyTickets(exts []string) zendesk.CreateManyTicketsJSONRequestBody {
	body := zendesk.CreateManyTicketsJSONRequestBody{}
	for _, e := range exts {
		body.Tickets = append(body.Tickets, zendesk.TicketInput{ExternalID: zendesk.Ptr(e), Subject: zendesk.Ptr("soak " + e),
			Comment: &zendesk.TicketCommentInput{Body: zendesk.Ptr("created by a bulk job")}})
	}
	return body
}

func finalJob(js zendesk.JobStatus) bool {
	if js.Status == nil {
		return false
	}
	switch *js.Status {
	case zendesk.JobStatusStatusCompleted, zendesk.JobStatusStatusFailed, zendesk.JobStatusStatusKilled:
		return true
	}
	return false
}

// settleJobs waits until every job the account has is final: after a
// creation that may or may not have queued a job, that job's tickets exist
// (or never will) only once it is.
func settleJobs(ctx context.Context, client *zendesk.Client, poll zendesk.WaitOption) error {
	var last error
	for range 5 {
		var open []string
		last = nil
		for js, err := range client.ListJobStatusesAll(ctx, &zendesk.ListJobStatusesParams{}) {
			if err != nil {
				last = fmt.Errorf("list the jobs: %w", err)
				break
			}
			if !finalJob(*js) && js.ID != nil {
				open = append(open, *js.ID)
			}
		}
		for _, id := range open {
			if last != nil {
				break
			}
			if _, err := client.WaitJob(ctx, id, poll); err != nil {
				if je := (*zendesk.JobError)(nil); !errors.As(err, &je) {
					last = fmt.Errorf("wait for job %s: %w", id, err)
				}
			}
		}
		if last == nil || ctx.Err() != nil {
			return last
		}
	}
	return last
}

// missingTickets looks the tickets up by external_id and returns those
// that do not exist.
func missingTickets(ctx context.Context, client *zendesk.Client, exts []string) ([]string, error) {
	var missing []string
	for _, e := range exts {
		found, err := 0, error(nil)
		for range 5 {
			found, err = 0, nil
			for _, lerr := range client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{ExternalID: &e}) {
				if lerr != nil {
					err = lerr
					break
				}
				found++
			}
			if err == nil || ctx.Err() != nil {
				break
			}
		}
		if err != nil {
			return nil, fmt.Errorf("look up external_id %s: %w", e, err)
		}
		if found == 0 {
			missing = append(missing, e)
		}
	}
	return missing, nil
}
