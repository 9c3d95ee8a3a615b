package zendesktest_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

func ptr[T any](v T) *T { return &v }

// fastWait polls jobs quickly.
var fastWait = []zendesk.WaitOption{zendesk.WithPollInterval(5*time.Millisecond, 20*time.Millisecond), zendesk.WithWaitTimeout(10 * time.Second)}

// TestTicketLifecycle goes through a ticket's life with the root client:
// create (idempotently), comment, update, find it with the iterator,
// delete.
func TestTicketLifecycle(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(250), zendesktest.WithResponseValidation())
	client, err := srv.Client(zendesk.WithoutOperationPacing()) // two exports in a row: no need to space them 6s apart
	require.NoError(t, err)
	ctx := context.Background()

	// Create, with an Idempotency-Key: the same key gives the first answer.
	body := zendesk.CreateTicketJSONRequestBody{Ticket: zendesk.TicketInput{
		Subject: ptr("My printer is on fire!"),
		Comment: &zendesk.TicketCommentInput{Body: ptr("The smoke is very colorful.")},
		Tags:    []string{"printer", "fire"},
	}}
	keyed := zendesk.WithIdempotencyKey(ctx, "create-printer-fire")
	var createdResp, againResp *http.Response
	created, err := client.CreateTicket(keyed, &zendesk.CreateTicketParams{}, body, zendesk.KeepResponse(&createdResp))
	require.NoError(t, err)
	require.Equal(t, 201, createdResp.StatusCode)
	assert.Equal(t, "miss", zendesk.IdempotencyLookup(createdResp))
	ticket := created.Ticket
	id := *ticket.ID
	assert.Equal(t, int64(251), id, "created tickets follow the generated ones")
	assert.Equal(t, "The smoke is very colorful.", *ticket.Description)
	assert.Equal(t, zendesk.TicketStatusNew, *ticket.Status)

	again, err := client.CreateTicket(keyed, &zendesk.CreateTicketParams{}, body, zendesk.KeepResponse(&againResp))
	require.NoError(t, err)
	assert.Equal(t, "hit", zendesk.IdempotencyLookup(againResp))
	assert.Equal(t, created, again, "the same key gives the first answer again")
	body.Ticket.Subject = ptr("Something else")
	_, err = client.CreateTicket(keyed, &zendesk.CreateTicketParams{}, body)
	var apiErr *zendesk.APIError
	require.ErrorAs(t, err, &apiErr, "a reused key with another body is refused")
	assert.Equal(t, 400, apiErr.StatusCode)
	count, err := client.CountTickets(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(251), *count.Count.Value, "one ticket was created")

	// Comment, then update: each change makes an audit.
	commented, err := client.UpdateTicket(ctx, id, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{
		Comment: &zendesk.TicketCommentInput{Body: ptr("Please unplug it and step away."), Public: ptr(false)},
	}})
	require.NoError(t, err)
	require.NotNil(t, commented.Audit)
	updated, err := client.UpdateTicket(ctx, id, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{
		Status:         ptr(zendesk.TicketStatusSolved),
		AssigneeID:     ptr(int64(10_000_000_002)),
		AdditionalTags: []string{"resolved"},
		RemoveTags:     []string{"fire"},
	}})
	require.NoError(t, err)
	assert.Equal(t, zendesk.TicketStatusSolved, *updated.Ticket.Status)
	assert.Equal(t, []string{"printer", "resolved"}, updated.Ticket.Tags)
	var changed []string
	for _, ev := range updated.Audit.Events {
		if ev.FieldName != nil {
			changed = append(changed, *ev.FieldName)
		}
	}
	assert.Subset(t, changed, []string{"status", "assignee_id", "tags"})

	var comments []string
	for c, err := range client.ListTicketCommentsAll(ctx, id, &zendesk.ListTicketCommentsParams{}) {
		require.NoError(t, err)
		comments = append(comments, *c.Body)
	}
	assert.Equal(t, []string{"The smoke is very colorful.", "Please unplug it and step away."}, comments)
	audits, err := client.CountTicketAudits(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, int64(3), *audits.Count.Value, "creation, comment, update")

	// Safe update with a stale stamp is a conflict.
	_, err = client.UpdateTicket(ctx, id, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{
		SafeUpdate: ptr(true), UpdatedStamp: ptr(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)), Priority: ptr(zendesk.TicketPriorityHigh),
	}})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 409, apiErr.StatusCode)

	// The iterator finds it among the generated tickets, page after page.
	seen, found := 0, false
	for tk, err := range client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}, zendesk.WithPageSize(40)) {
		require.NoError(t, err)
		seen++
		if *tk.ID == id {
			found = true
			assert.Equal(t, zendesk.TicketStatusSolved, *tk.Status)
		}
	}
	assert.True(t, found)
	assert.Equal(t, 251, seen)

	// Delete: gone from Show and from lists; the export lists it as deleted.
	err = client.DeleteTicket(ctx, id)
	require.NoError(t, err)
	_, err = client.ShowTicket(ctx, id, nil)
	assert.True(t, zendesk.IsNotFound(err), "deleted: %v", err)
	count, err = client.CountTickets(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(250), *count.Count.Value)
	// As on Zendesk, the export holds back the last minute's changes: the
	// ticket is not in it yet; a minute later it is, deleted, last.
	lastExported := func() *zendesk.Ticket {
		var last *zendesk.Ticket
		for tk, err := range client.IncrementalTicketExportAll(ctx, &zendesk.IncrementalTicketExportParams{StartTime: time.Now().Add(-time.Hour).Unix()}) {
			require.NoError(t, err)
			last = tk
		}
		return last
	}
	assert.Nil(t, lastExported(), "changed in the last minute: held back")
	require.NoError(t, srv.AdvanceClock(time.Minute))
	last := lastExported()
	require.NotNil(t, last)
	assert.Equal(t, id, *last.ID)
	assert.Equal(t, zendesk.TicketStatusDeleted, *last.Status)

	st := srv.Stats()
	assert.Zero(t, st.InvalidResponses)
	assert.Equal(t, 1, st.IdempotencyHits)
	t.Logf("ticket lifecycle: %d requests, %d comments, %d audits", st.Total(), len(comments), *audits.Count.Value)
}

