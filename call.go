package zendesk

import (
	"context"
	"net/http"

	"github.com/zdapi/zendesk/overlay"
)

// RequestEditorFn changes a request before it is sent: a header, or a query
// parameter the params struct lacks. It is given the call's context.
type RequestEditorFn = overlay.RequestEditorFn

// CallOption changes one call of an operation method: see
// WithRequestEditor, WithQuery and KeepResponse.
type CallOption func(*overlay.CallOptions)

// WithRequestEditor has fn change the call's request before it is sent.
func WithRequestEditor(fn RequestEditorFn) CallOption {
	return func(o *overlay.CallOptions) {
		if fn != nil {
			o.Editors = append(o.Editors, fn)
		}
	}
}

// WithQuery adds a query parameter to the call's request, beside those of
// its params struct: WithQuery("include", "users").
func WithQuery(name, value string) CallOption {
	return WithRequestEditor(func(_ context.Context, req *http.Request) error {
		q := req.URL.Query()
		q.Add(name, value)
		req.URL.RawQuery = q.Encode()
		return nil
	})
}

// KeepResponse stores the HTTP response of a successful call in *resp: its
// status, its headers, and its body, the bytes Zendesk sent, unread (the
// call has decoded a copy). Nothing is stored when the call fails: the
// error carries what Zendesk answered (see APIError).
func KeepResponse(resp **http.Response) CallOption {
	return func(o *overlay.CallOptions) { o.Response = resp }
}

// call sends one operation's request and decodes its success body into out.
// call and fetch are not inlined: each of the 417 operation methods would
// otherwise get its own copy of them, and the build its cost. The request
// is passed by address, which spares every method the code of copying it.
//
//go:noinline
func (c *Client) call(ctx context.Context, r *overlay.Request, out any, opts []CallOption) (int, error) {
	var o overlay.CallOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return c.o.Call(ctx, *r, out, o)
}

// fetch is the page fetcher of a listing: the request, with the
// iterator's editor for the page's position.
//
//go:noinline
func (c *Client) fetch(r overlay.Request) overlay.Fetch {
	return func(ctx context.Context, edit overlay.RequestEditorFn) (*http.Response, error) {
		return c.o.Send(ctx, r, edit)
	}
}
