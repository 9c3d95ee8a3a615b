// Package callctx carries, in a request's context, what the overlay's
// typed methods tell the root package's transport about a call.
package callctx

import "context"

type bufferKey struct{}

// WithBuffer marks a call whose response body is read whole by its caller
// (a typed method decodes it at once): the transport may then read it
// before returning, and fetch it again when it is cut short. A nil ctx is
// returned as is, for the call to refuse.
func WithBuffer(ctx context.Context) context.Context {
	if ctx == nil {
		return nil
	}
	return context.WithValue(ctx, bufferKey{}, true)
}

// Buffer reports whether WithBuffer marked ctx.
func Buffer(ctx context.Context) bool {
	b, _ := ctx.Value(bufferKey{}).(bool)
	return b
}
