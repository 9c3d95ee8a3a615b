package zendesktest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// A fake Zendesk with three generated tickets, and the client pointed at
// it. In a test, zendesktest.NewServer(t) starts one and closes it when the
// test ends.
func Example() {
	srv, err := zendesktest.Start(zendesktest.WithTickets(3))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for t, err := range client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("#%d %s: %s\n", *t.ID, *t.Status, *t.Subject)
	}
	var resp *http.Response
	created, err := client.CreateTicket(ctx, &zendesk.CreateTicketParams{}, zendesk.CreateTicketJSONRequestBody{
		Ticket: zendesk.TicketInput{Subject: ptr("Hello"), Comment: &zendesk.TicketCommentInput{Body: ptr("My first ticket")}},
	}, zendesk.KeepResponse(&resp))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("created #%d (%s)\n", *created.Ticket.ID, zendesk.IdempotencyLookup(resp))
	// Output:
	// #1 pending: My invoice shows an error
	// #2 open: My subscription keeps crashing
	// #3 open: My webhook cannot be found
	// created #4 (miss)
}