// TestBulkCreateUsers creates users with a job and lists them.
func TestBulkCreateUsers(t *testing.T) {
	leakCheck(t)
	// Jobs move on with looks only, so that the states seen while polling
	// are the same however slow the machine.
	srv := zendesktest.NewServer(t, zendesktest.WithUsers(30), zendesktest.WithJobPolls(3), zendesktest.WithJobDuration(0), zendesktest.WithResponseValidation())
	client, err := srv.Client()
	require.NoError(t, err)
	ctx := context.Background()

	var inputs []zendesk.UserInput
	for i := range 25 {
		inputs = append(inputs, zendesk.UserInput{
			Name:       ptr(fmt.Sprintf("Bulk User %d", i)),
			Email:      ptr(fmt.Sprintf("bulk.%d@example.org", i)),
			ExternalID: ptr(fmt.Sprintf("bulk-%d", i)),
		})
	}
	// One email already taken: that item fails, the others succeed.
	inputs = append(inputs, zendesk.UserInput{Name: ptr("Copycat"), Email: ptr(srv.Email)})
	var states []string
	progress := zendesk.WithProgress(func(j zendesk.JobStatus) { states = append(states, string(*j.Status)) })
	job, err := client.CreateManyUsersAndWait(ctx, zendesk.CreateManyUsersJSONRequestBody{Users: inputs}, append(fastWait, progress)...)
	require.NoError(t, err)
	assert.Equal(t, zendesk.JobStatusStatusCompleted, *job.Status)
	assert.Equal(t, 26, *job.Total)
	assert.Equal(t, 26, *job.Progress)
	assert.Equal(t, []string{"working", "working"}, states, "queued, then working over the polls, then completed")
	results, err := job.Results.AsJobStatusResultList()
	require.NoError(t, err)
	require.Len(t, results, 26)
	created := map[int64]bool{}
	for i, r := range results {
		if i == 25 {
			assert.Equal(t, "RecordInvalid", *r.Error)
			assert.Contains(t, *r.Details, "already being used")
			continue
		}
		id, err := r.ID.AsInt64()
		require.NoError(t, err)
		created[id] = true
	}
	assert.Len(t, created, 25)

	listed := 0
	for u, err := range client.ListUsersAll(ctx, &zendesk.ListUsersParams{}, zendesk.WithPageSize(7)) {
		require.NoError(t, err)
		if created[*u.ID] {
			listed++
			assert.Equal(t, zendesk.UserRoleEndUser, *u.Role)
		}
	}
	assert.Equal(t, 25, listed)
	count, err := client.CountUsers(ctx, &zendesk.CountUsersParams{})
	require.NoError(t, err)
	assert.Equal(t, int64(55), *count.Count.Value)

	// By external id, and the job in the job list.
	many, err := client.ShowManyUsers(ctx, &zendesk.ShowManyUsersParams{ExternalIDs: []string{"bulk-3", "bulk-7"}})
	require.NoError(t, err)
	assert.Len(t, many.Users, 2)
	jobs, err := client.ListJobStatuses(ctx, &zendesk.ListJobStatusesParams{})
	require.NoError(t, err)
	require.Len(t, jobs.JobStatuses, 1)
	assert.Equal(t, *job.ID, *jobs.JobStatuses[0].ID)
	_, err = client.ShowJobStatus(ctx, "no-such-job")
	assert.True(t, zendesk.IsNotFound(err))
	t.Logf("bulk create: %d users created by job %s, states seen while polling %v", len(created), *job.ID, states)
}

