// Package reliability holds the client's end-to-end reliability tests: long
// iterations and bulk jobs through the fake Zendesk while it injects rate
// limits, server errors, truncated bodies, connection resets and slow
// answers, exports interrupted and resumed from atomic, checked checkpoint
// files, and a table of bad input. Everything must arrive exactly once, with
// no goroutine left behind; the job soak checks exactly-once on the server's
// state, using only what Zendesk guarantees (Idempotency-Key on ticket
// creation, lookups by external_id otherwise).
//
// With -short (CI's race detector run) the soak iterates a fifth of the
// records and the resume test stops at fewer random points, under the same
// faults.
package reliability
