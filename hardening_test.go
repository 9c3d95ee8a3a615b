package zendesk

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDotPathParametersAreRefused calls operations, raw and typed, and
// WaitJob with path parameters that URL resolution would drop ("" and "."
// and ".."): DeleteUserField(ctx, "..") would otherwise send DELETE
// /api/v2/. Each call fails naming the parameter, and nothing reaches the
// server.
func TestDotPathParametersAreRefused(t *testing.T) {
	ctx := context.Background()
	for _, bad := range []string{"", ".", ".."} {
		calls := []struct {
			name, param string
			call        func(c *Client) error
		}{
			{"DeleteCustomObjectRecord", "custom_object_record_id", func(c *Client) error {
				return c.DeleteCustomObjectRecord(ctx, "car", bad)
			}},
			{"DeleteCustomObjectRecord", "custom_object_key", func(c *Client) error {
				return c.DeleteCustomObjectRecord(ctx, bad, "rec-1")
			}},
			{"DeleteUserField", "user_field_id", func(c *Client) error {
				return c.DeleteUserField(ctx, bad)
			}},
			{"ShowJobStatus", "job_status_id", func(c *Client) error {
				_, err := c.WaitJob(ctx, bad)
				return err
			}},
		}
		for _, tc := range calls {
			t.Run(tc.name+"/"+tc.param+"="+bad, func(t *testing.T) {
				c, rec, _ := newTestClient(t, []answer{{status: 200, body: `{"job_status":{"id":"x","status":"completed"}}`}})
				err := tc.call(c)
				require.Error(t, err)
				assert.Empty(t, rec.got(), "a request reached the server")
				assert.ErrorIs(t, err, ErrBadPathParam)
				assert.Contains(t, err.Error(), tc.param)
			})
		}
	}
}

// TestNilContextIsAnError calls an operation, an iterator and WaitJob with
// a nil context: each is an error, as http.NewRequestWithContext gives,
// not a panic.
func TestNilContextIsAnError(t *testing.T) {
	c, rec, _ := newTestClient(t, []answer{{status: 200, body: ticketJSON}})
	var nilCtx context.Context
	calls := map[string]func() error{
		"raw": func() error {
			_, err := c.ShowTicket(nilCtx, 1, nil)
			return err
		},
		"typed": func() error {
			_, err := c.ShowTicket(nilCtx, 1, nil)
			return err
		},
		"iterator": func() error {
			for _, err := range c.ListTicketsAll(nilCtx, &ListTicketsParams{}) {
				return err
			}
			return nil
		},
		"WaitJob": func() error {
			_, err := c.WaitJob(nilCtx, "job-1")
			return err
		},
		"Download": func() error {
			_, err := c.Download(nilCtx, c.BaseURL()+"/attachments/1", new(strings.Builder))
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = call() })
			require.Error(t, err)
		})
	}
	assert.Empty(t, rec.got())
}

// TestWaitJobRefusesAnotherJobsStatus: a poll answered with the status of
// another job (a proxy's cache, a misrouted answer) says nothing of the job
// waited for; it is an error, not a completion.
func TestWaitJobRefusesAnotherJobsStatus(t *testing.T) {
	c, rec, _ := newTestClient(t, []answer{{status: 200, body: `{"job_status":{"id":"OTHER","status":"completed"}}`}})
	job, err := c.WaitJob(context.Background(), "job-1", WithPollInterval(time.Millisecond, time.Millisecond))
	require.Error(t, err)
	assert.Nil(t, job)
	assert.Contains(t, err.Error(), `"OTHER"`)
	assert.Len(t, rec.got(), 1)
}

// TestResponsesCarryNoCredentials calls over TLS loopback, typed and raw:
// the response's Request is the request the caller made, without the
// Authorization header the transport added on its way out, so logging it
// shows no credentials.
func TestResponsesCarryNoCredentials(t *testing.T) {
	c, rec, _ := newTestClient(t, []answer{{status: 200, body: ticketJSON}})
	var typed *http.Response
	_, err := c.ShowTicket(context.Background(), 35436, nil, KeepResponse(&typed))
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "/api/v2/tickets/35436.json", nil)
	require.NoError(t, err)
	raw, err := c.Do(req)
	require.NoError(t, err)
	raw.Body.Close()
	require.NotEmpty(t, rec.got()[0].auth, "the server got credentials")
	require.NotEmpty(t, rec.got()[1].auth, "the server got credentials from Do")
	for name, resp := range map[string]*http.Response{"typed": typed, "raw": raw} {
		t.Run(name, func(t *testing.T) {
			require.NotNil(t, resp.Request)
			assert.Empty(t, resp.Request.Header.Get("Authorization"))
			var logs strings.Builder
			slog.New(slog.NewTextHandler(&logs, nil)).Info("response", "request", resp.Request, "header", resp.Request.Header)
			assert.NotContains(t, logs.String(), "Basic")
			assert.NotContains(t, fmt.Sprintf("%+v", resp.Request), "Basic")
		})
	}
}

