package zendesk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zdapi/zendesk/overlay"
)

const (
	testEmail = "agent@example.com"
	testToken = "s3cr3t-T0ken-zz9"
)

// fastRetry retries quickly, for tests.
var fastRetry = RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: 3 * time.Second, MaxElapsed: 20 * time.Second, Budget: 100}

// recorder is a Zendesk stand-in that answers from a script, one answer per
// request (the last repeated), and records what it received.
type recorder struct {
	mu       sync.Mutex
	script   []answer
	requests []recorded
	count    atomic.Int32
}

type answer struct {
	status  int
	header  map[string]string
	body    string
	handler func(w http.ResponseWriter, r *http.Request)
}

type recorded struct {
	method, path, query, auth, idemKey, body string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(rec.count.Add(1))
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.requests = append(rec.requests, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Idempotency-Key"), string(body)})
	a := rec.script[min(n, len(rec.script))-1]
	rec.mu.Unlock()
	if a.handler != nil {
		a.handler(w, r)
		return
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(a.status)
	fmt.Fprint(w, a.body)
}

func (rec *recorder) got() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.requests...)
}

const ticketJSON = `{"ticket":{"id":35436,"subject":"Help, my printer is on fire!","status":"open","created_at":"2024-01-15T09:30:00Z"}}`

// newTestClient starts a TLS server answering from script and a client for
// it, authenticated with the test API token.
func newTestClient(t *testing.T, script []answer, opts ...Option) (*Client, *recorder, *httptest.Server) {
	t.Helper()
	rec := &recorder{script: script}
	srv := httptest.NewTLSServer(rec)
	t.Cleanup(srv.Close)
	all := append([]Option{WithBaseURL(srv.URL), WithHTTPClient(srv.Client()), WithAPIToken(testEmail, testToken), WithRetry(fastRetry)}, opts...)
	c, err := NewClient("", all...)
	require.NoError(t, err)
	return c, rec, srv
}

func leakCheck(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		goleak.VerifyNone(t, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"), goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
	})
}

func TestRetries(t *testing.T) {
	ok := answer{status: 200, body: ticketJSON}
	cases := []struct {
		name     string
		script   []answer
		call     func(c *Client) error
		requests int
		check    func(t *testing.T, err error, got []recorded)
	}{
		{"429 with Retry-After, then success",
			[]answer{{status: 429, header: map[string]string{"Retry-After": "1"}, body: `{"error":"TooManyRequests"}`}, ok},
			showTicket, 2,
			func(t *testing.T, err error, _ []recorded) { require.NoError(t, err) }},
		{"503 with Retry-After, then success",
			[]answer{{status: 503, header: map[string]string{"Retry-After": "0.01"}, body: `<html><title>Maintenance</title></html>`}, ok},
			showTicket, 2,
			func(t *testing.T, err error, _ []recorded) { require.NoError(t, err) }},
		{"500 on GET is retried",
			[]answer{{status: 500, body: `{"error":"InternalError"}`}, {status: 502, body: `<html>bad gateway</html>`}, ok},
			showTicket, 3,
			func(t *testing.T, err error, _ []recorded) { require.NoError(t, err) }},
		{"500 on a plain POST is not retried",
			[]answer{{status: 500, body: `{"error":"InternalError"}`}, {status: 201, body: `{"user":{"id":1}}`}},
			createUser, 1,
			func(t *testing.T, err error, got []recorded) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 500, apiErr.StatusCode)
				assert.Empty(t, got[0].idemKey)
			}},
		{"500 on a POST with Idempotency-Key is retried with the same key",
			[]answer{{status: 500, body: `{"error":"InternalError"}`}, {status: 503, body: ``}, {status: 201, header: map[string]string{"X-Idempotency-Lookup": "miss"}, body: ticketJSON}},
			createTicket, 3,
			func(t *testing.T, err error, got []recorded) {
				require.NoError(t, err)
				require.Len(t, got, 3)
				assert.Len(t, got[0].idemKey, 32)
				assert.Equal(t, got[0].idemKey, got[1].idemKey)
				assert.Equal(t, got[0].idemKey, got[2].idemKey)
				assert.Equal(t, got[0].body, got[2].body, "the body is sent again in full")
				assert.Contains(t, got[2].body, "printer")
			}},
		{"429 on a plain POST is retried (Zendesk did not process it)",
			[]answer{{status: 429, header: map[string]string{"Retry-After": "0"}, body: ``}, {status: 201, body: `{"user":{"id":1}}`}},
			createUser, 2,
			func(t *testing.T, err error, _ []recorded) { require.NoError(t, err) }},
		{"a 4xx is not retried",
			[]answer{{status: 422, body: `{"error":"RecordInvalid","description":"Record validation errors","details":{"email":[{"description":"Email is already being used","error":"DuplicateValue"}]}}`}},
			createUser, 1,
			func(t *testing.T, err error, _ []recorded) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "RecordInvalid", apiErr.Code)
				assert.Equal(t, "DuplicateValue", *apiErr.Details["email"][0].Error)
				assert.Contains(t, err.Error(), "email Email is already being used")
			}},
		{"attempts are bounded",
			[]answer{{status: 500, body: `{}`}},
			showTicket, 4,
			func(t *testing.T, err error, _ []recorded) {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 500, apiErr.StatusCode)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			leakCheck(t)
			client, rec, _ := newTestClient(t, c.script)
			err := c.call(client)
			got := rec.got()
			assert.Len(t, got, c.requests, "requests")
			c.check(t, err, got)
		})
	}
}

