package zendesk_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// TestBulkCallsAreSplit updates 252 tickets (two of which do not exist) in
// one UpdateManyTicketsAndWait: it is sent as three calls of at most 100
// ids, the spec's maxItems, and the status returned holds the results of
// all 252, in order, with the progress seen over the whole list.
func TestBulkCallsAreSplit(t *testing.T) {
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(250), zendesktest.WithJobPolls(2), zendesktest.WithJobDuration(0), zendesktest.WithResponseValidation())
	client, err := srv.Client()
	require.NoError(t, err)
	ids := make([]int64, 0, 252)
	for id := int64(1); id <= 250; id++ {
		ids = append(ids, id)
	}
	ids = append(ids, 900001, 900002)
	params := &zendesk.UpdateManyTicketsParams{IDs: ids}
	var progress []int
	job, err := client.UpdateManyTicketsAndWait(context.Background(), params,
		zendesk.TicketsUpdateManyRequest{Ticket: &zendesk.TicketInput{AdditionalTags: []string{"reviewed"}}},
		zendesk.WithPollInterval(1, 1), zendesk.WithProgress(func(j zendesk.JobStatus) {
			require.NotNil(t, j.Total)
			assert.Equal(t, 252, *j.Total, "progress is over the whole list")
			progress = append(progress, *j.Progress)
		}))
	require.NoError(t, err)
	assert.Equal(t, 3, srv.Stats().Requests["UpdateManyTickets"], "250+2 ids in calls of at most 100")
	assert.Len(t, params.IDs, 252, "the caller's params are not changed")
	assert.IsNonDecreasing(t, progress)

	require.NotNil(t, job.Results)
	list, err := job.Results.AsJobStatusResultList()
	require.NoError(t, err)
	require.Len(t, list, 252)
	b, err := json.Marshal(list[0])
	require.NoError(t, err)
	assert.Contains(t, string(b), `"id":1`)
	failed := 0
	for _, r := range list {
		if r.Error != nil || (r.Success != nil && !*r.Success) {
			failed++
		}
	}
	assert.Equal(t, 2, failed, "the two ids that do not exist")
	assert.Equal(t, 252, *job.Total)

	shown, err := client.ShowTicket(context.Background(), 250, nil)
	require.NoError(t, err)
	assert.Contains(t, shown.Ticket.Tags, "reviewed")

	// Two lists each longer than one call takes: which goes with which?
	_, err = client.UpdateManyTicketsAndWait(context.Background(), params,
		zendesk.TicketsUpdateManyRequest{Tickets: make([]zendesk.TicketInput, 101)})
	assert.ErrorContains(t, err, "both ids and tickets hold more items than one call takes")
}

// TestBulkSplitStopsAtAFailedPart: the second of three parts fails; the
// third is not sent, the error says which items the failed part held, and
// the status returned is the first part's.
func TestBulkSplitStopsAtAFailedPart(t *testing.T) {
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(250), zendesktest.WithJobPolls(1), zendesktest.WithJobDuration(0),
		zendesktest.WithJobScript(zendesktest.JobCompletes, zendesktest.JobFails))
	client, err := srv.Client()
	require.NoError(t, err)
	ids := make([]int64, 250)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	job, err := client.UpdateManyTicketsAndWait(context.Background(), &zendesk.UpdateManyTicketsParams{IDs: ids},
		zendesk.TicketsUpdateManyRequest{Ticket: &zendesk.TicketInput{AdditionalTags: []string{"x"}}}, zendesk.WithPollInterval(1, 1))
	var je *zendesk.JobError
	require.ErrorAs(t, err, &je)
	assert.ErrorContains(t, err, "UpdateManyTickets: part 2 of 3 (items 101 to 200 of 250)")
	require.NotNil(t, job)
	assert.Equal(t, 100, *job.Total, "what completed: the first part")
	assert.Equal(t, 2, srv.Stats().Requests["UpdateManyTickets"], "the third part is not sent")
}
