// Package zendesk is a client for the Zendesk Support API: every one of its
// 417 documented operations, typed, with iterators over every paginated
// operation, helpers that wait for background jobs, and a transport that
// authenticates, paces itself under Zendesk's rate limits, retries what is
// safe to retry and turns every error answer into a typed error.
//
//	client, err := zendesk.NewClient("acme", zendesk.WithAPIToken("agent@acme.com", token))
//	for ticket, err := range client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}) {
//		...
//	}
//
// Every operation is a method of Client named after it, generated from
// spec/zendesk.yaml with the operation's documentation: ShowTicket(ctx, id,
// params) returns the decoded *TicketEnvelope and an error. Paginated
// operations add <Operation>All (records, across pages), <Operation>AllRaw
// (each record's JSON exactly as sent) and <Operation>Pages (pages, with
// the position to resume from); operations that queue a job add
// <Operation>AndWait. KeepResponse keeps a call's *http.Response for its
// headers; Do sends a request built by hand through the same transport.
// Every non-2xx answer is an error: *APIError, or *RateLimitError for rate
// limits the client did not wait out.
package zendesk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zdapi/zendesk/overlay"
)

// Client is a Zendesk Support API client. It is safe for concurrent use.
//
// It has a method for every operation of the Support API, named after the
// operation (ShowTicket, ListTickets, CreateManyTickets...), which returns
// the decoded answer and an error: every answer other than a success is an
// error (*APIError, *RateLimitError). A listing also has <Operation>All
// (its records, across pages), <Operation>AllRaw (each record's JSON as
// sent) and <Operation>Pages; an operation that queues a background job
// has <Operation>AndWait. CallOption values change one call: a request
// editor (WithRequestEditor, WithQuery), or the HTTP response kept
// (KeepResponse).
//
// Make one with NewClient: the zero Client has no transport, and its
// operations, iterators and job helpers panic (Download returns an error,
// RateLimits the zero value).
type Client struct {
	o *overlay.Client

	base   *url.URL
	tr     *transport
	creds  *credentials
	logger *slog.Logger
}

var subdomainRe = lazyRegexp(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// NewClient returns a client for https://{subdomain}.zendesk.com. The
// subdomain is letters, digits and hyphens; anything else is refused. With
// WithBaseURL requests go to its URL instead: subdomain may then be empty,
// and is otherwise still checked (a mistyped one is refused rather than
// silently ignored) but not used.
func NewClient(subdomain string, opts ...Option) (*Client, error) {
	cfg := config{retry: DefaultRetryPolicy, pacingScale: 1, userAgent: "zdapi-zendesk-go"}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("zendesk: nil option")
		}
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("zendesk: %w", err)
		}
	}
	base := cfg.baseURL
	sub := strings.ToLower(strings.TrimSpace(subdomain))
	switch {
	case base == nil && sub == "":
		return nil, errors.New("zendesk: subdomain is empty (and no WithBaseURL)")
	case sub != "" && !subdomainRe().MatchString(sub):
		return nil, fmt.Errorf("zendesk: subdomain %q is not valid: letters, digits and hyphens only", subdomain)
	case base == nil:
		base = &url.URL{Scheme: "https", Host: sub + ".zendesk.com"}
	case base.Scheme != "https" && !cfg.insecureHTTP:
		return nil, fmt.Errorf("zendesk: base URL %s is not https; credentials go over https only (WithInsecureHTTP allows http for tests)", redactURL(base))
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}

	user := cfg.httpClient
	if user == nil {
		user = &http.Client{Timeout: 2 * time.Minute}
	}
	baseRT := user.Transport
	if baseRT == nil {
		baseRT = http.DefaultTransport
	}
	authed := *user
	authed.Transport = &authTransport{base: baseRT, scheme: base.Scheme, host: strings.ToLower(base.Host), creds: cfg.creds, agent: cfg.userAgent}
	plain := *user
	plain.Transport = &authTransport{base: baseRT, scheme: base.Scheme, host: strings.ToLower(base.Host), agent: cfg.userAgent}

	tr := &transport{
		client:   &authed,
		plain:    &plain,
		scheme:   base.Scheme,
		host:     strings.ToLower(base.Host),
		basePath: strings.TrimRight(base.EscapedPath(), "/"),
		router:   newRouter(overlay.Operations[:]),
		retry:    cfg.retry,
		budget:   newRetryBudget(cfg.retry.Budget),
		pacer:    newPacer(cfg.limiter, cfg.pacingScale, cfg.noOpPacing, cfg.noAccountPacing, cfg.headroom, cfg.retry.MaxRetryAfter),
		state:    newRateState(),
		logger:   cfg.logger,
		authed:   cfg.creds != nil,
		now:      time.Now,
		maxBody:  cmp.Or(cfg.maxBody, DefaultMaxResponseBytes),
	}
	o, err := overlay.New(base.String(), tr, checkResponse)
	if err != nil {
		return nil, fmt.Errorf("zendesk: %w", err)
	}
	return &Client{o: o, base: base, tr: tr, creds: cfg.creds, logger: cfg.logger}, nil
}

