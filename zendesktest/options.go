package zendesktest

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"
)

// Option configures a Server. Options check their arguments: NewServer
// fails the test, and Start returns the first problem as an error.
type Option func(*config) error

type config struct {
	seed                         int64
	tickets, users, orgs, groups int
	email, token, oauthToken     string
	specYAML                     []byte
	timeScale                    float64
	noRateLimits                 bool
	accountLimit                 int
	rates                        *FaultRates
	scripts                      []script
	jobPolls                     int
	jobDuration                  time.Duration
	jobScript                    []JobOutcome
	jobQueueLimit                int
	clock                        func() time.Time
	recentInExports              bool
	validateResponses            bool
	undeclaredQuery              bool
	addr                         string
	logger                       *slog.Logger
}

// Defaults of a Server.
const (
	DefaultTickets       = 1000
	DefaultUsers         = 200
	DefaultOrganizations = 20
	DefaultGroups        = 5
	DefaultEmail         = "admin@example.com"
	DefaultToken         = "zendesktest-api-token"
	DefaultOAuthToken    = "zendesktest-oauth-token"
	DefaultJobPolls      = 2
	DefaultJobDuration   = 10 * time.Second
	DefaultJobQueueLimit = 30
)

func defaultConfig() config {
	return config{
		seed: 1, tickets: DefaultTickets, users: DefaultUsers, orgs: DefaultOrganizations, groups: DefaultGroups,
		email: DefaultEmail, token: DefaultToken, oauthToken: DefaultOAuthToken,
		timeScale: 1, jobPolls: DefaultJobPolls, jobDuration: DefaultJobDuration, jobQueueLimit: DefaultJobQueueLimit,
		clock: time.Now,
		addr:  "127.0.0.1:0",
	}
}

func count(name string, n int, min int) error {
	if n < min || n > maxRecords {
		return fmt.Errorf("%s: %d records, want %d to %d", name, n, min, maxRecords)
	}
	return nil
}

// WithSeed sets the seed of the generated data and of the random faults
// (default 1). The same seed and sizes always give the same records, and
// the same sequence of requests the same faults.
func WithSeed(seed int64) Option {
	return func(c *config) error { c.seed = seed; return nil }
}

// WithTickets sets the number of generated tickets (default 1000; up to
// 100,000,000: records are computed from their index when asked for, not
// stored). Their ids are 1..n.
func WithTickets(n int) Option {
	return func(c *config) error { c.tickets = n; return count("WithTickets", n, 0) }
}

// WithUsers sets the number of generated users (default 200, at least 1).
// The first is the admin whose email is the server's Email; the first
// tenth are agents, the others end users.
func WithUsers(n int) Option {
	return func(c *config) error { c.users = n; return count("WithUsers", n, 1) }
}

// WithOrganizations sets the number of generated organizations (default 20).
func WithOrganizations(n int) Option {
	return func(c *config) error { c.orgs = n; return count("WithOrganizations", n, 0) }
}

// WithGroups sets the number of generated groups (default 5). Each agent
// is a member of one group.
func WithGroups(n int) Option {
	return func(c *config) error { c.groups = n; return count("WithGroups", n, 0) }
}

// WithAPIToken sets the credentials the server accepts as API token basic
// auth ("{email}/token:{token}"); defaults DefaultEmail and DefaultToken.
func WithAPIToken(email, token string) Option {
	return func(c *config) error {
		email, token = strings.TrimSpace(email), strings.TrimSpace(token)
		switch {
		case email == "" || !strings.Contains(email, "@"):
			return fmt.Errorf("WithAPIToken: %q is not an email address", email)
		case strings.ContainsAny(email, ":/ "):
			return fmt.Errorf("WithAPIToken: %q is not a usable email", email)
		case token == "" || strings.ContainsAny(token, " \r\n"):
			return errors.New("WithAPIToken: the token is empty or has spaces")
		}
		c.email, c.token = email, token
		return nil
	}
}

// WithOAuthToken sets the bearer token the server accepts (default
// DefaultOAuthToken).
func WithOAuthToken(token string) Option {
	return func(c *config) error {
		token = strings.TrimSpace(token)
		if token == "" || strings.ContainsAny(token, " \r\n") {
			return errors.New("WithOAuthToken: the token is empty or has spaces")
		}
		c.oauthToken = token
		return nil
	}
}

// WithSpec serves the OpenAPI document yaml instead of the spec compiled
// into the package (spec/zendesk.yaml of this module).
func WithSpec(yaml []byte) Option {
	return func(c *config) error {
		if len(yaml) == 0 {
			return errors.New("WithSpec: the document is empty")
		}
		c.specYAML = yaml
		return nil
	}
}

// WithTimeScale runs the server's clocks scale times faster: the windows of
// the per-endpoint and account rate limits are divided by scale, and so is
// the Retry-After they answer with (which is then fractional), and so is
// the time jobs take (WithJobDuration). A test can thus meet "10 requests a
// minute" in a tenth of a second with scale 600. Records' times are not
// scaled: exports hold back a minute of the clock (see WithClock).
func WithTimeScale(scale float64) Option {
	return func(c *config) error {
		if !(scale >= 1) || math.IsInf(scale, 0) {
			return fmt.Errorf("WithTimeScale: %v, want a finite number of at least 1", scale)
		}
		c.timeScale = scale
		return nil
	}
}

// WithoutRateLimits turns off the per-endpoint rate limits (the spec's
// x-zendesk-rate-limit), which the server enforces by default.
func WithoutRateLimits() Option {
	return func(c *config) error { c.noRateLimits = true; return nil }
}

