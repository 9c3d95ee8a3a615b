package overlay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
)

// StalledError is returned when a listing stops making progress: Zendesk
// gives back a cursor the listing already went through, or a time-based
// export's end_time does not pass its start time (more records share one
// second than a page holds: use the cursor-based export), or EmptyPages
// empty pages in a row each say that more follow. Going on would fetch
// the same pages forever.
type StalledError struct {
	Operation string
	// Position is the position of the page that did not advance.
	Position Position
	// EmptyPages is the number of empty pages in a row, when that is why.
	EmptyPages int

	hint string
}

// Error says which operation stalled, where, and why.
func (e *StalledError) Error() string {
	if e.EmptyPages > 0 {
		return fmt.Sprintf("%s: pagination stopped at %s after %d empty pages in a row that each said more follow", e.Operation, e.Position, e.EmptyPages)
	}
	msg := fmt.Sprintf("%s: pagination does not advance past %s", e.Operation, e.Position)
	if e.hint != "" {
		msg += ": " + e.hint
	}
	return msg
}

// DepthLimitError is returned when offset pagination reaches Zendesk's
// limit (100 pages, 10,000 records). Endpoints that also offer cursor
// pagination never hit it: their iterators use cursors.
type DepthLimitError struct {
	Operation string
	// Page is the page that would pass the limit, PageSize the page size.
	Page, PageSize int
	// Err is Zendesk's answer, when it refused the page itself.
	Err error
}

// Error says where offset pagination stopped and what to use instead.
func (e *DepthLimitError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: Zendesk refused offset page %d of %d records, past its depth limit; narrow the query or use a cursor-paginated or export endpoint: %v",
			e.Operation, e.Page, e.PageSize, e.Err)
	}
	return fmt.Sprintf("%s: offset pagination stops at page %d of %d records: Zendesk serves at most %d pages or %d records this way; narrow the query or use a cursor-paginated or export endpoint",
		e.Operation, e.Page, e.PageSize, offsetMaxPages, offsetMaxRecords)
}

// Unwrap gives Zendesk's answer, when it refused the page itself.
func (e *DepthLimitError) Unwrap() error { return e.Err }

// statusOf returns the HTTP status an error carries (an error with an
// HTTPStatus() int method, such as the root package's APIError), or 0.
func statusOf(err error) int {
	var s interface{ HTTPStatus() int }
	if errors.As(err, &s) {
		return s.HTTPStatus()
	}
	return 0
}

// callError names the operation whose request failed.
func callError(op string, err error) error {
	return fmt.Errorf("%s: %w", op, err)
}

// decodeError names the operation whose response could not be decoded,
// and the response's status.
func decodeError(op string, rsp *http.Response, err error) error {
	return fmt.Errorf("%s: decode the HTTP %d response: %w", op, rsp.StatusCode, err)
}

// requireKeys checks that a JSON object has each of keys, not null: the
// envelope of a response ({"ticket": {...}}). The generated typed methods
// use it, with the keys the spec requires.
func requireKeys(body []byte, keys ...string) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("the body is not a JSON object")
	}
	seen := make([]bool, len(keys))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		key, _ := tok.(string)
		if i := slices.Index(keys, key); i >= 0 {
			if bytes.Equal(v, []byte("null")) {
				return fmt.Errorf("%q is null", key)
			}
			seen[i] = true
		}
	}
	if i := slices.Index(seen, false); i >= 0 {
		return fmt.Errorf("the body has no %q", keys[i])
	}
	return nil
}

// statusError is the error for a non-2xx answer when no checker is set.
type statusError struct {
	status int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("unexpected HTTP status %d %s", e.status, http.StatusText(e.status))
}

// HTTPStatus is the response's status code.
func (e *statusError) HTTPStatus() int { return e.status }