func showTicket(c *Client) error {
	resp, err := c.ShowTicket(context.Background(), 35436, nil)
	if err == nil && resp == nil {
		return errors.New("no typed body")
	}
	return err
}

func createTicket(c *Client) error {
	subject, body := "Help, my printer is on fire!", "The smoke is very colorful."
	_, err := c.CreateTicket(context.Background(), &CreateTicketParams{}, CreateTicketJSONRequestBody{Ticket: TicketInput{Subject: &subject, Comment: &TicketCommentInput{Body: &body}}})
	return err
}

func createUser(c *Client) error {
	name, email := "Roger Wilco", "roger@example.com"
	_, err := c.CreateUser(context.Background(), CreateUserJSONRequestBody{User: UserInput{Name: &name, Email: &email}})
	return err
}

func TestRetryAfterAboveTheCapFailsAtOnce(t *testing.T) {
	leakCheck(t)
	client, rec, _ := newTestClient(t, []answer{{status: 429, header: map[string]string{"Retry-After": "3600"}, body: `{"error":"TooManyRequests"}`}})
	start := time.Now()
	err := showTicket(client)
	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, time.Hour, rl.RetryAfter)
	assert.Equal(t, 429, rl.StatusCode)
	var apiErr *APIError
	assert.ErrorAs(t, err, &apiErr, "a RateLimitError is an APIError too")
	assert.Less(t, time.Since(start), time.Second, "no sleeping")
	assert.Len(t, rec.got(), 1)
}

// TestContextCancelledDuringBackoff cancels the call once the client has
// decided to retry (when it announces the retry, just before its backoff of
// an hour): the call must end with the context's error instead of sleeping.
func TestContextCancelledDuringBackoff(t *testing.T) {
	leakCheck(t)
	policy := fastRetry
	policy.MinBackoff, policy.MaxBackoff, policy.MaxElapsed = time.Hour, time.Hour, 2*time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	onRetry := slog.New(&hookHandler{msg: "zendesk retrying", hook: cancel})
	client, rec, _ := newTestClient(t, []answer{{status: 500, body: `{}`}}, WithRetry(policy), WithLogger(onRetry))
	done := make(chan error, 1)
	go func() {
		_, err := client.ShowTicket(ctx, 1, nil)
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(time.Minute): // the backoff is an hour: any bound far below it will do
		t.Fatal("the call is still sleeping after its context was cancelled")
	}
	assert.Len(t, rec.got(), 1, "no second attempt")
}

// hookHandler is a slog handler that calls hook when a record with message
// msg is logged.
type hookHandler struct {
	msg  string
	hook func()
}

func (h *hookHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *hookHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.hook()
	}
	return nil
}
func (h *hookHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *hookHandler) WithGroup(string) slog.Handler      { return h }

func TestRetryBudgetStopsRetryStorms(t *testing.T) {
	leakCheck(t)
	policy := fastRetry
	policy.Budget = 5
	client, rec, _ := newTestClient(t, []answer{{status: 503, body: `{}`}}, WithRetry(policy))
	for i := 0; i < 10; i++ {
		require.Error(t, showTicket(client))
	}
	// 10 calls; the first ones retry until the 5 tokens are spent, then
	// every call makes one attempt only.
	assert.Equal(t, 10+5, len(rec.got()))
}

func TestNoRetryPolicy(t *testing.T) {
	client, rec, _ := newTestClient(t, []answer{{status: 503, body: `{}`}}, WithRetry(NoRetry))
	require.Error(t, showTicket(client))
	assert.Len(t, rec.got(), 1)
}

func TestNetworkErrorsAreRetriedForIdempotentCalls(t *testing.T) {
	leakCheck(t)
	var n atomic.Int32
	client, rec, _ := newTestClient(t, []answer{{handler: func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) < 3 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close() // connection reset before any answer
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, ticketJSON)
	}}})
	require.NoError(t, showTicket(client))
	assert.Len(t, rec.got(), 3)
}

