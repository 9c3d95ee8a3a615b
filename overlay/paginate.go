package overlay

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"iter"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/zdapi/zendesk/internal/ctxsleep"
)

// Listing says how an operation pages. The generated iterators carry one per
// paginated operation, built from its x-zendesk-pagination annotation.
type Listing struct {
	// Operation is the operationId, for errors.
	Operation string
	// Style is cursor, offset, cursor+offset, incremental-time or
	// incremental-cursor; cursor+offset pages with cursors.
	Style string
	// Items is the response property holding the records.
	Items string
	// ItemsAlternatives are properties that hold the records instead of
	// Items for some requests.
	ItemsAlternatives []string
	// MaxPageSize is the largest page Zendesk serves; 0 when unknown.
	MaxPageSize int
	// SizeParam is the page-size query parameter, "" when the operation
	// takes none.
	SizeParam string
	// CursorParam is the cursor query parameter (cursor styles).
	CursorParam string
}

// Fetch performs one request of a listing. edit sets the pagination query
// parameters of that request; Fetch must apply it (it is a request editor of
// the generated client).
type Fetch func(ctx context.Context, edit RequestEditorFn) (*http.Response, error)

// ResponseChecker turns a non-2xx response into an error. The root package
// supplies one that builds its typed errors.
type ResponseChecker func(*http.Response) error

// Zendesk's limits on offset pagination: beyond 100 pages or 10,000 records
// it answers with an error.
const (
	offsetMaxPages   = 100
	offsetMaxRecords = 10000
)

// maxEmptyPages is how many empty pages in a row may say that more follow
// before the listing gives up with a StalledError: an empty page that says
// so is followed (a listing may have gaps), but not forever.
const maxEmptyPages = 100

// maxPageRecords is how many records a page of size records may hold before
// it is an error: Zendesk sends at most the page size (time-based exports a
// few more, the records of the boundary second), so a page with ten times
// as many is not a page of this listing, and reading it whole could take
// all the memory there is.
func maxPageRecords(size int) int { return max(10*size, 10000) }

// defaultPageSize is the page size used when neither the caller nor the
// annotation gives one.
func defaultPageSize(style string) int {
	switch style {
	case "incremental-time", "incremental-cursor":
		return 1000
	default:
		return 100
	}
}

type pager struct {
	newSink func() Sink
	l       Listing
	fetch   Fetch
	check   ResponseChecker
	o       listOptions
	size    int
	seed    maphash.Seed
	dedup   bool
	prev    map[uint64]bool // hashes of the previous page, for de-duplication

	seen    map[uint64]struct{} // hashes of every cursor the listing went through
	empties int                 // empty pages in a row that said more follow
}

