package connectordoc

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	docPath   = "../../spec/connector-docs/zendesk-support-v1r1.txt"
	indexPath = "../../spec/connector-docs/endpoints.tsv"
)

func realDoc(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(docPath)
	require.NoError(t, err)
	return b
}

func parseReal(t *testing.T) (*Doc, []Documented) {
	t.Helper()
	doc, err := Parse(realDoc(t))
	require.NoError(t, err)
	ib, err := os.ReadFile(indexPath)
	require.NoError(t, err)
	index, err := ParseIndex(ib)
	require.NoError(t, err)
	joined, err := Join(doc, index)
	require.NoError(t, err)
	return doc, joined
}

func TestRealDocInventory(t *testing.T) {
	doc, joined := parseReal(t)
	assert.Equal(t, 417, doc.Declared)
	require.Len(t, doc.Endpoints, 417)
	require.Len(t, joined, 417)
	methods := map[string]int{}
	for _, ep := range doc.Endpoints {
		methods[ep.Method]++
	}
	assert.Equal(t, map[string]int{"GET": 209, "POST": 75, "PUT": 69, "PATCH": 6, "DELETE": 58}, methods)
}

func find(t *testing.T, joined []Documented, method, path string) Documented {
	t.Helper()
	for _, d := range joined {
		if d.Method == method && d.Path == path {
			return d
		}
	}
	t.Fatalf("no documented %s %s", method, path)
	return Documented{}
}

