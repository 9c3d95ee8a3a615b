package overlay

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTimeExportFromZeroStalls runs a time-based export from start_time=0
// against a server whose end_time stays 0: the position never advances,
// which is a StalledError after the first page, not an endless loop.
func TestTimeExportFromZeroStalls(t *testing.T) {
	leakCheck(t)
	s := &scripted{page: func(q url.Values) string {
		return fmt.Sprintf(`{"records":%s,"end_time":0,"end_of_stream":false}`, records(1, 2))
	}}
	l, fetch := s.start(t, "incremental-time")
	fetchFromZero := func(ctx context.Context, edit RequestEditorFn) (*http.Response, error) {
		return fetch(ctx, func(ctx context.Context, req *http.Request) error {
			q := req.URL.Query()
			q.Set("start_time", "0")
			req.URL.RawQuery = q.Encode()
			return edit(ctx, req)
		})
	}
	_, errs := collectUpTo(t, All[rec](context.Background(), l, fetchFromZero, nil), &s.requests, 10)
	require.Len(t, errs, 1)
	var se *StalledError
	require.ErrorAs(t, errs[0], &se)
	assert.Contains(t, se.Error(), "end_time 0")
	assert.Equal(t, 1, int(s.requests.Load()))
}

// TestLongCursorCyclesAreStalled serves cursors that come back after 1,001
// and 1,500 pages (longer than any window of recent cursors): every cycle
// is caught when its first cursor comes back.
func TestLongCursorCyclesAreStalled(t *testing.T) {
	for _, cycle := range []int{2, 1001, 1500} {
		for _, style := range []string{"cursor", "incremental-cursor"} {
			t.Run(style+"/"+strconv.Itoa(cycle), func(t *testing.T) {
				leakCheck(t)
				s := &scripted{page: func(q url.Values) string {
					n, _ := strconv.Atoi(strings.TrimPrefix(q.Get("page[after]")+q.Get("cursor"), "c"))
					next := fmt.Sprintf("c%d", (n+1)%cycle)
					if style == "cursor" {
						return fmt.Sprintf(`{"records":%s,"meta":{"has_more":true,"after_cursor":%q}}`, records(n+1), next)
					}
					return fmt.Sprintf(`{"records":%s,"after_cursor":%q,"end_of_stream":false}`, records(n+1), next)
				}}
				l, fetch := s.start(t, style)
				_, errs := collectUpTo(t, All[rec](context.Background(), l, fetch, nil), &s.requests, cycle+5)
				require.Len(t, errs, 1)
				var se *StalledError
				require.ErrorAs(t, errs[0], &se, "%v", errs[0])
				assert.Equal(t, cycle+1, int(s.requests.Load()), "the cycle c0..c%d comes back at the page after c0", cycle-1)
			})
		}
	}
}

// TestPageBodiesThatAreNotPages: a page object followed by more data, and a
// page holding far more records than its page size, are errors naming the
// operation, not records.
func TestPageBodiesThatAreNotPages(t *testing.T) {
	many := `{"id":1},`
	huge := `{"records":[` + strings.Repeat(many, 20000) + `{"id":2}],"meta":{"has_more":false}}`
	cases := []struct {
		name, body, want string
	}{
		{"trailing garbage", `{"records":[{"id":1}],"meta":{"has_more":false}} {"records":[]}`, "more data after the JSON object"},
		{"trailing bytes", `{"records":[{"id":1}],"meta":{"has_more":false}}xyz`, "after the JSON object"},
		{"far more records than asked", huge, "far more than the page size 100"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			leakCheck(t)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, c.body)
			}))
			defer srv.Close()
			fetch := func(ctx context.Context, edit RequestEditorFn) (*http.Response, error) {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
				_ = edit(ctx, req)
				return srv.Client().Do(req)
			}
			l := Listing{Operation: "ListRecords", Style: "cursor", Items: "records", SizeParam: "page[size]", CursorParam: "page[after]", MaxPageSize: 100}
			ids, errs := collect(t, All[rec](context.Background(), l, fetch, nil))
			assert.Empty(t, ids)
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0].Error(), c.want)
			assert.Contains(t, errs[0].Error(), "ListRecords")
		})
	}
}

// TestNegativePageRetriesAreRefused: WithPageRetries(-5) is an error before
// any request, as a negative page size is.
func TestNegativePageRetriesAreRefused(t *testing.T) {
	s := &listServer{t: t, style: "cursor", total: 10}
	l, fetch := s.start(t)
	_, errs := collect(t, All[rec](context.Background(), l, fetch, nil, WithPageRetries(-5)))
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "page retries -5 is negative")
	assert.Zero(t, s.requests.Load())
}

// TestRecordHashesAreOfTheRecordsAsSent decodes a page whose records are
// spread over lines, with white space around commas, and larger than the
// decoder's buffer: with each record decoded once, the hashes of the
// tracked position are still those of each record's JSON as Zendesk sent
// it (what checkpoints written before hold), and the records decode.
func TestRecordHashesAreOfTheRecordsAsSent(t *testing.T) {
	var recs []string
	for i := range 300 {
		recs = append(recs, fmt.Sprintf("{\n  \"id\": %d,\n  \"name\": %q }", i+1, strings.Repeat("n", i*7)))
	}
	body := "{ \"records\" : [\n" + strings.Join(recs, " ,\n\t") + "\n] , \"meta\":{\"has_more\":false}}"
	for _, f := range []itemFilter{{size: 300, track: true, last: true}, {size: 300, last: true}} {
		page := PageState{Items: RecordsOf(reflect.TypeFor[rec]())()}
		var pf pageFields
		require.NoError(t, decodePage(strings.NewReader(body), "records", nil, &page, &pf, f))
		items := page.Items.(*Records).Slice().([]rec)
		require.Len(t, items, 300)
		for i, r := range items {
			assert.Equal(t, int64(i+1), r.ID)
			if f.track {
				assert.Equal(t, recordHash([]byte(recs[i])), page.hashes[i], "record %d", i)
			}
		}
		assert.Equal(t, recordHash([]byte(recs[299])), page.lastSent)
	}
}
