package zendesk

import (
	"context"
	"fmt"
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
		_, err := client.CreateOrUpdateUserWithResponse(ctx, CreateOrUpdateUserJSONRequestBody{User: UserInput{Email: &email}})
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
	var mu sync.Mutex
	var arrivals []time.Time
	var rejected atomic.Int32
	handler := func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		mu.Lock()
		var recent []time.Time
		for _, a := range arrivals {
			if now.Sub(a) < window {
				recent = append(recent, a)
			}
		}
		over := len(recent) >= 5
		if !over {
			recent = append(recent, now)
		}
		arrivals = recent
		mu.Unlock()
		if over {
			rejected.Add(1)
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"view_count":{"view_id":1,"url":"https://example.zendesk.com/api/v2/views/1/count.json","value":3,"pretty":"3","fresh":true}}`)
	}
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
		_, err := client.CountTicketsInViewWithResponse(context.Background(), 1)
		require.NoError(t, err)
	}
	assert.Zero(t, rejected.Load(), "no 429")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

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
