package everyday_test

import (
	"context"
	"slices"
	"testing"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// escalate makes a ticket urgent and tags it "escalated", keeping its tags.
func escalate(ctx context.Context, client *zendesk.Client, id int64) error {
	_, err := client.UpdateTicket(ctx, id, zendesk.TicketUpdateRequest{Ticket: zendesk.TicketInput{
		Priority:       new(zendesk.TicketPriorityUrgent),
		AdditionalTags: []string{"escalated"},
	}})
	return err
}

func TestEscalate(t *testing.T) {
	srv := zendesktest.NewServer(t)
	client, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before, err := client.ShowTicket(ctx, 3, nil)
	if err != nil || len(before.Ticket.Tags) == 0 {
		t.Fatal("ticket 3 has no tags to keep: ", err)
	}

	if err := escalate(ctx, client, 3); err != nil {
		t.Fatal(err)
	}

	if n := srv.Stats().Requests["UpdateTicket"]; n != 1 {
		t.Errorf("UpdateTicket requests = %d, want 1", n)
	}
	after, err := client.ShowTicket(ctx, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := after.Ticket.Priority; p == nil || *p != zendesk.TicketPriorityUrgent {
		t.Errorf("priority = %v, want urgent", p)
	}
	for _, want := range append(before.Ticket.Tags, "escalated") {
		if !slices.Contains(after.Ticket.Tags, want) {
			t.Errorf("tags %v lack %q", after.Ticket.Tags, want)
		}
	}
}
