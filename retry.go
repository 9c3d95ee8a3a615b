package zendesk

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RetryPolicy says when and how long the client retries. A field left zero
// takes DefaultRetryPolicy's value, so RetryPolicy{MaxRetryAfter: time.Hour}
// is the default policy with a longer wait.
//
// 429s are safe to retry (Zendesk did not process the request) and are
// retried after the Retry-After Zendesk gives, plus a small random extra so
// that callers told the same wait do not all come back at once. 5xx answers
// and network errors are retried for idempotent requests only: GET, HEAD,
// PUT, DELETE, and POSTs that carry an Idempotency-Key (the client sets one
// on the operations Zendesk documents it for, such as ticket creation). PUTs
// whose repetition adds something (UpdateTicket with a comment; the spec
// marks them x-zendesk-retry-unsafe) are retried after a 429 only, as POSTs
// without a key are. A request whose body cannot be read again (an
// io.Reader other than a bytes or strings reader, without GetBody) is never
// sent twice: it fails with the first answer's error, 429 included.
type RetryPolicy struct {
	// MaxAttempts bounds the attempts of one call, the first included
	// (1 disables retries).
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the exponential backoff between
	// attempts; each wait is jittered between half and all of its value.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits out; when
	// Zendesk asks for longer, the call fails at once with a
	// *RateLimitError instead of sleeping.
	MaxRetryAfter time.Duration
	// MaxElapsed bounds the total time of one call's attempts and waits.
	MaxElapsed time.Duration
	// Budget is the size of the retry budget shared by all calls of the
	// client: each retry after a server fault, a network error or a 429
	// without Retry-After spends one token, each success returns a tenth
	// of one. When it is empty, failing calls stop retrying — during an
	// outage the client stops multiplying its load. Waiting out a 429's
	// Retry-After costs nothing: that is Zendesk pacing the client, not a
	// fault, and an overnight export on a busy account meets thousands of
	// them. A negative Budget means no budget.
	Budget int
}

// withDefaults fills the zero fields of p from DefaultRetryPolicy.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy
	if p.MaxAttempts == 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = max(d.MaxBackoff, p.MinBackoff)
	}
	if p.MinBackoff == 0 {
		p.MinBackoff = min(d.MinBackoff, p.MaxBackoff)
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	if p.MaxElapsed == 0 {
		p.MaxElapsed = d.MaxElapsed
	}
	if p.Budget == 0 {
		p.Budget = d.Budget
	}
	return p
}

// DefaultRetryPolicy is the policy a client starts with.
var DefaultRetryPolicy = RetryPolicy{
	MaxAttempts:   5,
	MinBackoff:    500 * time.Millisecond,
	MaxBackoff:    30 * time.Second,
	MaxRetryAfter: 2 * time.Minute,
	MaxElapsed:    5 * time.Minute,
	Budget:        100,
}

// NoRetry is a policy that never retries.
var NoRetry = RetryPolicy{MaxAttempts: 1}

// backoff is the jittered wait before attempt n+1 (n >= 1).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.MinBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.MaxBackoff)
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// jitterRetryAfter adds to a wait Zendesk asked for a random extra of up to
// a tenth of it (a second at most), so that the callers one 429 burst
// stopped do not all come back at the same instant and meet the limit
// again together.
func jitterRetryAfter(d time.Duration) time.Duration {
	j := min(d/10, time.Second)
	if j <= 0 {
		return d
	}
	return d + rand.N(j+1)
}

// retryBudget is a token bucket of retries (see RetryPolicy.Budget).
type retryBudget struct {
	mu     sync.Mutex
	max    float64
	tokens float64
}

func newRetryBudget(n int) *retryBudget {
	if n <= 0 { // negative: no budget (zero was given the default)
		return nil
	}
	return &retryBudget{max: float64(n), tokens: float64(n)}
}

// take spends a token; false when the budget is empty.
func (b *retryBudget) take() bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// success returns part of a token.
func (b *retryBudget) success() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.tokens = min(b.max, b.tokens+0.1)
	b.mu.Unlock()
}

// maxRetryAfter caps what parseRetryAfter returns: a year (a wait that
// long is a broken header; the policy's MaxRetryAfter refuses it anyway).
const maxRetryAfter = 365 * 24 * time.Hour

// parseRetryAfter reads a Retry-After header: delay-seconds (possibly
// fractional, as some proxies send) or an HTTP date. ok is false when the
// header is absent or unreadable; negative and past values give 0, values
// beyond a year give a year.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil || (errors.Is(err, strconv.ErrRange) && secs > 0) {
		if secs != secs || secs < 0 { // NaN or negative
			return 0, true
		}
		if secs > maxRetryAfter.Seconds() {
			return maxRetryAfter, true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		// Sub saturates at about 292 years rather than overflowing.
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}
