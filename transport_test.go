package zendesk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk/overlay"
)

// TestUnrewindableBodyIsNeverResent sends bodies the client cannot read a
// second time (an io.MultiReader has no GetBody): whatever the answer, the
// request goes once, with its whole body, and the call fails with the
// answer's error rather than sending an empty body again.
func TestUnrewindableBodyIsNeverResent(t *testing.T) {
	const body = `{"ticket":{"subject":"Printer on fire","comment":{"body":"The smoke is very colorful."}}}`
	created := answer{status: 201, body: ticketJSON}
	cases := []struct {
		name   string
		first  answer
		status int
		rate   bool
	}{
		{"429 with Retry-After", answer{status: 429, header: map[string]string{"Retry-After": "0"}, body: `{"error":"TooManyRequests"}`}, 429, true},
		{"429 without Retry-After", answer{status: 429, body: `{"error":"TooManyRequests"}`}, 429, true},
		{"500 on a POST with an Idempotency-Key", answer{status: 500, body: `{"error":"InternalError"}`}, 500, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			leakCheck(t)
			client, rec, _ := newTestClient(t, []answer{c.first, created})
			unrewindable := io.MultiReader(strings.NewReader(body[:20]), strings.NewReader(body[20:]))
			err := sendRaw(client, http.MethodPost, "/api/v2/tickets.json", unrewindable)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, c.status, apiErr.StatusCode)
			var rl *RateLimitError
			assert.Equal(t, c.rate, errors.As(err, &rl), "a 429 is a RateLimitError")
			got := rec.got()
			require.Len(t, got, 1, "sent once")
			assert.Equal(t, body, got[0].body, "with its whole body")
		})
	}
	// The same body from a strings.Reader can be read again: retried, whole.
	client, rec, _ := newTestClient(t, []answer{cases[0].first, created})
	err := sendRaw(client, http.MethodPost, "/api/v2/tickets.json", strings.NewReader(body))
	require.NoError(t, err)
	got := rec.got()
	require.Len(t, got, 2)
	assert.Equal(t, body, got[1].body)
}

// TestEvery429IsARateLimitError ends calls on a 429 in every way a call
// can end on one: errors.As finds a *RateLimitError each time.
func TestEvery429IsARateLimitError(t *testing.T) {
	limited := answer{status: 429, body: `{"error":"APIRateLimitExceeded"}`}
	limitedRA := answer{status: 429, header: map[string]string{"Retry-After": "0"}, body: `{"error":"APIRateLimitExceeded"}`}
	budget1 := fastRetry
	budget1.Budget = 1
	cases := []struct {
		name     string
		answer   answer
		policy   RetryPolicy
		requests int
	}{
		{"retries off", limited, NoRetry, 1},
		{"attempts exhausted", limitedRA, fastRetry, fastRetry.MaxAttempts},
		{"retry budget exhausted", limited, budget1, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client, rec, _ := newTestClient(t, []answer{c.answer}, WithRetry(c.policy))
			err := showTicket(client)
			var rl *RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Equal(t, 429, rl.StatusCode)
			assert.Equal(t, "APIRateLimitExceeded", rl.Code)
			assert.Len(t, rec.got(), c.requests)
		})
	}
	t.Run("a download", func(t *testing.T) {
		client, _, srv := newTestClient(t, []answer{limited}, WithRetry(NoRetry))
		_, err := client.Download(context.Background(), srv.URL+"/attachments/token/abc/?name=a.png", io.Discard)
		var rl *RateLimitError
		require.ErrorAs(t, err, &rl)
	})
	t.Run("the response checker", func(t *testing.T) {
		err := checkResponse(&http.Response{StatusCode: 429, Header: http.Header{}, Body: http.NoBody})
		var rl *RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Zero(t, rl.RetryAfter)
	})
}

// TestHonouredRateLimitsKeepTheRetryBudget waits out a 429 on every call of
// a long run with a small budget: the waits Zendesk asks for are pacing, not
// a retry storm, and must not drain the budget the faults need.
func TestHonouredRateLimitsKeepTheRetryBudget(t *testing.T) {
	leakCheck(t)
	policy := fastRetry
	policy.Budget = 2
	var n atomic.Int32
	client, rec, _ := newTestClient(t, []answer{{handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if n.Add(1)%2 == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":"APIRateLimitExceeded"}`)
			return
		}
		fmt.Fprint(w, ticketJSON)
	}}}, WithRetry(policy))
	for i := range 10 {
		require.NoError(t, showTicket(client), "call %d", i)
	}
	assert.Len(t, rec.got(), 20, "each call met one 429 and waited it out")
	assert.Equal(t, 2.0, client.tr.budget.tokens, "the budget is whole")
}