// TestIncrementalExportCheckpoint exports 10,000 generated tickets with the
// cursor-based export, stops in the middle, and resumes from the
// checkpoint: every ticket comes exactly once.
func TestIncrementalExportCheckpoint(t *testing.T) {
	leakCheck(t)
	const n = 10_000
	// Exports are limited to 10 requests a minute: scaled 600 times, 10 in
	// 100ms. The client does not pace itself here: it meets the limit and
	// waits out the 429s. The fake's clock stands still, except that each
	// 429 moves it a window on, as the client's wait lets the window pass:
	// every eleventh request meets a 429, however slow the machine.
	const scale = 600
	var srv *zendesktest.Server
	base := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		st := srv.Stats()
		waited := st.RateLimited["IncrementalTicketCursorExport"] + st.RateLimited["IncrementalTicketExport"]
		return base.Add(time.Duration(waited) * time.Minute / scale)
	}
	srv = zendesktest.NewServer(t, zendesktest.WithTickets(n), zendesktest.WithTimeScale(scale), zendesktest.WithClock(clock))
	client, err := srv.Client(zendesk.WithoutOperationPacing())
	require.NoError(t, err)
	ctx := context.Background()
	start := time.Now()

	seen := make(map[int64]int, n)
	var pos zendesk.Position
	params := &zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(int64(0))}
	got := 0
	for tk, err := range client.IncrementalTicketCursorExportAll(ctx, params, zendesk.TrackPosition(&pos), zendesk.WithPageSize(500)) {
		require.NoError(t, err)
		seen[*tk.ID]++
		if got++; got == 5_500 {
			break
		}
	}
	checkpoint, err := pos.MarshalText()
	require.NoError(t, err)

	// Another process resumes from the persisted checkpoint.
	var resumed zendesk.Position
	require.NoError(t, resumed.UnmarshalText(checkpoint))
	for tk, err := range client.IncrementalTicketCursorExportAll(ctx, params, zendesk.WithStart(resumed), zendesk.WithPageSize(500)) {
		require.NoError(t, err)
		seen[*tk.ID]++
	}
	assert.Len(t, seen, n)
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("ticket %d came %d times", id, c)
		}
	}
	st := srv.Stats()
	requests, limited := st.Requests["IncrementalTicketCursorExport"], st.RateLimited["IncrementalTicketCursorExport"]
	t.Logf("cursor export: %d tickets exactly once, checkpoint %q after 5,500, %d requests (%d answered 429 and retried), %s",
		len(seen), checkpoint, requests, limited, time.Since(start).Round(time.Millisecond))
	assert.Equal(t, requests/11, limited, "every eleventh request met the limit and was retried")
	assert.Positive(t, limited)

	// The time-based export of the same tickets repeats each page's last
	// second; the iterator drops the repeats.
	timeSeen := map[int64]int{}
	for tk, err := range client.IncrementalTicketExportAll(ctx, &zendesk.IncrementalTicketExportParams{StartTime: 0}) {
		require.NoError(t, err)
		timeSeen[*tk.ID]++
	}
	assert.Len(t, timeSeen, n)
	dups := 0
	for _, c := range timeSeen {
		dups += c - 1
	}
	assert.Zero(t, dups)
	st = srv.Stats()
	requests, limited = st.Requests["IncrementalTicketExport"], st.RateLimited["IncrementalTicketExport"]
	assert.Equal(t, requests/11, limited, "the time-based export has its own budget, met every eleventh request")
	assert.Positive(t, limited)
	t.Logf("time-based export: %d tickets exactly once, %d requests (%d answered 429 and retried)", len(timeSeen), requests, limited)
}