func TestErrorBodies(t *testing.T) {
	cases := []struct {
		name, ctype, body, want string
	}{
		{"json", "application/json", `{"error":"RecordNotFound","description":"Not found"}`, "404 Not Found: RecordNotFound: Not found [request id req-1]"},
		{"error object", "application/json", `{"error":{"title":"Forbidden","message":"You do not have access to this page."}}`, "Forbidden: You do not have access to this page."},
		{"errors array", "application/json", `{"errors":[{"code":"TooManyValues","title":"Too many values","detail":"Max 100"}]}`, "TooManyValues: Max 100"},
		{"html page", "text/html", "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "HTML error page: 502 Bad Gateway"},
		{"html without title", "text/html", "<html><body><h1>Oops</h1> something broke</body></html>", "HTML error page: Oops something broke"},
		{"empty", "application/json", "", "404 Not Found [request id req-1]"},
		{"malformed json", "application/json", `{"error": "RecordNot`, `{"error": "RecordNot`},
		{"content-type lie", "application/json", "<html><title>Gateway Timeout</title></html>", "HTML error page: Gateway Timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client, _, _ := newTestClient(t, []answer{{status: 404, header: map[string]string{"Content-Type": c.ctype, "X-Zendesk-Request-Id": "req-1"}, body: c.body}})
			err := showTicket(client)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Contains(t, err.Error(), c.want)
			assert.Equal(t, "req-1", apiErr.RequestID)
			assert.Equal(t, "GET", apiErr.Method)
			assert.True(t, IsNotFound(err))
		})
	}
}

func TestHugeErrorBodyIsCapped(t *testing.T) {
	huge := `{"error":"Boom","description":"` + strings.Repeat("x", 10<<20) + `"}`
	client, _, _ := newTestClient(t, []answer{{status: 400, body: huge}})
	err := showTicket(client)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Len(t, apiErr.Body, maxErrorBody)
	assert.Less(t, len(err.Error()), 1000, "the message stays short")
}

// TestCredentialsStayOnTheZendeskHost redirects to a second host and
// downloads attachments from it: the second host must never see the
// credentials.
func TestCredentialsStayOnTheZendeskHost(t *testing.T) {
	leakCheck(t)
	var foreignAuth []string
	var mu sync.Mutex
	foreign := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		foreignAuth = append(foreignAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(r.URL.Path, "/files/") {
			fmt.Fprint(w, "file bytes")
			return
		}
		fmt.Fprint(w, ticketJSON)
	}))
	defer foreign.Close()

	client, rec, srv := newTestClient(t, []answer{{handler: func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/attachments/") {
			http.Redirect(w, r, foreign.URL+"/files/x.png", http.StatusFound)
			return
		}
		http.Redirect(w, r, foreign.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}}})
	// Both test servers share one certificate authority; trust it for both.
	require.NoError(t, showTicket(client))

	var buf bytes.Buffer
	n, err := client.Download(context.Background(), foreign.URL+"/files/a.png", &buf)
	require.NoError(t, err)
	assert.Equal(t, int64(10), n)
	_, err = client.Download(context.Background(), srv.URL+"/attachments/token/abc/?name=x.png", io.Discard)
	require.NoError(t, err)

	got := rec.got()
	require.Len(t, got, 2)
	assert.True(t, strings.HasPrefix(got[0].auth, "Basic "), "the Zendesk host gets the credentials")
	assert.True(t, strings.HasPrefix(got[1].auth, "Basic "), "a download on the Zendesk host is authenticated")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, foreignAuth, 3)
	for _, a := range foreignAuth {
		assert.Empty(t, a, "the second host never sees credentials")
	}
}

