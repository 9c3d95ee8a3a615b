package overlay

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"reflect"
)

// Page, typedPages and All are the typed views of Pages and EachRecord the
// root package builds (its Page and its all and pages functions), for the
// tests of this package.
type Page[T any] struct {
	Items       []T
	Position    Position
	Next        Position
	More        bool
	EndOfStream bool
	Count       *int64
	Extra       map[string]json.RawMessage
	Header      http.Header
}

func typedPages[T any](ctx context.Context, l Listing, fetch Fetch, check ResponseChecker, opts ...ListOption) iter.Seq2[*Page[T], error] {
	return func(yield func(*Page[T], error) bool) {
		for ps, err := range Pages(ctx, l, fetch, check, RecordsOf(reflect.TypeFor[T]()), opts) {
			if err != nil {
				yield(nil, err)
				return
			}
			p := &Page[T]{Items: ps.Items.(*Records).Slice().([]T), Position: ps.Position, Next: ps.Next, More: ps.More,
				EndOfStream: ps.EndOfStream, Count: ps.Count, Extra: ps.Extra, Header: ps.Header}
			if !yield(p, nil) {
				return
			}
		}
	}
}

func All[T any](ctx context.Context, l Listing, fetch Fetch, check ResponseChecker, opts ...ListOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		err := EachRecord(ctx, l, fetch, check, RecordsOf(reflect.TypeFor[T]()), opts, func(items Sink, i int) bool {
			return yield(items.(*Records).Slice().([]T)[i], nil)
		})
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}
