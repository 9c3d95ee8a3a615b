package everyday_test

import (
	"context"
	"fmt"
	"log"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// The results of a search, page after page.
func Example_search() {
	srv, err := zendesktest.Start(zendesktest.WithTickets(40))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	n := 0
	for r, err := range client.ListSearchResultsAll(ctx, &zendesk.ListSearchResultsParams{Query: "type:ticket status:open"}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
		if n > 5 {
			continue
		}
		kind, err := r.Discriminator()
		if err != nil {
			log.Fatal(err)
		}
		t, err := r.AsSearchTicketResult()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s #%d\n", kind, *t.ID)
	}
	fmt.Printf("%d results\n", n)
	// Output:
	// ticket #2
	// ticket #3
	// ticket #4
	// ticket #16
	// ticket #17
	// 12 results
}