// Pages iterates over the pages of a listing, one request per page, from
// the start or from WithStart's position, decoding the records into the
// sinks newSink makes (RecordsOf). It stops after the last page, at the
// first error (yielded once), when the caller breaks, or when ctx is done
// (yielding ctx.Err()). With WithPrefetch it requests the next page while
// the caller works on the current one; breaking cancels that request and
// waits for it, so no goroutine outlives the loop.
//
// Pages and EachRecord are not generic, and not inlined into the root
// package's typed wrappers: each record type would otherwise compile its
// own copy, and the build pay for it.
//
//go:noinline
func Pages(ctx context.Context, l Listing, fetch Fetch, check ResponseChecker, newSink func() Sink, opts []ListOption) iter.Seq2[*PageState, error] {
	return func(yield func(*PageState, error) bool) {
		p := &pager{newSink: newSink, l: l, fetch: fetch, check: check, seed: maphash.MakeSeed()}
		for _, o := range opts {
			o(&p.o)
		}
		if ctx == nil {
			yield(nil, fmt.Errorf("%s: %w", l.Operation, ErrNilContext))
			return
		}
		if err := p.setup(); err != nil {
			yield(nil, err)
			return
		}
		type result struct {
			page *PageState
			err  error
		}
		var pending chan result
		var cancelPending context.CancelFunc
		stopPending := func() {
			if pending != nil {
				cancelPending()
				<-pending
				pending = nil
			}
		}
		defer stopPending()

		pos := p.o.start
		for {
			var page *PageState
			var err error
			if pending != nil {
				r := <-pending
				pending = nil
				cancelPending()
				page, err = r.page, r.err
			} else {
				page, err = p.fetchPage(ctx, pos)
			}
			if err == nil && ctx.Err() != nil {
				err = ctx.Err()
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if p.o.prefetch && page.More {
				pctx, cancel := context.WithCancel(ctx)
				ch := make(chan result, 1)
				next := page.Next
				go func() {
					pg, err := p.fetchPage(pctx, next)
					ch <- result{pg, err}
				}()
				pending, cancelPending = ch, cancel
			}
			if !yield(page, nil) || !page.More {
				return
			}
			pos = page.Next
		}
	}
}

// EachRecord iterates over the records of a listing, page after page (see
// Pages): it calls yield with each record's page sink and index, and
// returns the error that ended the listing (nil when it ended or yield
// returned false). With TrackPosition, the tracked position is updated
// before each record is yielded to the position right after it: the page's
// position with the number and hash of the records consumed in it, or,
// after a page's last record, the page's Next. A cancelled context ends the
// iteration before the next record, even in the middle of a page.
//
//go:noinline
func EachRecord(ctx context.Context, l Listing, fetch Fetch, check ResponseChecker, newSink func() Sink, opts []ListOption, yield func(items Sink, i int) bool) error {
	var o listOptions
	for _, opt := range opts {
		opt(&o)
	}
	for page, err := range Pages(ctx, l, fetch, check, newSink, opts) {
		if err != nil {
			return err
		}
		n := len(page.index)
		for i := range n {
			if err := ctx.Err(); err != nil {
				// Cancelled in the middle of a page: stop now, not at its end.
				return err
			}
			if o.track != nil {
				if i == n-1 {
					*o.track = page.Next
				} else {
					*o.track = page.Position
					o.track.Skip = page.index[i] + 1
					o.track.LastHash = page.hashes[i]
				}
			}
			if !yield(page.Items, i) {
				return nil
			}
		}
		if o.track != nil && n == 0 {
			*o.track = page.Next
		}
	}
	return nil
}

func (p *pager) setup() error {
	switch p.l.Style {
	case "cursor", "cursor+offset", "offset", "incremental-time", "incremental-cursor":
	default:
		return fmt.Errorf("%s: unknown pagination style %q", p.l.Operation, p.l.Style)
	}
	p.size = p.o.pageSize
	if p.size < 0 {
		return fmt.Errorf("%s: page size %d is negative", p.l.Operation, p.size)
	}
	if p.o.retries != nil && *p.o.retries < 0 {
		return fmt.Errorf("%s: page retries %d is negative", p.l.Operation, *p.o.retries)
	}
	if p.size == 0 {
		p.size = p.l.MaxPageSize
		if p.size == 0 {
			p.size = defaultPageSize(p.l.Style)
		}
	}
	if p.l.MaxPageSize > 0 && p.size > p.l.MaxPageSize {
		return fmt.Errorf("%s: page size %d is more than the %d Zendesk serves", p.l.Operation, p.size, p.l.MaxPageSize)
	}
	if p.o.dedup != nil && *p.o.dedup && p.l.Style != "incremental-time" {
		return fmt.Errorf("%s: de-duplication applies to time-based incremental exports, not to %s pagination", p.l.Operation, p.l.Style)
	}
	p.dedup = p.l.Style == "incremental-time" && (p.o.dedup == nil || *p.o.dedup)
	return nil
}

// editor sets the pagination parameters of the request for pos. sent
// (pos, to start with) is set to the position actually requested: the
// first page of an export takes its start_time from the caller's
// parameters, and a checkpoint taken in that page must hold it.
func (p *pager) editor(pos Position, sent *Position) RequestEditorFn {
	return func(ctx context.Context, req *http.Request) error {
		// The caller's editors first: the position's parameters win.
		for _, e := range p.o.editors {
			if err := e(ctx, req); err != nil {
				return err
			}
		}
		q := req.URL.Query()
		if p.l.SizeParam != "" {
			q.Set(p.l.SizeParam, strconv.Itoa(p.size))
		}
		switch p.l.Style {
		case "cursor", "cursor+offset":
			// Cursor pagination: never mix in offset parameters.
			q.Del("page")
			q.Del("per_page")
			if pos.Cursor != "" {
				q.Set(p.l.CursorParam, pos.Cursor)
				q.Del("page[before]")
			}
		case "offset":
			page := max(pos.Page, 1)
			q.Set("page", strconv.Itoa(page))
		case "incremental-time":
			if pos.StartTime != 0 {
				q.Set("start_time", strconv.FormatInt(pos.StartTime, 10))
			} else {
				sent.StartTime = startTimeOf(q)
			}
		case "incremental-cursor":
			switch {
			case pos.Cursor != "":
				q.Set(p.l.CursorParam, pos.Cursor)
				q.Del("start_time")
			case pos.StartTime != 0:
				q.Set("start_time", strconv.FormatInt(pos.StartTime, 10))
			default:
				sent.StartTime = startTimeOf(q)
			}
		}
		req.URL.RawQuery = q.Encode()
		return nil
	}
}

// startTimeOf reads a request's start_time, 0 when it has none.
func startTimeOf(q url.Values) int64 {
	v, err := strconv.ParseInt(q.Get("start_time"), 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// fetchPage fetches and decodes the page at pos. A body cut off or reset
// while it is read (the request itself succeeded, so the transport could
// not retry it) is fetched again, up to pageRetries times: nothing of the
// failed page was yielded, so nothing is lost or repeated.
func (p *pager) fetchPage(ctx context.Context, pos Position) (*PageState, error) {
	for attempt := 0; ; attempt++ {
		page, err := p.fetchPageOnce(ctx, pos)
		if err == nil || attempt >= p.o.pageRetries() || ctx.Err() != nil || !brokenBody(err) {
			return page, err
		}
		if err := ctxsleep.Sleep(ctx, time.Duration(50<<attempt)*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// brokenBody reports whether a page failed while its body was being read:
// cut short, or its connection reset.
func brokenBody(err error) bool {
	var be *bodyError
	if !errors.As(err, &be) {
		return false
	}
	var ne net.Error
	return errors.Is(be.err, io.ErrUnexpectedEOF) || errors.As(be.err, &ne) || errors.Is(be.err, syscall.ECONNRESET)
}

// bodyError marks an error met while reading a page's body.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

func (p *pager) fetchPageOnce(ctx context.Context, pos Position) (*PageState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p.l.Style == "offset" {
		page := max(pos.Page, 1)
		if page > offsetMaxPages || (page-1)*p.size >= offsetMaxRecords {
			return nil, &DepthLimitError{Operation: p.l.Operation, Page: page, PageSize: p.size}
		}
	}
	sent := pos
	resp, err := p.fetch(ctx, p.editor(pos, &sent))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if p.l.Style == "offset" && pos.Page > 1 && statusOf(err) == http.StatusBadRequest {
			return nil, &DepthLimitError{Operation: p.l.Operation, Page: pos.Page, PageSize: p.size, Err: err}
		}
		return nil, fmt.Errorf("%s: %w", p.l.Operation, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var err error
		if p.check != nil {
			err = p.check(resp)
		}
		if err == nil {
			err = &statusError{status: resp.StatusCode}
		}
		if p.l.Style == "offset" && pos.Page > 1 && resp.StatusCode == http.StatusBadRequest {
			// The first page was served: what Zendesk refuses now is the depth.
			return nil, &DepthLimitError{Operation: p.l.Operation, Page: pos.Page, PageSize: p.size, Err: err}
		}
		return nil, fmt.Errorf("%s: %w", p.l.Operation, err)
	}
	page := &PageState{Items: p.newSink(), Position: sent, Header: resp.Header}
	var f pageFields
	// An export's position past its last page needs the hash of the page's
	// last record (see stay); TrackPosition needs every record's.
	filter := itemFilter{size: p.size, limit: maxPageRecords(p.size), seed: p.seed, track: p.o.track != nil,
		last: p.o.track != nil || p.l.Style == "incremental-time" || p.l.Style == "incremental-cursor"}
	if pos.LastHash != 0 {
		filter.after = pos.LastHash
	} else {
		filter.skip = pos.Skip
	}
	var hashes []uint64
	if p.dedup {
		filter.hashes, filter.drop = &hashes, p.prev
	}
	if err := decodePage(resp.Body, p.l.Items, p.l.ItemsAlternatives, page, &f, filter); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s: %w", p.l.Operation, &bodyError{err})
	}
	if p.dedup {
		p.prev = make(map[uint64]bool, len(hashes))
		for _, h := range hashes {
			p.prev[h] = true
		}
	}
	page.Count = f.count
	if err := p.advance(page, &f); err != nil {
		return nil, err
	}
	return page, nil
}

// advance sets the page's Next and More from its pagination fields, and
// refuses positions that do not move.
func (p *pager) advance(page *PageState, f *pageFields) error {
	pos := page.Position
	switch p.l.Style {
	case "cursor", "cursor+offset":
		var after string
		var hasMore *bool
		if f.meta != nil {
			hasMore = f.meta.HasMore
			if f.meta.AfterCursor != nil {
				after = *f.meta.AfterCursor
			}
		}
		if after == "" && f.afterCursor != nil {
			after = *f.afterCursor
		}
		more := after != ""
		if hasMore != nil {
			more = *hasMore
		}
		if after != "" {
			page.Next = Position{Cursor: after}
		} else {
			page.Next = stay(page)
		}
		if !more {
			return nil
		}
		if after == "" {
			return fmt.Errorf("%s: Zendesk says there is another page but gives no cursor to get it", p.l.Operation)
		}
		if p.repeats(pos.Cursor, after) {
			return &StalledError{Operation: p.l.Operation, Position: pos, hint: "Zendesk gave back a cursor the listing already went through"}
		}
	case "offset":
		page.Next = Position{Page: max(pos.Page, 1) + 1}
		if f.nextPage == nil || *f.nextPage == "" {
			return nil
		}
	case "incremental-time":
		page.EndOfStream = f.endOfStream != nil && *f.endOfStream
		if f.endTime != nil {
			page.Next = Position{StartTime: *f.endTime}
		} else {
			page.Next = stay(page)
		}
		if page.EndOfStream {
			return nil
		}
		if f.endTime == nil {
			return fmt.Errorf("%s: the export page has neither end_of_stream nor end_time", p.l.Operation)
		}
		if *f.endTime <= pos.StartTime {
			// More records share one timestamp than a page holds: asking
			// again from the same start time returns the same page forever.
			hint := fmt.Sprintf("more records share one second than a page of %d holds: use the cursor-based export", p.size)
			if largest := max(p.l.MaxPageSize, defaultPageSize(p.l.Style)); p.size < largest {
				hint = fmt.Sprintf("more records share one second than a page of %d holds: use a larger page (up to %d) or the cursor-based export", p.size, largest)
			}
			if *f.endTime <= 0 {
				hint = fmt.Sprintf("Zendesk gave end_time %d", *f.endTime)
			}
			return &StalledError{Operation: p.l.Operation, Position: pos, hint: hint}
		}
	case "incremental-cursor":
		page.EndOfStream = f.endOfStream != nil && *f.endOfStream
		after := ""
		if f.afterCursor != nil {
			after = *f.afterCursor
		}
		if after == "" {
			after = cursorFromURL(f.afterURL, p.l.CursorParam)
		}
		if after == "" {
			after = cursorFromURL(f.nextPage, p.l.CursorParam)
		}
		if after != "" {
			page.Next = Position{Cursor: after}
		} else {
			// Polled again later, the export goes on from the same request,
			// after what this page held.
			page.Next = stay(page)
		}
		if page.EndOfStream {
			return nil
		}
		if after == "" {
			return fmt.Errorf("%s: the export page has neither end_of_stream nor a cursor to go on", p.l.Operation)
		}
		if p.repeats(pos.Cursor, after) {
			return &StalledError{Operation: p.l.Operation, Position: pos, hint: "Zendesk gave back a cursor the export already went through"}
		}
	}
	// An empty page that says more follow is followed, up to a point.
	if page.sent == 0 {
		p.empties++
		if p.empties >= maxEmptyPages {
			return &StalledError{Operation: p.l.Operation, Position: pos, EmptyPages: p.empties}
		}
	} else {
		p.empties = 0
	}
	page.More = true
	return nil
}

// stay is the position that requests the same page again, past every
// record it held: where an export that reached its end without a new
// cursor or end time goes on when polled later.
func stay(page *PageState) Position {
	next := page.Position
	if page.sent > 0 {
		next.Skip, next.LastHash = page.sent, page.lastSent
	}
	return next
}

// repeats records the cursor a page was requested with and reports whether
// next, the cursor Zendesk gave for the page after, is one the listing
// already went through. Every cursor is remembered, as a 64-bit hash (8
// bytes of memory a page, however long the cursors), so a cycle of any
// length is caught; two cursors sharing a hash, which would end a listing
// early with a StalledError, has a chance of about n²/2⁶⁵ in n pages.
func (p *pager) repeats(cur, next string) bool {
	if cur != "" {
		if p.seen == nil {
			p.seen = map[uint64]struct{}{}
		}
		p.seen[maphash.String(p.seed, cur)] = struct{}{}
	}
	_, seen := p.seen[maphash.String(p.seed, next)]
	return next == cur || seen
}

// cursorFromURL reads the cursor parameter of a next-page URL.
func cursorFromURL(u *string, param string) string {
	if u == nil || *u == "" || param == "" {
		return ""
	}
	parsed, err := url.Parse(*u)
	if err != nil {
		return ""
	}
	return parsed.Query().Get(param)
}
