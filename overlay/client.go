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
// (nil gives plain errors that carry the status).
func New(c *generated.ClientWithResponses, check ResponseChecker) *Client {
	return &Client{ClientWithResponses: c, raw: c.ClientInterface, check: check}
}
