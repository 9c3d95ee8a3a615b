package zendesktest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// FaultKind is a kind of fault the server can inject.
type FaultKind int

// The faults. Each is what a client meets from Zendesk or the proxies in
// front of it.
const (
	// FaultNone lets the request through (a pause in a script).
	FaultNone FaultKind = iota
	// FaultRateLimit answers 429 with Retry-After, as Zendesk does when the
	// account's limit is reached.
	FaultRateLimit
	// FaultServerError answers 500 with a JSON error.
	FaultServerError
	// FaultUnavailable answers 503 with Retry-After (maintenance, overload).
	FaultUnavailable
	// FaultSlow answers normally after a delay.
	FaultSlow
	// FaultTruncated answers normally but the body stops half-way: the
	// connection closes before the Content-Length is reached.
	FaultTruncated
	// FaultReset resets the connection without answering.
	FaultReset
	// FaultHTML answers with an HTML error page (502 by default), as a
	// load balancer does.
	FaultHTML
)

var faultNames = []string{"none", "rate_limit", "server_error", "unavailable", "slow", "truncated", "reset", "html"}

// String names the fault ("rate_limit", "truncated"...).
func (k FaultKind) String() string {
	if k < 0 || int(k) >= len(faultNames) {
		return fmt.Sprintf("FaultKind(%d)", int(k))
	}
	return faultNames[k]
}

// Fault is one injected fault.
type Fault struct {
	// Kind is what happens to the request.
	Kind FaultKind
	// RetryAfter is the Retry-After of FaultRateLimit and FaultUnavailable
	// (default 1s; it is not scaled by WithTimeScale).
	RetryAfter time.Duration
	// Delay is how long FaultSlow waits (default 2s).
	Delay time.Duration
	// Status is the status of FaultHTML (default 502) and FaultServerError
	// (default 500); it must be 500 to 599.
	Status int
}

func (f Fault) validate() error {
	switch {
	case f.Kind < FaultNone || f.Kind > FaultHTML:
		return fmt.Errorf("unknown fault kind %d", int(f.Kind))
	case f.RetryAfter < 0 || f.Delay < 0:
		return fmt.Errorf("fault %s: negative duration", f.Kind)
	case f.Status != 0 && (f.Status < 500 || f.Status > 599):
		return fmt.Errorf("fault %s: status %d is not a 5xx", f.Kind, f.Status)
	}
	return nil
}

// withDefaults fills the fault's unset fields.
func (f Fault) withDefaults() Fault {
	if f.RetryAfter == 0 && (f.Kind == FaultRateLimit || f.Kind == FaultUnavailable) {
		f.RetryAfter = time.Second
	}
	if f.Delay == 0 && f.Kind == FaultSlow {
		f.Delay = 2 * time.Second
	}
	if f.Status == 0 {
		switch f.Kind {
		case FaultHTML:
			f.Status = 502
		case FaultServerError:
			f.Status = 500
		case FaultUnavailable:
			f.Status = 503
		}
	}
	return f
}

// FaultRates are the probabilities, per request, of each fault (their sum
// at most 1).
type FaultRates struct {
	// RateLimit ... HTML are the probabilities of FaultRateLimit ...
	// FaultHTML, from 0 to 1.
	RateLimit, ServerError, Unavailable, Slow, Truncated, Reset, HTML float64
	// Operations limits the faults to these operationIds (all operations
	// when empty).
	Operations []string
	// RetryAfter, Delay: as in Fault.
	RetryAfter, Delay time.Duration
}

func (r FaultRates) validate() error {
	sum := 0.0
	for _, p := range []float64{r.RateLimit, r.ServerError, r.Unavailable, r.Slow, r.Truncated, r.Reset, r.HTML} {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("rate %v is not a probability", p)
		}
		sum += p
	}
	if sum > 1+1e-9 {
		return fmt.Errorf("the rates add up to %v, more than 1", sum)
	}
	if r.RetryAfter < 0 || r.Delay < 0 {
		return errors.New("negative duration")
	}
	return nil
}

type script struct {
	op     string
	faults []Fault
}

// faults decides the fault of each request: scripted ones first, then
// random ones at the configured rates.
type faults struct {
	mu      sync.Mutex
	scripts []script
	rates   *FaultRates
	rng     *rand.Rand
}

func newFaults(seed int64, rates *FaultRates, scripts []script) *faults {
	return &faults{scripts: scripts, rates: rates, rng: rand.New(rand.NewPCG(uint64(seed), 0x5eed))}
}

func (f *faults) add(s script) {
	f.mu.Lock()
	f.scripts = append(f.scripts, s)
	f.mu.Unlock()
}

// next returns the fault for a request of operation op.
func (f *faults) next(op string) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.scripts {
		s := &f.scripts[i]
		if len(s.faults) == 0 || (s.op != "" && s.op != op) {
			continue
		}
		fault := s.faults[0]
		s.faults = s.faults[1:]
		return fault.withDefaults()
	}
	r := f.rates
	if r == nil || (len(r.Operations) > 0 && !slices.Contains(r.Operations, op)) {
		return Fault{}
	}
	x := f.rng.Float64()
	for _, c := range []struct {
		p    float64
		kind FaultKind
	}{{r.RateLimit, FaultRateLimit}, {r.ServerError, FaultServerError}, {r.Unavailable, FaultUnavailable}, {r.Slow, FaultSlow}, {r.Truncated, FaultTruncated}, {r.Reset, FaultReset}, {r.HTML, FaultHTML}} {
		if x < c.p {
			return Fault{Kind: c.kind, RetryAfter: r.RetryAfter, Delay: r.Delay}.withDefaults()
		}
		x -= c.p
	}
	return Fault{}
}

// pending reports how many scripted faults are still to come.
func (f *faults) pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.scripts {
		n += len(s.faults)
	}
	return n
}

const htmlErrorPage = `<!DOCTYPE html>
<html>
<head><title>%d %s</title></head>
<body>
<center><h1>%d %s</h1></center>
<hr><center>zendesktest (injected fault)</center>
</body>
</html>
`