// TestLargeDataSetConstantMemory serves a million tickets: the records are
// computed from their index, so the server's memory does not grow with the
// data set.
func TestLargeDataSetConstantMemory(t *testing.T) {
	leakCheck(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(1_000_000), zendesktest.WithUsers(100_000), zendesktest.WithoutRateLimits())
	client, err := srv.Client()
	require.NoError(t, err)
	ctx := context.Background()

	count, err := client.CountTickets(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1_000_000), *count.Count.Value)
	last, err := client.ShowTicket(ctx, 1_000_000, nil)
	require.NoError(t, err)
	assert.NotEmpty(t, *last.Ticket.Subject)
	// A page deep in the list, by cursor, and a page of the export near the end.
	pages := 0
	for page, err := range client.ListTicketsPages(ctx, &zendesk.ListTicketsParams{}, zendesk.WithStart(zendesk.Position{Cursor: cursorForID(999_950)})) {
		require.NoError(t, err)
		pages++
		assert.Len(t, page.Items, 50)
	}
	assert.Equal(t, 1, pages)
	export, err := client.IncrementalTicketCursorExport(ctx, &zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC).Unix())})
	require.NoError(t, err)
	assert.NotEmpty(t, export.Tickets)
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("1,000,000 tickets and 100,000 users served; heap grew by %.1f MiB", float64(grown)/(1<<20))
	assert.Less(t, grown, int64(64<<20), "the heap must not hold the data set")
}

// cursorForID is the fake's cursor after a record id (cursors are opaque to
// clients; the test builds one to jump deep into a list).
func cursorForID(id int64) string {
	return zendesktest.CursorAfter(id)
}

