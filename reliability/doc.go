// Package reliability holds the client's end-to-end reliability tests: long
// iterations and bulk jobs through the fake Zendesk while it injects rate
// limits, server errors, truncated bodies, connection resets and slow
// answers, and exports interrupted and resumed. Everything must arrive
// exactly once, with no goroutine left behind.
package reliability
