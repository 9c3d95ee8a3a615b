// Package overlay is the generic machinery behind every operation: one
// request builder and decoder driven by a table of the spec's operations
// (Operations, generated from spec/zendesk.yaml), iteration over every
// paginated operation (cursor, offset and incremental exports, resumable,
// with prefetch and de-duplication) into records of any type, and the
// cutting of a bulk call whose list is longer than one call takes. It knows
// no model: the root package, where the models are, gives the records their
// type and waits for background jobs.
//
// Nothing in it is written per operation. Programs use it through the root
// package (github.com/zdapi/zendesk), whose Client has a method for each
// operation that calls into this one.
package overlay

import (
	"errors"
	"net/url"
	"strings"
)

// Client sends the operations of the spec (see Send and Call), iterates
// over their pages and waits for their jobs. The root package's Client
// wraps one, with a method per operation.
type Client struct {
	server *url.URL
	doer   HTTPDoer
	check  ResponseChecker
}

// New makes a client that sends every request to server (the account's
// base URL, such as https://acme.zendesk.com) through doer. check turns
// non-2xx responses into errors (nil gives plain errors that carry the
// status).
func New(server string, doer HTTPDoer, check ResponseChecker) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(server, "/") + "/")
	if err != nil {
		return nil, err
	}
	if doer == nil {
		return nil, errors.New("overlay: nil HTTPDoer")
	}
	return &Client{server: u, doer: doer, check: check}, nil
}

// ErrBadPathParam is matched (errors.Is) by the error of a call given a
// path parameter that is empty, "." or "..": such a value would change the
// endpoint once the URL is resolved (DeleteUserField(ctx, "..") would
// become DELETE /api/v2/), so the call is refused before anything is sent.
var ErrBadPathParam = errors.New("path parameter is empty, \".\" or \"..\"")

// ErrNilContext is matched (errors.Is) by the error of a call given a nil
// context, as http.NewRequestWithContext refuses one.
var ErrNilContext = errors.New("nil context")
