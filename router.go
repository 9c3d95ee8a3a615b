package zendesk

import (
	"github.com/zdapi/zendesk/internal/pathmatch"
	"github.com/zdapi/zendesk/overlay"
)

// router finds the operation a request is for, from the spec's method and
// path templates, so the transport can apply the operation's annotations to
// any call — typed, raw, or an iterator's.
type router struct {
	t *pathmatch.Table[*overlay.OperationInfo]
}

func newRouter(ops []overlay.OperationInfo) *router {
	t := pathmatch.New[*overlay.OperationInfo]()
	for i := range ops {
		t.Add(ops[i].Method, ops[i].Path, &ops[i])
	}
	return &router{t}
}

// match returns the operation of an escaped request path (the API path,
// without the base URL's own prefix) and its path parameter values, each
// unescaped once, or nil.
func (r *router) match(method, path string) (*overlay.OperationInfo, map[string]string) {
	op, params, ok := r.t.Match(method, path)
	if !ok {
		return nil, nil
	}
	return op, params
}
