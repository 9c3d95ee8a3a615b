package everyday_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// The tag "reviewed" on 502 tickets, two of which do not exist, in one call:
// UpdateManyTicketsAndWait sends the ids 100 at a time (the most Zendesk
// takes), waits for each job and merges their results.
func Example_bulkTag() {
	srv, err := zendesktest.Start(zendesktest.WithTickets(500), zendesktest.WithJobPolls(2), zendesktest.WithJobDuration(0))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	var ids []int64
	for id := int64(1); id <= 500; id++ {
		ids = append(ids, id)
	}
	ids = append(ids, 900001, 900002)

	body := zendesk.TicketsUpdateManyRequest{Ticket: &zendesk.TicketInput{AdditionalTags: []string{"reviewed"}}}
	job, err := client.UpdateManyTicketsAndWait(ctx, &zendesk.UpdateManyTicketsParams{IDs: ids}, body,
		zendesk.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d of %d done\n", *job.Progress, *job.Total)
	results, err := job.Results.AsJobStatusResultList()
	if err != nil {
		log.Fatal(err)
	}
	ok, failed := 0, 0
	for _, r := range results {
		if r.Error != nil {
			id, _ := r.ID.AsInt64()
			fmt.Printf("ticket %d: %s\n", id, *r.Error)
			failed++
		} else {
			ok++
		}
	}
	fmt.Printf("%d tickets tagged, %d failed\n", ok, failed)
	// Output:
	// 502 of 502 done
	// ticket 900001: TicketNotFound
	// ticket 900002: TicketNotFound
	// 500 tickets tagged, 2 failed
}
