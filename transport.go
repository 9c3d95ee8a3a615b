package zendesk

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/zdapi/zendesk/internal/callctx"
	"github.com/zdapi/zendesk/internal/ctxsleep"
	"github.com/zdapi/zendesk/overlay"
)

// transport is the generated client's HttpRequestDoer: it paces requests,
// retries what is safe to retry, records rate-limit headers and turns every
// non-2xx answer into an error. Credentials are added below it, by
// authTransport, for the configured host only; requests for other hosts
// (attachment downloads) go through plain, which has none to add.
type transport struct {
	client   *http.Client
	plain    *http.Client
	scheme   string
	host     string // host[:port], lower case
	basePath string // the base URL's escaped path, without a trailing slash
	router   *router
	retry    RetryPolicy
	budget   *retryBudget
	pacer    *pacer
	state    *rateState
	logger   *slog.Logger
	authed   bool
	now      func() time.Time
	maxBody  int64 // the most bytes of a JSON success body read
}

// ours reports whether u is on the configured Zendesk host.
func (t *transport) ours(u *url.URL) bool {
	return u != nil && strings.EqualFold(u.Host, t.host) && u.Scheme == t.scheme
}

// showURL is u as errors show it: redacted (see redactURL) and shortened
// (see shortURL) on the Zendesk host, the scheme and host alone elsewhere
// (a file store's signed URL is a credential).
func (t *transport) showURL(u *url.URL) string {
	return shortURL(t.fullURL(u))
}

// fullURL is showURL without shortening, for APIError.URL and logs.
func (t *transport) fullURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	if t.ours(u) {
		return redactURL(u)
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
}

type idempotencyKeyCtx struct{}

// WithIdempotencyKey returns a context whose POST carries key as its
// Idempotency-Key header, instead of one the client makes. Zendesk answers
// a repeated key with the first call's result (x-idempotency-lookup: hit) on
// the operations that honour it (x-zendesk-idempotency: ticket creation);
// there the client retries the POST after a server fault, with the same
// key. On other POSTs the key is sent but the client does not retry them:
// call again with the same key yourself where you know Zendesk honours it.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyCtx{}, key)
}

// IdempotencyLookup is the x-idempotency-lookup header of a response: "hit"
// when Zendesk answered a repeated Idempotency-Key with the first call's
// result, "miss" when it processed the call, "" when it did not say.
func IdempotencyLookup(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	return resp.Header.Get("X-Idempotency-Lookup")
}

