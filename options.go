package zendesk

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Option configures a Client. Options check their arguments: NewClient
// returns the first problem as an error.
type Option func(*config) error

type config struct {
	baseURL      *url.URL
	insecureHTTP bool
	creds        *credentials
	httpClient   *http.Client
	userAgent    string
	retry        RetryPolicy
	limiter      *rate.Limiter
	noOpPacing   bool
	// noAccountPacing and headroom: see pacing.go.
	noAccountPacing bool
	headroom        float64
	pacingScale     float64
	logger          *slog.Logger
	maxBody         int64
}

// DefaultMaxResponseBytes is the largest JSON success body a client reads
// unless WithMaxResponseBytes says otherwise: 128 MiB, many times Zendesk's
// largest pages (1000 export records with their sideloads).
const DefaultMaxResponseBytes = 128 << 20

// WithMaxResponseBytes sets the largest JSON success body the client reads,
// counted after decompression (DefaultMaxResponseBytes otherwise). Reading
// a larger one fails with an error matching ErrResponseTooLarge, whether
// the body is read by a typed method, an iterator, or the caller of a raw
// method; such a call is not retried. It bounds the memory a broken or
// hostile server can make the client use (a 509 KB gzip body can inflate to
// 512 MB).
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("WithMaxResponseBytes: %d bytes, want a positive number", n)
		}
		c.maxBody = n
		return nil
	}
}

// hasControl reports whether s holds a control character (a newline, a
// NUL...), which no credential or header value may: net/http would refuse
// the request every time it is sent.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) })
}

// WithAPIToken authenticates with an API token: basic auth as
// "{email}/token".
func WithAPIToken(email, token string) Option {
	return func(c *config) error {
		email, token = strings.TrimSpace(email), strings.TrimSpace(token)
		switch {
		case email == "":
			return errors.New("WithAPIToken: email is empty")
		case !strings.Contains(email, "@"):
			return fmt.Errorf("WithAPIToken: %q is not an email address", email)
		case strings.HasSuffix(email, "/token"):
			return errors.New(`WithAPIToken: give the email alone; "/token" is added for you`)
		case token == "":
			return errors.New("WithAPIToken: token is empty")
		case hasControl(email) || hasControl(token):
			return errors.New("WithAPIToken: the email or token holds control characters")
		case c.creds != nil:
			return errors.New("WithAPIToken: credentials are already set")
		}
		c.creds = &credentials{email: email, secret: token}
		return nil
	}
}

// WithOAuthToken authenticates with an OAuth access token.
func WithOAuthToken(token string) Option {
	return func(c *config) error {
		token = strings.TrimSpace(token)
		switch {
		case token == "":
			return errors.New("WithOAuthToken: token is empty")
		case hasControl(token):
			return errors.New("WithOAuthToken: the token holds control characters")
		case c.creds != nil:
			return errors.New("WithOAuthToken: credentials are already set")
		}
		c.creds = &credentials{secret: token}
		return nil
	}
}

// WithTokenSource authenticates with OAuth tokens from ts, asked for each
// request (ts caches and refreshes them).
func WithTokenSource(ts TokenSource) Option {
	return func(c *config) error {
		switch {
		case ts == nil:
			return errors.New("WithTokenSource: token source is nil")
		case isNilFunc(ts):
			return errors.New("WithTokenSource: token source is a nil TokenSourceFunc")
		case c.creds != nil:
			return errors.New("WithTokenSource: credentials are already set")
		}
		c.creds = &credentials{source: ts}
		return nil
	}
}

// WithHTTPClient sends requests with hc: its transport, timeout, jar and
// redirect policy. The client wraps hc's transport to add credentials; hc
// itself is not modified.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: client is nil")
		}
		c.httpClient = hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		ua = strings.TrimSpace(ua)
		if ua == "" || hasControl(ua) {
			return fmt.Errorf("WithUserAgent: %q is not a usable user agent: empty, or holds control characters", ua)
		}
		c.userAgent = ua
		return nil
	}
}