func TestPaginationStyles(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(10_150), zendesktest.WithOrganizations(120), zendesktest.WithTimeScale(600), zendesktest.WithResponseValidation())
	client, err := srv.Client(zendesk.WithoutOperationPacing())
	require.NoError(t, err)
	ctx := context.Background()

	// Cursor: meta and links; the last page says has_more false.
	size := 100
	first, err := client.ListTickets(ctx, &zendesk.ListTicketsParams{PageSize: &size})
	require.NoError(t, err)
	assert.True(t, *first.Meta.HasMore)
	assert.Contains(t, *first.Links.Next, "page%5Bafter%5D=")
	assert.Equal(t, int64(1), *first.Tickets[0].ID)

	// Offset: page 100 of 100 is the deepest Zendesk serves.
	page, per := 100, 100
	deep, err := client.ListTickets(ctx, &zendesk.ListTicketsParams{Page: &page, PerPage: &per})
	require.NoError(t, err)
	assert.Equal(t, int64(9901), *deep.Tickets[0].ID)
	assert.Equal(t, 10_150, *deep.Count)
	page = 101
	_, err = client.ListTickets(ctx, &zendesk.ListTicketsParams{Page: &page, PerPage: &per})
	var apiErr *zendesk.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, apiErr.Description, "use cursor pagination")

	// Offset pagination through the iterator of an offset-only operation
	// (Autocomplete Organizations) stops at the depth limit with a
	// DepthLimitError: 100 pages of one of the more than 100 organizations
	// whose name starts with "a" (Acme..., Aperture...).
	many := zendesktest.NewServer(t, zendesktest.WithOrganizations(1_000), zendesktest.WithoutRateLimits())
	manyClient, err := many.Client()
	require.NoError(t, err)
	orgs := 0
	var depthErr *zendesk.DepthLimitError
	for o, err := range manyClient.AutocompleteOrganizationsAll(ctx, &zendesk.AutocompleteOrganizationsParams{Name: "a"}, zendesk.WithPageSize(1)) {
		if err != nil {
			require.ErrorAs(t, err, &depthErr)
			break
		}
		require.Contains(t, []byte("aA"), (*o.Name)[0], *o.Name)
		orgs++
	}
	require.NotNil(t, depthErr, "the iteration ends at the depth limit")
	assert.Equal(t, 101, depthErr.Page)
	assert.Equal(t, 100, orgs, "100 pages of one")
	assert.Equal(t, 100, many.Stats().Requests["AutocompleteOrganizations"], "the client stops before asking for page 101")
	some, err := manyClient.AutocompleteOrganizations(ctx, &zendesk.AutocompleteOrganizationsParams{Name: "a", PerPage: ptr(1)})
	require.NoError(t, err)
	assert.Greater(t, *some.Count, 100, "more than the depth limit lets through")

	// Time-based export of organizations, then of ticket events: ordered by
	// time, each page's end_time the next start_time.
	var times []int64
	for o, err := range client.IncrementalOrganizationExportAll(ctx, &zendesk.IncrementalOrganizationExportParams{StartTime: 0}, zendesk.WithPageSize(25)) {
		require.NoError(t, err)
		times = append(times, o.UpdatedAt.Unix())
	}
	assert.Len(t, times, 120)
	assert.True(t, slices.IsSorted(times))

	events := 0
	for ev, err := range client.IncrementalTicketEventExportAll(ctx, &zendesk.IncrementalTicketEventExportParams{StartTime: time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC).Unix()}) {
		require.NoError(t, err)
		assert.GreaterOrEqual(t, *ev.Timestamp, time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC).Unix())
		events++
	}
	assert.InDelta(t, 2*10_150/12, events, 200, "two events a ticket, a twelfth of the year")

	// Cursor-based user export, page by page, with end_of_stream at the end.
	var sizes []int
	var end bool
	for p, err := range client.IncrementalUserCursorExportPages(ctx, &zendesk.IncrementalUserCursorExportParams{StartTime: zendesk.Ptr(int64(0))}, zendesk.WithPageSize(60)) {
		require.NoError(t, err)
		sizes = append(sizes, len(p.Items))
		end = p.EndOfStream
	}
	assert.Equal(t, []int{60, 60, 60, 20}, sizes)
	assert.True(t, end)
	t.Logf("pagination: offset depth limit at page 101, %d organizations over pages of one before the DepthLimitError, %d ticket events in December, user export pages %v", orgs, events, sizes)
}