// TestSecretsNeverPrinted greps every error message, every log line and
// every rendering of the client and its options for the token.
func TestSecretsNeverPrinted(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, _, _ := newTestClient(t, []answer{
		{status: 500, body: `{"error":"InternalError"}`},
		{status: 401, body: `{"error":"Couldn't authenticate you"}`},
		{status: 429, header: map[string]string{"Retry-After": "9999"}, body: `{"error":"TooManyRequests"}`},
		{status: 404, body: `<html><title>Not here</title></html>`},
	}, WithLogger(logger))
	var texts []string
	for i := 0; i < 4; i++ {
		if err := showTicket(client); err != nil {
			texts = append(texts, err.Error(), fmt.Sprintf("%v|%+v|%#v", err, err, err))
		}
	}
	// A network error too.
	dead, err := NewClient("", WithBaseURL("https://127.0.0.1:1"), WithAPIToken(testEmail, testToken), WithRetry(NoRetry), WithLogger(logger))
	require.NoError(t, err)
	_, err = dead.ShowTicket(context.Background(), 1, nil)
	require.Error(t, err)
	texts = append(texts, err.Error())
	for _, c := range []*Client{client, dead} {
		texts = append(texts, fmt.Sprintf("%v %+v %#v %s", c, c, c, c))
		var b bytes.Buffer
		slog.New(slog.NewTextHandler(&b, nil)).Info("client", "client", c)
		texts = append(texts, b.String())
	}
	for _, o := range []Option{WithAPIToken(testEmail, testToken), WithOAuthToken(testToken), WithTokenSource(TokenSourceFunc(func(context.Context) (string, error) { return testToken, nil }))} {
		texts = append(texts, fmt.Sprintf("%v %+v %#v", o, o, o))
	}

	// Success statuses whose body is not the JSON the spec says, and error
	// bodies that are not JSON, on requests whose URLs carry secrets.
	withSecretQuery := func(_ context.Context, r *http.Request) error {
		q := r.URL.Query()
		q.Set("access_token", testToken)
		r.URL.RawQuery = q.Encode()
		return nil
	}
	odd, _, _ := newTestClient(t, []answer{
		{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: `<html><title>Proxy login</title></html>`},
		{status: 200, body: ``},
		{status: 500, header: map[string]string{"Content-Type": "text/plain"}, body: `upstream reset`},
	}, WithLogger(logger), WithRetry(NoRetry))
	for range 3 {
		_, err := odd.ShowTicket(context.Background(), 1, nil, WithRequestEditor(withSecretQuery))
		require.Error(t, err)
		texts = append(texts, err.Error(), fmt.Sprintf("%+v|%#v", err, err))
	}

	// A token source's token, on a refused request and a network error.
	rec := &recorder{script: []answer{{status: 401, body: `{"error":"Couldn't authenticate you"}`}}}
	srv := httptest.NewTLSServer(rec)
	defer srv.Close()
	source := TokenSourceFunc(func(context.Context) (string, error) { return testToken, nil })
	for _, base := range []string{srv.URL, "https://127.0.0.1:1"} {
		sourced, err := NewClient("", WithBaseURL(base), WithHTTPClient(srv.Client()), WithTokenSource(source), WithLogger(logger), WithRetry(NoRetry))
		require.NoError(t, err)
		err = showTicket(sourced)
		require.Error(t, err)
		texts = append(texts, err.Error(), fmt.Sprintf("%v %+v %#v", sourced, sourced, err))
	}
	require.Equal(t, "Bearer "+testToken, rec.got()[0].auth, "the token was used")

	// Downloads: presigned file-store URLs, an attachment URL's token, URLs
	// that do not parse or are not http.
	presigned := "?X-Amz-Signature=amzsig" + testToken + "&X-Amz-Credential=amzcred" + testToken + "&X-Amz-Security-Token=amztok" + testToken +
		"&X-Goog-Signature=goog" + testToken + "&Signature=cf" + testToken + "&sig=az" + testToken + "&token=t" + testToken + "&name=x.png"
	store := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<Error><Code>SignatureDoesNotMatch</Code></Error>`)
	}))
	defer store.Close()
	dl, _, dlSrv := newTestClient(t, []answer{{handler: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, store.URL+"/bucket/x.png"+presigned, http.StatusFound)
	}}}, WithLogger(logger), WithRetry(NoRetry))
	for _, u := range []string{
		store.URL + "/bucket/x.png" + presigned,
		dlSrv.URL + "/attachments/token/" + testToken + "/?name=x.png",
		"https://example.com/\x7f" + presigned,
		"https://example.com/%zz" + presigned,
		"ftp://example.com/x" + presigned,
		"https://127.0.0.1:1/x.png" + presigned,
	} {
		_, err := dl.Download(context.Background(), u, io.Discard)
		require.Error(t, err, u)
		texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
	}

	texts = append(texts, logs.String())
	require.NotEmpty(t, logs.String(), "the logger was used")
	all := strings.Join(texts, "\n")
	for _, s := range texts {
		assert.NotContains(t, s, testToken)
		assert.NotContains(t, s, "czNjcjN0") // base64 of the secret's start
	}
	// The errors still explain themselves.
	assert.Contains(t, all, "Couldn't authenticate you")
	assert.Contains(t, all, "HTML page instead of JSON")
	assert.Contains(t, all, "upstream reset")
	assert.Contains(t, all, "403 Forbidden")
	assert.Contains(t, all, "GET "+store.URL+": 403 Forbidden") // a file store's URL: scheme and host alone
	assert.NotContains(t, all, "/bucket/x.png")
	assert.Contains(t, all, "/attachments/token/REDACTED/")
	assert.Contains(t, all, "does not parse")
}

func TestOAuthAndTokenSource(t *testing.T) {
	client, rec, _ := newTestClient(t, []answer{{status: 200, body: ticketJSON}}, WithRetry(NoRetry))
	_ = client
	// newTestClient uses an API token: check the header it sent.
	require.NoError(t, showTicket(client))
	assert.Equal(t, "Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46czNjcjN0LVQwa2VuLXp6OQ==", rec.got()[0].auth)

	rec2 := &recorder{script: []answer{{status: 200, body: ticketJSON}}}
	srv := httptest.NewTLSServer(rec2)
	defer srv.Close()
	calls := 0
	oauth, err := NewClient("", WithBaseURL(srv.URL), WithHTTPClient(srv.Client()), WithTokenSource(TokenSourceFunc(func(context.Context) (string, error) {
		calls++
		return fmt.Sprintf("tok-%d", calls), nil
	})))
	require.NoError(t, err)
	require.NoError(t, showTicket(oauth))
	require.NoError(t, showTicket(oauth))
	assert.Equal(t, "Bearer tok-1", rec2.got()[0].auth)
	assert.Equal(t, "Bearer tok-2", rec2.got()[1].auth, "the source is asked for every request")

	static, err := NewClient("", WithBaseURL(srv.URL), WithHTTPClient(srv.Client()), WithOAuthToken("abc"))
	require.NoError(t, err)
	require.NoError(t, showTicket(static))
	assert.Equal(t, "Bearer abc", rec2.got()[2].auth)

	failing, err := NewClient("", WithBaseURL(srv.URL), WithHTTPClient(srv.Client()), WithTokenSource(TokenSourceFunc(func(context.Context) (string, error) {
		return "", errors.New("refresh token revoked")
	})), WithRetry(NoRetry))
	require.NoError(t, err)
	err = showTicket(failing)
	assert.ErrorContains(t, err, "refresh token revoked")
	assert.Len(t, rec2.got(), 3, "nothing is sent without credentials")
}

func TestNewClientValidation(t *testing.T) {
	cases := []struct {
		name      string
		subdomain string
		opts      []Option
		want      string
	}{
		{"empty subdomain", "", nil, "subdomain is empty"},
		{"dots", "acme.evil.com", nil, "not valid"},
		{"slash", "acme/x", nil, "not valid"},
		{"at sign", "user@acme", nil, "not valid"},
		{"underscore", "ac_me", nil, "not valid"},
		{"trailing hyphen", "acme-", nil, "not valid"},
		{"too long", strings.Repeat("a", 64), nil, "not valid"},
		{"empty email", "acme", []Option{WithAPIToken("", "t")}, "email is empty"},
		{"not an email", "acme", []Option{WithAPIToken("agent", "t")}, "not an email address"},
		{"email with /token", "acme", []Option{WithAPIToken("a@b.c/token", "t")}, `"/token" is added for you`},
		{"empty token", "acme", []Option{WithAPIToken("a@b.c", " ")}, "token is empty"},
		{"two credentials", "acme", []Option{WithAPIToken("a@b.c", "t"), WithOAuthToken("o")}, "credentials are already set"},
		{"empty oauth", "acme", []Option{WithOAuthToken("")}, "token is empty"},
		{"nil token source", "acme", []Option{WithTokenSource(nil)}, "token source is nil"},
		{"nil http client", "acme", []Option{WithHTTPClient(nil)}, "client is nil"},
		{"bad user agent", "acme", []Option{WithUserAgent("a\r\nX-Evil: 1")}, "not a usable user agent"},
		{"negative attempts", "acme", []Option{WithRetry(RetryPolicy{MaxAttempts: -1})}, "MaxAttempts is -1"},
		{"negative backoff", "acme", []Option{WithRetry(RetryPolicy{MinBackoff: -time.Second})}, "negative"},
		{"negative wait", "acme", []Option{WithRetry(RetryPolicy{MaxRetryAfter: -time.Second})}, "must not be negative"},
		{"backwards backoff", "acme", []Option{WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: time.Second, MaxBackoff: time.Millisecond})}, "not a range"},
		{"negative rate", "acme", []Option{WithRateLimit(0)}, "want a positive number"},
		{"nil limiter", "acme", []Option{WithRateLimiter(nil)}, "limiter is nil"},
		{"nil logger", "acme", []Option{WithLogger(nil)}, "logger is nil"},
		{"base URL without host", "", []Option{WithBaseURL("https:///x")}, "not an http(s) URL"},
		{"base URL with user info", "", []Option{WithBaseURL("https://u:p@acme.zendesk.com")}, "no user info"},
		{"plain http base URL", "", []Option{WithBaseURL("http://acme.zendesk.com")}, "not https"},
		{"bad subdomain with a base URL", "acme.zendesk.com", []Option{WithBaseURL("https://proxy.example.com")}, "not valid"},
		{"nil option", "acme", []Option{nil}, "nil option"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client, err := NewClient(c.subdomain, c.opts...)
			require.Error(t, err)
			assert.Nil(t, client)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "u:p@")
		})
	}
	good, err := NewClient("Acme-Support", WithOAuthToken("x"))
	require.NoError(t, err)
	assert.Equal(t, "https://acme-support.zendesk.com", good.BaseURL())
	local, err := NewClient("", WithBaseURL("http://127.0.0.1:8080/proxy/"), WithInsecureHTTP())
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080/proxy", local.BaseURL())
	proxied, err := NewClient("acme", WithBaseURL("https://proxy.example.com"))
	require.NoError(t, err)
	assert.Equal(t, "https://proxy.example.com", proxied.BaseURL(), "a valid subdomain is not used with a base URL")
}

func TestRateLimitHeaders(t *testing.T) {
	client, _, _ := newTestClient(t, []answer{{status: 200, header: map[string]string{
		"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "698", "Ratelimit-Reset": "42",
		"Zendesk-Ratelimit-Tickets-Index": "total=100; remaining=99; resets=20",
	}, body: ticketJSON}})
	assert.True(t, client.RateLimits().ObservedAt.IsZero())
	require.NoError(t, showTicket(client))
	rl := client.RateLimits()
	assert.Equal(t, 700, rl.Limit)
	assert.Equal(t, 698, rl.Remaining)
	assert.Equal(t, 42*time.Second, rl.Reset)
	assert.Equal(t, EndpointRateLimit{Total: 100, Remaining: 99, Resets: 20 * time.Second, ObservedAt: rl.ObservedAt}, rl.Endpoints["tickets-index"])
	assert.False(t, rl.ObservedAt.IsZero())

	client2, _, _ := newTestClient(t, []answer{{status: 200, header: map[string]string{"Ratelimit-Limit": "400", "Ratelimit-Remaining": "3"}, body: ticketJSON}})
	require.NoError(t, showTicket(client2))
	assert.Equal(t, 400, client2.RateLimits().Limit)
	assert.Equal(t, 3, client2.RateLimits().Remaining)
}

// TestOperationPacing calls an operation annotated with its own limit
// (CountTicketsInView: 5 a minute per view) against a server that enforces
// it, with time scaled down 60 times: 5 a second per view. The client must
// pace itself to zero 429s.
func TestOperationPacing(t *testing.T) {
	leakCheck(t)
	const window = time.Second
	handler, rejected := viewCountLimit(window, 5)
	client, rec, _ := newTestClient(t, []answer{{handler: handler}}, WithPacingScale(60), WithRetry(NoRetry))
	// Open the connections first, so a TLS handshake does not delay one
	// request into the next one's slot.
	require.NoError(t, errors.Join(sendRaw(client, http.MethodGet, "/api/v2/tickets/1.json", nil), sendRaw(client, http.MethodGet, "/api/v2/tickets/1.json", nil)))
	var wg sync.WaitGroup
	start := time.Now()
	for view := int64(1); view <= 2; view++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 8; i++ {
				_, err := client.CountTicketsInView(context.Background(), view)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, rejected.Load(), "no 429")
	assert.Len(t, rec.got(), 2+16)
	// 8 requests a view at 5 a second take more than a second: pacing
	// happened (how much longer depends on the machine, so no upper bound).
	assert.GreaterOrEqual(t, time.Since(start), window)
}

// viewCountLimit is a Count Tickets in View endpoint that enforces a limit
// of limit requests per window for each path (per view), counted when they
// arrive, as Zendesk does; rejected counts its 429s.
func viewCountLimit(window time.Duration, limit int) (http.HandlerFunc, *atomic.Int32) {
	var mu sync.Mutex
	arrivals := map[string][]time.Time{}
	rejected := new(atomic.Int32)
	return func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		mu.Lock()
		var recent []time.Time
		for _, a := range arrivals[r.URL.Path] {
			if now.Sub(a) < window {
				recent = append(recent, a)
			}
		}
		over := len(recent) >= limit
		if !over {
			recent = append(recent, now)
		}
		arrivals[r.URL.Path] = recent
		mu.Unlock()
		if over {
			rejected.Add(1)
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"view_count":{"view_id":1,"url":"https://example.zendesk.com/api/v2/views/1/count.json","value":3,"pretty":"3","fresh":true}}`)
	}, rejected
}

