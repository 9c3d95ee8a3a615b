package zendesk

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/zdapi/zendesk/internal/ctxsleep"
	"github.com/zdapi/zendesk/overlay"
)

// RateLimits is the latest rate-limit state Zendesk reported.
type RateLimits struct {
	// Limit and Remaining are the account's requests per minute, from
	// X-Rate-Limit / X-Rate-Limit-Remaining or ratelimit-limit /
	// ratelimit-remaining; -1 when not reported. Limit, Remaining and Reset
	// come together from the latest response that reported any of them.
	Limit, Remaining int
	// Reset is how long until the window resets (ratelimit-reset), 0 when
	// not reported.
	Reset time.Duration
	// Endpoints holds the endpoint-specific limits of the
	// zendesk-ratelimit-* headers, by the header's suffix
	// ("tickets-index" for zendesk-ratelimit-tickets-index). Each stays as
	// its endpoint last reported it (with when) while responses of other
	// endpoints arrive.
	Endpoints map[string]EndpointRateLimit
	// ObservedAt is when the latest response that reported rate-limit
	// headers arrived; zero before the first one.
	ObservedAt time.Time
}

// EndpointRateLimit is one zendesk-ratelimit-* header
// ("total=100; remaining=99; resets=20").
type EndpointRateLimit struct {
	Total, Remaining int
	Resets           time.Duration
	// ObservedAt is when the response that reported it arrived.
	ObservedAt time.Time
}

// rateState keeps the latest RateLimits.
type rateState struct {
	mu     sync.Mutex
	latest RateLimits
}

func newRateState() *rateState {
	return &rateState{latest: RateLimits{Limit: -1, Remaining: -1}}
}

func (s *rateState) get() RateLimits {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.latest
	if s.latest.Endpoints != nil {
		out.Endpoints = make(map[string]EndpointRateLimit, len(s.latest.Endpoints))
		for k, v := range s.latest.Endpoints {
			out.Endpoints[k] = v
		}
	}
	return out
}

// observe merges the rate-limit headers of a response, if it has any, into
// the state: the account's values are replaced by the ones it reports, and
// the endpoint limits it reports replace those of the same endpoints only.
func (s *rateState) observe(h http.Header, now time.Time) {
	account := false
	num := func(names ...string) int {
		for _, n := range names {
			if v := h.Get(n); v != "" {
				if i, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					account = true
					return i
				}
			}
		}
		return -1
	}
	limit := num("X-Rate-Limit", "Ratelimit-Limit")
	remaining := num("X-Rate-Limit-Remaining", "Ratelimit-Remaining")
	var reset time.Duration
	if r := num("Ratelimit-Reset"); r >= 0 {
		reset = time.Duration(r) * time.Second
	}
	var endpoints map[string]EndpointRateLimit
	for name, vals := range h {
		suffix, ok := strings.CutPrefix(strings.ToLower(name), "zendesk-ratelimit-")
		if !ok || len(vals) == 0 {
			continue
		}
		if e, ok := parseEndpointLimit(vals[0]); ok {
			if endpoints == nil {
				endpoints = map[string]EndpointRateLimit{}
			}
			e.ObservedAt = now
			endpoints[suffix] = e
		}
	}
	if !account && endpoints == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if account {
		s.latest.Limit, s.latest.Remaining, s.latest.Reset = limit, remaining, reset
	}
	for k, e := range endpoints {
		if s.latest.Endpoints == nil {
			s.latest.Endpoints = map[string]EndpointRateLimit{}
		}
		s.latest.Endpoints[k] = e
	}
	s.latest.ObservedAt = now
}

// parseEndpointLimit reads "total=100; remaining=99; resets=20".
func parseEndpointLimit(v string) (EndpointRateLimit, bool) {
	var e EndpointRateLimit
	found := false
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }) {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil {
			continue
		}
		switch strings.TrimSpace(k) {
		case "total":
			e.Total, found = n, true
		case "remaining":
			e.Remaining, found = n, true
		case "resets":
			e.Resets, found = time.Duration(n)*time.Second, true
		}
	}
	return e, found
}