// WithAccountRateLimit enforces an account-wide limit of perMinute requests
// a minute (off by default), as Zendesk plans do (200 to 2500): a sliding
// minute (scaled by WithTimeScale) shared by every client of the server,
// past which it answers 429 with Retry-After. Every answer reports the
// account's budget as Zendesk does, in X-Rate-Limit and
// X-Rate-Limit-Remaining and in ratelimit-limit, ratelimit-remaining and
// ratelimit-reset (the seconds until the oldest request leaves the window).
func WithAccountRateLimit(perMinute int) Option {
	return func(c *config) error {
		if perMinute <= 0 {
			return fmt.Errorf("WithAccountRateLimit: %d, want a positive number", perMinute)
		}
		c.accountLimit = perMinute
		return nil
	}
}

// WithFaultRates injects faults at random into the answers, at the given
// rates, drawn from the seed (WithSeed): the same requests in the same
// order meet the same faults.
func WithFaultRates(r FaultRates) Option {
	return func(c *config) error {
		if err := r.validate(); err != nil {
			return fmt.Errorf("WithFaultRates: %w", err)
		}
		c.rates = &r
		return nil
	}
}

// WithFaultScript makes the next requests of operation op (an operationId;
// "" for any operation) meet faults, in order, one fault per request
// (FaultNone lets a request through). Scripts run before random faults.
// Server.InjectFaults does the same while the server runs.
func WithFaultScript(op string, faults ...Fault) Option {
	return func(c *config) error {
		for _, f := range faults {
			if err := f.validate(); err != nil {
				return fmt.Errorf("WithFaultScript: %w", err)
			}
		}
		c.scripts = append(c.scripts, script{op: op, faults: append([]Fault(nil), faults...)})
		return nil
	}
}

// WithJobPolls sets how many looks at a job (ShowJobStatus, ShowManyJobStatuses,
// ListJobStatuses) take it from queued through working to completed
// (default 2: the first look finds it working, the second completed). The
// job's work is done when it completes. Jobs also move on with time (see
// WithJobDuration).
func WithJobPolls(n int) Option {
	return func(c *config) error {
		if n < 1 || n > 1000 {
			return fmt.Errorf("WithJobPolls: %d, want 1 to 1000", n)
		}
		c.jobPolls = n
		return nil
	}
}

// WithJobDuration sets how long a job takes when nobody looks at it
// (default DefaultJobDuration, divided by WithTimeScale; 0: jobs move on
// with looks only), on the server's clock (see WithClock). As on Zendesk,
// a job nobody polls still completes and does its work: each
// WithJobPolls-th of the duration counts as a look, so a job is completed
// after the duration, or after fewer looks as time goes by.
func WithJobDuration(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 || d > time.Hour {
			return fmt.Errorf("WithJobDuration: %s, want 0 to an hour", d)
		}
		c.jobDuration = d
		return nil
	}
}

// WithJobScript makes the next queued jobs end as outcomes say, in order,
// one outcome per job (JobCompletes lets a job do its work); the jobs after
// them complete. Server.ScriptJobs does the same while the server runs.
// Programs use it to meet failed and killed jobs (a *zendesk.JobError).
func WithJobScript(outcomes ...JobOutcome) Option {
	return func(c *config) error {
		if err := checkOutcomes(outcomes); err != nil {
			return fmt.Errorf("WithJobScript: %w", err)
		}
		c.jobScript = append(c.jobScript, outcomes...)
		return nil
	}
}

// WithClock makes the server read the time from now instead of the system
// clock: the times of the changes it records, the last minute incremental
// exports hold back, the ages of jobs, and the windows of rate limits all
// follow it. A test with a clock it moves itself (or Server.AdvanceClock)
// makes time-driven behaviour deterministic. The clock must not go back.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("WithClock: the clock is nil")
		}
		c.clock = now
		return nil
	}
}

// WithRecentChangesInExports makes incremental exports include the records
// changed in the last minute, which Zendesk (and by default the server)
// holds back until they are a minute old.
func WithRecentChangesInExports() Option {
	return func(c *config) error { c.recentInExports = true; return nil }
}

// WithJobQueueLimit sets how many jobs may be queued or working at once
// before bulk endpoints answer 429 (default 30, as Zendesk; 0 for no limit).
func WithJobQueueLimit(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("WithJobQueueLimit: %d, want 0 or more", n)
		}
		c.jobQueueLimit = n
		return nil
	}
}

// WithResponseValidation checks every answer the server gives against the
// spec before sending it; an answer that does not match is replaced by a
// 500 naming the mismatch and counted in Stats.InvalidResponses. Tests use
// it to prove the fake's answers are what the spec promises.
func WithResponseValidation() Option {
	return func(c *config) error { c.validateResponses = true; return nil }
}

// WithUndeclaredQueryParameters accepts query parameters the operation
// does not declare in the spec. By default they are refused with a 400
// naming them: Zendesk ignores a parameter it does not know, so a
// misspelled one ("sort_oder") would silently change nothing.
func WithUndeclaredQueryParameters() Option {
	return func(c *config) error { c.undeclaredQuery = true; return nil }
}

// WithAddr sets the address Start listens on (default "127.0.0.1:0", a
// free port on the loopback interface).
func WithAddr(addr string) Option {
	return func(c *config) error {
		if strings.TrimSpace(addr) == "" {
			return errors.New("WithAddr: the address is empty")
		}
		c.addr = addr
		return nil
	}
}

// WithLogger logs every request in one line at info level (method, path,
// operation, status, duration, and the fault injected if any), what was
// answered and why at debug level, and problems at warn level. The lines
// never hold credentials, headers or query strings.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("WithLogger: logger is nil")
		}
		c.logger = l
		return nil
	}
}

// window returns a limit's window under the time scale.
func (c *config) window(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.timeScale)
}
