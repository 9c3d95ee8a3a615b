package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zdapi/zendesk/zendesktest"
)

// defaultAddr is where the fake listens unless -addr says otherwise: the
// loopback interface only, on a fixed port programs can be pointed at.
const defaultAddr = "127.0.0.1:8080"

// Log levels of -log.
const (
	logRequests = "requests" // one line per request
	logDebug    = "debug"    // and what was answered and why
	logOff      = "off"
)

// settings is what the flags say, before it becomes zendesktest options.
type settings struct {
	addr                         string
	seed                         int64
	tickets, users, orgs, groups int
	email, token, oauthToken     string

	faults        zendesktest.FaultRates
	faultsSet     bool // -faults named at least one fault
	faultDesc     string
	accountLimit  int // 0: no account limit
	noRateLimits  bool
	timeScale     float64
	undeclared    string // "reject" or "accept"
	jobPolls      int
	jobDuration   time.Duration
	jobQueueLimit int
	jobScript     []zendesktest.JobOutcome
	recent        bool
	validate      bool
	specPath      string
	specYAML      []byte
	log           string
}

// errHelp is returned by parseFlags for -h: the usage was printed, and the
// program exits 0.
var errHelp = errors.New("help requested")

// usageError is a bad command line: the program exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func badFlag(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// faultKinds are the names -faults takes, in FaultRates' order.
var faultKinds = []string{"rate_limit", "server_error", "unavailable", "slow", "truncated", "reset", "html"}

// parseFlags reads the command line into settings. A bad flag is a
// *usageError; -h prints the usage to w and returns errHelp.
func parseFlags(args []string, w io.Writer) (*settings, error) {
	s := &settings{}
	fs := flag.NewFlagSet("zendeskfake", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&s.addr, "addr", defaultAddr, "`address` to listen on (host:port; port 0 picks a free one)")
	fs.Int64Var(&s.seed, "seed", 1, "seed of the generated data and of the random faults")
	fs.IntVar(&s.tickets, "tickets", zendesktest.DefaultTickets, "number of generated tickets (ids 1..n)")
	fs.IntVar(&s.users, "users", zendesktest.DefaultUsers, "number of generated users (the first is the admin of -email)")
	fs.IntVar(&s.orgs, "organizations", zendesktest.DefaultOrganizations, "number of generated organizations")
	fs.IntVar(&s.groups, "groups", zendesktest.DefaultGroups, "number of generated groups")
	fs.StringVar(&s.email, "email", zendesktest.DefaultEmail, "email of the API token credentials accepted (basic auth `{email}/token:{token}`)")
	fs.StringVar(&s.token, "token", zendesktest.DefaultToken, "API token accepted")
	fs.StringVar(&s.oauthToken, "oauth-token", zendesktest.DefaultOAuthToken, "OAuth bearer token accepted")
	faults := fs.String("faults", "", "fault `rates`, e.g. rate_limit=0.1,server_error=0.05 (kinds: "+strings.Join(faultKinds, ", ")+")")
	faultOps := fs.String("fault-operations", "", "comma-separated `operationIds` the faults are limited to (default: all)")
	fs.DurationVar(&s.faults.RetryAfter, "fault-retry-after", 0, "Retry-After of injected 429 and 503 answers (default 1s)")
	fs.DurationVar(&s.faults.Delay, "fault-delay", 0, "delay of injected slow answers (default 2s)")
	fs.IntVar(&s.accountLimit, "account-rate-limit", 0, "account-wide limit in `requests` a minute, with X-Rate-Limit headers (0: none)")
	fs.BoolVar(&s.noRateLimits, "no-rate-limits", false, "turn off the per-endpoint rate limits of the spec (x-zendesk-rate-limit)")
	fs.Float64Var(&s.timeScale, "time-scale", 1, "run rate-limit windows and job durations this many `times` faster")
	fs.StringVar(&s.undeclared, "undeclared-params", "reject", "query parameters an operation does not declare: reject (400) or accept")
	fs.IntVar(&s.jobPolls, "job-polls", zendesktest.DefaultJobPolls, "looks at a background job that take it to completed")
	fs.DurationVar(&s.jobDuration, "job-duration", zendesktest.DefaultJobDuration, "how long a job nobody polls takes (0: jobs move on with polls only)")
	fs.IntVar(&s.jobQueueLimit, "job-queue-limit", zendesktest.DefaultJobQueueLimit, "jobs queued or working at once before bulk endpoints answer 429 (0: no limit)")
	jobScript := fs.String("job-script", "", "how the next jobs end, in order, e.g. failed,killed,completed (then they complete)")
	fs.BoolVar(&s.recent, "recent-exports", false, "show changes of the last minute in incremental exports at once")
	fs.BoolVar(&s.validate, "validate-responses", false, "check every answer against the spec (a mismatch becomes a 500)")
	fs.StringVar(&s.specPath, "spec", "", "serve this OpenAPI `file` instead of the embedded spec/zendesk.yaml")
	fs.StringVar(&s.log, "log", logRequests, "what to log to stderr: requests (one line each), debug, or off")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(w, fs)
			return nil, errHelp
		}
		return nil, badFlag("%v", err)
	}
	if fs.NArg() > 0 {
		return nil, badFlag("unexpected argument %q: every setting is a flag", fs.Arg(0))
	}
	if strings.TrimSpace(s.addr) == "" {
		return nil, badFlag("-addr: the address is empty")
	}
	switch s.log {
	case logRequests, logDebug, logOff:
	default:
		return nil, badFlag("-log: %q, want requests, debug or off", s.log)
	}
	switch s.undeclared {
	case "reject", "accept":
	default:
		return nil, badFlag("-undeclared-params: %q, want reject or accept", s.undeclared)
	}
	if err := s.parseFaults(*faults, *faultOps); err != nil {
		return nil, err
	}
	if err := s.parseJobScript(*jobScript); err != nil {
		return nil, err
	}
	if s.specPath != "" {
		b, err := os.ReadFile(s.specPath)
		if err != nil {
			return nil, badFlag("-spec: %v", err)
		}
		s.specYAML = b
	}
	// Each option checks its own argument: the message names the flag.
	for _, f := range s.flagOptions() {
		if err := zendesktest.CheckOptions(f.opt); err != nil {
			return nil, badFlag("-%s: %s", f.flag, optionProblem(err))
		}
	}
	// Then together (faults for operations the served spec lacks).
	if err := zendesktest.CheckOptions(s.options()...); err != nil {
		return nil, badFlag("%s", optionProblem(err))
	}
	return s, nil
}

