package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk/zendesktest"
)

func TestParseFlags(t *testing.T) {
	specFile := filepath.Join(t.TempDir(), "broken.yaml")
	require.NoError(t, os.WriteFile(specFile, []byte("openapi: 3.0.3\ninfo: ["), 0o600))

	cases := []struct {
		name  string
		args  []string
		check func(t *testing.T, s *settings)
		err   string // the error's text, for a bad command line
	}{
		{name: "defaults", args: nil, check: func(t *testing.T, s *settings) {
			assert.Equal(t, "127.0.0.1:8080", s.addr)
			assert.Equal(t, int64(1), s.seed)
			assert.Equal(t, []int{1000, 200, 20, 5}, []int{s.tickets, s.users, s.orgs, s.groups})
			assert.Equal(t, []string{zendesktest.DefaultEmail, zendesktest.DefaultToken, zendesktest.DefaultOAuthToken},
				[]string{s.email, s.token, s.oauthToken})
			assert.False(t, s.faultsSet)
			assert.Equal(t, 1.0, s.timeScale)
			assert.Equal(t, "reject", s.undeclared)
			assert.Equal(t, 2, s.jobPolls)
			assert.Equal(t, 10*time.Second, s.jobDuration)
			assert.Equal(t, logRequests, s.log)
			assert.Len(t, s.options(), 12)
		}},
		{name: "data and credentials", args: []string{"-addr", "127.0.0.1:0", "-seed", "7", "-tickets", "250", "-users", "3",
			"-organizations", "0", "-groups", "1", "-email", "dev@acme.test", "-token", "tok", "-oauth-token", "bearer1"},
			check: func(t *testing.T, s *settings) {
				assert.Equal(t, "127.0.0.1:0", s.addr)
				assert.Equal(t, int64(7), s.seed)
				assert.Equal(t, []int{250, 3, 0, 1}, []int{s.tickets, s.users, s.orgs, s.groups})
				assert.Equal(t, []string{"dev@acme.test", "tok", "bearer1"}, []string{s.email, s.token, s.oauthToken})
			}},
		{name: "faults", args: []string{"-faults", "rate_limit=0.1, server_error=0.05,reset=0", "-fault-operations", "ListTickets,ShowTicket",
			"-fault-retry-after", "2s", "-fault-delay", "100ms"},
			check: func(t *testing.T, s *settings) {
				assert.True(t, s.faultsSet)
				assert.Equal(t, zendesktest.FaultRates{RateLimit: 0.1, ServerError: 0.05, Operations: []string{"ListTickets", "ShowTicket"},
					RetryAfter: 2 * time.Second, Delay: 100 * time.Millisecond}, s.faults)
				assert.Equal(t, "rate_limit 10%, server_error 5%, reset 0% (only ListTickets, ShowTicket)", s.faultDesc)
			}},
		{name: "limits, jobs and policies", args: []string{"-account-rate-limit", "700", "-no-rate-limits", "-time-scale", "60",
			"-undeclared-params", "accept", "-job-polls", "3", "-job-duration", "0", "-job-queue-limit", "0",
			"-job-script", "failed,killed,completed", "-recent-exports", "-validate-responses", "-log", "off"},
			check: func(t *testing.T, s *settings) {
				assert.Equal(t, 700, s.accountLimit)
				assert.True(t, s.noRateLimits)
				assert.Equal(t, 60.0, s.timeScale)
				assert.Equal(t, "accept", s.undeclared)
				assert.Equal(t, []int{3, 0}, []int{s.jobPolls, s.jobQueueLimit})
				assert.Zero(t, s.jobDuration)
				assert.Equal(t, []zendesktest.JobOutcome{zendesktest.JobFails, zendesktest.JobIsKilled, zendesktest.JobCompletes}, s.jobScript)
				assert.True(t, s.recent && s.validate)
				assert.Equal(t, logOff, s.log)
				assert.Len(t, s.options(), 12+6)
			}},

		{name: "unknown flag", args: []string{"-tikets", "5"}, err: "flag provided but not defined: -tikets"},
		{name: "not a number", args: []string{"-tickets", "many"}, err: `invalid value "many" for flag -tickets`},
		{name: "bad duration", args: []string{"-job-duration", "soon"}, err: `invalid value "soon" for flag -job-duration`},
		{name: "argument", args: []string{"serve"}, err: `unexpected argument "serve"`},
		{name: "empty address", args: []string{"-addr", " "}, err: "-addr: the address is empty"},
		{name: "negative tickets", args: []string{"-tickets", "-1"}, err: "-tickets: -1 records, want 0 to"},
		{name: "no users", args: []string{"-users", "0"}, err: "-users: 0 records, want 1 to"},
		{name: "email", args: []string{"-email", "admin"}, err: `-email/-token: "admin" is not an email address`},
		{name: "token with a space", args: []string{"-token", "a b"}, err: "-email/-token: the token is empty or has spaces"},
		{name: "empty oauth token", args: []string{"-oauth-token", ""}, err: "-oauth-token: the token is empty or has spaces"},
		{name: "time scale", args: []string{"-time-scale", "0.5"}, err: "-time-scale: 0.5, want a finite number of at least 1"},
		{name: "account limit", args: []string{"-account-rate-limit", "-5"}, err: "-account-rate-limit: -5, want a positive number"},
		{name: "job polls", args: []string{"-job-polls", "0"}, err: "-job-polls: 0, want 1 to 1000"},
		{name: "job duration", args: []string{"-job-duration", "2h"}, err: "-job-duration: 2h0m0s, want 0 to an hour"},
		{name: "job queue limit", args: []string{"-job-queue-limit", "-1"}, err: "-job-queue-limit: -1, want 0 or more"},
		{name: "job outcome", args: []string{"-job-script", "failed,exploded"}, err: `-job-script: unknown outcome "exploded"`},
		{name: "fault kind", args: []string{"-faults", "timeout=0.1"}, err: `-faults: unknown fault "timeout"`},
		{name: "fault without rate", args: []string{"-faults", "reset"}, err: `-faults: "reset", want kind=rate`},
		{name: "fault rate", args: []string{"-faults", "reset=2"}, err: "-faults: reset=2, want a rate from 0 to 1"},
		{name: "fault twice", args: []string{"-faults", "reset=0.1,reset=0.2"}, err: "-faults: reset is given twice"},
		{name: "fault sum", args: []string{"-faults", "reset=0.6,html=0.6"}, err: "-faults: the rates add up to 1.2, more than 1"},
		{name: "fault negative delay", args: []string{"-faults", "slow=0.1", "-fault-delay", "-1s"}, err: "-faults: negative duration"},
		{name: "fault operation", args: []string{"-faults", "reset=0.1", "-fault-operations", "ShowTikcet"}, err: `no operation "ShowTikcet" in the spec`},
		{name: "fault options alone", args: []string{"-fault-operations", "ShowTicket"}, err: "need -faults"},
		{name: "undeclared policy", args: []string{"-undeclared-params", "ignore"}, err: `-undeclared-params: "ignore", want reject or accept`},
		{name: "log", args: []string{"-log", "verbose"}, err: `-log: "verbose", want requests, debug or off`},
		{name: "spec missing", args: []string{"-spec", "/nonexistent/zendesk.yaml"}, err: "-spec: open /nonexistent/zendesk.yaml"},
		{name: "spec broken", args: []string{"-spec", specFile}, err: "-spec: load spec"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			s, err := parseFlags(c.args, &out)
			if c.err != "" {
				require.Error(t, err)
				var ue *usageError
				assert.True(t, errors.As(err, &ue), "%v is a usage error", err)
				assert.Contains(t, err.Error(), c.err)
				assert.Nil(t, s)
				return
			}
			require.NoError(t, err)
			c.check(t, s)
			require.NoError(t, zendesktest.CheckOptions(s.options()...))
		})
	}
}