func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Do sends req, with retries.
func (t *transport) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	start := t.now()
	ours := t.ours(req.URL)
	hc := t.plain
	var op *overlay.OperationInfo
	var params map[string]string
	if ours {
		hc = t.client
		op, params = t.router.match(req.Method, strings.TrimPrefix(req.URL.EscapedPath(), t.basePath))
	}
	opName := req.Method + " " + t.showURL(req.URL)
	if ours {
		opName = req.Method + " " + redactURL(&url.URL{Path: req.URL.Path})
	}
	if op != nil {
		opName = op.ID
	}

	// An Idempotency-Key is set once per call and reused on every attempt.
	if req.Method == http.MethodPost && req.Header.Get("Idempotency-Key") == "" {
		if key, _ := ctx.Value(idempotencyKeyCtx{}).(string); key != "" {
			req.Header.Set("Idempotency-Key", key)
		} else if op != nil && op.Idempotent {
			req.Header.Set("Idempotency-Key", newIdempotencyKey())
		}
	}
	// A body that cannot be read again is never sent twice, whatever the
	// answer. A POST is safe to send again after a fault only where Zendesk
	// honours its Idempotency-Key (a key on another POST is sent, but does
	// not make the POST retried), and a PUT only where repeating it adds
	// nothing (x-zendesk-retry-unsafe: a comment would be posted twice).
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	idempotent := (req.Method == http.MethodGet || req.Method == http.MethodHead ||
		req.Method == http.MethodPut || req.Method == http.MethodDelete || req.Method == http.MethodOptions ||
		(req.Method == http.MethodPost && op != nil && op.Idempotent && req.Header.Get("Idempotency-Key") != "")) &&
		(op == nil || !op.RetryUnsafe)

	for attempt := 1; ; attempt++ {
		answered := func(http.Header, int) {}
		if ours {
			var err error
			if answered, err = t.pacer.wait(ctx, op, params, t.authed); err != nil {
				return nil, err
			}
		}
		r := req
		if attempt > 1 {
			r = req.Clone(ctx)
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					answered(nil, 0)
					return nil, fmt.Errorf("zendesk: %s: rewind request body: %w", opName, err)
				}
				r.Body = body
			}
		}
		sent := t.now()
		resp, err := hc.Do(r)
		if err != nil {
			answered(nil, 0)
		} else {
			var h http.Header // not a file store's headers
			if final := resp.Request; final == nil || t.ours(final.URL) {
				h = resp.Header
				t.state.observe(h, t.now())
			}
			answered(h, resp.StatusCode)
			t.logger.LogAttrs(ctx, slog.LevelDebug, "zendesk request", slog.String("operation", opName),
				slog.String("method", req.Method), slog.String("url", t.fullURL(req.URL)), slog.Int("status", resp.StatusCode),
				slog.Int("attempt", attempt), slog.Duration("duration", t.now().Sub(sent)))
			if resp.StatusCode < 300 {
				t.budget.success()
				if op == nil || !slices.Contains(op.JSONStatuses, resp.StatusCode) {
					return resp, nil
				}
				if err := expectJSON(resp, opName, t.maxBody); err != nil {
					return nil, fmt.Errorf("zendesk: %s %s: %w", req.Method, t.showURL(req.URL), err)
				}
				if !callctx.Buffer(ctx) {
					return resp, nil
				}
				// The caller reads the body whole at once: read it here, so
				// that a body cut short is fetched again like any failed
				// attempt (an idempotent call, within the retry policy).
				body, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				if rerr == nil {
					resp.Body = io.NopCloser(bytes.NewReader(body))
					return resp, nil
				}
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				if !retryableErr(rerr) {
					return nil, rerr
				}
				resp, err = nil, rerr
			}
		}
		if ctx.Err() != nil {
			if resp != nil {
				resp.Body.Close()
			}
			return nil, ctx.Err()
		}

		// Decide whether and how long to wait before another attempt, and
		// what the call fails with if there is none.
		var failure error
		var wait time.Duration
		retry, free := false, false
		reason := "network error"
		if err != nil {
			failure = fmt.Errorf("zendesk: %s %s: %w", req.Method, t.showURL(req.URL), redactErr(err))
			// Only network and I/O failures may go better next time: a
			// token source's error, a redirect loop or a request that
			// cannot be built would fail again the same way.
			retry = idempotent && retryableErr(err)
			wait = t.retry.backoff(attempt)
		} else {
			apiErr := newAPIError(resp)
			if resp.Request != nil && !t.ours(resp.Request.URL) {
				apiErr.URL = t.fullURL(resp.Request.URL)
			}
			failure = apiErr
			reason = fmt.Sprintf("status %d", apiErr.StatusCode)
			ra, hasRA := parseRetryAfter(resp.Header.Get("Retry-After"), t.now())
			switch code := resp.StatusCode; {
			case code == http.StatusTooManyRequests || (code == http.StatusServiceUnavailable && hasRA):
				// A 429 was not processed: any method may go again. A 503
				// with Retry-After may have been; only idempotent calls.
				retry = code == http.StatusTooManyRequests || idempotent
				wait = t.retry.backoff(attempt)
				if hasRA {
					// A Retry-After of 0, negative, NaN or in the past
					// would retry at once, at no budget cost: at least the
					// policy's shortest backoff.
					wait = jitterRetryAfter(max(ra, t.retry.MinBackoff))
				}
				// Waiting out a 429's Retry-After is pacing, not a storm: it
				// costs no retry budget.
				free = code == http.StatusTooManyRequests && hasRA
				rlErr := &RateLimitError{APIError: *apiErr, RetryAfter: wait}
				if hasRA {
					rlErr.RetryAfter = ra
				}
				failure = rlErr
				if hasRA && ra > t.retry.MaxRetryAfter {
					t.logger.LogAttrs(ctx, slog.LevelWarn, "zendesk rate limited beyond the retry policy's MaxRetryAfter",
						slog.String("operation", opName), slog.Duration("retry_after", ra))
					return nil, rlErr
				}
			case code >= 500:
				retry = idempotent
				wait = t.retry.backoff(attempt)
			}
		}
		if retry && !rewindable {
			t.logger.LogAttrs(ctx, slog.LevelInfo, "zendesk not retrying: the request body cannot be read again",
				slog.String("operation", opName), slog.String("reason", reason))
			retry = false
		}
		if !retry || !t.canRetry(attempt, start, wait) {
			return nil, failure
		}
		if !free && !t.budget.take() {
			t.logger.LogAttrs(ctx, slog.LevelWarn, "zendesk retry budget exhausted: not retrying", slog.String("operation", opName))
			if err != nil {
				return nil, fmt.Errorf("%w (retry budget exhausted)", failure)
			}
			return nil, failure
		}
		t.logger.LogAttrs(ctx, slog.LevelInfo, "zendesk retrying", slog.String("operation", opName),
			slog.String("reason", reason), slog.Int("attempt", attempt), slog.Duration("wait", wait))
		if err := ctxsleep.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// canRetry reports whether another attempt fits the policy's bounds.
