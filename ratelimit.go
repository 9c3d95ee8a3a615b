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

// accountHeaders are the account's budget as a response reports it
// (X-Rate-Limit, X-Rate-Limit-Remaining, or the ratelimit-* family): -1
// where a count is absent, reset 0 where absent. found is true when any of
// them holds a number.
type accountHeaders struct {
	limit, remaining int
	reset            time.Duration
	found            bool
}

// readAccountHeaders reads the account's budget from a response's headers.
// Ratelimit-Reset is whole seconds from Zendesk, a fraction from a fake
// whose clock runs faster.
func readAccountHeaders(h http.Header) accountHeaders {
	a := accountHeaders{limit: -1, remaining: -1}
	num := func(names ...string) int {
		for _, n := range names {
			if v := h.Get(n); v != "" {
				if i, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					a.found = true
					return i
				}
			}
		}
		return -1
	}
	a.limit = num("X-Rate-Limit", "Ratelimit-Limit")
	a.remaining = num("X-Rate-Limit-Remaining", "Ratelimit-Remaining")
	if v := strings.TrimSpace(h.Get("Ratelimit-Reset")); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f < 1e9 {
			a.found = true
			a.reset = time.Duration(f * float64(time.Second))
		}
	}
	return a
}

// observe merges the rate-limit headers of a response, if it has any, into
// the state: the account's values are replaced by the ones it reports, and
// the endpoint limits it reports replace those of the same endpoints only.
func (s *rateState) observe(h http.Header, now time.Time) {
	a := readAccountHeaders(h)
	account := a.found
	limit, remaining, reset := a.limit, a.remaining, a.reset
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
		f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || f < 0 || f > 1e9 {
			continue
		}
		switch strings.TrimSpace(k) {
		case "total":
			e.Total, found = int(f), true
		case "remaining":
			e.Remaining, found = int(f), true
		case "resets":
			e.Resets, found = time.Duration(f*float64(time.Second)), true
		}
	}
	return e, found
}

// pacer holds the client-side limiters: the account's, by Zendesk's
// headers (unless turned off); the optional fixed ceiling of WithRateLimit;
// and one per (operation, key) for operations annotated
// x-zendesk-rate-limit.
type pacer struct {
	global  *rate.Limiter
	account *accountPacer
	// scale divides every operation's period (tests run limits faster).
	scale float64
	off   bool
	mu    sync.Mutex
	ops   map[string]*opLimiter
}

func newPacer(global *rate.Limiter, scale float64, off, noAccount bool, headroom float64, maxBlock time.Duration) *pacer {
	if scale <= 0 {
		scale = 1
	}
	p := &pacer{global: global, scale: scale, off: off, ops: map[string]*opLimiter{}}
	if !noAccount {
		p.account = newAccountPacer(scale, headroom, maxBlock)
	}
	return p
}

// paceMargin is added to an operation's period: the time Zendesk's clock
// and ours may disagree by within one window. The window itself needs no
// slack: it is counted from answers (see opLimiter).
const paceMargin = 5 * time.Millisecond

