package zendesktest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// searchData is every record of the fake, fetched through the listing
// iterators: what the expected hits of the search tests are computed from.
type searchData struct {
	tickets []zendesk.Ticket
	users   []zendesk.User
	orgs    []zendesk.Organization
	groups  []zendesk.Group
}

func fetchAll(t *testing.T, ctx context.Context, c *zendesk.Client) searchData {
	t.Helper()
	var d searchData
	for tk, err := range c.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}) {
		require.NoError(t, err)
		d.tickets = append(d.tickets, *tk)
	}
	for u, err := range c.ListUsersAll(ctx, &zendesk.ListUsersParams{}) {
		require.NoError(t, err)
		d.users = append(d.users, *u)
	}
	for o, err := range c.ListOrganizationsAll(ctx, &zendesk.ListOrganizationsParams{}) {
		require.NoError(t, err)
		d.orgs = append(d.orgs, *o)
	}
	for g, err := range c.ListGroupsAll(ctx, &zendesk.ListGroupsParams{}) {
		require.NoError(t, err)
		d.groups = append(d.groups, *g)
	}
	return d
}

// words are the lower-cased runs of letters and digits of the texts.
func words(texts ...*string) []string {
	var out []string
	for _, s := range texts {
		if s != nil {
			out = append(out, strings.FieldsFunc(strings.ToLower(*s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })...)
		}
	}
	return out
}

