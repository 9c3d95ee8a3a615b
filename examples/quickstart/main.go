// Command quickstart lists tickets with the iterator, shows one, and creates
// one. With ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and ZENDESK_API_TOKEN set it
// uses your Zendesk (and creates a real ticket there); otherwise an embedded
// fake Zendesk.
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/examples/internal/connect"
	"github.com/zdapi/zendesk/zendesktest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.SetFlags(0)
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	conn, err := connect.Open(connect.Options{Fake: []zendesktest.Option{zendesktest.WithTickets(240)}})
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintln(w, conn.Where)
	client := conn.Client

	// Every ticket, page after page (cursor pagination), stopping after 10.
	fmt.Fprintln(w, "\nThe first 10 tickets:")
	var first int64
	n := 0
	for t, err := range client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}, zendesk.WithPageSize(25)) {
		if err != nil {
			return fmt.Errorf("list tickets: %w", err)
		}
		if n == 0 {
			first = t.GetID()
		}
		fmt.Fprintf(w, "  #%-6d %-8s %s\n", t.GetID(), t.GetStatus(), t.GetSubject())
		if n++; n == 10 {
			break
		}
	}
	if n == 0 {
		fmt.Fprintln(w, "  (no tickets)")
	}

	if first != 0 {
		resp, err := client.ShowTicket(ctx, first, nil)
		if err != nil {
			return fmt.Errorf("show ticket %d: %w", first, err)
		}
		t := resp.Ticket
		fmt.Fprintf(w, "\nTicket #%d: %q, %s priority, created %s, tags %v\n",
			t.GetID(), t.GetSubject(), cmp.Or(string(t.GetPriority()), "no"), t.GetCreatedAt().Format(time.RFC1123), t.Tags)
	}

	var resp *http.Response // kept for its headers
	created, err := client.CreateTicket(ctx, &zendesk.CreateTicketParams{}, zendesk.CreateTicketJSONRequestBody{
		Ticket: zendesk.TicketInput{
			Subject:  new("Printer on fire (created by the zendesk Go client quickstart)"),
			Priority: new(zendesk.TicketPriorityNormal),
			Comment:  &zendesk.TicketCommentInput{Body: new("The smoke is very colorful. This ticket was created by examples/quickstart.")},
		},
	}, zendesk.KeepResponse(&resp))
	if err != nil {
		return fmt.Errorf("create ticket: %w", err)
	}
	t := created.Ticket
	fmt.Fprintf(w, "\nCreated ticket #%d (%s): %q (idempotency lookup: %s)\n", t.GetID(), t.GetStatus(), t.GetSubject(),
		orNone(zendesk.IdempotencyLookup(resp)))

	rl := client.RateLimits()
	if rl.Limit >= 0 && !rl.ObservedAt.IsZero() {
		fmt.Fprintf(w, "Rate limit: %d of %d requests left this minute\n", rl.Remaining, rl.Limit)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