// TestRetryUnsafeOperations sends operations annotated
// x-zendesk-retry-unsafe (UpdateTicket with a comment): they are retried
// after a 429 only, never after an answer or a failure that may follow
// processing; an ordinary PUT still is.
func TestRetryUnsafeOperations(t *testing.T) {
	ok := answer{status: 200, body: ticketJSON}
	comment := func(c *Client) error {
		body := "Replaced the toner."
		_, err := c.UpdateTicket(context.Background(), 35436, UpdateTicketJSONRequestBody{Ticket: TicketInput{Comment: &TicketCommentInput{Body: &body}}})
		return err
	}
	updateUser := func(c *Client) error {
		name := "Roger Wilco"
		_, err := c.UpdateUser(context.Background(), 1, UpdateUserJSONRequestBody{User: UserInput{Name: &name}})
		return err
	}
	reset := answer{handler: func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}}
	cases := []struct {
		name        string
		call        func(*Client) error
		first, then answer
		requests    int
	}{
		{"500", comment, answer{status: 500, body: `{"error":"InternalError"}`}, ok, 1},
		{"503 with Retry-After", comment, answer{status: 503, header: map[string]string{"Retry-After": "0"}, body: ``}, ok, 1},
		{"connection reset", comment, reset, ok, 1},
		{"429", comment, answer{status: 429, header: map[string]string{"Retry-After": "0"}, body: ``}, ok, 2},
		{"ordinary PUT after a 500", updateUser, answer{status: 500, body: `{"error":"InternalError"}`}, answer{status: 200, body: `{"user":{"id":1}}`}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			leakCheck(t)
			client, rec, _ := newTestClient(t, []answer{c.first, c.then})
			err := c.call(client)
			assert.Len(t, rec.got(), c.requests)
			if c.requests == 1 {
				assert.Error(t, err, "not retried")
			} else {
				assert.NoError(t, err, "retried")
			}
		})
	}

	unsafe := map[string]bool{}
	for _, op := range overlay.Operations {
		if op.RetryUnsafe {
			unsafe[op.ID] = true
		}
	}
	for _, id := range []string{"UpdateTicket", "UpdateManyTickets", "UpdateRequest"} {
		assert.True(t, unsafe[id], "%s appends comments", id)
	}
	assert.False(t, unsafe["AddTicketTags"], "adding tags is a set union: repeating it adds nothing")
}