func TestClientSideRateLimit(t *testing.T) {
	client, rec, _ := newTestClient(t, []answer{{status: 200, body: ticketJSON}}, WithRateLimit(600)) // one every 100ms
	start := time.Now()
	for i := 0; i < 4; i++ {
		require.NoError(t, showTicket(client))
	}
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	assert.Len(t, rec.got(), 4)
}

func TestIdempotencyKeyFromContext(t *testing.T) {
	client, rec, _ := newTestClient(t, []answer{{status: 201, header: map[string]string{"X-Idempotency-Lookup": "hit"}, body: ticketJSON}})
	subject := "x"
	var resp *http.Response
	_, err := client.CreateTicket(WithIdempotencyKey(context.Background(), "my-key-1"), &CreateTicketParams{}, CreateTicketJSONRequestBody{Ticket: TicketInput{Subject: &subject}}, KeepResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, "my-key-1", rec.got()[0].idemKey)
	assert.Equal(t, "hit", IdempotencyLookup(resp))
}

func TestRouterMatchesOperations(t *testing.T) {
	r := newRouter(overlay.Operations[:])
	cases := []struct{ method, path, want string }{
		{"GET", "/api/v2/tickets/count", "CountTickets"},
		{"GET", "/api/v2/tickets/123", "ShowTicket"},
		{"GET", "/api/v2/tickets/123.json", "ShowTicket"},
		{"POST", "/api/v2/tickets", "CreateTicket"},
		{"GET", "/api/v2/views/77/count", "CountTicketsInView"},
		{"GET", "/api/v2/nothing/here", ""},
	}
	for _, c := range cases {
		op, params := r.match(c.method, c.path)
		if c.want == "" {
			assert.Nil(t, op, c.path)
			continue
		}
		require.NotNil(t, op, c.path)
		assert.Equal(t, c.want, op.ID, c.path)
		if c.want == "CountTicketsInView" {
			assert.Equal(t, "77", params["view_id"])
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"7", 7 * time.Second, true}, {" 7 ", 7 * time.Second, true}, {"0.25", 250 * time.Millisecond, true},
		{"-3", 0, true}, {"NaN", 0, true}, {"soon", 0, false}, {"1e400", 365 * 24 * time.Hour, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Fri, 31 Dec 9999 23:59:59 GMT", 365 * 24 * time.Hour, true},
		{"Mon, 01 Jan 0001 00:00:00 GMT", 0, true},
	}
	for _, c := range cases {
		got, ok := parseRetryAfter(c.in, now)
		assert.Equal(t, c.ok, ok, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
}

// FuzzParseRetryAfter: any Retry-After (seed corpus in
// testdata/fuzz/FuzzParseRetryAfter: seconds, fractions, HTTP dates of
// every form, huge and negative numbers, junk) gives a wait from 0 to a
// year; never a panic.
func FuzzParseRetryAfter(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d, _ := parseRetryAfter(s, time.Now())
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("wait %v for %q is outside 0..%v", d, s, maxRetryAfter)
		}
	})
}

