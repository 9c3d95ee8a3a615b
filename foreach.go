package zendesk

import (
	"context"
	"sync"
)

// ForEach calls f for every item of items, at most n calls at a time, and
// returns one error per item, in the order of items: nil where f
// succeeded, f's error where it failed, and ctx's error for the items not
// started once ctx is done. errors.Join(errs...) is nil when every call
// succeeded. It returns when every call started has returned; a failed item
// does not stop the others (cancel ctx from f to stop them).
//
// It is how to spend the account's budget with many calls at once: the
// client paces every request by Zendesk's rate-limit headers, so n callers
// sharing one client reach the account's limit and stay at it, with no 429,
// however large n is (the calls beyond the limit wait in the pacer). n
// needs to cover the round trip only: a limit of 700 a minute (about 12 a
// second) with answers that take 300 ms is spent by 4 callers; 8 to 16 is
// a good default. An n below 1 is taken as 1.
//
// f is called from n goroutines: it must be safe for concurrent use, and it
// should pass ctx (derived from the ctx given) to the client's calls.
func ForEach[T any](ctx context.Context, items []T, n int, f func(ctx context.Context, item T) error) []error {
	errs := make([]error, len(items))
	n = max(1, min(n, len(items)))
	next := make(chan int)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = f(ctx, items[i])
			}
		}()
	}
	i := 0
feed:
	for ; i < len(items); i++ {
		if ctx.Err() != nil {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	for ; i < len(items); i++ {
		errs[i] = ctx.Err()
	}
	wg.Wait()
	return errs
}
