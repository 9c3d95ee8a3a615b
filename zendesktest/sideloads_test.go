package zendesktest_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// ticketUserIDs are the users a ticket refers to.
func ticketUserIDs(t zendesk.Ticket) []int64 {
	var ids []int64
	for _, p := range []*int64{t.RequesterID, t.SubmitterID, t.AssigneeID} {
		if p != nil {
			ids = append(ids, *p)
		}
	}
	for _, l := range [][]int64{t.CollaboratorIDs, t.FollowerIDs, t.EmailCcIDs} {
		ids = append(ids, l...)
	}
	return ids
}

// sideloadCase is one way of getting tickets with their users and groups
// sideloaded: it returns the tickets and the typed sideloads.
type sideloadCase struct {
	name string
	get  func(ctx context.Context, c *zendesk.Client) (tickets []zendesk.Ticket, users []zendesk.User, groups []zendesk.Group, err error)
}

// TestSideloadsUsersAndGroups asks for include=users,groups on a ticket
// show, a ticket listing, a listing iterator's pages, Show Many Tickets
// and (as tickets(users),tickets(groups)) a search, and checks that the sideloads are exactly the users and groups
// the tickets refer to, each once, as Show User and Show Group give them.
func TestSideloadsUsersAndGroups(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(40), zendesktest.WithUsers(30), zendesktest.WithGroups(4),
		zendesktest.WithOrganizations(5), zendesktest.WithResponseValidation())
	client, err := srv.Client()
	require.NoError(t, err)
	ctx := context.Background()

	// A ticket with collaborators and followers, so that the lists are
	// followed too.
	upd, err := client.UpdateTicket(ctx, 7, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{
		CollaboratorIDs: []int64{10_000_000_021, 10_000_000_022}, FollowerIDs: []int64{10_000_000_002},
	}})
	require.NoError(t, err)
	require.NotNil(t, upd)

	ticketIncludes := []zendesk.ListTicketsParamsInclude{zendesk.ListTicketsParamsIncludeUsers, zendesk.ListTicketsParamsIncludeGroups}
	cases := []sideloadCase{
		{"ShowTicket", func(ctx context.Context, c *zendesk.Client) ([]zendesk.Ticket, []zendesk.User, []zendesk.Group, error) {
			inc := []zendesk.ShowTicketParamsInclude{zendesk.ShowTicketParamsIncludeUsers, zendesk.ShowTicketParamsIncludeGroups}
			resp, err := c.ShowTicket(ctx, 7, &zendesk.ShowTicketParams{Include: inc})
			if err != nil {
				return nil, nil, nil, err
			}
			return []zendesk.Ticket{resp.Ticket}, resp.Users, resp.Groups, nil
		}},
		{"ListTickets offset page", func(ctx context.Context, c *zendesk.Client) ([]zendesk.Ticket, []zendesk.User, []zendesk.Group, error) {
			per := 15
			resp, err := c.ListTickets(ctx, &zendesk.ListTicketsParams{Include: ticketIncludes, PerPage: &per})
			if err != nil {
				return nil, nil, nil, err
			}
			return resp.Tickets, resp.Users, resp.Groups, nil
		}},
		{"ListTicketsPages second cursor page", func(ctx context.Context, c *zendesk.Client) ([]zendesk.Ticket, []zendesk.User, []zendesk.Group, error) {
			n := 0
			for page, err := range c.ListTicketsPages(ctx, &zendesk.ListTicketsParams{Include: ticketIncludes}, zendesk.WithPageSize(10)) {
				if err != nil {
					return nil, nil, nil, err
				}
				if n++; n < 2 {
					continue
				}
				var users []zendesk.User
				var groups []zendesk.Group
				if err := json.Unmarshal(page.Extra["users"], &users); err != nil {
					return nil, nil, nil, err
				}
				if err := json.Unmarshal(page.Extra["groups"], &groups); err != nil {
					return nil, nil, nil, err
				}
				tickets := make([]zendesk.Ticket, len(page.Items))
				for i, tk := range page.Items {
					tickets[i] = *tk
				}
				return tickets, users, groups, nil
			}
			return nil, nil, nil, nil
		}},
		{"ShowManyTickets", func(ctx context.Context, c *zendesk.Client) ([]zendesk.Ticket, []zendesk.User, []zendesk.Group, error) {
			inc := []zendesk.ShowManyTicketsParamsInclude{zendesk.ShowManyTicketsParamsIncludeUsers, zendesk.ShowManyTicketsParamsIncludeGroups}
			resp, err := c.ShowManyTickets(ctx, &zendesk.ShowManyTicketsParams{IDs: []int64{3, 7, 12}, Include: inc})
			if err != nil {
				return nil, nil, nil, err
			}
			return resp.Tickets, resp.Users, resp.Groups, nil
		}},
		{"ListSearchResults tickets(users),tickets(groups)", func(ctx context.Context, c *zendesk.Client) ([]zendesk.Ticket, []zendesk.User, []zendesk.Group, error) {
			inc := []zendesk.ListSearchResultsParamsInclude{zendesk.ListSearchResultsParamsIncludeTicketsUsers, zendesk.ListSearchResultsParamsIncludeTicketsGroups}
			resp, err := c.ListSearchResults(ctx, &zendesk.ListSearchResultsParams{Query: "type:ticket status:open", Include: inc})
			if err != nil {
				return nil, nil, nil, err
			}
			var tickets []zendesk.Ticket
			for _, r := range resp.Results {
				raw, err := r.MarshalJSON()
				if err != nil {
					return nil, nil, nil, err
				}
				var tk zendesk.Ticket
				if err := json.Unmarshal(raw, &tk); err != nil {
					return nil, nil, nil, err
				}
				tickets = append(tickets, tk)
			}
			return tickets, resp.Users, resp.Groups, nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tickets, users, groups, err := tc.get(ctx, client)
			require.NoError(t, err)
			require.NotEmpty(t, tickets)

			// Expected: the ids the tickets name, each fetched on its own.
			var wantUsers, wantGroups []int64
			for _, tk := range tickets {
				wantUsers = append(wantUsers, ticketUserIDs(tk)...)
				if tk.GroupID != nil {
					wantGroups = append(wantGroups, *tk.GroupID)
				}
			}
			slices.Sort(wantUsers)
			wantUsers = slices.Compact(wantUsers)
			slices.Sort(wantGroups)
			wantGroups = slices.Compact(wantGroups)
			require.NotEmpty(t, wantUsers)

			var gotUsers []int64
			for _, u := range users {
				gotUsers = append(gotUsers, *u.ID)
				one, err := client.ShowUser(ctx, *u.ID, nil)
				require.NoError(t, err)
				assert.Equal(t, one.User, u, "sideloaded user %d is the stored record", *u.ID)
			}
			var gotGroups []int64
			for _, g := range groups {
				gotGroups = append(gotGroups, *g.ID)
				one, err := client.ShowGroup(ctx, *g.ID, nil)
				require.NoError(t, err)
				assert.Equal(t, one.Group, g, "sideloaded group %d is the stored record", *g.ID)
			}
			assert.Equal(t, wantUsers, gotUsers, "exactly the referenced users, each once, by id")
			assert.Equal(t, wantGroups, gotGroups, "exactly the referenced groups")
		})
	}

	// Without include, nothing is sideloaded.
	plain, err := client.ShowTicket(ctx, 7, nil)
	require.NoError(t, err)
	assert.Nil(t, plain.Users)
	assert.Nil(t, plain.Groups)

	// On a user: the agent's groups (by membership, one of them made
	// through the API) and the organization.
	agent := int64(10_000_000_002)
	_, err = client.CreateGroupMembership(ctx, zendesk.CreateGroupMembershipJSONRequestBody{
		GroupMembership: zendesk.GroupMembershipInput{UserID: agent, GroupID: 30_000_000_003},
	})
	require.NoError(t, err)
	inc := []zendesk.ShowUserParamsInclude{zendesk.ShowUserParamsIncludeGroups, zendesk.ShowUserParamsIncludeOrganizations}
	shown, err := client.ShowUser(ctx, agent, &zendesk.ShowUserParams{Include: inc})
	require.NoError(t, err)
	var memberOf []int64
	for m, err := range client.ListGroupMembershipsAll(ctx, &zendesk.ListGroupMembershipsParams{}) {
		require.NoError(t, err)
		if *m.UserID == agent {
			memberOf = append(memberOf, *m.GroupID)
		}
	}
	require.Len(t, memberOf, 2)
	var got []int64
	for _, g := range shown.Groups {
		got = append(got, *g.ID)
	}
	assert.Equal(t, memberOf, got, "the agent's groups")
	assert.Empty(t, shown.Organizations, "agents of the generated data set have no organization")
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}
