// Command tiny is the smallest useful program on the client — one client,
// one call — whose cold build time and binary size bench/report measures,
// so that growth of the generated code shows.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/zdapi/zendesk"
)

func main() {
	client, err := zendesk.NewClient(os.Getenv("ZENDESK_SUBDOMAIN"),
		zendesk.WithAPIToken(os.Getenv("ZENDESK_EMAIL"), os.Getenv("ZENDESK_API_TOKEN")))
	if err != nil {
		log.Fatal(err)
	}
	t, err := client.ShowTicket(context.Background(), 1, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*t.Ticket.Subject)
}
