package zendesk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// A client authenticated with an API token (Admin Center > Apps and
// integrations > Zendesk API).
func ExampleNewClient_apiToken() {
	client, err := zendesk.NewClient("acme", zendesk.WithAPIToken("agent@acme.com", apiToken))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.BaseURL())
	// Output: https://acme.zendesk.com
}

// A client authenticated with an OAuth access token.
func ExampleNewClient_oauthToken() {
	client, err := zendesk.NewClient("acme", zendesk.WithOAuthToken("ACCESS_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client) // credentials never print
	// Output: zendesk.Client{https://acme.zendesk.com, credentials: OAuth token (redacted)}
}

// A client that asks a TokenSource for each request's OAuth token: the
// source caches the token and refreshes it when it expires.
func ExampleNewClient_tokenSource() {
	source := zendesk.TokenSourceFunc(func(ctx context.Context) (string, error) {
		return refreshedToken(ctx) // your OAuth refresh flow
	})
	client, err := zendesk.NewClient("acme", zendesk.WithTokenSource(source),
		zendesk.WithRateLimit(400), // stay under 400 requests a minute
		zendesk.WithHTTPClient(&http.Client{Timeout: time.Minute}),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: zendesk.Client{https://acme.zendesk.com, credentials: OAuth token source}
}

func refreshedToken(context.Context) (string, error) { return "fresh-token", nil }

// apiToken stands for your API token (read it from the environment or a
// secret store, never from source code).
var apiToken = "YOUR_API_TOKEN"

// When Zendesk asks to wait longer than the retry policy allows, the call
// fails at once with a *RateLimitError saying how long to wait.
func ExampleRateLimitError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "600")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":"APIRateLimitExceeded","description":"Number of allowed API requests per minute exceeded"}`)
	}))
	defer srv.Close()
	client, err := zendesk.NewClient("", zendesk.WithBaseURL(srv.URL), zendesk.WithInsecureHTTP(),
		zendesk.WithAPIToken("agent@acme.com", "token"))
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.ShowTicket(context.Background(), 35436, nil)
	var rl *zendesk.RateLimitError
	if errors.As(err, &rl) {
		fmt.Println("rate limited; retry after", rl.RetryAfter, "-", rl.Code)
	}
	var apiErr *zendesk.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("status", apiErr.StatusCode)
	}
	// Output:
	// rate limited; retry after 10m0s - APIRateLimitExceeded
	// status 429
}

// Every response updates the rate-limit state Zendesk reports.
func ExampleClient_RateLimits() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Rate-Limit", "700")
		w.Header().Set("X-Rate-Limit-Remaining", "612")
		w.Header().Set("Zendesk-Ratelimit-Tickets-Index", "total=100; remaining=99; resets=42")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ticket":{"id":35436,"subject":"Help, my printer is on fire!"}}`)
	}))
	defer srv.Close()
	client, err := zendesk.NewClient("", zendesk.WithBaseURL(srv.URL), zendesk.WithInsecureHTTP(),
		zendesk.WithAPIToken("agent@acme.com", "token"))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.ShowTicket(context.Background(), 35436, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*resp.Ticket.Subject)
	rl := client.RateLimits()
	fmt.Printf("%d of %d left this minute; tickets index: %d left, resets in %s\n",
		rl.Remaining, rl.Limit, rl.Endpoints["tickets-index"].Remaining, rl.Endpoints["tickets-index"].Resets)
	// Output:
	// Help, my printer is on fire!
	// 612 of 700 left this minute; tickets index: 99 left, resets in 42s
}

// Fetching the comments of many tickets with 16 calls at once: the client
// paces them by the account's rate-limit headers, so they reach the limit
// (here the fake's 700 a minute, its clock 60 times faster) and meet no
// 429.
func ExampleForEach() {
	srv, err := zendesktest.Start(zendesktest.WithTickets(1000), zendesktest.WithAccountRateLimit(700), zendesktest.WithTimeScale(60))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	ids := make([]int64, 1000) // more than the account's minute
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	var mu sync.Mutex
	comments := map[int64]int{}
	errs := zendesk.ForEach(context.Background(), ids, 16, func(ctx context.Context, id int64) error {
		n := 0
		for _, err := range client.ListTicketCommentsAll(ctx, id, &zendesk.ListTicketCommentsParams{}) {
			if err != nil {
				return fmt.Errorf("ticket %d: %w", id, err)
			}
			n++
		}
		mu.Lock()
		comments[id] = n
		mu.Unlock()
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		log.Fatal(err)
	}
	fmt.Println("tickets:", len(comments), "429s:", srv.Stats().RateLimited["ListTicketComments"])
	// Output: tickets: 1000 429s: 0
}