// TestUnpacedOperations calls operations whose documented budget is
// counted per something the client cannot key on (CreateOrUpdateUser: per
// end user, named in the body): they go at once, where pacing them
// account-wide would space calls 13 seconds apart.
func TestUnpacedOperations(t *testing.T) {
	leakCheck(t)
	client, rec, _ := newTestClient(t, []answer{{status: 200, body: `{"user":{"id":1}}`}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // paced, 3 calls would take 27s
	defer cancel()
	for i := range 3 {
		email := fmt.Sprintf("user%d@example.com", i)
		_, err := client.CreateOrUpdateUser(ctx, CreateOrUpdateUserJSONRequestBody{User: UserInput{Email: &email}})
		require.NoError(t, err)
	}
	assert.Len(t, rec.got(), 3)
	client.tr.pacer.mu.Lock()
	defer client.tr.pacer.mu.Unlock()
	for key := range client.tr.pacer.ops {
		assert.False(t, strings.HasPrefix(key, "CreateOrUpdateUser"), "no limiter for an unpaced operation")
	}

	for _, op := range overlay.Operations {
		if op.ID == "CreateOrUpdateUser" || op.ID == "PreviewViews" {
			require.NotNil(t, op.RateLimit, op.ID)
			assert.True(t, op.RateLimit.Unpaced, op.ID)
		}
		if op.ID == "CountTicketsInView" {
			assert.False(t, op.RateLimit.Unpaced, "keyed by view_id: paced")
		}
	}
}

// TestPacingCountsFromAnswers delays the first request of a paced
// operation on its way to the server (a slow new connection). Zendesk counts
// a request when it arrives, so a pacer that spaces requests by when it let
// them go lets the delayed request and the ones after it crowd into one
// window; counting from the answers keeps every window under the limit.
func TestPacingCountsFromAnswers(t *testing.T) {
	leakCheck(t)
	const window = time.Second // 5 a minute, scaled 60 times
	handler, rejected := viewCountLimit(window, 5)
	rec := &recorder{script: []answer{{handler: handler}}}
	srv := httptest.NewTLSServer(rec)
	defer srv.Close()
	var sent atomic.Int32
	slowFirst := srv.Client()
	base := slowFirst.Transport
	slowFirst.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if sent.Add(1) == 1 {
			time.Sleep(300 * time.Millisecond) // 30% of the window
		}
		return base.RoundTrip(r)
	})
	client, err := NewClient("", WithBaseURL(srv.URL), WithHTTPClient(slowFirst), WithAPIToken(testEmail, testToken),
		WithPacingScale(60), WithRetry(NoRetry))
	require.NoError(t, err)
	for range 7 {
		_, err := client.CountTicketsInView(context.Background(), 1)
		require.NoError(t, err)
	}
	assert.Zero(t, rejected.Load(), "no 429")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRetryPolicyZeroFieldsTakeDefaults gives a policy that sets the
// attempts only: it still waits out a short Retry-After (MaxRetryAfter
// takes the default rather than zero, which waited out nothing).
func TestRetryPolicyZeroFieldsTakeDefaults(t *testing.T) {
	leakCheck(t)
	client, rec, _ := newTestClient(t, []answer{{status: 429, header: map[string]string{"Retry-After": "0.01"}, body: ``}, {status: 200, body: ticketJSON}},
		WithRetry(RetryPolicy{MaxAttempts: 3}))
	require.NoError(t, showTicket(client))
	assert.Len(t, rec.got(), 2)
	want := DefaultRetryPolicy
	want.MaxAttempts = 3
	assert.Equal(t, want, client.tr.retry)

	zero, err := NewClient("acme", WithRetry(RetryPolicy{}))
	require.NoError(t, err)
	assert.Equal(t, DefaultRetryPolicy, zero.tr.retry, "the zero policy is the default one")

	short, err := NewClient("acme", WithRetry(RetryPolicy{MaxBackoff: 100 * time.Millisecond}))
	require.NoError(t, err)
	assert.Equal(t, 100*time.Millisecond, short.tr.retry.MinBackoff, "the default minimum is cut to the maximum given")

	none, err := NewClient("acme", WithRetry(RetryPolicy{Budget: -1}))
	require.NoError(t, err)
	assert.Nil(t, none.tr.budget, "a negative budget is none")
}

// TestRetryAfterJitter checks the extra added to a wait Zendesk asks for:
// never negative, at most a tenth (and a second), and not always the same.
func TestRetryAfterJitter(t *testing.T) {
	assert.Zero(t, jitterRetryAfter(0))
	seen := map[time.Duration]bool{}
	for range 100 {
		d := jitterRetryAfter(10 * time.Second)
		assert.GreaterOrEqual(t, d, 10*time.Second)
		assert.LessOrEqual(t, d, 11*time.Second)
		seen[d] = true
	}
	assert.Greater(t, len(seen), 1, "jittered")
	assert.LessOrEqual(t, jitterRetryAfter(time.Hour), time.Hour+time.Second)
}

// TestRateLimitStateMerges reads responses that report different
// endpoint limits: each endpoint's latest report stays.
func TestRateLimitStateMerges(t *testing.T) {
	var n atomic.Int32
	client, _, _ := newTestClient(t, []answer{{handler: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch n.Add(1) {
		case 1:
			w.Header().Set("X-Rate-Limit", "700")
			w.Header().Set("X-Rate-Limit-Remaining", "699")
			w.Header().Set("Zendesk-Ratelimit-Tickets-Index", "total=100; remaining=99; resets=20")
		case 2:
			w.Header().Set("X-Rate-Limit", "700")
			w.Header().Set("X-Rate-Limit-Remaining", "698")
			w.Header().Set("Zendesk-Ratelimit-Search-Index", "total=50; remaining=49; resets=30")
		}
		fmt.Fprint(w, ticketJSON)
	}}})
	require.NoError(t, showTicket(client))
	first := client.RateLimits().ObservedAt
	require.NoError(t, showTicket(client))
	require.NoError(t, showTicket(client)) // no rate-limit headers: nothing changes
	rl := client.RateLimits()
	assert.Equal(t, 698, rl.Remaining)
	require.Contains(t, rl.Endpoints, "tickets-index", "kept though the later responses did not report it")
	assert.Equal(t, 99, rl.Endpoints["tickets-index"].Remaining)
	assert.Equal(t, first, rl.Endpoints["tickets-index"].ObservedAt)
	assert.Equal(t, 49, rl.Endpoints["search-index"].Remaining)
	assert.False(t, rl.Endpoints["search-index"].ObservedAt.Before(first))

	fresh, err := NewClient("acme")
	require.NoError(t, err)
	assert.Equal(t, -1, fresh.RateLimits().Limit, "not reported yet")
}

