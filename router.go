package zendesk

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/zdapi/zendesk/overlay"
)

// router finds the operation a request is for, from the spec's method and
// path templates, so the transport can apply the operation's annotations to
// any call — typed, raw, or an iterator's.
type router struct {
	// byShape holds the operations by method and number of segments.
	byShape map[string][]route
}

type route struct {
	op   *overlay.OperationInfo
	segs []string // "" for a template parameter
	keys []string // parameter name per segment, "" for literals
	lits int      // number of literal segments
}

func newRouter(ops []overlay.OperationInfo) *router {
	r := &router{byShape: map[string][]route{}}
	for i := range ops {
		op := &ops[i]
		parts := strings.Split(strings.Trim(op.Path, "/"), "/")
		rt := route{op: op, segs: make([]string, len(parts)), keys: make([]string, len(parts))}
		for j, p := range parts {
			if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
				rt.keys[j] = p[1 : len(p)-1]
				continue
			}
			rt.segs[j] = p
			rt.lits++
		}
		k := shapeKey(op.Method, len(parts))
		r.byShape[k] = append(r.byShape[k], rt)
	}
	return r
}

func shapeKey(method string, n int) string { return method + " " + strconv.Itoa(n) }

// match returns the operation of a request path (the API path, without the
// base URL's own prefix) and its path parameter values. The most literal
// match wins: /api/v2/tickets/count is CountTickets, not ShowTicket.
func (r *router) match(method, path string) (*overlay.OperationInfo, map[string]string) {
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".json")
	parts := strings.Split(path, "/")
	var best *route
	for i, rt := range r.byShape[shapeKey(method, len(parts))] {
		ok := true
		for j, s := range rt.segs {
			if rt.keys[j] == "" && s != parts[j] {
				ok = false
				break
			}
		}
		if ok && (best == nil || rt.lits > best.lits) {
			best = &r.byShape[shapeKey(method, len(parts))][i]
		}
	}
	if best == nil {
		return nil, nil
	}
	params := map[string]string{}
	for j, k := range best.keys {
		if k != "" {
			v, err := url.PathUnescape(parts[j])
			if err != nil {
				v = parts[j]
			}
			params[k] = v
		}
	}
	return best.op, params
}