// WithRetry sets the retry policy (DefaultRetryPolicy otherwise; NoRetry
// turns retries off). Fields left zero take DefaultRetryPolicy's values.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		switch {
		case p.MaxAttempts < 0:
			return fmt.Errorf("WithRetry: MaxAttempts is %d, want at least 1 (or 0 for the default)", p.MaxAttempts)
		case p.MinBackoff < 0 || p.MaxBackoff < 0:
			return fmt.Errorf("WithRetry: backoff %s..%s is negative", p.MinBackoff, p.MaxBackoff)
		case p.MaxRetryAfter < 0 || p.MaxElapsed < 0:
			return errors.New("WithRetry: MaxRetryAfter and MaxElapsed must not be negative")
		}
		p = p.withDefaults()
		if p.MaxBackoff < p.MinBackoff {
			return fmt.Errorf("WithRetry: backoff %s..%s is not a range", p.MinBackoff, p.MaxBackoff)
		}
		c.retry = p
		return nil
	}
}

// WithRateLimit keeps the client under perMinute requests a minute, spaced
// evenly (a long export then never meets the account's limit). It applies on
// top of the operations' own limits, which the client always keeps.
func WithRateLimit(perMinute int) Option {
	return func(c *config) error {
		if perMinute <= 0 {
			return fmt.Errorf("WithRateLimit: %d requests a minute, want a positive number", perMinute)
		}
		c.limiter = rate.NewLimiter(rate.Every(time.Minute/time.Duration(perMinute)), 1)
		return nil
	}
}

// WithRateLimiter paces every request with l.
func WithRateLimiter(l *rate.Limiter) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("WithRateLimiter: limiter is nil")
		}
		c.limiter = l
		return nil
	}
}

// WithoutOperationPacing turns off the pacing of operations that have their
// own documented limit (x-zendesk-rate-limit: incremental exports at 10 a
// minute, view counts at 5 a minute per view...). Their 429s are still
// waited out.
func WithoutOperationPacing() Option {
	return func(c *config) error { c.noOpPacing = true; return nil }
}

// WithLogger logs retries, waits and (at debug level) every request. URLs
// are logged without secrets; headers and bodies never are.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("WithLogger: logger is nil")
		}
		c.logger = l
		return nil
	}
}

// WithBaseURL sends requests to base instead of https://{subdomain}.zendesk.com
// (a proxy, or a test server). It must be https unless WithInsecureHTTP is
// given too.
func WithBaseURL(base string) Option {
	return func(c *config) error {
		u, err := url.Parse(strings.TrimRight(base, "/"))
		if err != nil {
			// The URL may hold a secret (user info): say what is wrong
			// with it, not what it is.
			return fmt.Errorf("WithBaseURL: the URL does not parse: %w", redactErr(err))
		}
		if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return fmt.Errorf("WithBaseURL: %q is not an http(s) URL with a host", redactURL(u))
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("WithBaseURL: %q must have no user info, query or fragment", redactURL(u))
		}
		c.baseURL = u
		return nil
	}
}

// WithInsecureHTTP allows a plain-http base URL. It exists for tests against
// a local server (zendesktest); credentials then cross the wire in clear.
func WithInsecureHTTP() Option {
	return func(c *config) error { c.insecureHTTP = true; return nil }
}

// WithPacingScale runs the pacing of operations' own limits scale times
// faster: a limit of 10 a minute becomes 10 every 6 seconds at scale 10. It
// exists for tests against a fake Zendesk whose clock runs as fast
// (zendesktest.WithTimeScale); never use it against Zendesk.
func WithPacingScale(scale float64) Option {
	return func(c *config) error {
		if !(scale > 0) || math.IsInf(scale, 0) {
			return fmt.Errorf("WithPacingScale: scale %v, want a positive number", scale)
		}
		c.pacingScale = scale
		return nil
	}
}

// isNilFunc reports whether ts is a nil TokenSourceFunc.
func isNilFunc(ts TokenSource) bool {
	f, ok := ts.(TokenSourceFunc)
	return ok && f == nil
}
