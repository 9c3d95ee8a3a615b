package zendesktest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// quickRetry retries fast, for tests.
var quickRetry = zendesk.RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
	MaxRetryAfter: 2 * time.Second, MaxElapsed: 10 * time.Second, Budget: 100}

func TestAuthentication(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t)
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	get := func(path string, set func(r *http.Request)) (int, string) {
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		require.NoError(t, err)
		if set != nil {
			set(req)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	cases := []struct {
		name   string
		set    func(r *http.Request)
		status int
	}{
		{"no credentials", nil, 401},
		{"API token", func(r *http.Request) { r.SetBasicAuth(srv.Email+"/token", srv.Token) }, 200},
		{"API token, email in another case", func(r *http.Request) { r.SetBasicAuth(strings.ToUpper(srv.Email)+"/token", srv.Token) }, 200},
		{"wrong token", func(r *http.Request) { r.SetBasicAuth(srv.Email+"/token", "guess") }, 401},
		{"other email", func(r *http.Request) { r.SetBasicAuth("mallory@example.com/token", srv.Token) }, 401},
		{"password instead of token", func(r *http.Request) { r.SetBasicAuth(srv.Email, srv.Token) }, 401},
		{"bearer token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+srv.OAuthToken) }, 200},
		{"wrong bearer token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, 401},
		{"garbage", func(r *http.Request) { r.Header.Set("Authorization", "Basic !!!") }, 401},
	}
	for _, c := range cases {
		status, body := get("/api/v2/tickets/1", c.set)
		assert.Equal(t, c.status, status, c.name)
		if c.status == 401 {
			assert.JSONEq(t, `{"error":"Couldn't authenticate you"}`, body, c.name)
		}
	}
	// Operations with `security: []` need none.
	status, _ := get("/api/v2/accounts/available?subdomain=acme", nil)
	assert.Equal(t, 200, status)

	// Through the client: a typed 401.
	bad, err := zendesk.NewClient("", append(srv.ClientOptions(), zendesk.WithAPIToken(srv.Email, "wrong"))...)
	require.NoError(t, err)
	_, err = bad.ShowTicket(context.Background(), 1, nil)
	var apiErr *zendesk.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 401, apiErr.StatusCode)
	assert.Equal(t, "Couldn't authenticate you", apiErr.Code)
	oauth, err := zendesk.NewClient("", append(srv.ClientOptions(), zendesk.WithOAuthToken(srv.OAuthToken))...)
	require.NoError(t, err)
	me, err := oauth.ShowSelf(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, srv.Email, *me.User.Email)
	st := srv.Stats()
	assert.Equal(t, 7, st.Unauthorized)
	t.Logf("auth: %d requests refused with 401", st.Unauthorized)
}

// TestFaultsObservableByTheClient injects each kind of fault and checks
// what the client makes of it.
func TestFaultsObservableByTheClient(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(100))
	retrying, err := srv.Client(zendesk.WithRetry(quickRetry))
	require.NoError(t, err)
	once, err := srv.Client(zendesk.WithRetry(zendesk.NoRetry))
	require.NoError(t, err)
	ctx := context.Background()
	show := func(c *zendesk.Client) error {
		resp, err := c.ShowTicket(ctx, 7, nil)
		if err == nil && resp == nil {
			return errors.New("no typed body")
		}
		return err
	}
	inject := func(op string, f ...zendesktest.Fault) {
		t.Helper()
		require.NoError(t, srv.InjectFaults(op, f...))
	}

	t.Run("429 with Retry-After is waited out", func(t *testing.T) {
		srv.ResetStats()
		inject("ShowTicket", zendesktest.Fault{Kind: zendesktest.FaultRateLimit, RetryAfter: 100 * time.Millisecond})
		start := time.Now()
		require.NoError(t, show(retrying))
		assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond, "the client waited the Retry-After")
		st := srv.Stats()
		assert.Equal(t, 2, st.Requests["ShowTicket"])
		assert.Equal(t, 1, st.Faults[zendesktest.FaultRateLimit])
		assert.Equal(t, 1, st.Statuses[429])
	})
	t.Run("429 without retries is a RateLimitError", func(t *testing.T) {
		inject("ShowTicket", zendesktest.Fault{Kind: zendesktest.FaultRateLimit, RetryAfter: 3 * time.Second})
		var rl *zendesk.RateLimitError
		require.ErrorAs(t, show(once), &rl)
		assert.Equal(t, 3*time.Second, rl.RetryAfter)
	})
	t.Run("503 and 500 are retried", func(t *testing.T) {
		srv.ResetStats()
		inject("ShowTicket", zendesktest.Fault{Kind: zendesktest.FaultUnavailable, RetryAfter: 20 * time.Millisecond}, zendesktest.Fault{Kind: zendesktest.FaultServerError})
		require.NoError(t, show(retrying))
		st := srv.Stats()
		assert.Equal(t, 3, st.Requests["ShowTicket"])
		assert.Equal(t, 1, st.Statuses[503])
		assert.Equal(t, 1, st.Statuses[500])
	})
	t.Run("500 on a POST without Idempotency-Key is not retried", func(t *testing.T) {
		srv.ResetStats()
		inject("CreateUser", zendesktest.Fault{Kind: zendesktest.FaultServerError})
		_, err := retrying.CreateUser(ctx, zendesk.CreateUserJSONRequestBody{User: zendesk.UserInput{Name: ptr("Once")}})
		var apiErr *zendesk.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 500, apiErr.StatusCode)
		assert.Equal(t, 1, srv.Stats().Requests["CreateUser"])
	})
	t.Run("a truncated body is fetched again, or an error naming the truncation", func(t *testing.T) {
		// A typed GET: fetched again within the retry policy...
		srv.ResetStats()
		inject("ShowTicket", zendesktest.Fault{Kind: zendesktest.FaultTruncated})
		require.NoError(t, show(retrying))
		assert.Equal(t, 2, srv.Stats().Requests["ShowTicket"])
		// ...and without retries, an error that says so.
		inject("ShowTicket", zendesktest.Fault{Kind: zendesktest.FaultTruncated})
		err := show(once)
		require.Error(t, err)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		t.Logf("truncated: %v", err)
		// In an iterator: the page is fetched again (nothing of it was
		// yielded), so each ticket comes exactly once and no error ends
		// the iteration.
		srv.ResetStats()
		inject("ListTickets", zendesktest.Fault{Kind: zendesktest.FaultTruncated})
		ids := map[int64]int{}
		for tk, err := range retrying.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}) {
			require.NoError(t, err)
			ids[*tk.ID]++
		}
		assert.Len(t, ids, 100)
		for id, n := range ids {
			assert.Equal(t, 1, n, "ticket %d", id)
		}
		st := srv.Stats()
		assert.Equal(t, 1, st.Faults[zendesktest.FaultTruncated])
		assert.Equal(t, 2, st.Requests["ListTickets"], "the truncated page was fetched again")
		t.Logf("truncated page: fetched again, %d tickets exactly once", len(ids))
	})
	t.Run("an HTML error page is an APIError", func(t *testing.T) {
		inject("ShowTicket", zendesktest.Fault{Kind: zendesktest.FaultHTML})
		err := show(once)
		var apiErr *zendesk.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 502, apiErr.StatusCode)
		assert.Equal(t, "HTML error page: 502 Bad Gateway", apiErr.Description)
		inject("ShowTicket", zendesktest.Fault{Kind: zendesktest.FaultHTML, Status: 504})
		require.NoError(t, show(retrying), "a GET is retried past it")
	})
	t.Run("a connection reset", func(t *testing.T) {
		// A client on fresh connections sees the reset (net/http retries
		// a GET on a reused connection by itself).
		tr := &http.Transport{DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		fresh, err := zendesk.NewClient("", zendesk.WithBaseURL(srv.URL), zendesk.WithInsecureHTTP(), zendesk.WithAPIToken(srv.Email, srv.Token),
			zendesk.WithHTTPClient(&http.Client{Transport: tr}), zendesk.WithRetry(zendesk.NoRetry))
		require.NoError(t, err)
		inject("ShowTicket", zendesktest.Fault{Kind: zendesktest.FaultReset})
		err = show(fresh)
		require.Error(t, err)
		var apiErr *zendesk.APIError
		assert.False(t, errors.As(err, &apiErr), "no answer, no APIError: %v", err)
		t.Logf("reset: %v", err)
		srv.ResetStats()
		inject("ShowTicket", zendesktest.Fault{Kind: zendesktest.FaultReset})
		require.NoError(t, show(retrying), "retried")
		assert.Equal(t, 1, srv.Stats().Faults[zendesktest.FaultReset])
	})
	t.Run("a slow answer", func(t *testing.T) {
		inject("ShowTicket", zendesktest.Fault{Kind: zendesktest.FaultSlow, Delay: 150 * time.Millisecond})
		start := time.Now()
		require.NoError(t, show(once))
		assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
		inject("ShowTicket", zendesktest.Fault{Kind: zendesktest.FaultSlow, Delay: 5 * time.Second})
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := once.ShowTicket(short, 7, nil)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
	assert.Zero(t, srv.PendingFaults())
	st := srv.Stats()
	t.Logf("faults injected since the last reset: %v", st.Faults)
}

// TestRandomFaultsAreDeterministic runs the same requests against two
// servers with the same seed: they meet the same faults.
func TestRandomFaultsAreDeterministic(t *testing.T) {
	leakCheck(t)
	run := func(seed int64) ([]bool, zendesktest.Stats) {
		srv := zendesktest.NewServer(t, zendesktest.WithSeed(seed), zendesktest.WithFaultRates(zendesktest.FaultRates{
			ServerError: 0.2, RateLimit: 0.1, HTML: 0.05, Operations: []string{"ShowTicket"},
		}))
		client, err := srv.Client(zendesk.WithRetry(zendesk.NoRetry))
		require.NoError(t, err)
		var failed []bool
		for range 200 {
			_, err := client.ShowTicket(context.Background(), 1, nil)
			failed = append(failed, err != nil)
		}
		_, err = client.CountTickets(context.Background())
		require.NoError(t, err, "other operations meet no faults")
		return failed, srv.Stats()
	}
	a, sa := run(42)
	b, sb := run(42)
	c, _ := run(43)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
	assert.Equal(t, sa.Faults, sb.Faults)
	assert.InDelta(t, 0.35*200, sa.TotalFaults(), 25)
	t.Logf("random faults over 200 requests, seed 42: %v (%d in all)", sa.Faults, sa.TotalFaults())
}

// TestEndpointRateLimit: CountTicketsInView is limited to 5 requests a
// minute per view; with the server's clock 120 times faster, 5 per half
// second. An unpaced burst meets 429s; a paced client none.
func TestEndpointRateLimit(t *testing.T) {
	leakCheck(t)
	const scale = 120
	window := time.Minute / scale
	// The fake's clock stands still during the burst, so that all of it
	// falls in one window however slow the machine; then it runs.
	var running atomic.Bool
	base := time.Now()
	clock := func() time.Time {
		if running.Load() {
			return time.Now()
		}
		return base
	}
	srv := zendesktest.NewServer(t, zendesktest.WithTimeScale(scale), zendesktest.WithClock(clock))
	ctx := context.Background()

	burst, err := srv.Client(zendesk.WithoutOperationPacing(), zendesk.WithRetry(zendesk.NoRetry))
	require.NoError(t, err)
	var limited []*zendesk.RateLimitError
	for range 12 {
		_, err := burst.CountTicketsInView(ctx, 1)
		var rl *zendesk.RateLimitError
		if errors.As(err, &rl) {
			limited = append(limited, rl)
			continue
		}
		require.NoError(t, err)
	}
	assert.Len(t, limited, 7, "5 pass, 7 are refused")
	for _, rl := range limited {
		assert.Equal(t, window, rl.RetryAfter, "the whole window: the clock stood still")
	}
	_, err = burst.CountTicketsInView(ctx, 2)
	require.NoError(t, err, "another view has its own budget")
	running.Store(true)

	// The client's own pacing of the operation's documented limit, run at
	// the server's time scale (Client sets it): no 429.
	srv.ResetStats()
	paced, err := srv.Client(zendesk.WithRetry(zendesk.NoRetry))
	require.NoError(t, err)
	start := time.Now()
	for range 12 {
		_, err := paced.CountTicketsInView(ctx, 3)
		require.NoError(t, err)
	}
	elapsed := time.Since(start)
	assert.Zero(t, srv.Stats().RateLimited["CountTicketsInView"])

	// Unpaced but retrying: the 429s are waited out.
	srv.ResetStats()
	retrying, err := srv.Client(zendesk.WithoutOperationPacing(), zendesk.WithRetry(quickRetry))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := retrying.CountTicketsInView(ctx, 4)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	st := srv.Stats()
	assert.Positive(t, st.RateLimited["CountTicketsInView"])
	t.Logf("rate limit %d/%s per view: unpaced burst of 12 → %d 429s; paced client → 0 429s over 12 requests in %s; retrying burst of 8 → %d 429s waited out",
		5, window, len(limited), elapsed.Round(time.Millisecond), st.RateLimited["CountTicketsInView"])
}

func TestAccountRateLimit(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithAccountRateLimit(3), zendesktest.WithTimeScale(60), frozen())
	client, err := srv.Client(zendesk.WithRetry(zendesk.NoRetry))
	require.NoError(t, err)
	for i := range 4 {
		_, err := client.ShowTicket(context.Background(), int64(i+1), nil)
		if i < 3 {
			require.NoError(t, err)
			continue
		}
		var rl *zendesk.RateLimitError
		require.ErrorAs(t, err, &rl)
	}
	rl := client.RateLimits()
	assert.Equal(t, 3, rl.Limit)
	assert.Equal(t, 0, rl.Remaining)
}