// optionProblem is an option's error without the package's and the
// option's names, which mean nothing to someone typing flags.
func optionProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "zendesktest: ")
	if name, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(name, "With") && !strings.Contains(name, " ") {
		return rest
	}
	return msg
}

// parseFaults reads -faults ("kind=rate,...") and -fault-operations.
func (s *settings) parseFaults(spec, ops string) error {
	rates := []*float64{&s.faults.RateLimit, &s.faults.ServerError, &s.faults.Unavailable, &s.faults.Slow,
		&s.faults.Truncated, &s.faults.Reset, &s.faults.HTML}
	seen := map[string]bool{}
	var desc []string
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		kind, value, ok := strings.Cut(item, "=")
		kind = strings.TrimSpace(kind)
		i := slices.Index(faultKinds, kind)
		switch {
		case !ok:
			return badFlag("-faults: %q, want kind=rate (e.g. server_error=0.05)", item)
		case i < 0:
			return badFlag("-faults: unknown fault %q, want one of %s", kind, strings.Join(faultKinds, ", "))
		case seen[kind]:
			return badFlag("-faults: %s is given twice", kind)
		}
		p, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || !(p >= 0 && p <= 1) {
			return badFlag("-faults: %s=%s, want a rate from 0 to 1", kind, strings.TrimSpace(value))
		}
		seen[kind] = true
		*rates[i] = p
		desc = append(desc, fmt.Sprintf("%s %g%%", kind, p*100))
	}
	for op := range strings.SplitSeq(ops, ",") {
		if op = strings.TrimSpace(op); op != "" {
			s.faults.Operations = append(s.faults.Operations, op)
		}
	}
	s.faultsSet = len(seen) > 0
	if !s.faultsSet && (len(s.faults.Operations) > 0 || s.faults.RetryAfter != 0 || s.faults.Delay != 0) {
		return badFlag("-fault-operations, -fault-retry-after and -fault-delay need -faults")
	}
	s.faultDesc = strings.Join(desc, ", ")
	if len(s.faults.Operations) > 0 {
		s.faultDesc += " (only " + strings.Join(s.faults.Operations, ", ") + ")"
	}
	return nil
}

