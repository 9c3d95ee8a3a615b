package zendesk

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"reflect"

	"github.com/zdapi/zendesk/overlay"
)

// Page is one page of a listing, as the <Operation>Pages iterators yield
// it. T is a pointer to the record type for records that are objects
// (Page[*Ticket]), the type itself for scalars (Page[string]).
type Page[T any] struct {
	// Items are the page's records, in the order Zendesk sent them (minus
	// those skipped when resuming in the middle of the page, and duplicates
	// dropped by WithDedup).
	Items []T
	// Position is where the page was fetched from.
	Position Position
	// Next is where the listing goes on after this page. Persist it once the
	// page is processed; WithStart(Next) resumes after it.
	Next Position
	// More reports whether Zendesk has another page now. An incremental
	// export that reached the present (EndOfStream) has none now: poll again
	// later from Next.
	More bool
	// EndOfStream is true when an incremental export reached the present.
	EndOfStream bool
	// Count is the response's count, when it has one: the total number of
	// records for offset pagination, the page's for incremental exports.
	Count *int64
	// Extra holds the response's other properties — sideloaded users,
	// groups, organizations... — as raw JSON, by property name; its Users,
	// Groups and Organizations methods decode the usual sideloads.
	Extra Sideloads
	// Header is the response's HTTP header (rate limits, request id).
	Header http.Header
}

// Sideloads are the properties of a page beside its records and its
// pagination: what an include parameter asked for (users, groups,
// organizations...), as raw JSON by property name.
type Sideloads map[string]json.RawMessage

// Users are the sideloaded users (include=users), nil when there are none.
func (s Sideloads) Users() ([]User, error) {
	var out []User
	return out, s.Decode("users", &out)
}

// Groups are the sideloaded groups (include=groups), nil when there are
// none.
func (s Sideloads) Groups() ([]Group, error) {
	var out []Group
	return out, s.Decode("groups", &out)
}

// Organizations are the sideloaded organizations (include=organizations),
// nil when there are none.
func (s Sideloads) Organizations() ([]Organization, error) {
	var out []Organization
	return out, s.Decode("organizations", &out)
}

// Decode decodes the sideload name into out, as json.Unmarshal does; out
// is left alone when the page has no such property.
func (s Sideloads) Decode(name string, out any) error {
	raw, ok := s[name]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("sideloaded %s: %w", name, err)
	}
	return nil
}

// pages is the typed view of overlay.Pages that the <Operation>Pages
// methods return. It and all are the only generic pieces of iteration, and
// are not inlined, so that each record type adds a few lines to a build.
//
//go:noinline
func pages[T any](ctx context.Context, c *Client, r *overlay.Request, opts []ListOption) iter.Seq2[*Page[T], error] {
	l, fetch := *r.Op.Listing, c.fetch(*r)
	return func(yield func(*Page[T], error) bool) {
		for ps, err := range overlay.Pages(ctx, l, fetch, checkResponse, overlay.RecordsOf(reflect.TypeFor[T]()), opts) {
			if err != nil {
				yield(nil, err)
				return
			}
			p := &Page[T]{Items: ps.Items.(*overlay.Records).Slice().([]T), Position: ps.Position, Next: ps.Next, More: ps.More,
				EndOfStream: ps.EndOfStream, Count: ps.Count, Extra: Sideloads(ps.Extra), Header: ps.Header}
			if !yield(p, nil) {
				return
			}
		}
	}
}

// all is the typed view of overlay.EachRecord that the <Operation>All and
// <Operation>AllRaw methods return.
//
//go:noinline
func all[T any](ctx context.Context, c *Client, r *overlay.Request, opts []ListOption) iter.Seq2[T, error] {
	l, fetch := *r.Op.Listing, c.fetch(*r)
	return func(yield func(T, error) bool) {
		var page overlay.Sink
		var records []T
		err := overlay.EachRecord(ctx, l, fetch, checkResponse, overlay.RecordsOf(reflect.TypeFor[T]()), opts, func(items overlay.Sink, i int) bool {
			if items != page {
				page, records = items, items.(*overlay.Records).Slice().([]T)
			}
			return yield(records[i], nil)
		})
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}