// maxErrorText bounds what an APIError's message takes from the body it
// read: Zendesk's code, its description and a few field errors, each cut
// short, whatever the body's size.
const maxErrorText = 4096

// fuzzStatuses are the error statuses FuzzParseErrorBody answers with.
var fuzzStatuses = []int{400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504}

// FuzzParseErrorBody reads any error answer (seed corpus in
// testdata/fuzz/FuzzParseErrorBody: Zendesk's error bodies, nginx and
// Cloudflare HTML pages, a maintenance page, empty bodies, nulls, huge
// numbers, wrong types, cut JSON, very long descriptions) as newAPIError
// does for a request whose URL carries credentials (user info, secret
// query parameters, a fragment) besides a fuzzed query: no panic, a message
// of bounded size, and the credentials nowhere in it unless the body
// itself holds them.
func FuzzParseErrorBody(f *testing.F) {
	// The fuzzer minimizes every input that finds new coverage before it
	// mutates again, and minimizing costs about the square of the input's
	// size: the seeds are kept small (a description just past the 500 bytes
	// kept, 12 field errors where 10 are shown) and the status is taken from
	// a short list, not from the body's length, whose every change reached
	// another case of http.StatusText and so was "new coverage" to minimize.
	const secret = "Zs3cr3tT0k3n"
	f.Fuzz(func(t *testing.T, body, ctype, query string) {
		if strings.Contains(query, secret) || strings.Contains(ctype, secret) {
			return
		}
		u := &url.URL{Scheme: "https", User: url.UserPassword("agent@example.com/token", secret), Host: "acme.zendesk.com",
			Path: "/api/v2/tickets/1", RawQuery: query + "&access_token=" + secret + "&token=" + secret, Fragment: "access_token=" + secret}
		req := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{"Authorization": {"Basic " + secret}}}
		resp := &http.Response{StatusCode: fuzzStatuses[len(query)%len(fuzzStatuses)], Header: http.Header{"Content-Type": {ctype}, "X-Zendesk-Request-Id": {"req-1"}},
			Body: io.NopCloser(strings.NewReader(body)), Request: req}
		e := newAPIError(resp)
		msg := e.Error()
		shown := shortURL(e.URL)
		if len(shown) > maxURLShown+len("…(123456789 more bytes)") {
			t.Fatalf("the message shows %d bytes of URL: %q", len(shown), shown)
		}
		prefix := fmt.Sprintf("zendesk: %s %s: %d %s", e.Method, shown, e.StatusCode, http.StatusText(e.StatusCode))
		if !strings.HasPrefix(msg, prefix) {
			t.Fatalf("the message does not start with the call: %q", msg)
		}
		if n := len(msg) - len(prefix); n > maxErrorText {
			t.Fatalf("%d bytes of message from a body of %d: %.200q…", n, len(body), msg)
		}
		if len(e.Code) > 300 || len(e.Description) > 600 {
			t.Fatalf("code of %d bytes, description of %d", len(e.Code), len(e.Description))
		}
		if !strings.Contains(body, secret) {
			for _, s := range []string{msg, fmt.Sprintf("%v", e), fmt.Sprintf("%+v", error(e)), e.URL} {
				if strings.Contains(s, secret) {
					t.Fatalf("a credential in the error: %q", s)
				}
			}
		}
		var rl RateLimitError
		rl.APIError = *e
		_ = rl.Error()
	})
}

