package everyday_test

import (
	"context"
	"fmt"
	"log"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// The open tickets of the first group, each with its requester, read from the
// users sideloaded with each page.
func Example_openTicketsOfGroup() {
	srv, err := zendesktest.Start(zendesktest.WithTickets(60), zendesktest.WithUsers(20), zendesktest.WithGroups(3))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	groups, err := client.ListGroups(ctx, nil)
	if err != nil || len(groups.Groups) == 0 {
		log.Fatal("no groups: ", err)
	}
	group := groups.Groups[0]

	params := &zendesk.ListTicketsParams{Include: []zendesk.ListTicketsParamsInclude{zendesk.ListTicketsParamsIncludeUsers}}
	n := 0
	for page, err := range client.ListTicketsPages(ctx, params) {
		if err != nil {
			log.Fatal(err)
		}
		users, err := page.Extra.Users()
		if err != nil {
			log.Fatal(err)
		}
		byID := map[int64]*zendesk.User{}
		for i := range users {
			byID[users[i].GetID()] = &users[i]
		}
		for _, t := range page.Items {
			if t.GetStatus() != zendesk.TicketStatusOpen || t.GetGroupID() != group.GetID() {
				continue
			}
			requester := byID[t.GetRequesterID()] // nil-safe getters: a requester not sideloaded reads as ""
			fmt.Printf("#%d %s — %s %s\n", t.GetID(), t.GetSubject(), requester.GetName(), requester.GetEmail())
			n++
		}
	}
	fmt.Printf("%d open tickets in %s\n", n, group.GetName())
	// Output:
	// #4 My dashboard is stuck — Mateo Schmidt mateo.schmidt.5@example.com
	// #16 My VPN is on fire — Chloé García chloe.garcia.17@example.com
	// #22 My password is very slow — Mateo Schmidt mateo.schmidt.5@example.com
	// #52 My printer was charged twice — Chloé García chloe.garcia.17@example.com
	// 4 open tickets in Tier 1 Support
}