// The credentials never show in an error, even a refused one.
func TestParseFlagsKeepsTokensOutOfErrors(t *testing.T) {
	_, err := parseFlags([]string{"-token", "hunter2 secret"}, &bytes.Buffer{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	_, err = parseFlags([]string{"-oauth-token", "sup3r secret"}, &bytes.Buffer{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "sup3r")
}

func TestRunExitCodes(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, exitUsage, run(context.Background(), []string{"-tickets", "x"}, &out, &errOut))
	assert.Contains(t, errOut.String(), `zendeskfake: invalid value "x" for flag -tickets`)
	assert.Contains(t, errOut.String(), "zendeskfake -h")
	assert.Empty(t, out.String())

	out.Reset()
	errOut.Reset()
	assert.Equal(t, exitOK, run(context.Background(), []string{"-h"}, &out, &errOut))
	assert.Contains(t, out.String(), "Usage: zendeskfake [flags]")
	assert.Contains(t, out.String(), "-undeclared-params")
	assert.Empty(t, errOut.String())

	// An address that cannot be listened on is not a usage error.
	out.Reset()
	errOut.Reset()
	assert.Equal(t, exitError, run(context.Background(), []string{"-addr", "256.0.0.1:1"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "zendeskfake: listen on 256.0.0.1:1")
}

// run serves until its context ends, then closes the server and says so.
func TestRunStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-tickets", "3"}, &out, &errOut) }()
	url := waitForURL(t, &out)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	assert.Contains(t, out.String(), "zendeskfake: stopped after 0 requests")
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(url + "/api/v2/tickets")
	if err == nil {
		_ = resp.Body.Close()
	}
	assert.Error(t, err, "the server is closed")
	assert.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
}