// TestSuccessBodiesAreCapped sends success bodies past the client's limit,
// gzip-compressed (the limit counts what they inflate to) and plain, to a
// typed call, a raw call and an iterator: each fails with
// ErrResponseTooLarge, once (no retry).
func TestSuccessBodiesAreCapped(t *testing.T) {
	const limit = 64 << 10
	big := `{"ticket":{"id":1,"subject":"` + strings.Repeat("x", 4*limit) + `"}}`
	bigList := `{"tickets":[` + strings.Repeat(`{"id":1,"subject":"xxxxxxxxxxxxxxxx"},`, limit/20) + `{"id":2}],"meta":{"has_more":false}}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(big))
	_ = zw.Close()
	for _, gzipped := range []bool{false, true} {
		handler := func(body string) func(w http.ResponseWriter, r *http.Request) {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if gzipped && body == big {
					w.Header().Set("Content-Encoding", "gzip")
					_, _ = w.Write(gz.Bytes())
					return
				}
				_, _ = io.WriteString(w, body)
			}
		}
		calls := map[string]struct {
			body string
			call func(c *Client) error
		}{
			"typed": {big, func(c *Client) error {
				_, err := c.ShowTicket(context.Background(), 1, nil)
				return err
			}},
			"raw": {big, func(c *Client) error {
				req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "/api/v2/tickets/1.json", nil)
				if err != nil {
					return err
				}
				resp, err := c.Do(req)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				_, err = io.ReadAll(resp.Body)
				return err
			}},
			"iterator": {bigList, func(c *Client) error {
				for _, err := range c.ListTicketsAll(context.Background(), &ListTicketsParams{}) {
					if err != nil {
						return err
					}
				}
				return nil
			}},
		}
		for name, tc := range calls {
			t.Run(fmt.Sprintf("%s/gzip=%v", name, gzipped), func(t *testing.T) {
				c, rec, _ := newTestClient(t, []answer{{handler: handler(tc.body)}}, WithMaxResponseBytes(limit))
				err := tc.call(c)
				require.ErrorIs(t, err, ErrResponseTooLarge)
				assert.Len(t, rec.got(), 1, "a body past the limit is not fetched again")
			})
		}
	}
	_, err := NewClient("acme", WithMaxResponseBytes(0))
	assert.ErrorContains(t, err, "WithMaxResponseBytes")
}

// TestBaseURLErrorHidesItsSecret: a base URL that does not parse is refused
// without its user info in the error.
func TestBaseURLErrorHidesItsSecret(t *testing.T) {
	_, err := NewClient("", WithBaseURL("https://agent:SECRET@h/%zz"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRET")
	assert.Contains(t, err.Error(), "does not parse")
}

// TestErrorsThatCannotSucceedAreNotRetried: credentials holding control
// characters are refused by the options; a token source that fails and a
// redirect loop fail on the first attempt, where a network error would be
// retried.
func TestErrorsThatCannotSucceedAreNotRetried(t *testing.T) {
	for name, opt := range map[string]Option{
		"OAuth token with a newline": WithOAuthToken("abc\ndef"),
		"API token with a NUL":       WithAPIToken(testEmail, "abc\x00def"),
		"email with a tab":           WithAPIToken("agent@exa\tmple.com", testToken),
		"user agent with a DEL":      WithUserAgent("zd\x7f"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewClient("acme", opt)
			assert.ErrorContains(t, err, "control characters")
		})
	}
	t.Run("failing token source", func(t *testing.T) {
		var calls atomic.Int32
		ts := TokenSourceFunc(func(context.Context) (string, error) {
			calls.Add(1)
			return "", errors.New("refresh token revoked")
		})
		rec := &recorder{script: []answer{{status: 200, body: ticketJSON}}}
		srv := httptest.NewTLSServer(rec)
		defer srv.Close()
		c, err := NewClient("", WithBaseURL(srv.URL), WithHTTPClient(srv.Client()), WithTokenSource(ts), WithRetry(fastRetry))
		require.NoError(t, err)
		_, err = c.ShowTicket(context.Background(), 1, nil)
		assert.ErrorContains(t, err, "refresh token revoked")
		assert.Equal(t, 1, int(calls.Load()))
		assert.Empty(t, rec.got())
	})
	t.Run("redirect loop", func(t *testing.T) {
		c, rec, _ := newTestClient(t, []answer{{handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		}}})
		_, err := c.ShowTicket(context.Background(), 1, nil)
		assert.ErrorContains(t, err, "redirects")
		assert.Len(t, rec.got(), 10, "one call's redirects, not one per attempt")
	})
	t.Run("network error still retried", func(t *testing.T) {
		c, rec, _ := newTestClient(t, []answer{{handler: resetConn}, {status: 200, body: ticketJSON}})
		_, err := c.ShowTicket(context.Background(), 1, nil)
		require.NoError(t, err)
		assert.Len(t, rec.got(), 2)
	})
}

// resetConn drops the connection without an answer.
func resetConn(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

// cutShort answers 200 with a body shorter than its Content-Length.
func cutShort(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(ticketJSON)))
	w.WriteHeader(200)
	_, _ = io.WriteString(w, ticketJSON[:20])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	resetConn(w, nil)
}

// TestTruncatedTypedBodyIsFetchedAgain: a typed GET whose body is cut short
// is fetched again within the retry policy, and decodes; with retries off
// it fails naming the call.
func TestTruncatedTypedBodyIsFetchedAgain(t *testing.T) {
	c, rec, _ := newTestClient(t, []answer{{handler: cutShort}, {status: 200, body: ticketJSON}})
	resp, err := c.ShowTicket(context.Background(), 35436, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(35436), *resp.Ticket.ID)
	assert.Len(t, rec.got(), 2)

	c, rec, _ = newTestClient(t, []answer{{handler: cutShort}, {status: 200, body: ticketJSON}}, WithRetry(NoRetry))
	_, err = c.ShowTicket(context.Background(), 35436, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ShowTicket")
	assert.Len(t, rec.got(), 1)
}

// TestDownloadErrorsShowTheFileHostOnly: after Zendesk redirects a download
// to a file store, errors (an error answer, a reset connection) show the
// store's scheme and host, not the path that holds the file's token.
func TestDownloadErrorsShowTheFileHostOnly(t *testing.T) {
	const token = "sOgyDa6TOKENpart"
	for name, h := range map[string]http.HandlerFunc{
		"403": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, "<Error>denied</Error>")
		},
		"reset": resetConn,
	} {
		t.Run(name, func(t *testing.T) {
			store := httptest.NewTLSServer(h)
			defer store.Close()
			var logs strings.Builder
			c, _, srv := newTestClient(t, []answer{{handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, store.URL+"/attachment/9016785/"+token, http.StatusFound)
			}}}, WithRetry(NoRetry), WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			_, err := c.Download(context.Background(), srv.URL+"/attachments/9016785", io.Discard)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), token)
			assert.NotContains(t, err.Error(), "9016785/")
			assert.NotContains(t, logs.String(), token)
			if name == "403" {
				assert.Contains(t, err.Error(), store.URL+": 403")
			}
			// A content_url on the store itself: the same.
			_, err = c.Download(context.Background(), store.URL+"/attachment/9016785/"+token, io.Discard)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), token)
			assert.Contains(t, err.Error(), store.URL)
		})
	}
}

// TestContractViolationsAreErrors: a nil writer, a nil TokenSourceFunc and
// a zero Client give errors where the standard library would, not panics.
func TestContractViolationsAreErrors(t *testing.T) {
	c, rec, srv := newTestClient(t, []answer{{status: 200, body: "file"}})
	require.NotPanics(t, func() {
		_, err := c.Download(context.Background(), srv.URL+"/attachments/1", nil)
		assert.ErrorContains(t, err, "nil writer")
	})
	assert.Empty(t, rec.got())
	_, err := NewClient("acme", WithTokenSource(TokenSourceFunc(nil)))
	assert.ErrorContains(t, err, "nil TokenSourceFunc")
	require.NotPanics(t, func() {
		_, err := TokenSourceFunc(nil).Token(context.Background())
		assert.Error(t, err)
	})
	var zero Client
	require.NotPanics(t, func() {
		_, err := zero.Download(context.Background(), srv.URL, io.Discard)
		assert.Error(t, err)
		assert.Zero(t, zero.RateLimits())
		_ = zero.String()
		_ = zero.BaseURL()
	})
}

// TestRetryAfterIsFlooredAtTheMinimumBackoff answers 429 with Retry-After
// values that would mean "now" (0, negative, NaN, a past date): the client
// waits at least the policy's shortest backoff between attempts instead of
// sending them all at once.
func TestRetryAfterIsFlooredAtTheMinimumBackoff(t *testing.T) {
	const minBackoff = 40 * time.Millisecond
	policy := RetryPolicy{MaxAttempts: 3, MinBackoff: minBackoff, MaxBackoff: minBackoff, MaxRetryAfter: time.Minute, MaxElapsed: time.Minute}
	for _, ra := range []string{"0", "-5", "NaN", "Wed, 21 Oct 2015 07:28:00 GMT"} {
		t.Run(ra, func(t *testing.T) {
			c, rec, _ := newTestClient(t, []answer{{status: 429, header: map[string]string{"Retry-After": ra}, body: `{"error":"TooManyRequests"}`}}, WithRetry(policy))
			start := time.Now()
			for range 3 {
				_, err := c.ShowTicket(context.Background(), 1, nil)
				var rl *RateLimitError
				require.ErrorAs(t, err, &rl)
			}
			// 3 calls of 3 attempts: 6 waits of at least minBackoff.
			assert.Len(t, rec.got(), 9)
			assert.GreaterOrEqual(t, time.Since(start), 6*minBackoff)
		})
	}
}

// TestEnvelopeMissingOrNullIsAnError: a typed call answered with its
// envelope null or absent fails naming the operation, instead of giving a
// zero Ticket as if Zendesk had sent one.
func TestEnvelopeMissingOrNullIsAnError(t *testing.T) {
	for _, body := range []string{`{"ticket":null}`, `{}`, `{"tickets":[]}`} {
		t.Run(body, func(t *testing.T) {
			c, _, _ := newTestClient(t, []answer{{status: 200, body: body}})
			_, err := c.ShowTicket(context.Background(), 1, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "ShowTicket")
			assert.Contains(t, err.Error(), `"ticket"`)
		})
	}
	c, _, _ := newTestClient(t, []answer{{status: 200, body: ticketJSON}})
	_, err := c.ShowTicket(context.Background(), 1, nil)
	require.NoError(t, err)
}

// TestRetrySafetyOfStateChangingPuts answers 500 then 200 to four PUTs that
// change state once: recovering a suspended ticket and changing one's own
// password are sent once (a repeat could create the ticket twice, or report
// a password change that happened as failed); merging end users and
// restoring a deleted ticket are retried (a repeat of a processed one finds
// nothing to do and changes nothing).
func TestRetrySafetyOfStateChangingPuts(t *testing.T) {
	cases := []struct {
		name     string
		call     func(c *Client) error
		requests int
	}{
		{"RecoverSuspendedTicket", func(c *Client) error {
			_, err := c.RecoverSuspendedTicket(context.Background(), 1)
			return err
		}, 1},
		{"ChangeOwnPassword", func(c *Client) error {
			return c.ChangeOwnPassword(context.Background(), 1, UserPasswordChangeRequest{PreviousPassword: "a", Password: "b"})
		}, 1},
		{"MergeEndUsers", func(c *Client) error {
			_, err := c.MergeEndUsers(context.Background(), 1, UserMergeRequest{User: UserMergeTarget{ID: Ptr(int64(2))}})
			return err
		}, 2},
		{"RestoreDeletedTicket", func(c *Client) error {
			return c.RestoreDeletedTicket(context.Background(), 1)
		}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, []answer{{status: 500, body: `{"error":"InternalError"}`}, {status: 200, body: `{"ticket":{"id":1},"user":{"id":2}}`}})
			err := tc.call(c)
			assert.Len(t, rec.got(), tc.requests)
			assert.Equal(t, tc.requests == 2, err == nil)
		})
	}
}