// TestConcurrentClients has several clients change and read the fake at
// once; every answer is checked against the spec (run with -race). The
// exports show the changes at once, so that they read what the other
// workers are changing.
func TestConcurrentClients(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(300), zendesktest.WithResponseValidation(), zendesktest.WithoutRateLimits(),
		zendesktest.WithRecentChangesInExports())
	ctx := context.Background()
	since := time.Now().Add(-time.Hour).Unix()
	var wg sync.WaitGroup
	for w := range 6 {
		client, err := srv.Client(zendesk.WithoutOperationPacing())
		require.NoError(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				id := int64(1 + (w*15+i)%300)
				_, err := client.UpdateTicket(ctx, id, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{
					Comment: &zendesk.TicketCommentInput{Body: ptr(fmt.Sprintf("worker %d says %d", w, i))}, AdditionalTags: []string{fmt.Sprintf("w%d", w)},
				}})
				assert.NoError(t, err)
				_, err = client.CreateTicket(ctx, &zendesk.CreateTicketParams{}, zendesk.CreateTicketJSONRequestBody{Ticket: zendesk.TicketInput{
					Subject: ptr("concurrent"), Comment: &zendesk.TicketCommentInput{Body: ptr(fmt.Sprintf("worker %d opens %d", w, i))},
				}})
				assert.NoError(t, err)
				size := 50
				_, err = client.IncrementalTicketCursorExport(ctx, &zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(int64(0)), PerPage: &size})
				assert.NoError(t, err)
				_, err = client.ListTicketComments(ctx, id, &zendesk.ListTicketCommentsParams{})
				assert.NoError(t, err)
				// The event export answers with the events of the
				// updates made so far, while other workers export
				// them too.
				_, err = client.IncrementalTicketEventExport(ctx, &zendesk.IncrementalTicketEventExportParams{StartTime: since})
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	client, err := srv.Client(zendesk.WithoutOperationPacing())
	require.NoError(t, err)
	count, err := client.CountTickets(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(300+6*15), *count.Count.Value)
	events := 0
	for _, err := range client.IncrementalTicketEventExportAll(ctx, &zendesk.IncrementalTicketEventExportParams{StartTime: since}) {
		require.NoError(t, err)
		events++
	}
	assert.Equal(t, 2*6*15, events, "an event for each update and each creation")
	st := srv.Stats()
	assert.Zero(t, st.InvalidResponses)
	assert.Zero(t, st.Panics)
}

// TestIdempotencyKeyOnlyWhereZendeskHonoursIt: Create Ticket answers a
// repeated Idempotency-Key with its first answer; other POSTs ignore the
// header, as Zendesk does, so a repeated call is a second call.
func TestIdempotencyKeyOnlyWhereZendeskHonoursIt(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(5), zendesktest.WithUsers(5), zendesktest.WithoutRateLimits())
	client, err := srv.Client()
	require.NoError(t, err)
	ctx := zendesk.WithIdempotencyKey(context.Background(), "same-key")

	ticket := zendesk.CreateTicketJSONRequestBody{Ticket: zendesk.TicketInput{Comment: &zendesk.TicketCommentInput{Body: ptr("Once only.")}}}
	first, err := client.CreateTicket(ctx, &zendesk.CreateTicketParams{}, ticket)
	require.NoError(t, err)
	var againResp, u2Resp *http.Response
	again, err := client.CreateTicket(ctx, &zendesk.CreateTicketParams{}, ticket, zendesk.KeepResponse(&againResp))
	require.NoError(t, err)
	assert.Equal(t, *first.Ticket.ID, *again.Ticket.ID)
	assert.Equal(t, "hit", zendesk.IdempotencyLookup(againResp))

	user := zendesk.CreateUserJSONRequestBody{User: zendesk.UserInput{Name: ptr("Twice")}}
	u1, err := client.CreateUser(ctx, user)
	require.NoError(t, err)
	u2, err := client.CreateUser(ctx, user, zendesk.KeepResponse(&u2Resp))
	require.NoError(t, err)
	assert.NotEqual(t, *u1.User.ID, *u2.User.ID, "Create User ignores the key: two users")
	assert.Empty(t, zendesk.IdempotencyLookup(u2Resp))

	bulk := zendesk.CreateManyTicketsJSONRequestBody{Tickets: []zendesk.TicketInput{{Comment: &zendesk.TicketCommentInput{Body: ptr("bulk")}}}}
	j1, err := client.CreateManyTickets(ctx, bulk)
	require.NoError(t, err)
	j2, err := client.CreateManyTickets(ctx, bulk)
	require.NoError(t, err)
	assert.NotEqual(t, *j1.JobStatus.ID, *j2.JobStatus.ID, "Create Many Tickets ignores the key: two jobs")
	assert.Equal(t, 1, srv.Stats().IdempotencyHits)
}
