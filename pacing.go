package zendesk

import (
	"context"
	"fmt"
	"math"
	"net/http"
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
	// of the account's budget is spread (at least paceRTTs round trips).
	paceHorizon = 1.0 / 100
	paceRTTs    = 4
	// paceReserve is the fraction of the limit kept free (at least
	// paceReserveMin requests): what the requests of other processes that
	// are on their way, unseen in the latest answer, may spend.
	paceReserve    = 0.015
	paceReserveMin = 2
	// paceShareMin is the requests the account must have counted in its
	// window before a client's share of them weighs its pace;
	// paceShareFloor is the least weight a share is given.
	// paceRateSpan is the horizons over which how fast other processes
	// spend the budget is measured.
	paceRateSpan   = 4
	paceShareMin   = 20
	paceShareFloor = 1.0 / 64
	// paceRate bounds a client to that many times its share of the limit,
	// spread evenly over the window: the account's requests flow evenly
	// rather than spend the window in a burst that the sliding window then
	// hands back at once, every window.
	paceRate = 1.1
	// paceRateShareFloor is the least share that bound is given: a
	// process joining an account that others spend reaches its part in a
	// few windows.
	paceRateShareFloor = 1.0 / 16
)

// accountPacer paces a client by the account's budget as Zendesk reports
// it on every answer (limit L, remaining R, and with ratelimit-reset the
// time until the oldest request leaves the window). It keeps no count of
// the account of its own: Zendesk's count is the state every process of the
// account shares, and pacing by it is what makes them cooperate with no
// coordinator. docs/design.md ("Account pacing") states the algorithm, its
// assumptions and its failure modes.
//
// A request may go when the available budget
//
//	A = R − keep − pending + departed
//
// is at least 1, and then no sooner than H / (A × w) after the previous
// one. keep is the headroom (WithHeadroom) and a reserve; pending are the
// client's own requests that the latest observation did not count (sent
// after it, or still unanswered when it arrived); departed are the
// client's own requests counted in it that have left the window since
// (Zendesk counts a request before it answers, so one answered a window ago
// has left it). H is the horizon the budget is spread over (a hundredth of
// the window, or four round trips if longer), and w the client's share of
// the requests the account counted in the window (1 until there are
// enough, never below paceShareFloor): the clients of an account together
// spread A over H, whatever their number, so that what they let go before
// they see each other's requests in R stays a small part of A.
//
// When A is below 1, the client waits for what changes it: an answer on
// its way, one of its own requests leaving the window, or (with neither)
// the reset Zendesk reported, when one request goes to learn the new R. A
// 429 with a Retry-After the retry policy waits out holds every request of
// the client until it has passed. Until the first answer arrives one
// request goes at a time, so that a client with many callers does not
// burst before it knows the limit; answers without the headers (or with
// values that are not numbers, or negative) leave the client unpaced.
type accountPacer struct {
	window   time.Duration // the account's window: a minute, scaled
	headroom float64
	maxBlock time.Duration // the longest Retry-After that holds requests

	mu       sync.Mutex
	seq      uint64 // requests let go
	answered bool   // an answer arrived
	inFlight int    // requests let go and not yet answered
	limit    int    // -1: not reported
	remain   int
	reset    time.Duration
	obsSeq   uint64 // the request whose answer gave the latest observation
	obsAt    time.Time
	rtt      time.Duration // a moving average of the time from letting go to answer
	sent     []*sendRecord // the client's requests still of use, oldest first
	history  []observation // the observations of the last paceRateSpan horizons, oldest first
	last     time.Time     // when the latest request was let go (or due, see wait)
	gap      time.Duration // the spacing next computed last
	blocked  time.Time     // no request before (a 429's Retry-After)
	news     chan struct{} // closed, and replaced, when an answer arrives
}

// sendRecord is one request of the client: when it was let go and when its
// answer arrived (zero until then).
type sendRecord struct {
	seq            uint64
	sent, answered time.Time
}

func newAccountPacer(scale, headroom float64, maxBlock time.Duration) *accountPacer {
	return &accountPacer{window: time.Duration(float64(time.Minute) / scale), headroom: headroom, maxBlock: maxBlock,
		limit: -1, remain: -1, news: make(chan struct{})}
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
			// The next request is spaced from when this one was due, not
			// from when it went: a timer that fires late must not slow the
			// flow below its pace (late by less than a gap, no burst).
			a.last = now
			if !until.IsZero() && now.Sub(until) < a.gap {
				a.last = until
			}
			a.prune(now)
			a.sent = append(a.sent, &sendRecord{seq: a.seq, sent: now})
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
		var err error
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-news:
		case <-expired:
		}
		if timer != nil {
			timer.Stop()
		}
		if err != nil {
			return 0, err
		}
		a.mu.Lock()
	}
}

// prune drops the records no longer needed: answered more than two
// windows ago. It is called with a.mu held.
func (a *accountPacer) prune(now time.Time) {
	cut := 0
	for cut < len(a.sent) && !a.sent[cut].answered.IsZero() && now.Sub(a.sent[cut].answered) > 2*a.window {
		cut++
	}
	if cut > 0 {
		a.sent = append(a.sent[:0], a.sent[cut:]...)
	}
}

// observation is the remaining budget an answer reported.
type observation struct {
	at     time.Time
	remain int
	seq    uint64
}

