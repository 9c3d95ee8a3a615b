package zendesktest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// limiter enforces rate limits with sliding windows: a request is allowed
// when fewer than the limit's number of requests were allowed in the window
// before it. Each window keeps at most `limit` times, so memory is bounded
// by the number of distinct keys.
type limiter struct {
	mu      sync.Mutex
	windows map[string][]time.Time
}

func newLimiter() *limiter { return &limiter{windows: map[string][]time.Time{}} }

// budget is what a limit has left after a request.
type budget struct {
	ok        bool          // the request is within the limit
	remaining int           // requests left in the window
	reset     time.Duration // until the oldest request in the window leaves it
}

// allow records a request at now under key and reports whether it is
// within limit per window; when it is not, reset is how long until it
// would be.
func (l *limiter) allow(key string, limit int, window time.Duration, now time.Time) budget {
	l.mu.Lock()
	defer l.mu.Unlock()
	times := l.windows[key]
	cut := 0
	for cut < len(times) && now.Sub(times[cut]) >= window {
		cut++
	}
	times = times[cut:]
	if len(times) >= limit {
		l.windows[key] = times
		return budget{ok: false, remaining: 0, reset: times[0].Add(window).Sub(now)}
	}
	times = append(times, now)
	l.windows[key] = times
	return budget{ok: true, remaining: limit - len(times), reset: times[0].Add(window).Sub(now)}
}

// reportAccount sets the headers Zendesk reports the account's limit in on
// every answer: X-Rate-Limit and X-Rate-Limit-Remaining, and the same in
// ratelimit-limit and ratelimit-remaining with ratelimit-reset, the seconds
// until the oldest request of the window leaves it (and the remaining
// grows), whole at real speed and fractional when the clocks are scaled.
func reportAccount(h http.Header, limit int, b budget, scaled bool) {
	h.Set("X-Rate-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(b.remaining))
	h.Set("Ratelimit-Limit", strconv.Itoa(limit))
	h.Set("Ratelimit-Remaining", strconv.Itoa(b.remaining))
	h.Set("Ratelimit-Reset", retryAfter(b.reset, scaled))
}

// reportOperation sets the zendesk-ratelimit-<operation> header Zendesk
// reports an endpoint's own limit in ("total=10; remaining=9;
// resets=42"), resets as in reportAccount.
func reportOperation(h http.Header, op string, limit int, b budget, scaled bool) {
	h.Set(endpointHeader(op), fmt.Sprintf("total=%d; remaining=%d; resets=%s", limit, b.remaining, retryAfter(b.reset, scaled)))
}

// endpointHeader is the name of the zendesk-ratelimit-* header of an
// operation's own limit: the operationId in kebab case
// ("zendesk-ratelimit-count-tickets-in-view"), as the spec does not record
// the names Zendesk gives its limits.
func endpointHeader(op string) string {
	var b strings.Builder
	b.WriteString("Zendesk-Ratelimit-")
	for i, r := range op {
		if unicode.IsUpper(r) {
			if i > 0 && !unicode.IsUpper(rune(op[i-1])) {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// opLimitKey is the budget an operation's request counts against: the
// operation, the values of its key path parameters and, for limits "per
// agent" or "per user", the caller.
func opLimitKey(o *operation, params map[string]string, caller string) string {
	rl := o.meta.RateLimit
	var b strings.Builder
	b.WriteString(o.ID)
	for _, k := range rl.Key {
		b.WriteString("\x00" + k + "=" + params[k])
	}
	for _, per := range rl.Per {
		if strings.Contains(per, "agent") || strings.Contains(per, "user") {
			b.WriteString("\x00caller=" + caller)
			break
		}
	}
	return b.String()
}

// retryAfter renders a wait as a Retry-After value: whole seconds, rounded
// up, at real speed; seconds with three decimals when the clocks are
// scaled (tests).
func retryAfter(d time.Duration, scaled bool) string {
	if d < 0 {
		d = 0
	}
	if !scaled {
		return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
	}
	return strconv.FormatFloat(math.Ceil(d.Seconds()*1000)/1000, 'f', 3, 64)
}
