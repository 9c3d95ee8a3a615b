package overlay

// ListOption configures an iterator.
type ListOption func(*listOptions)

type listOptions struct {
	pageSize int
	start    Position
	prefetch bool
	dedup    *bool
	track    *Position
	retries  *int
	editors  []RequestEditorFn
}

// WithPageRequestEditor changes every page's request before it is sent,
// before the iterator sets the page's position: to add a query parameter
// the params struct lacks, or a header. Several editors run in order.
func WithPageRequestEditor(fn RequestEditorFn) ListOption {
	return func(o *listOptions) {
		if fn != nil {
			o.editors = append(o.editors, fn)
		}
	}
}

// pageRetries is how often a page whose body broke is fetched again.
func (o listOptions) pageRetries() int {
	if o.retries != nil {
		return *o.retries
	}
	return 3
}

// WithPageRetries sets how many times a page is fetched again when its body
// is cut short or its connection reset while being read (default 3). Error
// answers are retried by the client's transport, not here.
func WithPageRetries(n int) ListOption { return func(o *listOptions) { o.retries = &n } }

// WithPageSize sets the number of records per page. The default is the
// largest page the endpoint serves (100 for most lists, 1000 for incremental
// exports); asking for more than that is an error.
func WithPageSize(n int) ListOption { return func(o *listOptions) { o.pageSize = n } }

// WithStart starts the listing at a saved position instead of the start:
// a Page's Next, or the position TrackPosition tracked.
func WithStart(p Position) ListOption { return func(o *listOptions) { o.start = p } }

// WithPrefetch requests the next page while the caller works on the current
// one. It pays when the caller does work per record (writes, calls):
// waiting for Zendesk and working then overlap.
func WithPrefetch() ListOption { return func(o *listOptions) { o.prefetch = true } }

// WithDedup turns off (false) or on (true, the default for time-based
// incremental exports) the dropping of records that the previous page
// already held: a time-based export asks for records changed at or after the
// previous page's end_time, so the records of that boundary second come
// again. Only records identical to the byte are dropped; a record changed
// again later is kept. A time-based export resumed in another process from a
// page's Next may repeat the records of its boundary second once; resuming
// from a position TrackPosition took in the middle of a page does not,
// unless records changed meanwhile (see TrackPosition). Cursor-based
// exports never repeat records.
func WithDedup(on bool) ListOption { return func(o *listOptions) { o.dedup = &on } }

// TrackPosition keeps *p at the position right after the last record the
// iterator yielded: persist it, and resume with WithStart(*p) to get the
// following records.
//
// In the middle of a page the position names the page and the last record
// consumed in it (by a hash of its JSON), not just how many records were
// consumed: records may move between the stop and the resume (an updated
// record moves to the end of an export, a deleted one leaves a listing), so
// resuming skips the records up to that one wherever it now is. Delivery is
// at least once, never a loss: if that record itself changed or went,
// nothing of the page is skipped and records consumed before come again.
// With a listing that does not change meanwhile, each record comes exactly
// once.
func TrackPosition(p *Position) ListOption { return func(o *listOptions) { o.track = p } }
