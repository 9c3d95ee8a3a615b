// Package overlay adds to the generated client what a generator cannot
// give: iteration over every paginated operation (cursor, offset and
// incremental exports, resumable, with prefetch and de-duplication) and
// waiting for background jobs.
//
// The iterators and wait helpers of each operation are generated from the
// spec's x-zendesk-pagination and x-zendesk-job annotations into
// zz_operations.gen.go; the hand-written core (Pages, All, WaitJob) is shared
// by all of them. Most programs use them through the root package
// (github.com/zdapi/zendesk), whose Client embeds this one.
package overlay

import (
	"context"
	"errors"
	"fmt"

	"github.com/zdapi/zendesk/generated"
)

// Client is the generated client with iterators and job helpers.
type Client struct {
	// ClientWithResponses gives every operation, typed
	// (<Operation>WithResponse) and raw (<Operation>, returning the
	// *http.Response). Client declares each typed method again, generated,
	// so that its errors (a failed request, a body that does not decode)
	// say which operation failed.
	*generated.ClientWithResponses

	raw   generated.ClientInterface
	check ResponseChecker
}

// New wraps a generated client. check turns non-2xx responses into errors
// (nil gives plain errors that carry the status). Every call of the
// returned client, raw and typed, is checked before its request is built:
// a nil context, or a path parameter that is empty, "." or "..", is an
// error (see ErrBadPathParam), and nothing is sent.
func New(c *generated.ClientWithResponses, check ResponseChecker) *Client {
	raw := checkedClient{c.ClientInterface}
	return &Client{ClientWithResponses: &generated.ClientWithResponses{ClientInterface: raw}, raw: raw, check: check}
}

// ErrBadPathParam is matched (errors.Is) by the error of a call given a
// path parameter that is empty, "." or "..": such a value would change the
// endpoint once the URL is resolved (DeleteUserField(ctx, "..") would
// become DELETE /api/v2/), so the call is refused before anything is sent.
var ErrBadPathParam = errors.New("path parameter is empty, \".\" or \"..\"")

// ErrNilContext is matched (errors.Is) by the error of a call given a nil
// context, as http.NewRequestWithContext refuses one.
var ErrNilContext = errors.New("nil context")

// checkCall refuses a nil context and path parameters (name, value pairs)
// that would change the endpoint the request goes to.
func checkCall(ctx context.Context, op string, params ...string) error {
	if ctx == nil {
		return fmt.Errorf("%s: %w", op, ErrNilContext)
	}
	for i := 0; i+1 < len(params); i += 2 {
		switch v := params[i+1]; v {
		case "", ".", "..":
			return fmt.Errorf("%s: %s is %q: %w", op, params[i], v, ErrBadPathParam)
		}
	}
	return nil
}