func (t *transport) canRetry(attempt int, start time.Time, wait time.Duration) bool {
	if attempt >= t.retry.MaxAttempts {
		return false
	}
	return t.retry.MaxElapsed <= 0 || t.now().Sub(start)+wait <= t.retry.MaxElapsed
}

// expectJSON looks at the start of a 2xx body the spec says is JSON, so
// that what is not JSON fails with a clear error instead of a decoding error
// or, worse, a typed response with no body: an empty body, a bare null, or
// an HTML page (a proxy's or a maintenance page, whatever its Content-Type
// says). A JSON body sent with another Content-Type is relabelled JSON, so
// that the typed response decodes it. Errors met later while the body is
// read (a connection cut short) say which call they belong to. The body is
// left readable from its start.
//
// At most limit bytes of the body are read (after decompression, when
// net/http decompressed it): reading past them fails with an error that
// matches ErrResponseTooLarge.
func expectJSON(resp *http.Response, call string, limit int64) error {
	br := bufio.NewReaderSize(&capReader{r: resp.Body, left: limit, limit: limit}, 512)
	var first byte
	for {
		b, err := br.ReadByte()
		if err != nil {
			resp.Body.Close()
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%d with an empty body where JSON was expected", resp.StatusCode)
			}
			return fmt.Errorf("read response: %w", err)
		}
		if b != ' ' && b != '\n' && b != '\r' && b != '\t' {
			first = b
			_ = br.UnreadByte()
			break
		}
	}
	switch first {
	case '<':
		page, _ := io.ReadAll(io.LimitReader(br, 64<<10))
		resp.Body.Close()
		_, desc, _ := parseErrorBody(page, "text/html")
		return fmt.Errorf("%d with an HTML page instead of JSON (Content-Type %q): %s", resp.StatusCode, resp.Header.Get("Content-Type"), desc)
	case 'n':
		if rest, _ := br.Peek(5); bytes.Equal(bytes.TrimSpace(rest), []byte("null")) {
			resp.Body.Close()
			return fmt.Errorf("%d with a null body where a JSON object was expected", resp.StatusCode)
		}
	case '{', '[':
		if !strings.Contains(resp.Header.Get("Content-Type"), "json") {
			resp.Header.Set("Content-Type", "application/json; charset=utf-8")
		}
	}
	resp.Body = &callBody{r: br, c: resp.Body, call: call}
	return nil
}

// ErrResponseTooLarge is matched (errors.Is) by the error of reading a
// JSON success body larger than the client's limit (WithMaxResponseBytes).
var ErrResponseTooLarge = errors.New("response body larger than the client's limit (WithMaxResponseBytes)")

// capReader fails once more than limit bytes were read.
type capReader struct {
	r           io.Reader
	left, limit int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a body of exactly limit bytes from a longer one.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, c.limit)
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// retryableErr reports whether a failed attempt may succeed when tried
// again: a network or I/O failure (a reset or refused connection, a
// timeout, a body cut short), not an error of the request itself.
func retryableErr(err error) bool {
	err = redactErr(err) // a *url.Error is a net.Error whatever its cause
	if errors.Is(err, ErrResponseTooLarge) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE)
}

// callBody is a response body whose read errors name the call.
type callBody struct {
	r    io.Reader
	c    io.Closer
	call string
}

func (b *callBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("zendesk: %s: read response body: %w", b.call, err)
	}
	return n, err
}

func (b *callBody) Close() error { return b.c.Close() }

// redactErr drops the URL a *url.Error quotes (the caller's message gives
// it redacted) and keeps the cause, so network errors still match net.Error
// and context errors with errors.As and errors.Is.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// checkResponse turns a non-2xx response into an error (the overlay's
// ResponseChecker).
func checkResponse(resp *http.Response) error {
	if resp.StatusCode < 300 {
		return nil
	}
	e := newAPIError(resp)
	if resp.StatusCode == http.StatusTooManyRequests {
		ra, _ := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return &RateLimitError{APIError: *e, RetryAfter: ra}
	}
	return e
}

var _ overlay.ResponseChecker = checkResponse