var _ = json.Marshal

func TestRedactURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://bucket.s3.amazonaws.com/x.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260101&X-Amz-Security-Token=tok&X-Amz-Signature=abc123",
			"https://bucket.s3.amazonaws.com/x.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED"},
		{"https://storage.googleapis.com/b/x?x-goog-signature=abc&x-goog-credential=c", "https://storage.googleapis.com/b/x?x-goog-credential=REDACTED&x-goog-signature=REDACTED"},
		{"https://acct.blob.core.windows.net/c/x?sv=2024&sig=abc%3D", "https://acct.blob.core.windows.net/c/x?sig=REDACTED&sv=2024"},
		{"https://d111.cloudfront.net/x?Expires=1&Signature=abc&Key-Pair-Id=K", "https://d111.cloudfront.net/x?Expires=1&Key-Pair-Id=K&Signature=REDACTED"},
		{"https://acme.zendesk.com/attachments/token/tyBq1ms40dFaHefSIigxZpwGg/?name=x.png", "https://acme.zendesk.com/attachments/token/REDACTED/?name=x.png"},
		{"https://u:p@acme.zendesk.com/api/v2/x?token=t&page=2#access_token=frag", "https://acme.zendesk.com/api/v2/x?page=2&token=REDACTED"},
	}
	for _, c := range cases {
		u, err := url.Parse(c.in)
		require.NoError(t, err)
		assert.Equal(t, c.want, redactURL(u))
	}
}