func TestRealDocFacts(t *testing.T) {
	_, joined := parseReal(t)

	t.Run("title, summary and the stray 1", func(t *testing.T) {
		d := find(t, joined, "DELETE", "/api/v2/organization_memberships/destroy_many")
		assert.Equal(t, "Destroy_many: Bulk Delete Memberships1", d.Title)
		assert.Equal(t, "Destroy_many", d.Resource)
		assert.Equal(t, "Bulk Delete Memberships", d.Summary)
		assert.True(t, d.Job)
	})
	t.Run("repeated titles stay distinct endpoints", func(t *testing.T) {
		a := find(t, joined, "PUT", "/api/v2/users/{user_id}/group_memberships/{group_membership_id}/make_default")
		b := find(t, joined, "PUT", "/api/v2/users/{user_id}/organization_memberships/{organization_membership_id}/make_default")
		assert.Equal(t, a.Title, b.Title)
		assert.NotEqual(t, a.Line, b.Line)
	})
	t.Run("parameter rows with required flags, path parameters last", func(t *testing.T) {
		d := find(t, joined, "GET", "/api/v2/tickets/{ticket_id}/macros/{macro_id}/apply")
		require.Len(t, d.Params, 2)
		assert.Equal(t, Param{Line: d.Params[0].Line, Description: "The ID of the ticket", Required: true}, d.Params[0])
		assert.Equal(t, "The ID of the macro", d.Params[1].Description)
	})
	t.Run("a description cut mid-sentence ends at the lone bar", func(t *testing.T) {
		d := find(t, joined, "GET", "/api/v2/organizations/autocomplete")
		require.Len(t, d.Params, 3)
		assert.True(t, d.Params[0].Required)
		assert.Equal(t, "The id of a lookup relationship field. The type of field is determined", d.Params[1].Description)
		assert.Equal(t, "If a field_id is provided, this specifies the type of the field.", d.Params[2].Description)
	})
	t.Run("a description over several lines", func(t *testing.T) {
		d := find(t, joined, "GET", "/api/v2/custom_objects/{custom_object_key}/records/search")
		assert.True(t, strings.HasPrefix(d.Params[0].Description, "The query parameter is used to search text-based fields"))
		assert.Contains(t, d.Params[0].Description, "query=Tesla%20Honda%202020")
	})
	t.Run("named parameters from prose tables", func(t *testing.T) {
		d := find(t, joined, "GET", "/api/v2/automations")
		var names []string
		for _, np := range d.NamedParams {
			names = append(names, np.Name)
		}
		assert.Equal(t, []string{"active", "sort_by", "sort_order"}, names)
		assert.Equal(t, "boolean", d.NamedParams[0].Type)
	})
	t.Run("body fields with mandatory columns", func(t *testing.T) {
		d := find(t, joined, "PUT", "/api/v2/automations/update_many")
		require.Len(t, d.BodyFields, 3)
		assert.Equal(t, "id", d.BodyFields[0].Name)
		assert.True(t, d.BodyFields[0].Required)
		assert.False(t, d.BodyFields[1].Required)
		assert.Empty(t, d.NamedParams)
	})
	t.Run("pagination styles and page sizes", func(t *testing.T) {
		cases := []struct {
			method, path, style string
			max                 int
		}{
			{"GET", "/api/v2/triggers/active", StyleCursorOffset, 100},
			{"GET", "/api/v2/views/active", StyleOffset, 100},
			// "Cursor pagination (recommended, but only sorts by created_at)"
			{"GET", "/api/v2/views", StyleCursorOffset, 100},
			{"GET", "/api/v2/search/export", StyleCursor, 1000},
			{"GET", "/api/v2/triggers/{trigger_id}/revisions", StyleCursor, 1000},
			{"GET", "/api/v2/ticket_fields", StyleCursor, 100},
			{"GET", "/api/v2/incremental/tickets", StyleIncrementalTime, 0},
			{"GET", "/api/v2/incremental/tickets/cursor", StyleIncrementalCursor, 0},
			{"GET", "/api/v2/incremental/routing/attributes", StyleIncrementalCursor, 0},
			{"GET", "/api/v2/incremental/organizations", StyleIncrementalTime, 0},
			{"GET", "/api/v2/tickets", "", 0},
			{"GET", "/api/v2/tickets/{ticket_id}", "", 0},
		}
		for _, c := range cases {
			d := find(t, joined, c.method, c.path)
			assert.Equal(t, c.style, d.Pagination.Style, c.path)
			assert.Equal(t, c.max, d.Pagination.MaxPageSize, c.path)
		}
	})
	t.Run("sideloads from tables, lists and sentences", func(t *testing.T) {
		names := func(d Documented) []string {
			var out []string
			for _, s := range d.Sideloads {
				out = append(out, s.Name)
			}
			return out
		}
		assert.Equal(t, []string{"app_installation", "permissions"}, names(find(t, joined, "GET", "/api/v2/views")))
		assert.Equal(t, []string{"actors", "users"}, names(find(t, joined, "GET", "/api/v2/activities")))
		assert.Equal(t, []string{"comment_events"}, names(find(t, joined, "GET", "/api/v2/incremental/ticket_events")))
		// "Also sideloads the following": sent with every page, no include.
		for _, s := range find(t, joined, "GET", "/api/v2/activities").Sideloads {
			assert.True(t, s.Always, s.Name)
		}
		for _, s := range find(t, joined, "GET", "/api/v2/views").Sideloads {
			assert.False(t, s.Always, s.Name)
		}
		// A parameter row naming the sideload it accepts.
		comments := find(t, joined, "GET", "/api/v2/tickets/{ticket_id}/comments")
		assert.Equal(t, []string{"users"}, names(comments))
		assert.False(t, comments.Sideloads[0].Always)
	})
	t.Run("rate limits", func(t *testing.T) {
		cases := []struct {
			method, path      string
			requests, seconds int
			per               []string
		}{
			{"GET", "/api/v2/views/{view_id}/count", 5, 60, []string{"view", "agent"}},
			{"GET", "/api/v2/views/count_many", 6, 300, nil},
			{"GET", "/api/v2/search/export", 100, 60, []string{"account"}},
			{"POST", "/api/v2/suspended_tickets/export", 1, 60, nil},
			{"GET", "/api/v2/incremental/{incremental_resource}/sample", 10, 1200, nil},
			{"DELETE", "/api/v2/deleted_users/{deleted_user_id}", 700, 600, nil},
			{"GET", "/api/v2/deleted_tickets", 10, 60, nil},
		}
		for _, c := range cases {
			d := find(t, joined, c.method, c.path)
			require.NotEmpty(t, d.RateLimits, c.path)
			rl := d.RateLimits[0]
			assert.Equal(t, c.requests, rl.Requests, c.path)
			assert.Equal(t, c.seconds, rl.Seconds, c.path)
			assert.Equal(t, c.per, rl.Per, c.path)
			assert.False(t, rl.Derived, c.path)
		}
		// "When making requests beyond page 100 ..." narrows the limit; it is not a second one.
		assert.Len(t, find(t, joined, "GET", "/api/v2/deleted_tickets").RateLimits, 1)
		// Incremental exports without a limit of their own get the general one.
		inc := find(t, joined, "GET", "/api/v2/incremental/tickets/cursor").RateLimits
		require.Len(t, inc, 1)
		assert.True(t, inc[0].Derived)
		assert.Equal(t, 10, inc[0].Requests)
		assert.Equal(t, 60, inc[0].Seconds)
		assert.Equal(t, "anonymous users", find(t, joined, "POST", "/api/v2/requests").RateLimits[0].AppliesTo)
	})
	t.Run("jobs", func(t *testing.T) {
		jobs := 0
		for _, d := range joined {
			if d.Job {
				jobs++
			}
		}
		assert.Equal(t, 20, jobs)
		assert.False(t, find(t, joined, "GET", "/api/v2/job_statuses/{job_status_id}").Job)
		assert.True(t, find(t, joined, "POST", "/api/v2/resource_collections").Job)
		assert.False(t, find(t, joined, "POST", "/api/v2/suspended_tickets/export").Job)
	})
}

