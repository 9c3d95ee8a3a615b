package zendesktest_test

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/spec"
	"github.com/zdapi/zendesk/zendesktest"
)

// withParams returns the spec with query parameters (YAML list items, at
// the parameters' indentation) added to an operation.
func withParams(t *testing.T, yaml, op, params string) string {
	t.Helper()
	i := strings.Index(yaml, "operationId: "+op+"\n")
	require.GreaterOrEqual(t, i, 0, op)
	j := strings.Index(yaml[i:], "      parameters:\n")
	require.GreaterOrEqual(t, j, 0, op)
	at := i + j + len("      parameters:\n")
	return yaml[:at] + params + yaml[at:]
}

const sortByParams = `        - name: sort_by
          in: query
          schema:
            type: string
        - name: sort_order
          in: query
          schema:
            type: string
            enum: [asc, desc]
`

// query adds query parameters to a call's request.
func query(kv ...string) zendesk.CallOption {
	return zendesk.WithRequestEditor(func(_ context.Context, r *http.Request) error {
		q := r.URL.Query()
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		r.URL.RawQuery = q.Encode()
		return nil
	})
}

// TestSortedLists lists stored tickets and users sorted, by cursor (sort)
// and by offset (sort_by, sort_order), and compares each order with the
// records fetched unsorted and sorted in the test. The spec declares sort on
// ListTickets; ListUsers is given sort_by and sort_order here, since the fake
// sorts whatever list declares them.
func TestSortedLists(t *testing.T) {
	yaml := withParams(t, string(spec.YAML), "ListUsers", sortByParams)
	srv := zendesktest.NewServer(t, zendesktest.WithSpec([]byte(yaml)), zendesktest.WithTickets(60), zendesktest.WithUsers(25),
		zendesktest.WithResponseValidation())
	client, err := srv.Client()
	require.NoError(t, err)
	ctx := context.Background()

	// Changes put some tickets' updated_at after every generated one's, out
	// of id order.
	for _, id := range []int64{41, 3, 17} {
		_, err := client.UpdateTicket(ctx, id, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{Tags: []string{"moved"}}})
		require.NoError(t, err)
		require.NoError(t, srv.AdvanceClock(time.Second))
	}
	var tickets []zendesk.Ticket
	for tk, err := range client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}) {
		require.NoError(t, err)
		tickets = append(tickets, *tk)
	}
	var users []zendesk.User
	for u, err := range client.ListUsersAll(ctx, &zendesk.ListUsersParams{}) {
		require.NoError(t, err)
		users = append(users, *u)
	}

	byTime := func(get func(zendesk.Ticket) time.Time, desc bool) []int64 {
		s := slices.Clone(tickets)
		slices.SortFunc(s, func(a, b zendesk.Ticket) int {
			c := cmp.Or(get(a).Compare(get(b)), cmp.Compare(*a.ID, *b.ID))
			if desc {
				return -c
			}
			return c
		})
		var ids []int64
		for _, tk := range s {
			ids = append(ids, *tk.ID)
		}
		return ids
	}
	updated := func(tk zendesk.Ticket) time.Time { return *tk.UpdatedAt }
	byStatus := slices.Clone(tickets)
	slices.SortFunc(byStatus, func(a, b zendesk.Ticket) int {
		return cmp.Or(cmp.Compare(string(*a.Status), string(*b.Status)), cmp.Compare(*a.ID, *b.ID))
	})
	var statusIDs []int64
	for _, tk := range byStatus {
		statusIDs = append(statusIDs, *tk.ID)
	}

	// cursorIDs pages through ListTickets by cursor with the sort.
	cursorIDs := func(t *testing.T, sortBy string) []int64 {
		var ids []int64
		size := 7
		params := &zendesk.ListTicketsParams{PageSize: &size}
		for range 100 {
			resp, err := client.ListTickets(ctx, params, query("sort", sortBy))
			require.NoError(t, err)
			for _, tk := range resp.Tickets {
				ids = append(ids, *tk.ID)
			}
			if !*resp.Meta.HasMore {
				return ids
			}
			params.PageAfter = resp.Meta.AfterCursor
		}
		t.Fatal("the listing does not end")
		return nil
	}
	cases := []struct {
		name string
		got  func(t *testing.T) []int64
		want []int64
	}{
		{"cursor sort=-updated_at", func(t *testing.T) []int64 { return cursorIDs(t, "-updated_at") }, byTime(updated, true)},
		{"cursor sort=updated_at", func(t *testing.T) []int64 { return cursorIDs(t, "updated_at") }, byTime(updated, false)},
		{"cursor sort=status", func(t *testing.T) []int64 { return cursorIDs(t, "status") }, statusIDs},
		{"offset sort_by=name sort_order=desc", func(t *testing.T) []int64 {
			var ids []int64
			per := 9
			for page := 1; ; page++ {
				p := page
				resp, err := client.ListUsers(ctx, &zendesk.ListUsersParams{Page: &p, PerPage: &per}, query("sort_by", "name", "sort_order", "desc"))
				require.NoError(t, err)
				for _, u := range resp.Users {
					ids = append(ids, *u.ID)
				}
				if resp.NextPage == nil {
					return ids
				}
			}
		}, func() []int64 {
			s := slices.Clone(users)
			slices.SortFunc(s, func(a, b zendesk.User) int {
				return -cmp.Or(cmp.Compare(strings.ToLower(*a.Name), strings.ToLower(*b.Name)), cmp.Compare(*a.ID, *b.ID))
			})
			var ids []int64
			for _, u := range s {
				ids = append(ids, *u.ID)
			}
			return ids
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.got(t)
			assert.Equal(t, tc.want, got)
		})
	}

	// page[before] from the second sorted page gives the first again.
	size := 7
	first, err := client.ListTickets(ctx, &zendesk.ListTicketsParams{PageSize: &size}, query("sort", "-updated_at"))
	require.NoError(t, err)
	second, err := client.ListTickets(ctx, &zendesk.ListTicketsParams{PageSize: &size, PageAfter: first.Meta.AfterCursor}, query("sort", "-updated_at"))
	require.NoError(t, err)
	back, err := client.ListTickets(ctx, &zendesk.ListTicketsParams{PageSize: &size, PageBefore: second.Meta.BeforeCursor}, query("sort", "-updated_at"))
	require.NoError(t, err)
	assert.Equal(t, first.Tickets, back.Tickets)

	// A cursor of another sort, and a property records lack, are refused.
	_, err = client.ListTickets(ctx, &zendesk.ListTicketsParams{PageSize: &size, PageAfter: first.Meta.AfterCursor}, query("sort", "updated_at"))
	var apiErr *zendesk.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	_, err = client.ListTickets(ctx, &zendesk.ListTicketsParams{PageSize: &size}, query("sort", "flavour"))
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, apiErr.Description, "flavour")
}
