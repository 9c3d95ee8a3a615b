package zendesk

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WithHeadroom leaves a fraction of the account's limit unused, for the
// other integrations of the account: with 0.2 the client paces itself so
// that the account, as Zendesk counts it, stays a fifth below its limit
// (560 of 700 a minute). The default is 0: the client spends the whole
// limit, shared with every other process that paces by Zendesk's headers.
// WithRateLimit sets a fixed ceiling instead (or as well).
func WithHeadroom(fraction float64) Option {
	return func(c *config) error {
		if !(fraction >= 0 && fraction < 1) {
			return fmt.Errorf("WithHeadroom: %v, want a fraction from 0 up to (not including) 1", fraction)
		}
		c.headroom = fraction
		return nil
	}
}

// WithoutAccountPacing turns off the pacing by Zendesk's rate-limit headers
// (X-Rate-Limit-Remaining, ratelimit-remaining): requests go as fast as the
// callers make them, and the 429s the account's limit then meets are
// waited out. The limits of operations that have their own
// (WithoutOperationPacing) and WithRateLimit still apply.
func WithoutAccountPacing() Option {
	return func(c *config) error { c.noAccountPacing = true; return nil }
}

// Account pacing parameters (see accountPacer).
const (
	// paceHorizon is the fraction of the window over which the free part
	// of the account's budget is spread.
	paceHorizon = 1.0 / 50
	// paceReserve is the fraction of the limit kept free for the requests
	// other processes let go on what they saw before ours arrived.
	paceReserve = 0.015
	// paceGrowth bounds the rate of a client to that many times its share
	// of the account's requests of the last window, spread evenly over the
	// window; paceShareMin is the requests the account must have counted
	// before the share means something.
	paceGrowth   = 1.5
	paceShareMin = 20
)

// accountPacer paces a client by the account's budget as Zendesk reports
// it on every answer (limit L, remaining R, and sometimes the time until it
// grows again). It keeps no count of its own of the account: Zendesk's
// count is the state every process of the account shares, and pacing by it
// is what makes them cooperate with no coordinator.
//
// The free part of the budget is R less the headroom, a reserve, and the
// requests this client let go after the one whose answer reported R (they
// were not counted in it). It is spread over a short horizon H (a
// fiftieth of the window): requests go H/free apart. While the budget is
// large the client goes fast; as R falls, every process of the account
// slows down with it, whatever their number, and none of them goes once R
// reaches the reserve: then one request goes after the time Zendesk said
// the budget grows again (or H), to learn the new R, unless an answer
// still on its way will tell it. A 429 stops every request of the client
// until its Retry-After has passed. Until the first answer arrives one
// request goes at a time, so that a client with many callers does not
// burst before it knows the limit; an answer without the headers leaves
// the client unpaced.
type accountPacer struct {
	window   time.Duration // the account's window: a minute, scaled
	horizon  time.Duration
	headroom float64

	mu       sync.Mutex
	seq      uint64 // requests let go
	obsSeq   uint64 // the request whose answer gave the latest observation
	answered bool   // an answer arrived
	inFlight int    // requests let go and not yet answered
	limit    int    // -1: not reported
	remain   int
	reset    time.Duration
	obsAt    time.Time
	history  []observation // recent observations, oldest first, within a horizon
	rtt      time.Duration // a moving average of the time from letting go to answer
	sentAt   map[uint64]time.Time
	sends    []time.Time   // when this client let its requests of the last window go
	last     time.Time     // when the latest request was let go
	blocked  time.Time     // no request before (a 429's Retry-After)
	news     chan struct{} // closed, and replaced, when an answer arrives
}

func newAccountPacer(scale, headroom float64) *accountPacer {
	window := time.Duration(float64(time.Minute) / scale)
	return &accountPacer{window: window, horizon: time.Duration(float64(window) * paceHorizon), headroom: headroom,
		limit: -1, remain: -1, news: make(chan struct{}), sentAt: map[uint64]time.Time{}}
}

// observation is the remaining budget an answer reported.
type observation struct {
	at     time.Time
	remain int
	seq    uint64
}

// othersRate is how fast the account's remaining budget falls for other
// reasons than this client's requests (other processes' requests, less
// the requests that leave the window), in requests a second, from the
// observations of the last horizon; 0 when it rises or is not known.
func (a *accountPacer) othersRate() float64 {
	if len(a.history) < 2 {
		return 0
	}
	o, n := a.history[0], a.history[len(a.history)-1]
	span := n.at.Sub(o.at)
	if span < time.Millisecond {
		return 0
	}
	fell := float64(o.remain-n.remain) - float64(n.seq-o.seq)
	return max(0, fell/span.Seconds())
}