// othersRate is how fast other processes spend the account's budget, net
// of their requests that leave the window, in requests a second: how fast
// R fell over the observations of the last paceRateSpan horizons, less the
// client's own requests counted between them and plus its own that left the
// window; 0 when it does not fall or is not known. It is called with a.mu
// held.
func (a *accountPacer) othersRate() float64 {
	if len(a.history) < 2 {
		return 0
	}
	o, n := a.history[0], a.history[len(a.history)-1]
	span := n.at.Sub(o.at)
	if span < time.Millisecond {
		return 0
	}
	left := 0
	for _, r := range a.sent {
		if !r.answered.IsZero() {
			if t := r.answered.Add(a.window); t.After(o.at) && !t.After(n.at) {
				left++
			}
		}
	}
	fell := float64(o.remain-n.remain) - float64(n.seq-o.seq) + float64(left)
	return max(0, fell/span.Seconds())
}

// horizon is the time over which the available budget is spread.
func (a *accountPacer) horizon() time.Duration {
	return max(time.Duration(float64(a.window)*paceHorizon), paceRTTs*a.rtt)
}

// next says whether a request may go now and, when it may not, until when
// to wait (zero: no time set) and for which news (nil: none): the next
// answer to arrive, after which it asks again. It is called with a.mu held.
func (a *accountPacer) next(now time.Time) (ok bool, until time.Time, news chan struct{}) {
	a.gap = 0
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
	if a.inFlight > 0 {
		news = a.news
	}
	pending, departed, own := 0, 0, 0
	var nextDeparture time.Time // when the next of the client's requests leaves the window
	for _, r := range a.sent {
		counted := r.seq == a.obsSeq || (r.seq < a.obsSeq && !r.answered.IsZero() && r.answered.Before(a.obsAt))
		if !counted {
			pending++
		}
		if r.sent.After(now.Add(-a.window)) {
			own++
		}
		if r.answered.IsZero() {
			continue
		}
		left := r.answered.Add(a.window)
		switch {
		case !left.After(now):
			// It left the window; it was in the observation's if it was
			// counted and sent less than a window before it.
			if r.sent.After(a.obsAt.Add(-a.window)) {
				departed++
			}
		case nextDeparture.IsZero() || left.Before(nextDeparture):
			nextDeparture = left
		}
	}
	// What other processes spent since the observation, and will have by
	// the time a request let go now arrives.
	// (Over a horizon at most: an older rate says little of now.)
	others := 0
	if since := now.Sub(a.obsAt); since < paceRateSpan*a.horizon() {
		others = int(math.Ceil(a.othersRate() * (min(since, a.horizon()) + a.rtt/2).Seconds()))
	}
	// The client's share of the account's window.
	w := 1.0
	if counted := a.limit - a.remain + pending; counted >= paceShareMin {
		w = min(1, max(paceShareFloor, float64(own)/float64(counted)))
	}
	// The reserve is larger for a larger share: when the account is spent,
	// the clients with the smaller shares claim what frees up first, so
	// that a process that joins an account others spend whole still grows
	// to its part.
	reserve := max(paceReserveMin, int(math.Ceil(float64(a.limit)*paceReserve*(1+w))))
	keep := int(math.Ceil(float64(a.limit)*a.headroom)) + reserve
	avail := a.remain - keep - pending + departed - others
	if avail >= 1 {
		gap := max(float64(a.horizon())/(float64(avail)*w), float64(a.window)/(paceRate*max(w, paceRateShareFloor)*float64(a.limit)*(1-a.headroom)))
		a.gap = time.Duration(gap)
		until = a.last.Add(a.gap)
		return !now.Before(until), until, news
	}
	// Spent: wait for an answer on its way or for a request of our own to
	// leave the window; with neither, one request goes once the budget
	// grows, to learn the new R.
	if !nextDeparture.IsZero() {
		return false, nextDeparture, news
	}
	if news != nil {
		return false, time.Time{}, news
	}
	until = a.obsAt.Add(max(a.reset, time.Millisecond))
	if a.last.After(a.obsAt) {
		until = a.last.Add(max(a.reset, a.horizon()))
	}
	return !now.Before(until), until, nil
}

// done records the answer to request seq: h holds its headers when it came
// from Zendesk (nil for a failure, or another host's answer), status its
// status code.
func (a *accountPacer) done(seq uint64, h http.Header, status int, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inFlight--
	a.answered = true
	for _, r := range a.sent {
		if r.seq == seq {
			r.answered = now
			if d := now.Sub(r.sent); a.rtt == 0 {
				a.rtt = d
			} else {
				a.rtt += (d - a.rtt) / 8
			}
			break
		}
	}
	if h != nil {
		if status == http.StatusTooManyRequests {
			// A Retry-After longer than the retry policy waits out fails
			// the call instead; it holds no other.
			if ra, ok := parseRetryAfter(h.Get("Retry-After"), now); ok && ra <= a.maxBlock && now.Add(ra).After(a.blocked) {
				a.blocked = now.Add(ra)
			}
		}
		if seq > a.obsSeq {
			hdr := readAccountHeaders(h)
			limit, remain := hdr.limit, hdr.remaining
			if status == http.StatusTooManyRequests && limit > 0 && remain < 0 {
				remain = 0
			}
			if limit > 0 && remain >= 0 {
				a.limit, a.remain, a.obsSeq, a.obsAt = limit, min(remain, limit), seq, now
				cut := 0
				for cut < len(a.history)-1 && now.Sub(a.history[cut].at) > paceRateSpan*a.horizon() {
					cut++
				}
				a.history = append(a.history[cut:], observation{at: now, remain: a.remain, seq: seq})
				a.reset = 0
				if hdr.reset > 0 && hdr.reset < time.Hour {
					a.reset = hdr.reset
				}
			}
		}
	}
	close(a.news)
	a.news = make(chan struct{})
}
