package zendesk

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/zdapi/zendesk/overlay"
)

// RateLimits is the latest rate-limit state Zendesk reported.
type RateLimits struct {
	// Limit and Remaining are the account's requests per minute, from
	// X-Rate-Limit / X-Rate-Limit-Remaining or ratelimit-limit /
	// ratelimit-remaining; -1 when not reported.
	Limit, Remaining int
	// Reset is how long until the window resets (ratelimit-reset), 0 when
	// not reported.
	Reset time.Duration
	// Endpoints holds the endpoint-specific limits of the
	// zendesk-ratelimit-* headers, by the header's suffix
	// ("tickets-index" for zendesk-ratelimit-tickets-index).
	Endpoints map[string]EndpointRateLimit
	// ObservedAt is when the response that reported them arrived; zero
	// before the first response.
	ObservedAt time.Time
}

// EndpointRateLimit is one zendesk-ratelimit-* header
// ("total=100; remaining=99; resets=20").
type EndpointRateLimit struct {
	Total, Remaining int
	Resets           time.Duration
}

// rateState keeps the latest RateLimits.
type rateState struct {
	mu     sync.Mutex
	latest RateLimits
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

// observe records the rate-limit headers of a response, if it has any.
func (s *rateState) observe(h http.Header, now time.Time) {
	rl := RateLimits{Limit: -1, Remaining: -1, ObservedAt: now}
	seen := false
	num := func(names ...string) int {
		for _, n := range names {
			if v := h.Get(n); v != "" {
				if i, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					seen = true
					return i
				}
			}
		}
		return -1
	}
	rl.Limit = num("X-Rate-Limit", "Ratelimit-Limit")
	rl.Remaining = num("X-Rate-Limit-Remaining", "Ratelimit-Remaining")
	if r := num("Ratelimit-Reset"); r >= 0 {
		rl.Reset = time.Duration(r) * time.Second
	}
	for name, vals := range h {
		lower := strings.ToLower(name)
		suffix, ok := strings.CutPrefix(lower, "zendesk-ratelimit-")
		if !ok || len(vals) == 0 {
			continue
		}
		if e, ok := parseEndpointLimit(vals[0]); ok {
			if rl.Endpoints == nil {
				rl.Endpoints = map[string]EndpointRateLimit{}
			}
			rl.Endpoints[suffix] = e
			seen = true
		}
	}
	if !seen {
		return
	}
	s.mu.Lock()
	s.latest = rl
	s.mu.Unlock()
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
	ops   map[string]*rate.Limiter
}

func newPacer(global *rate.Limiter, scale float64, off bool) *pacer {
	if scale <= 0 {
		scale = 1
	}
	return &pacer{global: global, scale: scale, off: off, ops: map[string]*rate.Limiter{}}
}

// wait blocks until the request may go. An operation's own limit of N
// requests per P is kept by spacing requests a little more than P/N apart
// (5% more, for the jitter of their arrival), so no window of P ever holds
// more than N of them.
func (p *pacer) wait(ctx context.Context, op *overlay.OperationInfo, params map[string]string, authenticated bool) error {
	if p.global != nil {
		if err := p.global.Wait(ctx); err != nil {
			return err
		}
	}
	if p.off || op == nil || op.RateLimit == nil {
		return nil
	}
	rl := op.RateLimit
	if rl.AppliesTo != "" && authenticated {
		return nil // e.g. limits that bind anonymous users only
	}
	key := op.ID
	for _, k := range rl.Key {
		key += "\x00" + params[k]
	}
	p.mu.Lock()
	l, ok := p.ops[key]
	if !ok {
		period := time.Duration(float64(rl.Seconds) * float64(time.Second) * 1.05 / p.scale)
		l = rate.NewLimiter(rate.Every(period/time.Duration(rl.Requests)), 1)
		p.ops[key] = l
	}
	p.mu.Unlock()
	return l.Wait(ctx)
}
