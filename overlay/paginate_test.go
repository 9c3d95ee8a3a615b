package overlay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type rec struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// TS is the record's time, for incremental exports.
	TS int64 `json:"ts"`
}

// listServer serves one listing of total records in the shape of a style,
// as Zendesk does, and counts its requests.
type listServer struct {
	t         *testing.T
	style     string
	total     int
	failPage  int  // this page (1-based) answers 500
	stuck     bool // the cursor or end_time never advances
	noMoreFix bool // the page that ends exactly at total says more follow (an empty last page follows)
	depth     int  // offset: pages past this one answer 400 (0: 100, as Zendesk)
	sameTS    int  // incremental-time: records per timestamp (>1 makes boundary duplicates)
	requests  atomic.Int32
	mu        sync.Mutex
	queries   []string
}

func (s *listServer) record(i int) rec {
	ts := int64(1000 + i)
	if s.sameTS > 1 {
		ts = int64(1000 + i/s.sameTS)
	}
	return rec{ID: int64(i + 1), Name: fmt.Sprintf("r%d", i+1), TS: ts}
}

func (s *listServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.requests.Add(1))
	s.mu.Lock()
	s.queries = append(s.queries, r.URL.RawQuery)
	s.mu.Unlock()
	q := r.URL.Query()
	if s.failPage == n {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":"InternalError"}`)
		return
	}
	size := 100
	switch s.style {
	case "cursor", "cursor+offset":
		if v := q.Get("page[size]"); v != "" {
			size, _ = strconv.Atoi(v)
		}
		off := 0
		if c := q.Get("page[after]"); c != "" {
			off, _ = strconv.Atoi(strings.TrimPrefix(c, "c"))
		}
		end := min(off+size, s.total)
		var items []rec
		for i := off; i < end; i++ {
			items = append(items, s.record(i))
		}
		hasMore := end < s.total || (s.noMoreFix && end == s.total && len(items) > 0)
		after := "c" + strconv.Itoa(end)
		if s.stuck {
			after = "c" + strconv.Itoa(off)
		}
		writeJSON(w, map[string]any{"records": items, "meta": map[string]any{"has_more": hasMore, "after_cursor": after, "before_cursor": "b"}, "users": []any{}})
	case "offset":
		if v := q.Get("per_page"); v != "" {
			size, _ = strconv.Atoi(v)
		}
		page, _ := strconv.Atoi(q.Get("page"))
		if depth := cmp.Or(s.depth, 100); page > depth {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"invalid","description":"page beyond the limit"}`)
			return
		}
		off := (page - 1) * size
		end := min(off+size, s.total)
		var items []rec
		for i := off; i < end; i++ {
			items = append(items, s.record(i))
		}
		var next any
		if end < s.total || (s.noMoreFix && end == s.total && len(items) > 0) {
			next = "https://x.zendesk.com/api/v2/records.json?page=" + strconv.Itoa(page+1)
		}
		writeJSON(w, map[string]any{"records": items, "next_page": next, "previous_page": nil, "count": s.total})
	case "incremental-time":
		if v := q.Get("per_page"); v != "" {
			size, _ = strconv.Atoi(v)
		}
		start, _ := strconv.ParseInt(q.Get("start_time"), 10, 64)
		var items []rec
		for i := 0; i < s.total && len(items) < size; i++ {
			if r := s.record(i); r.TS >= start {
				items = append(items, r)
			}
		}
		eos := len(items) < size
		end := start
		if len(items) > 0 && !s.stuck {
			end = items[len(items)-1].TS
			if s.noMoreFix {
				end++ // no boundary repeats: a full last page is followed by an empty one
			}
		}
		writeJSON(w, map[string]any{"records": items, "end_time": end, "count": len(items), "end_of_stream": eos, "next_page": "https://x.zendesk.com/api/v2/incremental/records.json?start_time=" + strconv.FormatInt(end, 10)})
	case "incremental-cursor":
		if v := q.Get("per_page"); v != "" {
			size, _ = strconv.Atoi(v)
		}
		off := 0
		if c := q.Get("cursor"); c != "" {
			if q.Get("start_time") != "" {
				s.t.Errorf("cursor and start_time sent together: %s", r.URL.RawQuery)
			}
			off, _ = strconv.Atoi(strings.TrimPrefix(c, "c"))
		} else if q.Get("start_time") == "" {
			s.t.Errorf("first export request without start_time: %s", r.URL.RawQuery)
		}
		end := min(off+size, s.total)
		var items []rec
		for i := off; i < end; i++ {
			items = append(items, s.record(i))
		}
		after := "c" + strconv.Itoa(end)
		if s.stuck {
			after = "c" + strconv.Itoa(off)
		}
		eos := end >= s.total
		if s.noMoreFix {
			eos = len(items) < size
		}
		writeJSON(w, map[string]any{"records": items, "after_cursor": after, "after_url": "https://x.zendesk.com/x?cursor=" + after, "before_cursor": nil, "end_of_stream": eos})
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *listServer) start(t *testing.T) (Listing, Fetch) {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	l := Listing{Operation: "ListRecords", Style: s.style, Items: "records"}
	switch s.style {
	case "cursor", "cursor+offset":
		l.SizeParam, l.CursorParam, l.MaxPageSize = "page[size]", "page[after]", 100
	case "offset":
		l.SizeParam, l.MaxPageSize = "per_page", 100
	case "incremental-time":
		l.SizeParam = "per_page"
	case "incremental-cursor":
		l.SizeParam, l.CursorParam = "per_page", "cursor"
	}
	fetch := func(ctx context.Context, edit RequestEditorFn) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v2/records?start_time=1000&page=7", nil)
		if err != nil {
			return nil, err
		}
		if err := edit(ctx, req); err != nil {
			return nil, err
		}
		return srv.Client().Do(req)
	}
	return l, fetch
}

func collect(t *testing.T, seq func(func(rec, error) bool)) ([]int64, []error) {
	t.Helper()
	var ids []int64
	var errs []error
	for r, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, r.ID)
	}
	return ids, errs
}

func seqIDs(from, to int) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, int64(i))
	}
	return out
}

var styles = []string{"cursor", "cursor+offset", "offset", "incremental-time", "incremental-cursor"}

func TestEveryStyleEnds(t *testing.T) {
	cases := []struct {
		name     string
		total    int
		pageSize int
		requests map[string]int // per style; default from pages
	}{
		{"many pages", 250, 100, map[string]int{"cursor": 3, "cursor+offset": 3, "offset": 3, "incremental-time": 3, "incremental-cursor": 3}},
		{"one page", 7, 100, map[string]int{"cursor": 1, "cursor+offset": 1, "offset": 1, "incremental-time": 1, "incremental-cursor": 1}},
		{"empty result", 0, 100, map[string]int{"cursor": 1, "cursor+offset": 1, "offset": 1, "incremental-time": 1, "incremental-cursor": 1}},
		// Time-based exports ask from the previous page's end_time, so each
		// page after the first repeats the boundary record (dropped by the
		// default de-duplication) and holds one new record fewer.
		{"exact multiple", 200, 100, map[string]int{"cursor": 2, "cursor+offset": 2, "offset": 2, "incremental-time": 3, "incremental-cursor": 2}},
		{"small pages", 23, 5, map[string]int{"cursor": 5, "cursor+offset": 5, "offset": 5, "incremental-time": 6, "incremental-cursor": 5}},
	}
	for _, style := range styles {
		for _, c := range cases {
			t.Run(style+"/"+c.name, func(t *testing.T) {
				leakCheck(t)
				s := &listServer{t: t, style: style, total: c.total}
				l, fetch := s.start(t)
				ids, errs := collect(t, All[rec](context.Background(), l, fetch, nil, WithPageSize(c.pageSize)))
				require.Empty(t, errs)
				if c.total == 0 {
					assert.Empty(t, ids)
				} else {
					assert.Equal(t, seqIDs(1, c.total), ids)
				}
				assert.Equal(t, c.requests[style], int(s.requests.Load()), "requests")
			})
		}
	}
}

func TestEmptyLastPage(t *testing.T) {
	// Zendesk says more follow on the page that ends exactly at the total
	// (has_more, next_page, end_of_stream false); the next page is empty and
	// ends the listing.
	for _, style := range styles {
		t.Run(style, func(t *testing.T) {
			leakCheck(t)
			s := &listServer{t: t, style: style, total: 200, noMoreFix: true}
			l, fetch := s.start(t)
			var sizes []int
			for page, err := range typedPages[rec](context.Background(), l, fetch, nil, WithPageSize(100)) {
				require.NoError(t, err)
				sizes = append(sizes, len(page.Items))
			}
			assert.Equal(t, []int{100, 100, 0}, sizes)
			ids, errs := collect(t, All[rec](context.Background(), l, fetch, nil, WithPageSize(100)))
			require.Empty(t, errs)
			assert.Equal(t, seqIDs(1, 200), ids)
			assert.Equal(t, 6, int(s.requests.Load()))
		})
	}
}

func TestErrorMidStreamIsYieldedOnceAfterWhatCame(t *testing.T) {
	for _, style := range styles {
		t.Run(style, func(t *testing.T) {
			leakCheck(t)
			s := &listServer{t: t, style: style, total: 500, failPage: 3}
			l, fetch := s.start(t)
			var ids []int64
			var errs []error
			for r, err := range All[rec](context.Background(), l, fetch, nil, WithPageSize(100)) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				ids = append(ids, r.ID)
			}
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0].Error(), "ListRecords")
			assert.Contains(t, errs[0].Error(), "500")
			before := 200
			if style == "incremental-time" {
				before = 199 // the second page repeated the first one's last record
			}
			assert.Equal(t, seqIDs(1, before), ids, "records before the failure are kept")
			assert.Equal(t, 3, int(s.requests.Load()), "no request after the failure")
		})
	}
}

func TestBreakStopsAtOnce(t *testing.T) {
	for _, style := range styles {
		for _, prefetch := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/prefetch=%v", style, prefetch), func(t *testing.T) {
				leakCheck(t)
				s := &listServer{t: t, style: style, total: 1000}
				l, fetch := s.start(t)
				opts := []ListOption{WithPageSize(100)}
				if prefetch {
					opts = append(opts, WithPrefetch())
				}
				n := 0
				for _, err := range All[rec](context.Background(), l, fetch, nil, opts...) {
					require.NoError(t, err)
					n++
					if n == 5 {
						break
					}
				}
				assert.Equal(t, 5, n)
				want := 1
				if prefetch {
					want = 2 // the prefetched page, cancelled and waited for
				}
				assert.LessOrEqual(t, int(s.requests.Load()), want)
			})
		}
	}
}

func TestContextCancelEndsWithCtxErr(t *testing.T) {
	for _, style := range styles {
		t.Run(style, func(t *testing.T) {
			leakCheck(t)
			s := &listServer{t: t, style: style, total: 1000}
			l, fetch := s.start(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			var errs []error
			for _, err := range All[rec](ctx, l, fetch, nil, WithPageSize(100), WithPrefetch()) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				n++
				if n == 150 {
					cancel()
				}
			}
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], context.Canceled)
			assert.Equal(t, 150, n, "no record after the cancellation, even in the middle of a page")
			assert.LessOrEqual(t, int(s.requests.Load()), 3)
		})
	}
}

func TestResumeFromTrackedPosition(t *testing.T) {
	for _, style := range styles {
		t.Run(style, func(t *testing.T) {
			leakCheck(t)
			s := &listServer{t: t, style: style, total: 437}
			l, fetch := s.start(t)
			var pos Position
			var first []int64
			for r, err := range All[rec](context.Background(), l, fetch, nil, WithPageSize(50), TrackPosition(&pos)) {
				require.NoError(t, err)
				first = append(first, r.ID)
				if len(first) == 137 {
					break
				}
			}
			// The position survives persistence as text.
			text, err := pos.MarshalText()
			require.NoError(t, err)
			var saved Position
			require.NoError(t, saved.UnmarshalText(text))
			require.Equal(t, pos, saved)

			rest, errs := collect(t, All[rec](context.Background(), l, fetch, nil, WithPageSize(50), WithStart(saved)))
			require.Empty(t, errs)
			all := append(first, rest...)
			assert.Equal(t, seqIDs(1, 437), all, "each record exactly once across the restart")
		})
	}
}

func TestPagesExposeNextPosition(t *testing.T) {
	leakCheck(t)
	s := &listServer{t: t, style: "incremental-cursor", total: 250}
	l, fetch := s.start(t)
	var nexts []Position
	var sizes []int
	for page, err := range typedPages[rec](context.Background(), l, fetch, nil, WithPageSize(100)) {
		require.NoError(t, err)
		nexts = append(nexts, page.Next)
		sizes = append(sizes, len(page.Items))
	}
	assert.Equal(t, []int{100, 100, 50}, sizes)
	assert.Equal(t, []Position{{Cursor: "c100"}, {Cursor: "c200"}, {Cursor: "c250"}}, nexts)
	// Resuming from the last page's Next finds nothing new, and ends.
	ids, errs := collect(t, All[rec](context.Background(), l, fetch, nil, WithStart(nexts[2])))
	require.Empty(t, errs)
	assert.Empty(t, ids)
}

func TestNonAdvancingPositionIsAnError(t *testing.T) {
	for _, style := range []string{"cursor", "incremental-time", "incremental-cursor"} {
		t.Run(style, func(t *testing.T) {
			leakCheck(t)
			s := &listServer{t: t, style: style, total: 1000, stuck: true}
			l, fetch := s.start(t)
			ids, errs := collect(t, All[rec](context.Background(), l, fetch, nil, WithPageSize(100)))
			require.Len(t, errs, 1)
			var se *StalledError
			require.ErrorAs(t, errs[0], &se)
			assert.Equal(t, "ListRecords", se.Operation)
			assert.LessOrEqual(t, len(ids), 200)
			assert.LessOrEqual(t, int(s.requests.Load()), 2)
		})
	}
}

func TestOffsetDepthLimit(t *testing.T) {
	leakCheck(t)
	s := &listServer{t: t, style: "offset", total: 20000}
	l, fetch := s.start(t)
	ids, errs := collect(t, All[rec](context.Background(), l, fetch, nil))
	require.Len(t, errs, 1)
	var de *DepthLimitError
	require.ErrorAs(t, errs[0], &de)
	assert.Equal(t, 101, de.Page)
	assert.Contains(t, de.Error(), "10000 records")
	assert.Len(t, ids, 10000)
	assert.Equal(t, 100, int(s.requests.Load()), "the page past the limit is never requested")
}

func TestDedupAcrossPageBoundaries(t *testing.T) {
	leakCheck(t)
	// Three records share each second; a page ends in the middle of one, so
	// the next page (from end_time) starts with that second again.
	s := &listServer{t: t, style: "incremental-time", total: 100, sameTS: 3}
	l, fetch := s.start(t)
	raw, errs := collect(t, All[rec](context.Background(), l, fetch, nil, WithPageSize(10), WithDedup(false)))
	require.Empty(t, errs)
	assert.Greater(t, len(raw), 100, "without de-duplication the boundaries repeat")

	s2 := &listServer{t: t, style: "incremental-time", total: 100, sameTS: 3}
	l2, fetch2 := s2.start(t)
	ids, errs := collect(t, All[rec](context.Background(), l2, fetch2, nil, WithPageSize(10)))
	require.Empty(t, errs)
	assert.Equal(t, seqIDs(1, 100), ids)
}

func TestPrefetchGivesTheSameRecords(t *testing.T) {
	for _, style := range styles {
		t.Run(style, func(t *testing.T) {
			leakCheck(t)
			s := &listServer{t: t, style: style, total: 733}
			l, fetch := s.start(t)
			ids, errs := collect(t, All[rec](context.Background(), l, fetch, nil, WithPrefetch(), WithPageSize(64)))
			require.Empty(t, errs)
			assert.Equal(t, seqIDs(1, 733), ids)
		})
	}
}

func TestPaginationParametersSent(t *testing.T) {
	leakCheck(t)
	cases := []struct {
		style string
		want  []string
	}{
		{"cursor", []string{"page%5Bsize%5D=100&start_time=1000", "page%5Bafter%5D=c100&page%5Bsize%5D=100&start_time=1000"}},
		{"offset", []string{"page=1&per_page=100&start_time=1000", "page=2&per_page=100&start_time=1000"}},
		{"incremental-time", []string{"page=7&per_page=1000&start_time=1000"}},
		{"incremental-cursor", []string{"page=7&per_page=1000&start_time=1000"}},
	}
	for _, c := range cases {
		s := &listServer{t: t, style: c.style, total: 150}
		l, fetch := s.start(t)
		_, errs := collect(t, All[rec](context.Background(), l, fetch, nil))
		require.Empty(t, errs)
		assert.Equal(t, c.want, s.queries, c.style)
	}
}

func TestBadPages(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"truncated", `{"records":[{"id":1},{"id":2`, "unexpected EOF"},
		{"html", `<html><body>502 Bad Gateway</body></html>`, "invalid character '<'"},
		{"empty body", ``, "unexpected EOF"},
		{"not an object", `[1,2,3]`, "not a JSON object"},
		{"no items property", `{"meta":{"has_more":false}}`, `no "records" property`},
		{"items not an array", `{"records":{"id":1}}`, "is not an array"},
		{"wrong item type", `{"records":[{"id":"seven"}]}`, "decode records[0]"},
		{"has_more without cursor", `{"records":[{"id":1}],"meta":{"has_more":true,"after_cursor":null}}`, "gives no cursor"},
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
			l := Listing{Operation: "ListRecords", Style: "cursor", Items: "records", SizeParam: "page[size]", CursorParam: "page[after]"}
			ids, errs := collect(t, All[rec](context.Background(), l, fetch, nil))
			assert.Empty(t, ids)
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0].Error(), c.want)
			assert.Contains(t, errs[0].Error(), "ListRecords")
		})
	}
}

func TestOptionErrors(t *testing.T) {
	s := &listServer{t: t, style: "cursor", total: 10}
	l, fetch := s.start(t)
	_, errs := collect(t, All[rec](context.Background(), l, fetch, nil, WithPageSize(500)))
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "page size 500 is more than the 100")
	_, errs = collect(t, All[rec](context.Background(), l, fetch, nil, WithDedup(true)))
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "de-duplication applies to time-based")
	assert.Zero(t, s.requests.Load())
}

func TestPositionText(t *testing.T) {
	for _, p := range []Position{{}, {Cursor: "a b&c=d"}, {Page: 3, Skip: 4}, {StartTime: 1700000000}, {StartTime: 5, Skip: 2, LastHash: 0x9d3f0c2a61b6e0f4}, {Cursor: "c", Skip: 1, LastHash: 7}} {
		b, err := p.MarshalText()
		require.NoError(t, err)
		var q Position
		require.NoError(t, q.UnmarshalText(b))
		assert.Equal(t, p, q)
	}
	js, err := json.Marshal(Position{Cursor: "c", Skip: 1, LastHash: 1 << 63})
	require.NoError(t, err)
	assert.JSONEq(t, `"cursor=c&last=8000000000000000&skip=1"`, string(js), "JSON holds the text form")
	var fromJSON Position
	require.NoError(t, json.Unmarshal(js, &fromJSON))
	assert.Equal(t, uint64(1<<63), fromJSON.LastHash)
	// The text form of older versions still reads.
	var old Position
	require.NoError(t, old.UnmarshalText([]byte("skip=3&start_time=1700000000")))
	assert.Equal(t, Position{StartTime: 1700000000, Skip: 3}, old)
	assert.Equal(t, "last=0000000000000007&skip=1&start_time=9", Position{StartTime: 9, Skip: 1, LastHash: 7}.String())
	for _, bad := range []string{"page=x", "skip=-1", "start_time=1e9", "color=red", "cursor=a&cursor=b", "%zz", "last=xyz", "last=12", "last=-000000000000001"} {
		var q Position
		assert.Error(t, q.UnmarshalText([]byte(bad)), bad)
	}
}

func TestSideloadsKeptInExtra(t *testing.T) {
	leakCheck(t)
	s := &listServer{t: t, style: "cursor", total: 3}
	l, fetch := s.start(t)
	for page, err := range typedPages[rec](context.Background(), l, fetch, nil) {
		require.NoError(t, err)
		assert.JSONEq(t, `[]`, string(page.Extra["users"]))
		assert.Equal(t, "application/json", page.Header.Get("Content-Type"))
	}
}

var _ = errors.New

// leakCheck verifies, after the test's servers are closed, that no
// goroutine outlives it.
func leakCheck(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// TestBrokenBodyIsFetchedAgain cuts page 2's body short once: the page is
// fetched again and every record arrives exactly once.
func TestBrokenBodyIsFetchedAgain(t *testing.T) {
	leakCheck(t)
	s := &listServer{t: t, style: "cursor", total: 300}
	var cut atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page[after]") == "c100" && cut.CompareAndSwap(false, true) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "5000")
			fmt.Fprint(w, `{"records":[{"id":101,"name":"r101"},{"id":1`)
			return // the connection closes short of Content-Length
		}
		s.ServeHTTP(w, r)
	}))
	defer srv.Close()
	l := Listing{Operation: "ListRecords", Style: "cursor", Items: "records", SizeParam: "page[size]", CursorParam: "page[after]", MaxPageSize: 100}
	fetch := func(ctx context.Context, edit RequestEditorFn) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v2/records", nil)
		_ = edit(ctx, req)
		return srv.Client().Do(req)
	}
	ids, errs := collect(t, All[rec](context.Background(), l, fetch, nil))
	require.Empty(t, errs)
	assert.Equal(t, seqIDs(1, 300), ids)
	assert.True(t, cut.Load())
	assert.Equal(t, 3, int(s.requests.Load()), "the server's own pages; the cut one came from the wrapper")

	// With retries off, the broken page is an error that says what broke.
	cut.Store(false)
	_, errs = collect(t, All[rec](context.Background(), l, fetch, nil, WithPageRetries(0)))
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], io.ErrUnexpectedEOF)
}

// TestBreakCancelsAndAwaitsThePrefetch breaks out of a loop while the
// prefetched page's request is in flight, held by the server until the
// client gives it up: by the time the loop returns, the request was issued,
// the server saw it cancelled, and no goroutine is still fetching.
func TestBreakCancelsAndAwaitsThePrefetch(t *testing.T) {
	leakCheck(t)
	// bound only keeps a broken iterator from hanging the test.
	bound, cancelBound := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelBound()
	var page2 atomic.Int32
	started, sawCancel, handlerDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page[after]") == "" {
			writeJSON(w, map[string]any{"records": []rec{{ID: 1}, {ID: 2}}, "meta": map[string]any{"has_more": true, "after_cursor": "c2"}})
			return
		}
		if page2.Add(1) > 1 {
			return
		}
		defer close(handlerDone)
		close(started)
		select {
		case <-r.Context().Done():
			close(sawCancel)
		case <-bound.Done():
		}
	}))
	defer srv.Close()
	l := Listing{Operation: "ListRecords", Style: "cursor", Items: "records", SizeParam: "page[size]", CursorParam: "page[after]", MaxPageSize: 100}
	fetch := func(ctx context.Context, edit RequestEditorFn) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v2/records", nil)
		_ = edit(ctx, req)
		resp, err := srv.Client().Do(req)
		if err != nil && req.URL.Query().Get("page[after]") != "" {
			// Return only once the server is done with the request, so that
			// an iterator that does not wait for its prefetch is caught
			// with this fetch still running.
			select {
			case <-handlerDone:
			case <-bound.Done():
			}
		}
		return resp, err
	}
	n := 0
	for _, err := range All[rec](context.Background(), l, fetch, nil, WithPrefetch()) {
		require.NoError(t, err)
		n++
		select {
		case <-started: // the next page is being fetched
		case <-bound.Done():
		}
		break
	}
	select {
	case <-sawCancel:
	default:
		t.Error("the loop returned before the prefetched request was cancelled")
	}
	buf := make([]byte, 1<<20)
	fetching := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, ").fetchPage") {
			fetching++
		}
	}
	assert.Zero(t, fetching, "goroutines still fetching after the loop returned")
	assert.Equal(t, 1, n)
	assert.Equal(t, 1, int(page2.Load()), "the next page was prefetched")
}
