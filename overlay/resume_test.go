package overlay

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storeServer serves a store of records that can change between requests,
// as Zendesk's do: a time-based export (records changed at or after
// start_time, by time) and a cursor listing (by id). Updating a record moves
// it to the end of the export; deleting one takes it out of both.
type storeServer struct {
	mu      sync.Mutex
	recs    map[int64]rec
	now     int64
	queries []string
}

func newStoreServer(n int) *storeServer {
	s := &storeServer{recs: map[int64]rec{}, now: 1000}
	for i := 1; i <= n; i++ {
		s.now++
		s.recs[int64(i)] = rec{ID: int64(i), Name: "r" + strconv.Itoa(i), TS: s.now}
	}
	return s
}

func (s *storeServer) update(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now++
	r := s.recs[id]
	r.Name += "'"
	r.TS = s.now
	s.recs[id] = r
}

func (s *storeServer) delete(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.recs, id)
}

func (s *storeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries = append(s.queries, r.URL.RawQuery)
	q := r.URL.Query()
	var all []rec
	for _, rc := range s.recs {
		all = append(all, rc)
	}
	if r.URL.Path == "/export" {
		slices.SortFunc(all, func(a, b rec) int {
			if a.TS != b.TS {
				return int(a.TS - b.TS)
			}
			return int(a.ID - b.ID)
		})
		start, _ := strconv.ParseInt(q.Get("start_time"), 10, 64)
		size, _ := strconv.Atoi(q.Get("per_page"))
		var items []rec
		for _, rc := range all {
			if rc.TS >= start && len(items) < size {
				items = append(items, rc)
			}
		}
		end := start
		if len(items) > 0 {
			end = items[len(items)-1].TS
		}
		writeJSON(w, map[string]any{"records": items, "end_time": end, "end_of_stream": len(items) < size})
		return
	}
	slices.SortFunc(all, func(a, b rec) int { return int(a.ID - b.ID) })
	size, _ := strconv.Atoi(q.Get("page[size]"))
	after, _ := strconv.ParseInt(q.Get("page[after]"), 10, 64)
	var items []rec
	more := false
	for _, rc := range all {
		if rc.ID <= after {
			continue
		}
		if len(items) == size {
			more = true
			break
		}
		items = append(items, rc)
	}
	var cursor any
	if len(items) > 0 {
		cursor = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	writeJSON(w, map[string]any{"records": items, "meta": map[string]any{"has_more": more, "after_cursor": cursor}})
}

// start serves the store; the export's fetch sends the caller's start_time
// (query, e.g. "start_time=500"), as the generated client does from params.
func (s *storeServer) start(t *testing.T) (export, list Listing, fetchExport func(query string) Fetch, fetchList Fetch) {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	fetchAt := func(path string) Fetch {
		return func(ctx context.Context, edit RequestEditorFn) (*http.Response, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
			if err != nil {
				return nil, err
			}
			if err := edit(ctx, req); err != nil {
				return nil, err
			}
			return srv.Client().Do(req)
		}
	}
	export = Listing{Operation: "ExportRecords", Style: "incremental-time", Items: "records", SizeParam: "per_page", MaxPageSize: 1000}
	list = Listing{Operation: "ListRecords", Style: "cursor", Items: "records", SizeParam: "page[size]", CursorParam: "page[after]", MaxPageSize: 100}
	return export, list, func(query string) Fetch { return fetchAt("/export?" + query) }, fetchAt("/list")
}

// takeTracked iterates, tracking the position, and stops after n records;
// it returns their ids and the position as persisted text.
func takeTracked(t *testing.T, seq func(*Position) func(func(rec, error) bool), n int) ([]int64, string) {
	t.Helper()
	var pos Position
	var ids []int64
	for r, err := range seq(&pos) {
		require.NoError(t, err)
		ids = append(ids, r.ID)
		if len(ids) == n {
			break
		}
	}
	text, err := pos.MarshalText()
	require.NoError(t, err)
	return ids, string(text)
}

func loadPosition(t *testing.T, text string) Position {
	t.Helper()
	var p Position
	require.NoError(t, p.UnmarshalText([]byte(text)))
	return p
}

// TestResumeAfterConsumedRecordMoved checks that a checkpoint taken in the
// middle of a page stays right when records already consumed move out of
// their place before the resume: the export resumes with the next record
// not yet seen, never skipping one.
func TestResumeAfterConsumedRecordMoved(t *testing.T) {
	leakCheck(t)
	t.Run("time-based export, a consumed record updated", func(t *testing.T) {
		s := newStoreServer(10)
		export, _, fetchExport, _ := s.start(t)
		first, text := takeTracked(t, func(p *Position) func(func(rec, error) bool) {
			return All[rec](context.Background(), export, fetchExport("start_time=500"), nil, TrackPosition(p))
		}, 3)
		require.Equal(t, []int64{1, 2, 3}, first)
		assert.Contains(t, text, "start_time=500", "the first page's checkpoint holds the start time it was asked with")

		s.update(1) // record 1 moves to the end of the export
		// The checkpoint is self-contained: the resumed caller's own
		// start_time does not matter.
		rest, errs := collect(t, All[rec](context.Background(), export, fetchExport("start_time=1"), nil, WithStart(loadPosition(t, text))))
		require.Empty(t, errs)
		assert.Equal(t, []int64{4, 5, 6, 7, 8, 9, 10, 1}, rest, "record 4 comes next; the updated record 1 comes again")
	})
	t.Run("time-based export, the last consumed record updated", func(t *testing.T) {
		s := newStoreServer(10)
		export, _, fetchExport, _ := s.start(t)
		_, text := takeTracked(t, func(p *Position) func(func(rec, error) bool) {
			return All[rec](context.Background(), export, fetchExport("start_time=500"), nil, TrackPosition(p))
		}, 3)
		s.update(3) // the record the checkpoint names is no longer there
		rest, errs := collect(t, All[rec](context.Background(), export, fetchExport(""), nil, WithStart(loadPosition(t, text))))
		require.Empty(t, errs)
		assert.Equal(t, []int64{1, 2, 4, 5, 6, 7, 8, 9, 10, 3}, rest, "nothing is skipped: records come again, none is lost")
	})
	t.Run("cursor listing, a consumed record deleted", func(t *testing.T) {
		s := newStoreServer(10)
		_, list, _, fetchList := s.start(t)
		first, text := takeTracked(t, func(p *Position) func(func(rec, error) bool) {
			return All[rec](context.Background(), list, fetchList, nil, TrackPosition(p))
		}, 3)
		require.Equal(t, []int64{1, 2, 3}, first)
		s.delete(1)
		rest, errs := collect(t, All[rec](context.Background(), list, fetchList, nil, WithStart(loadPosition(t, text))))
		require.Empty(t, errs)
		assert.Equal(t, seqIDs(4, 10), rest)
	})
	t.Run("cursor listing, unchanged, from a checkpoint of the second page", func(t *testing.T) {
		s := newStoreServer(10)
		_, list, _, fetchList := s.start(t)
		first, text := takeTracked(t, func(p *Position) func(func(rec, error) bool) {
			return All[rec](context.Background(), list, fetchList, nil, WithPageSize(4), TrackPosition(p))
		}, 6)
		require.Equal(t, seqIDs(1, 6), first)
		rest, errs := collect(t, All[rec](context.Background(), list, fetchList, nil, WithPageSize(4), WithStart(loadPosition(t, text))))
		require.Empty(t, errs)
		assert.Equal(t, seqIDs(7, 10), rest)
	})
	t.Run("a checkpoint of an older version (skip only) resumes by position", func(t *testing.T) {
		s := newStoreServer(10)
		_, list, _, fetchList := s.start(t)
		rest, errs := collect(t, All[rec](context.Background(), list, fetchList, nil, WithStart(loadPosition(t, "skip=3"))))
		require.Empty(t, errs)
		assert.Equal(t, seqIDs(4, 10), rest)
	})
}

// TestExportFirstPageStallIsCaught: the start time of the first page is
// the caller's, so a first page whose end_time does not pass it is caught
// at once.
func TestExportFirstPageStallIsCaught(t *testing.T) {
	leakCheck(t)
	s := &listServer{t: t, style: "incremental-time", total: 1000, stuck: true}
	l, fetch := s.start(t)
	_, errs := collect(t, All[rec](context.Background(), l, fetch, nil, WithPageSize(100)))
	require.Len(t, errs, 1)
	var se *StalledError
	require.ErrorAs(t, errs[0], &se)
	assert.Equal(t, int64(1000), se.Position.StartTime)
	assert.Equal(t, 1, int(s.requests.Load()))
	assert.Contains(t, se.Error(), "use a larger page (up to 1000) or the cursor-based export")

	s2 := &listServer{t: t, style: "incremental-time", total: 3000, stuck: true}
	l2, fetch2 := s2.start(t)
	_, errs = collect(t, All[rec](context.Background(), l2, fetch2, nil))
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "than a page of 1000 holds: use the cursor-based export")
	assert.NotContains(t, errs[0].Error(), "larger page")
}
