package everyday_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// A file uploaded, attached to a new comment, found again among the ticket's
// comments and downloaded.
func Example_uploadAndAttach() {
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

	up, err := client.Upload(ctx, "notes.txt", strings.NewReader("printer log: paper jam\n"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.UpdateTicket(ctx, 1, zendesk.TicketUpdateRequest{Ticket: zendesk.TicketInput{
		Comment: &zendesk.TicketCommentInput{Body: new("The printer's log is attached."), Uploads: []string{*up.Upload.Token}},
	}})
	if err != nil {
		log.Fatal(err)
	}

	for c, err := range client.ListTicketCommentsAll(ctx, 1, nil) {
		if err != nil {
			log.Fatal(err)
		}
		for _, a := range c.Attachments {
			var content bytes.Buffer
			if _, err := client.Download(ctx, *a.ContentURL, &content); err != nil {
				log.Fatal(err)
			}
			fmt.Printf("%s %d bytes: %s\n", *a.FileName, *a.Size, strings.TrimSuffix(content.String(), "\n"))
		}
	}
	// Output:
	// notes.txt 23 bytes: printer log: paper jam
}