// pacer holds the client-side limiters: the optional account-wide one, and
// one per (operation, key) for operations annotated x-zendesk-rate-limit.
type pacer struct {
	global *rate.Limiter
	// scale divides every operation's period (tests run limits faster).
	scale float64
	off   bool
	mu    sync.Mutex
	ops   map[string]*opLimiter
}

func newPacer(global *rate.Limiter, scale float64, off bool) *pacer {
	if scale <= 0 {
		scale = 1
	}
	return &pacer{global: global, scale: scale, off: off, ops: map[string]*opLimiter{}}
}

// Pacing slack: an operation's window of P is kept as P plus a tenth plus
// a second (see opLimiter).
const (
	paceSlack = 0.10
	paceFloor = time.Second
)

// wait blocks until the request may go, and returns the function to call
// when its answer (or its failure) has arrived.
func (p *pacer) wait(ctx context.Context, op *overlay.OperationInfo, params map[string]string, authenticated bool) (func(), error) {
	if p.global != nil {
		if err := p.global.Wait(ctx); err != nil {
			return nil, err
		}
	}
	if p.off || op == nil || op.RateLimit == nil || op.RateLimit.Unpaced {
		return func() {}, nil
	}
	rl := op.RateLimit
	if rl.AppliesTo != "" && authenticated {
		return func() {}, nil // e.g. limits that bind anonymous users only
	}
	key := op.ID
	for _, k := range rl.Key {
		key += "\x00" + params[k]
	}
	p.mu.Lock()
	l, ok := p.ops[key]
	if !ok {
		period := time.Duration(float64(rl.Seconds) * float64(time.Second) / p.scale)
		window := period + time.Duration(float64(period)*paceSlack) + time.Duration(float64(paceFloor)/p.scale)
		l = &opLimiter{n: rl.Requests, window: window, gap: window / time.Duration(rl.Requests)}
		p.ops[key] = l
	}
	p.mu.Unlock()
	return l.wait(ctx)
}

// opLimiter keeps one budget of N requests per window P.
//
// Zendesk counts a request when it arrives, which is some time between our
// sending it and our receiving its answer; spacing requests by when they
// are sent, as a token bucket does, lets a slow send (a busy machine, a new
// connection) and a fast one that follows land in one window, and meet a
// 429. So the limiter counts from answers instead: the request k may go
// only when the answer to request k-N has arrived and a window has passed
// since. Zendesk then counted k-N before that answer, and counts k after it
// is sent: at least a window apart, whatever the delays. Requests are
// besides spaced a window/N apart, so that a budget is spent evenly rather
// than in bursts. The window is the documented period plus 10% and a second
// (scaled with the pacing scale), for clocks that tick in whole seconds and
// counters that are not exactly sliding windows; that costs a tenth of the
// throughput of the documented limit, far less than a 429 and its wait.
type opLimiter struct {
	n           int
	window, gap time.Duration

	mu     sync.Mutex
	last   time.Time   // when the latest request was let go
	recent []*inFlight // the latest n requests let go, oldest first
}

// inFlight is a request let go, and when its answer arrived.
type inFlight struct {
	done     chan struct{} // closed when the answer arrived
	answered time.Time
}

func (l *opLimiter) wait(ctx context.Context) (func(), error) {
	l.mu.Lock()
	for {
		now := time.Now()
		var until time.Time
		var pending chan struct{}
		if !l.last.IsZero() {
			until = l.last.Add(l.gap)
		}
		if len(l.recent) == l.n {
			select {
			case <-l.recent[0].done:
				if t := l.recent[0].answered.Add(l.window); t.After(until) {
					until = t
				}
			default:
				pending = l.recent[0].done
			}
		}
		if pending == nil && !now.Before(until) {
			f := &inFlight{done: make(chan struct{})}
			if len(l.recent) == l.n {
				l.recent = l.recent[1:]
			}
			l.recent = append(l.recent, f)
			l.last = now
			l.mu.Unlock()
			var once sync.Once
			return func() {
				once.Do(func() {
					l.mu.Lock()
					f.answered = time.Now()
					close(f.done)
					l.mu.Unlock()
				})
			}, nil
		}
		l.mu.Unlock()
		if pending != nil {
			select {
			case <-pending:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		} else if err := ctxsleep.Sleep(ctx, until.Sub(now)); err != nil {
			return nil, err
		}
		l.mu.Lock()
	}
}