func TestBadDocuments(t *testing.T) {
	real := string(realDoc(t))
	cut := strings.Index(real, "GET\nTickets: List Tickets\n")
	require.Positive(t, cut)
	cases := []struct {
		name, doc, want string
	}{
		{"empty", "", "connector doc is empty"},
		{"blank", "\n  \n", "connector doc is empty"},
		{"foreign", "# README\n\nThis is not a connector document.\n", "not a connector doc"},
		{"overview without endpoints", "Version 1 Revision 1\nConnector Overview: This page documents all 3 endpoints.\nnothing here\n", "no endpoint block"},
		{"truncated between blocks", real[:cut], "declares 417 endpoints but has"},
		{"truncated inside a block", real[:cut+40], "has no parameter table"},
		{"truncated inside a table", real[:strings.Index(real, "N/A |\nPOST\nAutocomplete: Autocomplete Problems")-3], "row without a description"},
		{"binary", "\x00\x01\x02PNG\x00", "not a connector doc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Parse([]byte(c.doc))
			require.Error(t, err)
			assert.Nil(t, doc)
			assert.Contains(t, err.Error(), c.want)
			var pe *ParseError
			assert.ErrorAs(t, err, &pe)
		})
	}
}

func TestCRLFDocument(t *testing.T) {
	crlf := strings.ReplaceAll(string(realDoc(t)), "\n", "\r\n")
	doc, err := Parse([]byte(crlf))
	require.NoError(t, err)
	assert.Len(t, doc.Endpoints, 417)
}

func TestBadIndex(t *testing.T) {
	cases := []struct{ name, index, want string }{
		{"no header", "GET\t/api/v2/x\tX: Y\t3\n", "want the header"},
		{"short row", "method\tpath\tdoc_title\tdoc_line\nGET\t/api/v2/x\n", "want 4 tab-separated fields"},
		{"bad method", "method\tpath\tdoc_title\tdoc_line\nFETCH\t/api/v2/x\tX: Y\t3\n", "unknown method"},
		{"bad path", "method\tpath\tdoc_title\tdoc_line\nGET\t/v1/x y\tX: Y\t3\n", "malformed path"},
		{"bad line", "method\tpath\tdoc_title\tdoc_line\nGET\t/api/v2/x\tX: Y\tthree\n", "malformed doc line"},
		{"duplicate", "method\tpath\tdoc_title\tdoc_line\nGET\t/api/v2/x\tX: Y\t3\nGET\t/api/v2/x\tX: Z\t9\n", "listed twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseIndex([]byte(c.index))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestJoinDisagreement(t *testing.T) {
	doc, err := Parse(realDoc(t))
	require.NoError(t, err)
	ib, err := os.ReadFile(indexPath)
	require.NoError(t, err)
	lines := strings.Split(string(ib), "\n")
	// Drop one row: its endpoint has no index entry.
	_, err = Join(doc, mustIndex(t, strings.Join(append(lines[:5:5], lines[6:]...), "\n")))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has no row in the endpoint index")
	// Change a row's method: doc and index disagree.
	changed := append([]string{}, lines...)
	changed[1] = strings.Replace(changed[1], "POST", "PUT", 1)
	_, err = Join(doc, mustIndex(t, strings.Join(changed, "\n")))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "doc says POST")
}

func mustIndex(t *testing.T, s string) []IndexEntry {
	t.Helper()
	ix, err := ParseIndex([]byte(s))
	require.NoError(t, err)
	return ix
}

// FuzzParse parses any document (seed corpus in testdata/fuzz/FuzzParse:
// an HTML page instead of the doc, empty, null, the doc cut in a header or
// a table, with CRLF line ends, with a huge or non-integer endpoint count;
// plus the start of the real doc): an error or a document with as many
// endpoints as it declares; never a panic.
func FuzzParse(f *testing.F) {
	real, err := os.ReadFile(docPath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(real[:4000]))
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := Parse([]byte(s))
		if err == nil && len(doc.Endpoints) != doc.Declared {
			t.Fatalf("parsed %d endpoints of %d declared without error", len(doc.Endpoints), doc.Declared)
		}
	})
}
