package overlay

import (
	"errors"
	"fmt"
)

// StalledError is returned when Zendesk gives back the position it was asked
// for: going on would fetch the same page forever. For time-based incremental
// exports it means more records share one second than a page holds; use the
// cursor-based export, or a larger page.
type StalledError struct {
	Operation string
	Position  Position
}

// Error says which operation stalled, and where.
func (e *StalledError) Error() string {
	return fmt.Sprintf("%s: pagination does not advance past %s", e.Operation, e.Position)
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
	msg := fmt.Sprintf("%s: offset pagination stops at page %d of %d records: Zendesk serves at most %d pages or %d records this way; narrow the query or use a cursor-paginated or export endpoint",
		e.Operation, e.Page, e.PageSize, offsetMaxPages, offsetMaxRecords)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
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
