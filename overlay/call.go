package overlay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"github.com/zdapi/zendesk/internal/callctx"
)

// RequestEditorFn changes a request before it is sent: a header, a query
// parameter the params struct lacks. It is given the call's context.
type RequestEditorFn func(ctx context.Context, req *http.Request) error

// HTTPDoer sends a request: an *http.Client, or the root package's
// transport with its retries and pacing.
type HTTPDoer interface {
	Do(req *http.Request) (*http.Response, error)
}

// CallOptions are what the options of one call set (the root package's
// CallOption values fill them).
type CallOptions struct {
	// Editors change the request before it is sent, in order.
	Editors []RequestEditorFn
	// Response, when not nil, receives the HTTP response of a successful
	// call, its body holding the bytes Zendesk sent, unread.
	Response **http.Response
}

// Request is one call of an operation, before it is sent.
type Request struct {
	// Op is the operation.
	Op *OperationInfo
	// Path are the path parameters' values, in the order of the template.
	Path []any
	// Params is the operation's params struct (a pointer, may be nil):
	// each field tagged `form:"name"` is a query parameter, and each field
	// whose json name is one of Op.Headers a header.
	Params any
	// JSON, when not nil, is encoded as the JSON body.
	JSON any
	// Body, when not nil, is sent as is with ContentType.
	Body        io.Reader
	ContentType string
}

// Send builds the request of r and sends it: the raw call, whose response
// the caller reads and closes. A nil context and a path parameter that is
// empty, "." or ".." are errors before anything is built (see
// ErrBadPathParam).
func (c *Client) Send(ctx context.Context, r Request, edits ...RequestEditorFn) (*http.Response, error) {
	req, err := c.build(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, e := range edits {
		if e == nil {
			continue
		}
		if err := e(ctx, req); err != nil {
			return nil, callError(r.Op.ID, err)
		}
	}
	resp, err := c.doer.Do(req)
	if err != nil {
		return nil, callError(r.Op.ID, err)
	}
	return resp, nil
}

// Call sends r and decodes its JSON success body into out (a pointer; nil
// when the operation answers without a body). It returns the status
// Zendesk answered with. A body whose envelope is missing or null is an
// error, as is one that does not decode; every error names the operation.
func (c *Client) Call(ctx context.Context, r Request, out any, o CallOptions) (int, error) {
	if ctx == nil {
		return 0, fmt.Errorf("%s: %w", r.Op.ID, ErrNilContext)
	}
	resp, err := c.Send(callctx.WithBuffer(ctx), r, o.Editors...)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if c.check != nil {
		if err := c.check(resp); err != nil {
			return resp.StatusCode, callError(r.Op.ID, err)
		}
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, decodeError(r.Op.ID, resp, err)
	}
	if o.Response != nil {
		resp.Body = io.NopCloser(bytes.NewReader(body))
		*o.Response = resp
	}
	if out == nil || !slices.Contains(r.Op.JSONStatuses, resp.StatusCode) {
		return resp.StatusCode, nil
	}
	if keys := r.Op.EnvelopeOf(resp.StatusCode); len(keys) > 0 {
		if err := requireKeys(body, keys...); err != nil {
			return resp.StatusCode, decodeError(r.Op.ID, resp, err)
		}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return resp.StatusCode, decodeError(r.Op.ID, resp, err)
	}
	return resp.StatusCode, nil
}

// build makes the *http.Request of r.
func (c *Client) build(ctx context.Context, r Request) (*http.Request, error) {
	op := r.Op
	if ctx == nil {
		return nil, fmt.Errorf("%s: %w", op.ID, ErrNilContext)
	}
	path, err := expandPath(op, r.Path)
	if err != nil {
		return nil, err
	}
	u, err := c.server.Parse("." + path)
	if err != nil {
		return nil, callError(op.ID, err)
	}
	header := http.Header{}
	if err := encodeParams(op, r.Params, u, header); err != nil {
		return nil, err
	}
	var body io.Reader
	contentType := r.ContentType
	switch {
	case r.JSON != nil:
		b, err := json.Marshal(r.JSON)
		if err != nil {
			return nil, fmt.Errorf("%s: encode the request body: %w", op.ID, err)
		}
		body, contentType = bytes.NewReader(b), "application/json"
	case r.Body != nil:
		body = r.Body
	}
	req, err := http.NewRequestWithContext(ctx, op.Method, u.String(), body)
	if err != nil {
		return nil, callError(op.ID, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

// expandPath puts the path parameters into the operation's template, each
// escaped as one path segment.
func expandPath(op *OperationInfo, args []any) (string, error) {
	names := op.PathParams
	if len(args) != len(names) {
		return "", fmt.Errorf("%s: %d path parameters given, the path has %d", op.ID, len(args), len(names))
	}
	path := op.Path
	for i, name := range names {
		if s, ok := args[i].(string); ok {
			switch s {
			case "", ".", "..":
				return "", fmt.Errorf("%s: %s is %q: %w", op.ID, name, s, ErrBadPathParam)
			}
		}
		v, err := simpleParam(reflect.ValueOf(args[i]), true)
		if err != nil {
			return "", fmt.Errorf("%s: path parameter %s: %w", op.ID, name, err)
		}
		path = strings.Replace(path, "{"+name+"}", v, 1)
	}
	return path, nil
}

// encodeParams writes a params struct's set fields into the query of u and
// into header, in the struct's field order, as the OpenAPI form style asks:
// a list is comma separated unless the operation lists it in Exploded.
func encodeParams(op *OperationInfo, params any, u *url.URL, header http.Header) error {
	if params == nil {
		return nil
	}
	v := reflect.ValueOf(params)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("%s: params is a %s, not a struct", op.ID, v.Kind())
	}
	t := v.Type()
	var frags []string
	if u.RawQuery != "" {
		frags = append(frags, u.RawQuery)
	}
	for i := range t.NumField() {
		f := t.Field(i)
		fv := v.Field(i)
		if isUnset(fv) {
			continue
		}
		for fv.Kind() == reflect.Pointer {
			fv = fv.Elem()
		}
		if name, ok := tagName(f.Tag.Get("form")); ok {
			explode := fv.Kind() != reflect.Slice || slices.Contains(op.Exploded, name)
			frag, err := queryParam(name, fv, explode)
			if err != nil {
				return fmt.Errorf("%s: query parameter %s: %w", op.ID, name, err)
			}
			if frag != "" {
				frags = append(frags, frag)
			}
			continue
		}
		if name, ok := tagName(f.Tag.Get("json")); ok && slices.Contains(op.Headers, name) {
			s, err := simpleParam(fv, false)
			if err != nil {
				return fmt.Errorf("%s: header %s: %w", op.ID, name, err)
			}
			header.Set(name, s)
			continue
		}
		return fmt.Errorf("%s: params field %s is neither a query parameter nor a header", op.ID, f.Name)
	}
	u.RawQuery = strings.Join(frags, "&")
	return nil
}

// isUnset is true for a nil pointer, slice or map: a parameter not given.
func isUnset(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// tagName is the name of a struct tag's value ("include,omitempty").
func tagName(tag string) (string, bool) {
	name, _, _ := strings.Cut(tag, ",")
	return name, name != "" && name != "-"
}