// TestDo sends hand-built requests through Client.Do: a relative URL goes
// to the client's base URL (its path prefix kept) with credentials, a query
// kept; an error answer is an *APIError; an absolute URL on another host
// goes without credentials.
func TestDo(t *testing.T) {
	rec := &recorder{script: []answer{
		{status: 200, body: ticketJSON},
		{status: 404, body: `{"error":"RecordNotFound","description":"Not found"}`},
	}}
	srv := httptest.NewTLSServer(rec)
	t.Cleanup(srv.Close)
	c, err := NewClient("", WithBaseURL(srv.URL+"/zendesk"), WithHTTPClient(srv.Client()), WithAPIToken(testEmail, testToken), WithRetry(NoRetry))
	require.NoError(t, err)
	ctx := context.Background()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/api/v2/tickets/1.json?include=users", nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.JSONEq(t, ticketJSON, string(body))

	req, err = http.NewRequestWithContext(ctx, http.MethodGet, "api/v2/tickets/2.json", nil)
	require.NoError(t, err)
	_, err = c.Do(req)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.StatusCode)
	assert.Equal(t, "RecordNotFound", apiErr.Code)

	got := rec.got()
	require.Len(t, got, 2)
	assert.Equal(t, "/zendesk/api/v2/tickets/1.json", got[0].path)
	assert.Equal(t, "include=users", got[0].query)
	assert.NotEmpty(t, got[0].auth)
	assert.Equal(t, "/zendesk/api/v2/tickets/2.json", got[1].path)

	other := &recorder{script: []answer{{status: 200, body: `{}`}}}
	otherSrv := httptest.NewServer(other)
	t.Cleanup(otherSrv.Close)
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, otherSrv.URL+"/elsewhere", nil)
	require.NoError(t, err)
	resp, err = c.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Len(t, other.got(), 1)
	assert.Empty(t, other.got()[0].auth, "no credentials for another host")

	_, err = c.Do(nil)
	assert.Error(t, err)
	_, err = (&Client{}).Do(req)
	assert.Error(t, err)
}

// TestLongURLsAreShortInMessages: an error about a call with 500 ids in its
// query says which call it was in a line, not in kilobytes; the URL stays
// whole in APIError.URL.
func TestLongURLsAreShortInMessages(t *testing.T) {
	c, _, _ := newTestClient(t, []answer{{status: 400, body: `{"error":"InvalidValue","description":"Too many ids"}`}}, WithRetry(NoRetry))
	ids := make([]int64, 500)
	for i := range ids {
		ids[i] = int64(100000 + i)
	}
	_, err := c.ShowManyTickets(context.Background(), &ShowManyTicketsParams{IDs: ids})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Greater(t, len(apiErr.URL), 3000, "the whole URL is kept")
	assert.Contains(t, apiErr.URL, "100499")
	msg := err.Error()
	assert.Less(t, len(msg), 320, msg)
	assert.Contains(t, msg, "/api/v2/tickets/show_many?ids=100000,100001,")
	assert.Regexp(t, `ids=100000,100001,[0-9,]+\d…\(\d+ more bytes\): 400 Bad Request: InvalidValue: Too many ids$`, msg)
	assert.NotContains(t, msg, "%2")
	t.Log(msg)

	assert.Equal(t, "https://h/p?"+strings.Repeat("a", 10), shortURL("https://h/p?"+strings.Repeat("a", 10)))
	long := "https://h/p?q=" + strings.Repeat("%2C", 100)
	got := shortURL(long)
	assert.Regexp(t, `^https://h/p\?q=(%2C)+…\(\d+ more bytes\)$`, got, "no escape cut in two")
	assert.True(t, utf8.ValidString(shortURL("https://h/p?q="+strings.Repeat("é", 150))), "no character cut in two")
}