// String describes the client without its credentials.
func (c *Client) String() string {
	if c == nil {
		return "zendesk.Client(nil)"
	}
	return fmt.Sprintf("zendesk.Client{%s, credentials: %s}", redactURL(c.base), c.creds)
}

// GoString is String: %#v never prints credentials.
func (c *Client) GoString() string { return c.String() }

// Format keeps every fmt verb on the client from printing credentials.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue keeps slog from printing credentials.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// BaseURL is the URL requests go to.
func (c *Client) BaseURL() string {
	if c == nil || c.base == nil {
		return ""
	}
	return c.base.String()
}

// RateLimits returns the latest rate-limit state Zendesk reported.
func (c *Client) RateLimits() RateLimits {
	if c == nil || c.tr == nil {
		return RateLimits{}
	}
	return c.tr.state.get()
}

// Do sends a request the caller built, for what no operation method covers
// (a body sent as prepared bytes, an endpoint the spec lacks), through the
// same transport as the operation methods: credentials (to the client's
// Zendesk host only), pacing, retries of what is safe to retry. A relative
// URL such as "/api/v2/tickets/1.json" is resolved against BaseURL; the
// request's context governs the call. Every answer other than a 2xx is an
// error (*APIError, *RateLimitError) with its body read and closed; on
// success the caller reads and closes the body.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	switch {
	case c == nil || c.tr == nil:
		return nil, errors.New("zendesk: do: the client was not made by NewClient")
	case req == nil || req.URL == nil:
		return nil, errors.New("zendesk: do: nil request or URL")
	}
	if !req.URL.IsAbs() {
		r := req.Clone(req.Context())
		ref := *req.URL
		ref.Path = strings.TrimPrefix(ref.Path, "/")
		ref.RawPath = strings.TrimPrefix(ref.RawPath, "/")
		base := *c.base
		if !strings.HasSuffix(base.Path, "/") {
			base.Path += "/"
			if base.RawPath != "" {
				base.RawPath += "/"
			}
		}
		r.URL = base.ResolveReference(&ref)
		r.Host = ""
		req = r
	}
	return c.tr.Do(req)
}

// Download writes the file at an attachment's content_url to w and returns
// the bytes written. Zendesk credentials go with the request only when the
// URL is on the client's Zendesk host (and are dropped if Zendesk redirects
// elsewhere, as it does to its file storage); content_url on any other host
// is fetched without them. The download is retried and paced like any GET
// of the client (requests to other hosts are not counted against Zendesk's
// limits); a non-2xx answer is an *APIError, a 429 a *RateLimitError. Errors
// and logs show the URL with its signatures and tokens redacted.
func (c *Client) Download(ctx context.Context, contentURL string, w io.Writer) (int64, error) {
	switch {
	case c == nil || c.tr == nil:
		return 0, errors.New("zendesk: download: the client was not made by NewClient")
	case w == nil:
		return 0, errors.New("zendesk: download: nil writer")
	}
	u, err := url.Parse(contentURL)
	if err != nil {
		// The URL may carry secrets: say what is wrong, not what it is.
		return 0, fmt.Errorf("zendesk: download: the URL does not parse: %w", redactErr(err))
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return 0, fmt.Errorf("zendesk: download: %q is not an absolute http(s) URL", c.tr.showURL(u))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, fmt.Errorf("zendesk: download %s: %w", c.tr.showURL(u), redactErr(err))
	}
	resp, err := c.tr.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("zendesk: download %s: %w", c.tr.showURL(u), err)
	}
	return n, nil
}

