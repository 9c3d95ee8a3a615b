package everyday_test

import (
	"context"
	"fmt"
	"log"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// A private note and the solved status, in one update; then the same update
// on a ticket that does not exist.
func Example_noteAndSolve() {
	srv, err := zendesktest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	body := zendesk.TicketUpdateRequest{Ticket: zendesk.TicketInput{
		Comment: &zendesk.TicketCommentInput{Body: new("Checked the logs."), Public: new(false)},
		Status:  new(zendesk.TicketStatusSolved),
	}}
	updated, err := client.UpdateTicket(ctx, 1, body)
	if err != nil {
		log.Fatal(err)
	}
	comments, err := client.CountTicketComments(ctx, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("#%d %s, %d comments\n", *updated.Ticket.ID, *updated.Ticket.Status, *comments.Count.Value)

	if _, err := client.UpdateTicket(ctx, 999999, body); zendesk.IsNotFound(err) {
		fmt.Println("ticket 999999: not found")
	} else if err != nil {
		log.Fatal(err)
	}
	// Output:
	// #1 solved, 2 comments
	// ticket 999999: not found
}
