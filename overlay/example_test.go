package overlay_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// Every paginated operation has an <Operation>All iterator: here List
// Tickets, with cursor pagination, 25 tickets a page, stopping after 5.
// TrackPosition keeps where the listing stands, for a later WithStart.
func ExampleClient_ListTicketsAll() {
	srv, err := zendesktest.Start(zendesktest.WithTickets(60))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}

	var pos zendesk.Position
	n := 0
	for ticket, err := range client.ListTicketsAll(context.Background(), &zendesk.ListTicketsParams{},
		zendesk.WithPageSize(25), zendesk.TrackPosition(&pos)) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("ticket", *ticket.ID)
		if n++; n == 5 {
			break
		}
	}
	fmt.Println("resume after:", pos.Skip, "records into the first page")
	// Output:
	// ticket 1
	// ticket 2
	// ticket 3
	// ticket 4
	// ticket 5
	// resume after: 5 records into the first page
}

// Every operation that queues a background job has an <Operation>AndWait
// helper: it calls the operation, then polls the job until it ends.
func ExampleClient_CreateManyTicketsAndWait() {
	srv, err := zendesktest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}

	body := zendesk.CreateManyTicketsJSONRequestBody{Tickets: []zendesk.TicketInput{
		{Subject: zendesk.Ptr("Printer on fire"), Comment: &zendesk.TicketCommentInput{Body: zendesk.Ptr("It smokes.")}},
		{Subject: zendesk.Ptr("Coffee machine leaks"), Comment: &zendesk.TicketCommentInput{Body: zendesk.Ptr("Everywhere.")}},
	}}
	job, err := client.CreateManyTicketsAndWait(context.Background(), body,
		zendesk.WithPollInterval(10*time.Millisecond, 100*time.Millisecond),
		zendesk.WithProgress(func(j zendesk.JobStatus) { fmt.Println("job", *j.Status) }))
	if err != nil {
		log.Fatal(err)
	}
	results, err := job.Results.AsJobStatusResultList()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("job", *job.Status, "with", len(results), "results")
	// Output:
	// job working
	// job completed with 2 results
}