// parseJobScript reads -job-script ("failed,killed,completed").
func (s *settings) parseJobScript(spec string) error {
	for name := range strings.SplitSeq(spec, ",") {
		switch strings.TrimSpace(name) {
		case "":
		case "completed":
			s.jobScript = append(s.jobScript, zendesktest.JobCompletes)
		case "failed":
			s.jobScript = append(s.jobScript, zendesktest.JobFails)
		case "killed":
			s.jobScript = append(s.jobScript, zendesktest.JobIsKilled)
		default:
			return badFlag("-job-script: unknown outcome %q, want completed, failed or killed", strings.TrimSpace(name))
		}
	}
	return nil
}

// flagOption is the option one flag (or group of flags) stands for.
type flagOption struct {
	flag string
	opt  zendesktest.Option
}

func (s *settings) flagOptions() []flagOption {
	opts := []flagOption{
		{"addr", zendesktest.WithAddr(s.addr)},
		{"seed", zendesktest.WithSeed(s.seed)},
		{"tickets", zendesktest.WithTickets(s.tickets)},
		{"users", zendesktest.WithUsers(s.users)},
		{"organizations", zendesktest.WithOrganizations(s.orgs)},
		{"groups", zendesktest.WithGroups(s.groups)},
		{"email/-token", zendesktest.WithAPIToken(s.email, s.token)},
		{"oauth-token", zendesktest.WithOAuthToken(s.oauthToken)},
		{"time-scale", zendesktest.WithTimeScale(s.timeScale)},
		{"job-polls", zendesktest.WithJobPolls(s.jobPolls)},
		{"job-duration", zendesktest.WithJobDuration(s.jobDuration)},
		{"job-queue-limit", zendesktest.WithJobQueueLimit(s.jobQueueLimit)},
	}
	if s.specYAML != nil {
		opts = append(opts, flagOption{"spec", zendesktest.WithSpec(s.specYAML)})
	}
	if s.faultsSet {
		opts = append(opts, flagOption{"faults", zendesktest.WithFaultRates(s.faults)})
	}
	if s.accountLimit != 0 {
		opts = append(opts, flagOption{"account-rate-limit", zendesktest.WithAccountRateLimit(s.accountLimit)})
	}
	if s.noRateLimits {
		opts = append(opts, flagOption{"no-rate-limits", zendesktest.WithoutRateLimits()})
	}
	if s.undeclared == "accept" {
		opts = append(opts, flagOption{"undeclared-params", zendesktest.WithUndeclaredQueryParameters()})
	}
	if len(s.jobScript) > 0 {
		opts = append(opts, flagOption{"job-script", zendesktest.WithJobScript(s.jobScript...)})
	}
	if s.recent {
		opts = append(opts, flagOption{"recent-exports", zendesktest.WithRecentChangesInExports()})
	}
	if s.validate {
		opts = append(opts, flagOption{"validate-responses", zendesktest.WithResponseValidation()})
	}
	return opts
}

// options are the zendesktest options the flags stand for (without the
// logger, which run adds).
func (s *settings) options() []zendesktest.Option {
	var out []zendesktest.Option
	for _, f := range s.flagOptions() {
		out = append(out, f.opt)
	}
	return out
}

func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `zendeskfake serves a fake Zendesk Support API over HTTP, for testing a program
in any language offline. It validates every request against spec/zendesk.yaml,
keeps tickets, users, organizations, groups and jobs in memory, pages like
Zendesk, runs background jobs, enforces rate limits and injects faults.

Usage: zendeskfake [flags]

Flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
