package zendesktest_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk/zendesktest"
)

// lockedBuffer is a bytes.Buffer the server's goroutines can log to.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Every request gets one info line with its method, path, operation,
// status and duration, whatever its outcome, and the line never shows the
// credentials or the query.
func TestRequestLogLines(t *testing.T) {
	var out lockedBuffer
	logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := zendesktest.NewServer(t, zendesktest.WithLogger(logger), zendesktest.WithTickets(5),
		zendesktest.WithAPIToken("agent@example.com", "s3cret-token-value"),
		zendesktest.WithFaultScript("ShowUser", zendesktest.Fault{Kind: zendesktest.FaultReset}))

	do := func(method, path string, auth bool) {
		t.Helper()
		req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+path, nil)
		require.NoError(t, err)
		if auth {
			req.SetBasicAuth(srv.Email+"/token", srv.Token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return // the reset
		}
		_ = resp.Body.Close()
	}
	do("GET", "/api/v2/tickets?page%5Bsize%5D=2&external_id=hidden-value", true)
	do("GET", "/api/v2/tickets/999999", true)
	do("GET", "/api/v2/tickets/1", false)
	do("GET", "/api/v2/nowhere", true)
	do("GET", "/api/v2/users/1", true)

	requestLines := func() []string {
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if strings.Contains(l, `msg="zendesktest: request"`) {
				got = append(got, l)
			}
		}
		return got
	}
	// The reset request's line is written once the server has closed the
	// connection, which the client may see first: wait for it.
	require.Eventually(t, func() bool { return len(requestLines()) >= 5 }, 5*time.Second, time.Millisecond, "one line per request:\n%s", &out)
	got := requestLines()
	require.Len(t, got, 5, "one line per request:\n%s", out.String())
	want := []string{
		"method=GET path=/api/v2/tickets operation=ListTickets status=200 duration=",
		"method=GET path=/api/v2/tickets/999999 operation=ShowTicket status=404 duration=",
		"method=GET path=/api/v2/tickets/1 operation=ShowTicket status=401 duration=",
		`method=GET path=/api/v2/nowhere operation="" status=404 duration=`,
		"method=GET path=/api/v2/users/1 operation=ShowUser status=0 duration=",
	}
	for i, w := range want {
		assert.Contains(t, got[i], w)
	}
	assert.True(t, strings.HasSuffix(got[4], "fault=reset"), got[4])
	for _, secret := range []string{"s3cret-token-value", "hidden-value", "page"} {
		assert.NotContains(t, out.String(), secret)
	}
}
