package zendesktest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// frozen is a clock that moves only when the test moves it (with
// Server.AdvanceClock): time-driven behaviour becomes deterministic.
func frozen() zendesktest.Option {
	at := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	return zendesktest.WithClock(func() time.Time { return at })
}

// TestExportsHoldBackTheLastMinute: as on Zendesk, a change reaches the
// incremental exports once it is a minute old; the cursor the export
// stopped at reaches it then.
func TestExportsHoldBackTheLastMinute(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(10), zendesktest.WithoutRateLimits(), frozen())
	client, err := srv.Client(zendesk.WithoutOperationPacing()) // the fake's limits are off: no need to keep to them
	require.NoError(t, err)
	ctx := context.Background()
	_, err = client.UpdateTicket(ctx, 3, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{Priority: ptr(zendesk.TicketPriorityUrgent)}})
	require.NoError(t, err)

	export := func(pos zendesk.Position) ([]int64, zendesk.Position) {
		var ids []int64
		params := &zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(int64(0))}
		for tk, err := range client.IncrementalTicketCursorExportAll(ctx, params, zendesk.WithStart(pos), zendesk.TrackPosition(&pos)) {
			require.NoError(t, err)
			ids = append(ids, *tk.ID)
		}
		return ids, pos
	}
	ids, pos := export(zendesk.Position{})
	assert.Equal(t, []int64{1, 2, 4, 5, 6, 7, 8, 9, 10}, ids, "ticket 3 changed a moment ago: held back")
	require.NoError(t, srv.AdvanceClock(59*time.Second))
	ids, pos = export(pos)
	assert.Empty(t, ids, "59 seconds later: still held back")
	require.NoError(t, srv.AdvanceClock(time.Second))
	ids, _ = export(pos)
	assert.Equal(t, []int64{3}, ids, "a minute later, from the same cursor")

	// The time-based export holds back the same minute.
	_, err = client.UpdateTicket(ctx, 5, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{Priority: ptr(zendesk.TicketPriorityLow)}})
	require.NoError(t, err)
	page, err := client.IncrementalTicketExport(ctx, &zendesk.IncrementalTicketExportParams{StartTime: srv.Now().Add(-2 * time.Minute).Unix()})
	require.NoError(t, err)
	require.Len(t, page.Tickets, 1)
	assert.Equal(t, int64(3), *page.Tickets[0].ID)
	assert.True(t, *page.EndOfStream)

	// WithRecentChangesInExports shows them at once.
	eager := zendesktest.NewServer(t, zendesktest.WithTickets(10), zendesktest.WithoutRateLimits(), frozen(), zendesktest.WithRecentChangesInExports())
	eagerClient, err := eager.Client(zendesk.WithoutOperationPacing())
	require.NoError(t, err)
	_, err = eagerClient.UpdateTicket(ctx, 3, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{Priority: ptr(zendesk.TicketPriorityUrgent)}})
	require.NoError(t, err)
	var last int64
	for tk, err := range eagerClient.IncrementalTicketCursorExportAll(ctx, &zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(int64(0))}) {
		require.NoError(t, err)
		last = *tk.ID
	}
	assert.Equal(t, int64(3), last)
	assert.Error(t, srv.AdvanceClock(-time.Second), "the clock does not go back")
}

// TestJobsMoveOnWithTime: a job nobody polls still completes and does its
// work; time and looks both move a job on.
func TestJobsMoveOnWithTime(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithUsers(10), zendesktest.WithJobPolls(4), zendesktest.WithJobDuration(20*time.Second), frozen())
	client, err := srv.Client()
	require.NoError(t, err)
	ctx := context.Background()
	users := func() int64 {
		c, err := client.CountUsers(ctx, &zendesk.CountUsersParams{})
		require.NoError(t, err)
		return *c.Count.Value
	}
	body := zendesk.CreateManyUsersJSONRequestBody{Users: []zendesk.UserInput{{Name: ptr("Unpolled 1")}, {Name: ptr("Unpolled 2")}}}
	queued, err := client.CreateManyUsers(ctx, body)
	require.NoError(t, err)
	id := *queued.JobStatus.ID
	assert.Equal(t, zendesk.JobStatusStatusQueued, *queued.JobStatus.Status)

	require.NoError(t, srv.AdvanceClock(19*time.Second))
	assert.Equal(t, int64(10), users(), "19 of 20 seconds: not done")
	require.NoError(t, srv.AdvanceClock(time.Second))
	assert.Equal(t, int64(12), users(), "20 seconds: done, though nobody polled it")
	done, err := client.ShowJobStatus(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, zendesk.JobStatusStatusCompleted, *done.JobStatus.Status)
	results, err := done.JobStatus.Results.AsJobStatusResultList()
	require.NoError(t, err)
	assert.Len(t, results, 2)

	// Time and looks add up: a quarter of the time is a look.
	queued, err = client.CreateManyUsers(ctx, body)
	require.NoError(t, err)
	id = *queued.JobStatus.ID
	require.NoError(t, srv.AdvanceClock(10*time.Second)) // two stages of four
	var progress []int
	var states []zendesk.JobStatusStatus
	for range 2 {
		js, err := client.ShowJobStatus(ctx, id)
		require.NoError(t, err)
		states = append(states, *js.JobStatus.Status)
		progress = append(progress, *js.JobStatus.Progress)
	}
	assert.Equal(t, []zendesk.JobStatusStatus{zendesk.JobStatusStatusWorking, zendesk.JobStatusStatusCompleted}, states)
	assert.Equal(t, []int{1, 2}, progress, "3 of 4 stages of 2 items, then done")
	assert.Equal(t, int64(14), users())
}

