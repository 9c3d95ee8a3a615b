package zendesktest

import (
	"maps"
	"sync"
)

// Stats counts what the server saw and did, for tests to assert on.
type Stats struct {
	// Requests counts requests by operationId; requests that matched no
	// operation count under "".
	Requests map[string]int
	// Statuses counts answers by HTTP status (connection resets count
	// under 0).
	Statuses map[int]int
	// Faults counts injected faults by kind.
	Faults map[FaultKind]int
	// FaultsByOperation counts injected faults by operationId.
	FaultsByOperation map[string]int
	// RateLimited counts 429s answered by the per-endpoint and account
	// rate limits (not injected ones), by operationId.
	RateLimited map[string]int
	// Invalid counts requests refused because they break the spec (400).
	Invalid int
	// Unauthorized counts requests refused for their credentials (401).
	Unauthorized int
	// InvalidResponses counts answers that did not match the spec (with
	// WithResponseValidation).
	InvalidResponses int
	// Panics counts handler panics turned into 500s (a bug in the fake).
	Panics int
	// IdempotencyHits counts requests answered from an earlier request with
	// the same Idempotency-Key.
	IdempotencyHits int
}

// Total is the number of requests.
func (s Stats) Total() int {
	n := 0
	for _, c := range s.Requests {
		n += c
	}
	return n
}

// TotalFaults is the number of injected faults.
func (s Stats) TotalFaults() int {
	n := 0
	for _, c := range s.Faults {
		n += c
	}
	return n
}

type counters struct {
	mu sync.Mutex
	s  Stats
}

func newCounters() *counters {
	c := &counters{}
	c.reset()
	return c
}

func (c *counters) reset() {
	c.mu.Lock()
	c.s = Stats{Requests: map[string]int{}, Statuses: map[int]int{}, Faults: map[FaultKind]int{}, FaultsByOperation: map[string]int{}, RateLimited: map[string]int{}}
	c.mu.Unlock()
}

func (c *counters) update(f func(s *Stats)) {
	c.mu.Lock()
	f(&c.s)
	c.mu.Unlock()
}

func (c *counters) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.s
	out.Requests = maps.Clone(c.s.Requests)
	out.Statuses = maps.Clone(c.s.Statuses)
	out.Faults = maps.Clone(c.s.Faults)
	out.FaultsByOperation = maps.Clone(c.s.FaultsByOperation)
	out.RateLimited = maps.Clone(c.s.RateLimited)
	return out
}