// containsRun reports whether run appears in ws as consecutive words.
func containsRun(ws []string, run ...string) bool {
	for i := 0; i+len(run) <= len(ws); i++ {
		if slices.Equal(ws[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

func hasTag(tags []string, tag string) bool { return slices.Contains(tags, tag) }

// hitKey names a search result: its type and id.
func hitKey(kind string, id int64) string { return fmt.Sprintf("%s/%d", kind, id) }

// resultKey is the hitKey of a search result, read through its union.
func resultKey(t *testing.T, r zendesk.SearchResult) string {
	t.Helper()
	v, err := r.ValueByDiscriminator()
	require.NoError(t, err)
	switch x := v.(type) {
	case zendesk.SearchTicketResult:
		return hitKey("ticket", *x.ID)
	case zendesk.SearchUserResult:
		return hitKey("user", *x.ID)
	case zendesk.SearchOrganizationResult:
		return hitKey("organization", *x.ID)
	case zendesk.SearchGroupResult:
		return hitKey("group", *x.ID)
	}
	t.Fatalf("unexpected result %T", v)
	return ""
}

// ticketHits are the keys of the tickets keep selects.
func ticketHits(d searchData, keep func(zendesk.Ticket) bool) []string {
	var out []string
	for _, tk := range d.tickets {
		if keep(tk) {
			out = append(out, hitKey("ticket", *tk.ID))
		}
	}
	return out
}

func statusRank(s *zendesk.TicketStatus) int {
	return slices.Index([]zendesk.TicketStatus{"new", "open", "pending", "hold", "solved", "closed"}, *s)
}

// TestSearchQueries runs ten queries through the search iterator (offset
// pages of 25) and compares the hits with the records a plain loop over
// every record selects, then checks count and the cursor export agree.
func TestSearchQueries(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(300), zendesktest.WithUsers(40), zendesktest.WithOrganizations(6),
		zendesktest.WithGroups(4), zendesktest.WithResponseValidation())
	client, err := srv.Client(zendesk.WithoutOperationPacing())
	require.NoError(t, err)
	ctx := context.Background()

	// Two tickets made and changed now, so that relative dates and phrases
	// find something the generated 2024 history does not have.
	for _, subj := range []string{"The reactor overheats", "Reactor manual wanted"} {
		_, err := client.CreateTicket(ctx, &zendesk.CreateTicketParams{}, zendesk.CreateTicketJSONRequestBody{Ticket: zendesk.TicketInput{
			Subject: ptr(subj), Comment: &zendesk.TicketCommentInput{Body: ptr("Our cooling pump is broken since Monday.")}, Tags: []string{"vip", "reactor"},
		}})
		require.NoError(t, err)
	}
	_, err = client.UpdateTicket(ctx, 5, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{Tags: []string{"escalated"}}})
	require.NoError(t, err)

	d := fetchAll(t, ctx, client)
	require.Len(t, d.tickets, 302)
	group, requester := *d.tickets[10].GroupID, *d.tickets[10].RequesterID
	july, august := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC)
	hourAgo := srv.Now().Add(-time.Hour)

	cases := []struct {
		query string
		want  []string
	}{
		{"type:ticket status:open", ticketHits(d, func(tk zendesk.Ticket) bool { return *tk.Status == zendesk.TicketStatusOpen })},
		{"type:ticket status<solved priority>=high", ticketHits(d, func(tk zendesk.Ticket) bool {
			return statusRank(tk.Status) < 4 && tk.Priority != nil && (*tk.Priority == zendesk.TicketPriorityHigh || *tk.Priority == zendesk.TicketPriorityUrgent)
		})},
		{"type:ticket tags:vip -tags:billing", ticketHits(d, func(tk zendesk.Ticket) bool { return hasTag(tk.Tags, "vip") && !hasTag(tk.Tags, "billing") })},
		{"type:ticket assignee:none", ticketHits(d, func(tk zendesk.Ticket) bool { return tk.AssigneeID == nil })},
		{fmt.Sprintf("type:ticket group:%d requester:%d", group, requester), ticketHits(d, func(tk zendesk.Ticket) bool {
			return tk.GroupID != nil && *tk.GroupID == group && *tk.RequesterID == requester
		})},
		{"type:ticket created>2024-06-30 created<2024-08-01", ticketHits(d, func(tk zendesk.Ticket) bool {
			return !tk.CreatedAt.Before(july) && tk.CreatedAt.Before(august)
		})},
		{`printer "is on fire"`, ticketHits(d, func(tk zendesk.Ticket) bool {
			ws := words(tk.Subject, tk.Description)
			return containsRun(ws, "printer") && containsRun(ws, "is", "on", "fire")
		})},
		{"REACTOR updated>1hours -manual", ticketHits(d, func(tk zendesk.Ticket) bool {
			ws := words(tk.Subject, tk.Description)
			return tk.UpdatedAt.After(hourAgo) && containsRun(ws, "reactor") && !containsRun(ws, "manual")
		})},
		{"type:user organization:none", func() []string {
			var out []string
			for _, u := range d.users {
				if u.OrganizationID == nil {
					out = append(out, hitKey("user", *u.ID))
				}
			}
			return out
		}()},
		{"support", func() []string {
			var out []string
			for _, u := range d.users {
				if containsRun(words(u.Name, u.Email), "support") {
					out = append(out, hitKey("user", *u.ID))
				}
			}
			for _, o := range d.orgs {
				if containsRun(words(o.Name, o.Details, o.Notes), "support") {
					out = append(out, hitKey("organization", *o.ID))
				}
			}
			for _, g := range d.groups {
				if containsRun(words(g.Name, g.Description), "support") {
					out = append(out, hitKey("group", *g.ID))
				}
			}
			return append(ticketHits(d, func(tk zendesk.Ticket) bool { return containsRun(words(tk.Subject, tk.Description), "support") }), out...)
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			require.NotEmpty(t, tc.want, "the data set has records for the query")
			var got []string
			per := 25
			for r, err := range client.ListSearchResultsAll(ctx, &zendesk.ListSearchResultsParams{Query: tc.query, PerPage: &per}) {
				require.NoError(t, err)
				got = append(got, resultKey(t, *r))
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			assert.Equal(t, want, got)

			count, err := client.CountSearchResults(ctx, &zendesk.CountSearchResultsParams{Query: tc.query})
			require.NoError(t, err)
			assert.Equal(t, int64(len(want)), count.Count)
		})
	}

	// The cursor export gives the same tickets, in pages of 7, by creation.
	var exported []string
	size := 7
	for r, err := range client.ExportSearchResultsAll(ctx, &zendesk.ExportSearchResultsParams{Query: "status:open", FilterType: zendesk.ExportSearchResultsParamsFilterTypeTicket, PageSize: &size}) {
		require.NoError(t, err)
		exported = append(exported, resultKey(t, *r))
	}
	assert.Equal(t, cases[0].want, exported)

	// sort_by and sort_order: newest first.
	desc := zendesk.ListSearchResultsParamsSortOrderDesc
	by := zendesk.ListSearchResultsParamsSortByCreatedAt
	sorted, err := client.ListSearchResults(ctx, &zendesk.ListSearchResultsParams{Query: "type:ticket tags:vip", SortBy: &by, SortOrder: &desc})
	require.NoError(t, err)
	var created []time.Time
	for _, r := range sorted.Results {
		tk, err := r.AsSearchTicketResult()
		require.NoError(t, err)
		created = append(created, *tk.CreatedAt)
	}
	require.Greater(t, len(created), 2)
	assert.True(t, slices.IsSortedFunc(created, func(a, b time.Time) int { return b.Compare(a) }), "newest first")
}

// TestSearchUnionKeepsEveryField checks that a search result carries the
// fields of its record type that a flat result type would drop: a user's
// user_fields and role flags, a ticket's follower and CC ids.
func TestSearchUnionKeepsEveryField(t *testing.T) {
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(5), zendesktest.WithUsers(5), zendesktest.WithResponseValidation())
	client, err := srv.Client()
	require.NoError(t, err)
	ctx := context.Background()
	_, err = client.UpdateTicket(ctx, 2, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{
		FollowerIDs: []int64{10_000_000_001}, EmailCcIDs: []int64{10_000_000_003},
	}})
	require.NoError(t, err)
	tickets, err := client.ListSearchResults(ctx, &zendesk.ListSearchResultsParams{Query: "type:ticket"})
	require.NoError(t, err)
	var found bool
	for _, r := range tickets.Results {
		kind, err := r.Discriminator()
		require.NoError(t, err)
		require.Equal(t, "ticket", kind)
		tk, err := r.AsSearchTicketResult()
		require.NoError(t, err)
		if *tk.ID == 2 {
			found = true
			assert.Equal(t, []int64{10_000_000_001}, tk.FollowerIDs)
			assert.Equal(t, []int64{10_000_000_003}, tk.EmailCcIDs)
		}
	}
	assert.True(t, found)
	users, err := client.ListSearchResults(ctx, &zendesk.ListSearchResultsParams{Query: "type:user"})
	require.NoError(t, err)
	require.NotEmpty(t, users.Results)
	u, err := users.Results[0].AsSearchUserResult()
	require.NoError(t, err)
	assert.NotNil(t, u.UserFields, "user_fields survive")
	assert.NotNil(t, u.Moderator, "role flags survive")
	assert.NotNil(t, u.RestrictedAgent)
}