// TestJobsFailAndAreKilled: scripted outcomes end jobs failed or killed,
// without their work; the client's waiter returns a *zendesk.JobError.
func TestJobsFailAndAreKilled(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithUsers(10), zendesktest.WithJobScript(zendesktest.JobFails))
	require.NoError(t, srv.ScriptJobs(zendesktest.JobIsKilled, zendesktest.JobCompletes))
	assert.Error(t, srv.ScriptJobs(zendesktest.JobOutcome(9)))
	client, err := srv.Client()
	require.NoError(t, err)
	ctx := context.Background()
	body := zendesk.CreateManyUsersJSONRequestBody{Users: []zendesk.UserInput{{Name: ptr("Doomed")}}}

	for _, want := range []zendesk.JobStatusStatus{zendesk.JobStatusStatusFailed, zendesk.JobStatusStatusKilled} {
		_, err := client.CreateManyUsersAndWait(ctx, body, fastWait...)
		var je *zendesk.JobError
		require.True(t, errors.As(err, &je), "%v", err)
		assert.Equal(t, want, *je.Job.Status)
		assert.Contains(t, *je.Job.Message, map[zendesk.JobStatusStatus]string{"failed": "Failed:", "killed": "Killed:"}[want])
		t.Logf("%s job: %v", want, err)
	}
	count, err := client.CountUsers(ctx, &zendesk.CountUsersParams{})
	require.NoError(t, err)
	assert.Equal(t, int64(10), *count.Count.Value, "failed and killed jobs did not do their work")
	job, err := client.CreateManyUsersAndWait(ctx, body, fastWait...)
	require.NoError(t, err)
	assert.Equal(t, zendesk.JobStatusStatusCompleted, *job.Status)
	job, err = client.CreateManyUsersAndWait(ctx, body, fastWait...)
	require.NoError(t, err, "after the script, jobs complete")
	assert.Equal(t, zendesk.JobStatusStatusCompleted, *job.Status)
}

// TestRateLimitHeaders: the account's limit in X-Rate-Limit and
// X-Rate-Limit-Remaining and in ratelimit-limit/remaining/reset; an
// operation's own in zendesk-ratelimit-<operation> only, as Zendesk sends
// them.
func TestRateLimitHeaders(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithAccountRateLimit(100), frozen())
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	get := func(path string) http.Header {
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		require.NoError(t, err)
		req.SetBasicAuth(srv.Email+"/token", srv.Token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		return resp.Header
	}
	// The account's limit, in both families Zendesk sends it in; the
	// reset is the seconds until the oldest request leaves the window.
	h := get("/api/v2/tickets/1")
	assert.Equal(t, "100", h.Get("X-Rate-Limit"))
	assert.Equal(t, "99", h.Get("X-Rate-Limit-Remaining"))
	assert.Equal(t, "100", h.Get("Ratelimit-Limit"))
	assert.Equal(t, "99", h.Get("Ratelimit-Remaining"))
	assert.Equal(t, "60", h.Get("Ratelimit-Reset"))
	for name := range h {
		assert.NotContains(t, strings.ToLower(name), "zendesk-ratelimit-", "Show Ticket has no limit of its own")
	}

	// Count Tickets in View: 5 a minute per view, in zendesk-ratelimit-*
	// only; ratelimit-* stays the account's.
	h = get("/api/v2/views/1/count")
	assert.Equal(t, "98", h.Get("X-Rate-Limit-Remaining"))
	assert.Equal(t, "100", h.Get("Ratelimit-Limit"))
	assert.Equal(t, "98", h.Get("Ratelimit-Remaining"))
	assert.Equal(t, "60", h.Get("Ratelimit-Reset"))
	assert.Equal(t, "total=5; remaining=4; resets=60", h.Get("Zendesk-Ratelimit-Count-Tickets-In-View"))
	require.NoError(t, srv.AdvanceClock(20*time.Second))
	h = get("/api/v2/views/1/count")
	assert.Equal(t, "total=5; remaining=3; resets=40", h.Get("zendesk-ratelimit-count-tickets-in-view"), "the window passes with the clock")
	assert.Equal(t, "97", h.Get("Ratelimit-Remaining"))
	assert.Equal(t, "40", h.Get("Ratelimit-Reset"), "the account's oldest request leaves the window in 40 s")

	// The client reads them.
	client, err := srv.Client(zendesk.WithoutOperationPacing())
	require.NoError(t, err)
	_, err = client.CountTicketsInView(context.Background(), 1)
	require.NoError(t, err)
	rl := client.RateLimits()
	assert.Equal(t, 100, rl.Limit)
	assert.Equal(t, 96, rl.Remaining)
	got := rl.Endpoints["count-tickets-in-view"]
	assert.False(t, got.ObservedAt.IsZero(), "the client stamps when it saw the header")
	got.ObservedAt = time.Time{}
	assert.Equal(t, zendesk.EndpointRateLimit{Total: 5, Remaining: 2, Resets: 40 * time.Second}, got)
	t.Logf("rate limit headers seen by the client: %s", fmt.Sprint(rl.Endpoints))
}
