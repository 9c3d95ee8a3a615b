package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/zdapi/zendesk/zendesktest"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the server could not start (the address is in use...)
	exitUsage = 2 // a bad flag
)

// run parses args, serves the fake until ctx is done, and returns the exit
// code. The banner goes to stdout, the log and errors to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s, err := parseFlags(args, stdout)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "zendeskfake: %v\nRun zendeskfake -h for the flags.\n", err)
		return exitUsage
	}
	opts := s.options()
	if s.log != logOff {
		opts = append(opts, zendesktest.WithLogger(newLogger(stderr, s.log == logDebug)))
	}
	srv, err := zendesktest.Start(opts...)
	if err != nil {
		fmt.Fprintf(stderr, "zendeskfake: %s\n", strings.TrimPrefix(err.Error(), "zendesktest: "))
		return exitError
	}
	started := time.Now()
	banner(stdout, s, srv)

	<-ctx.Done()
	fmt.Fprintln(stdout, "zendeskfake: stopping")
	srv.Close()
	st := srv.Stats()
	n := 0
	for _, c := range st.Requests {
		n += c
	}
	fmt.Fprintf(stdout, "zendeskfake: stopped after %d requests in %s\n", n, time.Since(started).Round(time.Second))
	return exitOK
}

// banner says where the fake is and how to call it. The credentials are
// the fake's own, printed so that programs can be pointed at it.
func banner(w io.Writer, s *settings, srv *zendesktest.Server) {
	src := "spec/zendesk.yaml, embedded"
	if s.specPath != "" {
		src = s.specPath
	}
	faults := "none"
	if s.faultsSet {
		faults = s.faultDesc
	}
	limits := "per endpoint (the spec's x-zendesk-rate-limit)"
	if s.noRateLimits {
		limits = "none per endpoint"
	}
	if s.accountLimit > 0 {
		limits += fmt.Sprintf(", account %d requests a minute", s.accountLimit)
	}
	if s.timeScale != 1 {
		limits += fmt.Sprintf(", time %gx faster", s.timeScale)
	}
	jobs := fmt.Sprintf("complete after %d polls", s.jobPolls)
	if s.jobDuration > 0 {
		jobs += fmt.Sprintf(" or %s", time.Duration(float64(s.jobDuration)/s.timeScale))
	}
	if len(s.jobScript) > 0 {
		names := make([]string, len(s.jobScript))
		for i, o := range s.jobScript {
			names[i] = o.String()
		}
		jobs += "; the next end " + strings.Join(names, ", ")
	}
	undeclared := "refused (400)"
	if s.undeclared == "accept" {
		undeclared = "accepted"
	}
	fmt.Fprintf(w, "zendeskfake: a fake Zendesk listening on %s\n", srv.URL)
	fmt.Fprintf(w, "  base URL     %s\n", srv.URL)
	fmt.Fprintf(w, "  spec         %d operations (%s)\n", len(srv.Operations()), src)
	fmt.Fprintf(w, "  API token    email %s, token %s (basic auth %s/token:%s)\n", srv.Email, srv.Token, srv.Email, srv.Token)
	fmt.Fprintf(w, "  OAuth token  %s (Authorization: Bearer %s)\n", srv.OAuthToken, srv.OAuthToken)
	fmt.Fprintf(w, "  data         %d tickets, %d users, %d organizations, %d groups (seed %d)\n", s.tickets, s.users, s.orgs, s.groups, s.seed)
	fmt.Fprintf(w, "  faults       %s\n", faults)
	fmt.Fprintf(w, "  rate limits  %s\n", limits)
	fmt.Fprintf(w, "  jobs         %s\n", jobs)
	fmt.Fprintf(w, "  undeclared   query parameters %s\n", undeclared)
	fmt.Fprintln(w, "zendeskfake: SIGINT (Ctrl-C) or SIGTERM stops it")
}

// newLogger writes logfmt lines: the time of day, the level unless info,
// the message without the package's prefix.
func newLogger(w io.Writer, debug bool) *slog.Logger {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.TimeKey:
				return slog.String(slog.TimeKey, a.Value.Time().Format("15:04:05.000"))
			case slog.LevelKey:
				if a.Value.Any() == slog.LevelInfo {
					return slog.Attr{}
				}
			case slog.MessageKey:
				return slog.String(slog.MessageKey, strings.TrimPrefix(a.Value.String(), "zendesktest: "))
			}
			return a
		},
	}))
}