// wait blocks until the request may go, and returns the function to call
// when its answer (or its failure) has arrived: with the answer's headers
// when they are Zendesk's, nil otherwise, and its status code.
func (p *pacer) wait(ctx context.Context, op *overlay.OperationInfo, params map[string]string, authenticated bool) (func(h http.Header, status int), error) {
	if p.global != nil {
		if err := p.global.Wait(ctx); err != nil {
			return nil, err
		}
	}
	var l *opLimiter
	if !p.off && op != nil && op.RateLimit != nil && !op.RateLimit.Unpaced && (op.RateLimit.AppliesTo == "" || !authenticated) {
		// (AppliesTo: e.g. limits that bind anonymous users only.)
		rl := op.RateLimit
		key := op.ID
		for _, k := range rl.Key {
			key += "\x00" + params[k]
		}
		p.mu.Lock()
		var ok bool
		if l, ok = p.ops[key]; !ok {
			window := time.Duration(float64(rl.Seconds)*float64(time.Second)/p.scale) + paceMargin
			l = &opLimiter{n: rl.Requests, window: window}
			p.ops[key] = l
		}
		p.mu.Unlock()
	}
	opDone := func(http.Header, time.Time) {}
	if l != nil {
		var err error
		if opDone, err = l.wait(ctx); err != nil {
			return nil, err
		}
	}
	if p.account == nil {
		return func(h http.Header, _ int) { opDone(h, time.Now()) }, nil
	}
	seq, err := p.account.wait(ctx)
	if err != nil {
		opDone(nil, time.Now())
		return nil, err
	}
	var once sync.Once
	return func(h http.Header, status int) {
		once.Do(func() {
			now := time.Now()
			opDone(h, now)
			p.account.done(seq, h, status, now)
		})
	}, nil
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
// is sent: more than a window apart, whatever the delays, and a window of
// whole seconds changes nothing (arrivals more than P apart are at least P
// apart in whole seconds). Requests are besides spaced a window/N apart, so
// that a budget is spent evenly rather than in bursts. The window is the
// period (scaled with the pacing scale) plus paceMargin.
//
// Where Zendesk reports the operation's limit on its answers
// (zendesk-ratelimit-*: "total=10; remaining=9; resets=42"), the reported
// total replaces N, and a reported remaining of 0 that the limiter's own
// requests do not explain (others spend the budget too: another process)
// holds the next request until the reported reset has passed.
type opLimiter struct {
	n      int
	window time.Duration

	mu     sync.Mutex
	last   time.Time   // when the latest request was let go
	hold   time.Time   // no request before (the endpoint's budget is spent)
	recent []*inFlight // the latest n requests let go, oldest first
}

// inFlight is a request let go, and when its answer arrived.
type inFlight struct {
	done     chan struct{} // closed when the answer arrived
	sent     time.Time
	answered time.Time
}

func (l *opLimiter) wait(ctx context.Context) (func(http.Header, time.Time), error) {
	l.mu.Lock()
	for {
		now := time.Now()
		var pending chan struct{}
		until := l.hold
		if !l.last.IsZero() {
			if t := l.last.Add(l.window / time.Duration(l.n)); t.After(until) {
				until = t
			}
		}
		if len(l.recent) >= l.n {
			oldest := l.recent[len(l.recent)-l.n]
			select {
			case <-oldest.done:
				if t := oldest.answered.Add(l.window); t.After(until) {
					until = t
				}
			default:
				pending = oldest.done
			}
		}
		if pending == nil && !now.Before(until) {
			f := &inFlight{done: make(chan struct{}), sent: now}
			if len(l.recent) >= l.n {
				l.recent = l.recent[len(l.recent)-l.n+1:]
			}
			l.recent = append(l.recent, f)
			l.last = now
			l.mu.Unlock()
			var once sync.Once
			return func(h http.Header, at time.Time) {
				once.Do(func() {
					l.mu.Lock()
					f.answered = at
					close(f.done)
					l.learn(h, at)
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

// learn reads the operation's own limit from an answer's
// zendesk-ratelimit-* header, when it has exactly one. It is called with
// l.mu held.
func (l *opLimiter) learn(h http.Header, at time.Time) {
	var found []EndpointRateLimit
	for name, vals := range h {
		if len(vals) > 0 && strings.HasPrefix(strings.ToLower(name), "zendesk-ratelimit-") {
			if e, ok := parseEndpointLimit(vals[0]); ok {
				found = append(found, e)
			}
		}
	}
	if len(found) != 1 {
		return
	}
	e := found[0]
	if e.Total > 0 && e.Total != l.n {
		if e.Total < l.n {
			l.recent = l.recent[len(l.recent)-min(len(l.recent), e.Total):]
		}
		l.n = e.Total
	}
	ours := 0 // our requests in the window: a spent budget they explain is the limiter's business
	for _, f := range l.recent {
		if f.sent.After(at.Add(-l.window)) {
			ours++
		}
	}
	if e.Remaining <= 0 && e.Total > 0 && e.Resets > 0 && ours < e.Total {
		if t := at.Add(e.Resets + paceMargin); t.After(l.hold) {
			l.hold = t
		}
	}
}
