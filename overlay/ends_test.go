package overlay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scripted serves pages from a function of the request's query, and counts
// the requests.
type scripted struct {
	requests atomic.Int32
	page     func(q url.Values) string
}

func (s *scripted) start(t *testing.T, style string) (Listing, Fetch) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, s.page(r.URL.Query()))
	}))
	t.Cleanup(srv.Close)
	l := Listing{Operation: "ListRecords", Style: style, Items: "records", SizeParam: "per_page"}
	switch style {
	case "cursor":
		l.SizeParam, l.CursorParam = "page[size]", "page[after]"
	case "incremental-cursor":
		l.CursorParam = "cursor"
	}
	return l, func(ctx context.Context, edit RequestEditorFn) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/records?start_time=1000", nil)
		if err != nil {
			return nil, err
		}
		if err := edit(ctx, req); err != nil {
			return nil, err
		}
		return srv.Client().Do(req)
	}
}

func records(ids ...int) string {
	b := []byte("[")
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"id":%d,"name":"r%d","ts":%d}`, id, id, 1000+id)
	}
	return string(append(b, ']'))
}

// collectUpTo is collect, stopped with an error once more than max
// requests were served: a listing that would loop forever fails instead.
func collectUpTo(t *testing.T, seq func(func(rec, error) bool), requests *atomic.Int32, max int) ([]int64, []error) {
	t.Helper()
	var ids []int64
	var errs []error
	for r, err := range seq {
		if int(requests.Load()) > max {
			errs = append(errs, fmt.Errorf("still going after %d requests", max))
			break
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, r.ID)
	}
	return ids, errs
}

// TestEmptyPageThatSaysMoreIsFollowed: an empty page that says more follow
// is not the end; the records after it arrive.
func TestEmptyPageThatSaysMoreIsFollowed(t *testing.T) {
	cases := map[string]func(q url.Values) string{
		"cursor": func(q url.Values) string {
			switch q.Get("page[after]") {
			case "":
				return `{"records":` + records(1, 2, 3) + `,"meta":{"has_more":true,"after_cursor":"a"}}`
			case "a":
				return `{"records":[],"meta":{"has_more":true,"after_cursor":"b"}}`
			default:
				return `{"records":` + records(4, 5) + `,"meta":{"has_more":false,"after_cursor":"c"}}`
			}
		},
		"offset": func(q url.Values) string {
			switch q.Get("page") {
			case "1":
				return `{"records":` + records(1, 2, 3) + `,"next_page":"https://x/records?page=2"}`
			case "2":
				return `{"records":[],"next_page":"https://x/records?page=3"}`
			default:
				return `{"records":` + records(4, 5) + `,"next_page":null}`
			}
		},
		"incremental-time": func(q url.Values) string {
			switch q.Get("start_time") {
			case "1000":
				return `{"records":` + records(1, 2, 3) + `,"end_time":1003,"end_of_stream":false}`
			case "1003":
				return `{"records":[],"end_time":1004,"end_of_stream":false}`
			default:
				return `{"records":` + records(4, 5) + `,"end_time":1005,"end_of_stream":true}`
			}
		},
		"incremental-cursor": func(q url.Values) string {
			switch q.Get("cursor") {
			case "":
				return `{"records":` + records(1, 2, 3) + `,"after_cursor":"a","end_of_stream":false}`
			case "a":
				return `{"records":[],"after_cursor":"b","end_of_stream":false}`
			default:
				return `{"records":` + records(4, 5) + `,"after_cursor":"c","end_of_stream":true}`
			}
		},
	}
	for style, page := range cases {
		t.Run(style, func(t *testing.T) {
			leakCheck(t)
			s := &scripted{page: page}
			l, fetch := s.start(t, style)
			ids, errs := collect(t, All[rec](context.Background(), l, fetch, nil))
			require.Empty(t, errs)
			assert.Equal(t, seqIDs(1, 5), ids)
			assert.Equal(t, 3, int(s.requests.Load()))
		})
	}
}

// TestEmptyPagesForeverAreAnError: empty pages that each say more follow,
// with a new cursor each time, end with a StalledError, not an endless
// loop.
func TestEmptyPagesForeverAreAnError(t *testing.T) {
	leakCheck(t)
	s := &scripted{}
	s.page = func(q url.Values) string {
		// (Past twice the bound, the listing ends: a test that fails, not
		// one that never ends.)
		n := s.requests.Load()
		return fmt.Sprintf(`{"records":[],"meta":{"has_more":%v,"after_cursor":"c%d"}}`, n < 2*maxEmptyPages, n)
	}
	l, fetch := s.start(t, "cursor")
	ids, errs := collect(t, All[rec](context.Background(), l, fetch, nil))
	assert.Empty(t, ids)
	require.Len(t, errs, 1)
	var se *StalledError
	require.ErrorAs(t, errs[0], &se)
	assert.Equal(t, maxEmptyPages, se.EmptyPages)
	assert.Contains(t, se.Error(), "100 empty pages in a row")
	assert.Equal(t, maxEmptyPages, int(s.requests.Load()))
}

// TestCursorCycleIsStalled: a cursor that comes back after another one
// (A, B, A) is caught, not followed forever.
func TestCursorCycleIsStalled(t *testing.T) {
	for _, style := range []string{"cursor", "incremental-cursor"} {
		t.Run(style, func(t *testing.T) {
			leakCheck(t)
			next := map[string]string{"": "A", "A": "B", "B": "A"}
			s := &scripted{page: func(q url.Values) string {
				cur := q.Get("page[after]") + q.Get("cursor")
				if style == "cursor" {
					return fmt.Sprintf(`{"records":%s,"meta":{"has_more":true,"after_cursor":%q}}`, records(len(cur)), next[cur])
				}
				return fmt.Sprintf(`{"records":%s,"after_cursor":%q,"end_of_stream":false}`, records(len(cur)), next[cur])
			}}
			l, fetch := s.start(t, style)
			_, errs := collectUpTo(t, All[rec](context.Background(), l, fetch, nil), &s.requests, 10)
			require.Len(t, errs, 1)
			var se *StalledError
			require.ErrorAs(t, errs[0], &se)
			assert.Equal(t, "B", se.Position.Cursor)
			assert.Contains(t, se.Error(), "already went through")
			assert.Equal(t, 3, int(s.requests.Load()))
		})
	}
}

// rateErr stands for the root package's APIError: the checker's error.
type rateErr struct{ status int }

func (e *rateErr) Error() string   { return "zendesk: " + strconv.Itoa(e.status) }
func (e *rateErr) HTTPStatus() int { return e.status }

// TestDepthLimitAnsweredByZendesk: when Zendesk itself refuses an offset
// page past the first (a 400), the error is a DepthLimitError carrying
// Zendesk's answer, whether the answer comes back as a response (the
// generated client over a plain HTTP client) or as the transport's error
// (the root package's client).
func TestDepthLimitAnsweredByZendesk(t *testing.T) {
	asError := func(f Fetch) Fetch {
		return func(ctx context.Context, edit RequestEditorFn) (*http.Response, error) {
			resp, err := f(ctx, edit)
			if err == nil && resp.StatusCode/100 != 2 {
				resp.Body.Close()
				return nil, &rateErr{resp.StatusCode}
			}
			return resp, err
		}
	}
	checker := func(resp *http.Response) error { return &rateErr{resp.StatusCode} }
	for _, c := range []struct {
		name    string
		check   ResponseChecker
		wrap    func(Fetch) Fetch
		matches func(t *testing.T, err error)
	}{
		{"response, no checker", nil, nil, func(t *testing.T, err error) {
			assert.Equal(t, http.StatusBadRequest, statusOf(err))
			assert.Contains(t, err.Error(), "400 Bad Request")
		}},
		{"response, checker", checker, nil, func(t *testing.T, err error) {
			var re *rateErr
			require.ErrorAs(t, err, &re, "the checker's error is kept")
		}},
		{"transport error", nil, asError, func(t *testing.T, err error) {
			var re *rateErr
			require.ErrorAs(t, err, &re)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			leakCheck(t)
			s := &listServer{t: t, style: "offset", total: 1000, depth: 2}
			l, fetch := s.start(t)
			if c.wrap != nil {
				fetch = c.wrap(fetch)
			}
			ids, errs := collect(t, All[rec](context.Background(), l, fetch, c.check, WithPageSize(100)))
			assert.Equal(t, seqIDs(1, 200), ids)
			require.Len(t, errs, 1)
			var de *DepthLimitError
			require.ErrorAs(t, errs[0], &de)
			assert.Equal(t, 3, de.Page)
			require.Error(t, de.Err)
			assert.Contains(t, de.Error(), "Zendesk refused offset page 3")
			c.matches(t, errs[0])
			assert.Equal(t, 3, int(s.requests.Load()))
		})
	}
	t.Run("a 400 on the first page is not the depth", func(t *testing.T) {
		leakCheck(t)
		s := &listServer{t: t, style: "offset", total: 10, failPage: 0}
		s.depth = -1 // every page answers 400
		l, fetch := s.start(t)
		_, errs := collect(t, All[rec](context.Background(), l, fetch, nil))
		require.Len(t, errs, 1)
		var de *DepthLimitError
		assert.False(t, errors.As(errs[0], &de))
		assert.Equal(t, http.StatusBadRequest, statusOf(errs[0]))
		assert.Contains(t, errs[0].Error(), "ListRecords: unexpected HTTP status 400")
	})
}

// TestEndOfStreamWithoutCursorKeepsPosition: an export page that ends the
// stream without a cursor (or end_time) to go on from gives as Next the
// same request past the records it held, so polling again later gets only
// what came since.
func TestEndOfStreamWithoutCursorKeepsPosition(t *testing.T) {
	for _, style := range []string{"incremental-cursor", "incremental-time"} {
		t.Run(style, func(t *testing.T) {
			leakCheck(t)
			var mu sync.Mutex
			have := []int{1, 2, 3}
			s := &scripted{page: func(q url.Values) string {
				mu.Lock()
				defer mu.Unlock()
				if q.Get("start_time") != "1000" {
					t.Errorf("the same request again expected, got %s", q.Encode())
				}
				return `{"records":` + records(have...) + `,"end_of_stream":true}`
			}}
			l, fetch := s.start(t, style)
			var next Position
			var ids []int64
			for page, err := range typedPages[rec](context.Background(), l, fetch, nil) {
				require.NoError(t, err)
				assert.True(t, page.EndOfStream)
				next = page.Next
				for _, r := range page.Items {
					ids = append(ids, r.ID)
				}
			}
			assert.Equal(t, seqIDs(1, 3), ids)
			assert.Equal(t, int64(1000), next.StartTime)
			assert.Equal(t, 3, next.Skip)
			assert.NotZero(t, next.LastHash)

			mu.Lock()
			have = append(have, 4, 5)
			mu.Unlock()
			later, errs := collect(t, All[rec](context.Background(), l, fetch, nil, WithStart(next)))
			require.Empty(t, errs)
			assert.Equal(t, seqIDs(4, 5), later)
		})
	}
}