// TestSearchRefusals checks the answers to searches Zendesk refuses: past
// the 1000-result limit, an unknown keyword, a bad value, type: in an
// export query. Each is an error in Zendesk's shape, never an empty page.
func TestSearchRefusals(t *testing.T) {
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(1_200), zendesktest.WithResponseValidation())
	client, err := srv.Client()
	require.NoError(t, err)
	ctx := context.Background()

	per, page := 100, 10
	last, err := client.ListSearchResults(ctx, &zendesk.ListSearchResultsParams{Query: "type:ticket", Page: &page, PerPage: &per})
	require.NoError(t, err, "results 901-1000 are within the limit")
	assert.Equal(t, 1_200, *last.Count, "count tells how many match, past the limit too")
	assert.Len(t, last.Results, 100)

	cases := []struct {
		name   string
		call   func() error
		status int
		desc   string
	}{
		{"page past 1000 results", func() error {
			p := 11
			_, err := client.ListSearchResults(ctx, &zendesk.ListSearchResultsParams{Query: "type:ticket", Page: &p, PerPage: &per})
			return err
		}, 422, "Requested response size was greater than Search Response Limits"},
		{"unknown keyword", func() error {
			_, err := client.ListSearchResults(ctx, &zendesk.ListSearchResultsParams{Query: "type:ticket flavour:vanilla"})
			return err
		}, 422, `unsupported keyword "flavour"`},
		{"unknown keyword on count", func() error {
			_, err := client.CountSearchResults(ctx, &zendesk.CountSearchResultsParams{Query: "flavour:vanilla"})
			return err
		}, 422, `unsupported keyword "flavour"`},
		{"bad status", func() error {
			_, err := client.ListSearchResults(ctx, &zendesk.ListSearchResultsParams{Query: "status<done"})
			return err
		}, 422, `unknown status "done"`},
		{"bad date", func() error {
			_, err := client.ListSearchResults(ctx, &zendesk.ListSearchResultsParams{Query: "created>yesterday"})
			return err
		}, 422, "is not a date"},
		{"type in an export query", func() error {
			_, err := client.ExportSearchResults(ctx, &zendesk.ExportSearchResultsParams{Query: "type:ticket", FilterType: zendesk.ExportSearchResultsParamsFilterTypeTicket})
			return err
		}, 422, "filter[type]"},
		{"unclosed phrase", func() error {
			_, err := client.ListSearchResults(ctx, &zendesk.ListSearchResultsParams{Query: `"on fire`})
			return err
		}, 422, "not closed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var apiErr *zendesk.APIError
			require.ErrorAs(t, tc.call(), &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, "invalid", apiErr.Code)
			assert.Contains(t, apiErr.Description, tc.desc)
		})
	}
	assert.Zero(t, srv.Stats().Panics)
}