// TestDownloadRetries downloads through the client's retrying path: a 503
// on the Zendesk host and a 500 on the file store are retried, and the file
// store never sees credentials, not even on a retry.
func TestDownloadRetries(t *testing.T) {
	leakCheck(t)
	var foreignCalls atomic.Int32
	var foreignAuth sync.Map
	foreign := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := foreignCalls.Add(1)
		foreignAuth.Store(n, r.Header.Get("Authorization"))
		if n == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("X-Rate-Limit", "1") // a file store's header is not Zendesk's state
		fmt.Fprint(w, "file bytes")
	}))
	defer foreign.Close()
	client, rec, srv := newTestClient(t, []answer{
		{status: 503, header: map[string]string{"Retry-After": "0"}, body: ``},
		{handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, foreign.URL+"/files/x.png?X-Amz-Signature=abc", http.StatusFound)
		}},
	})
	var buf strings.Builder
	n, err := client.Download(context.Background(), srv.URL+"/attachments/token/abc/?name=x.png", &buf)
	require.NoError(t, err)
	assert.Equal(t, int64(10), n)
	assert.Equal(t, "file bytes", buf.String())
	// 503, redirect to a 500, redirect to the file.
	assert.Len(t, rec.got(), 3)
	assert.Equal(t, int32(2), foreignCalls.Load())
	foreignAuth.Range(func(_, v any) bool {
		assert.Empty(t, v, "the file store never sees credentials")
		return true
	})
	assert.Equal(t, -1, client.RateLimits().Limit)

	// On the file store directly: retried too.
	foreignCalls.Store(0)
	_, err = client.Download(context.Background(), foreign.URL+"/files/y.png", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, int32(2), foreignCalls.Load())
}

// An id holding an escaped slash stays one path segment: the request is
// still recognised as its operation (and gets the operation's annotations).
func TestEscapedPathParametersFindTheirOperation(t *testing.T) {
	var mu sync.Mutex
	var ops []string
	logger := slog.New(logHandlerFunc(func(r slog.Record) {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "operation" {
				mu.Lock()
				ops = append(ops, a.Value.String())
				mu.Unlock()
			}
			return true
		})
	}))
	client, rec, _ := newTestClient(t, []answer{{status: 200, body: `{"custom_object_record":{"id":"01GC/X","name":"x"}}`}}, WithLogger(logger))
	_, err := client.ShowCustomObjectRecord(context.Background(), "car", "01GC/X")
	require.NoError(t, err)
	require.Len(t, rec.got(), 1)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"ShowCustomObjectRecord"}, ops)
}

// logHandlerFunc is a slog.Handler that passes every record, at every level,
// to a function.
type logHandlerFunc func(slog.Record)

func (f logHandlerFunc) Enabled(context.Context, slog.Level) bool { return true }
func (f logHandlerFunc) Handle(_ context.Context, r slog.Record) error {
	f(r)
	return nil
}
func (f logHandlerFunc) WithAttrs([]slog.Attr) slog.Handler { return f }
func (f logHandlerFunc) WithGroup(string) slog.Handler      { return f }

// A 429 the client does not wait out itself (Retry-After beyond
// MaxRetryAfter) reaches WaitJob as a RateLimitError, and WaitJob waits the
// Retry-After before it polls again rather than its own short interval.
func TestWaitJobWaitsOutARateLimitError(t *testing.T) {
	policy := fastRetry
	policy.MaxRetryAfter = time.Millisecond
	client, rec, _ := newTestClient(t, []answer{
		{status: 429, header: map[string]string{"Retry-After": "1"}, body: `{"error":"TooManyRequests"}`},
		{status: 200, body: `{"job_status":{"id":"j1","status":"completed","total":1,"progress":1}}`},
	}, WithRetry(policy))
	start := time.Now()
	job, err := client.WaitJob(context.Background(), "j1", WithPollInterval(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	assert.Equal(t, "completed", string(*job.Status))
	assert.Len(t, rec.got(), 2, "one refused poll, one answered")
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "the second poll waited for Retry-After")
}

// sendRaw sends a request built by hand through Client.Do and closes the
// answer's body: a JSON body (a strings.Reader can be read again, anything
// else cannot), or none.
func sendRaw(c *Client, method, path string, body io.Reader) error {
	req, err := http.NewRequestWithContext(context.Background(), method, path, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