// wait blocks until a request may go, and returns its sequence number.
func (a *accountPacer) wait(ctx context.Context) (uint64, error) {
	a.mu.Lock()
	for {
		now := time.Now()
		ok, until, news := a.next(now)
		if ok {
			a.seq++
			a.inFlight++
			a.last = now
			a.sentAt[a.seq] = now
			cut := 0
			for cut < len(a.sends) && now.Sub(a.sends[cut]) >= a.window {
				cut++
			}
			a.sends = append(a.sends[cut:], now)
			seq := a.seq
			a.mu.Unlock()
			return seq, nil
		}
		a.mu.Unlock()
		var timer *time.Timer
		var expired <-chan time.Time
		if !until.IsZero() {
			timer = time.NewTimer(until.Sub(now))
			expired = timer.C
		}
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return 0, ctx.Err()
		case <-news:
		case <-expired:
		}
		if timer != nil {
			timer.Stop()
		}
		a.mu.Lock()
	}
}

// next says whether a request may go now and, when it may not, until when
// to wait (zero: no time set) and for which news (nil: none): the next
// answer to arrive, after which it asks again. It is called with a.mu held.
func (a *accountPacer) next(now time.Time) (ok bool, until time.Time, news chan struct{}) {
	if now.Before(a.blocked) {
		return false, a.blocked, nil
	}
	if !a.answered {
		if a.inFlight > 0 {
			return false, time.Time{}, a.news // the first answer tells the limit
		}
		return true, time.Time{}, nil
	}
	if a.limit <= 0 || a.remain < 0 {
		return true, time.Time{}, nil // not reported: not paced
	}
	pending := int(a.seq - a.obsSeq)
	keep := int(math.Ceil(float64(a.limit)*a.headroom)) + max(1, int(math.Ceil(float64(a.limit)*paceReserve)))
	// What the others spent since the observation, and will have by the
	// time a request let go now arrives.
	others := a.othersRate() * (now.Sub(a.obsAt) + a.rtt).Seconds()
	free := a.remain - keep - pending - int(math.Ceil(others))
	if free >= 1 {
		until = a.last.Add(a.horizon / time.Duration(free))
		// No faster than paceGrowth times this client's share of what the
		// account spent in the last window, spread evenly over it.
		counted := a.limit - a.remain + pending
		if counted >= paceShareMin {
			own := 0
			for _, t := range a.sends {
				if now.Sub(t) < a.window {
					own++
				}
			}
			own = max(own, 1)
			gap := time.Duration(float64(a.window) * float64(counted) / (paceGrowth * float64(own) * float64(a.limit)))
			if t := a.last.Add(gap); t.After(until) {
				until = t
			}
		}
		return !now.Before(until), until, nil
	}
	// Spent: learn the new budget from an answer on its way, or else from
	// one request once the budget grows.
	wait := max(a.reset, a.horizon)
	until = a.obsAt.Add(wait + time.Duration(rand.Int64N(int64(a.horizon)+1)))
	if a.last.After(a.obsAt) {
		until = a.last.Add(wait)
	}
	if a.inFlight > 0 {
		news = a.news
	}
	return !now.Before(until), until, news
}

// done records the answer to request seq: h holds its headers when it came
// from Zendesk (nil for a failure, or another host's answer), status its
// status code.
func (a *accountPacer) done(seq uint64, h http.Header, status int, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inFlight--
	a.answered = true
	if sent, ok := a.sentAt[seq]; ok {
		delete(a.sentAt, seq)
		if d := now.Sub(sent); a.rtt == 0 {
			a.rtt = d
		} else {
			a.rtt += (d - a.rtt) / 8
		}
	}
	if h != nil {
		if status == http.StatusTooManyRequests {
			if ra, ok := parseRetryAfter(h.Get("Retry-After"), now); ok && now.Add(ra).After(a.blocked) {
				a.blocked = now.Add(ra)
			}
		}
		if seq > a.obsSeq {
			limit := headerInt(h, "X-Rate-Limit", "Ratelimit-Limit")
			remain := headerInt(h, "X-Rate-Limit-Remaining", "Ratelimit-Remaining")
			if status == http.StatusTooManyRequests && limit > 0 && remain < 0 {
				remain = 0
			}
			if limit > 0 && remain >= 0 {
				a.limit, a.remain, a.obsSeq, a.obsAt = limit, remain, seq, now
				cut := 0
				for cut < len(a.history)-1 && now.Sub(a.history[cut].at) > a.horizon {
					cut++
				}
				a.history = append(a.history[cut:], observation{at: now, remain: remain, seq: seq})
				a.reset = 0
				if s := strings.TrimSpace(h.Get("Ratelimit-Reset")); s != "" {
					if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < 3600 {
						a.reset = time.Duration(f * float64(time.Second))
					}
				}
			}
		}
	}
	close(a.news)
	a.news = make(chan struct{})
}

// headerInt is the first of the headers that holds a number, -1 if none.
func headerInt(h http.Header, names ...string) int {
	for _, n := range names {
		if v := strings.TrimSpace(h.Get(n)); v != "" {
			if i, err := strconv.Atoi(v); err == nil {
				return i
			}
		}
	}
	return -1
}