// Position is where a listing stands: what to request to go on. The zero
// Position is the start. It is small and meant to be persisted (the
// checkpoint of an incremental export) and given back with WithStart to
// resume; MarshalText and UnmarshalText give it a compact text form, such
// as "cursor=MTU3NjYxMzUzOS4wfHw0Njd8&last=9d3f0c2a61b6e0f4&skip=12". Its
// fields: Cursor (cursor pagination and cursor-based exports), Page (offset
// pagination), StartTime (time-based exports, Unix seconds), and Skip and
// LastHash, the records of the page already consumed (see TrackPosition).
type Position = overlay.Position

// ListOption configures an iterator (<Operation>All, <Operation>AllRaw,
// <Operation>Pages): WithPageSize, WithStart, TrackPosition, WithPrefetch,
// WithDedup, WithPageRetries, WithPageRequestEditor.
type ListOption = overlay.ListOption

// StalledError is returned by an iterator whose listing stops making
// progress: Zendesk gives back a cursor the listing already went through,
// a time-based export's end_time does not pass its start time (more
// records share one second than a page holds: use the cursor-based
// export), or pages keep coming empty while saying more follow. Its
// fields: Operation, Position (the page that did not advance) and
// EmptyPages (the empty pages in a row, when that is why).
type StalledError = overlay.StalledError

// DepthLimitError is returned by an iterator of offset pagination that
// reaches Zendesk's depth limit (10,000 records): narrow the query, or
// use the operation's cursor pagination or an incremental export. Its
// fields: Operation, Page and PageSize (the page that would pass the
// limit) and Err (Zendesk's answer, when it refused the page itself).
type DepthLimitError = overlay.DepthLimitError

// WithPageSize sets the number of records per page. The default is the
// largest page the endpoint serves (100 for most lists, 1000 for
// incremental exports); asking for more than that is an error.
func WithPageSize(n int) ListOption { return overlay.WithPageSize(n) }

// WithPageRetries sets how many times a page is fetched again when its
// body is cut short or its connection reset while being read (default 3).
// Error answers are retried by the client's transport, not here.
func WithPageRetries(n int) ListOption { return overlay.WithPageRetries(n) }

// WithStart starts the listing at a saved position instead of the start:
// a Page's Next, or the position TrackPosition tracked.
func WithStart(p Position) ListOption { return overlay.WithStart(p) }

// WithPrefetch requests the next page while the caller works on the
// current one. It pays when the caller does work per record (writes,
// calls): waiting for Zendesk and working then overlap. Breaking out of
// the loop cancels that request and waits for it.
func WithPrefetch() ListOption { return overlay.WithPrefetch() }

// WithDedup turns off (false) or on (true, the default for time-based
// incremental exports) the dropping of records that the previous page
// already held: a time-based export asks for records changed at or after
// the previous page's end_time, so the records of that boundary second
// come again. Only records identical to the byte are dropped.
func WithDedup(on bool) ListOption { return overlay.WithDedup(on) }

// TrackPosition keeps *p at the position right after the last record the
// iterator yielded: persist it, and resume with WithStart(*p) to get the
// following records. In the middle of a page the position names the last
// record consumed by a hash of its JSON, so that records that moved since
// (updated, deleted) are neither lost nor skipped wrongly: delivery is at
// least once, and exactly once when the listing did not change meanwhile.
func TrackPosition(p *Position) ListOption { return overlay.TrackPosition(p) }

// WithPageRequestEditor changes every page's request of an iterator before
// it is sent, before the iterator sets the page's position: a query
// parameter the params struct lacks, or a header. Several editors run in
// order.
func WithPageRequestEditor(fn RequestEditorFn) ListOption { return overlay.WithPageRequestEditor(fn) }

// Errors a call returns before sending anything.
var (
	// ErrBadPathParam is matched by the error of a call given a path
	// parameter that is empty, "." or "..", which would change the
	// endpoint the request goes to.
	ErrBadPathParam = overlay.ErrBadPathParam
	// ErrNilContext is matched by the error of a call given a nil context.
	ErrNilContext = overlay.ErrNilContext
)

// Ptr returns a pointer to v: optional fields of the models are pointers
// (so that false, 0 and "" are sent), and Ptr fills them inline:
// zendesk.TicketInput{Subject: zendesk.Ptr("Printer on fire")}.
func Ptr[T any](v T) *T { return &v }
