// Package pathmatch finds which path template of a spec a request path
// matches ("/api/v2/tickets/{ticket_id}" for "/api/v2/tickets/123"), for
// the client's transport and the fake server alike.
package pathmatch

import (
	"net/url"
	"strconv"
	"strings"
)

// Table holds path templates by method, each with its value.
type Table[T any] struct {
	byShape map[string][]route[T]
}

type route[T any] struct {
	value T
	segs  []string // literal segments, "" for a parameter
	keys  []string // parameter names, "" for a literal
	lits  int      // number of literal segments
}

// New returns an empty table.
func New[T any]() *Table[T] { return &Table[T]{byShape: map[string][]route[T]{}} }

func shape(method string, n int) string { return method + " " + strconv.Itoa(n) }

// Add adds a method and path template ("/api/v2/tickets/{ticket_id}").
func (t *Table[T]) Add(method, template string, v T) {
	parts := strings.Split(strings.Trim(template, "/"), "/")
	r := route[T]{value: v, segs: make([]string, len(parts)), keys: make([]string, len(parts))}
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			r.keys[i] = p[1 : len(p)-1]
			continue
		}
		r.segs[i] = p
		r.lits++
	}
	k := shape(method, len(parts))
	t.byShape[k] = append(t.byShape[k], r)
}

// Match finds the template a request path matches, and the values of its
// parameters. path is the escaped path (url.URL.EscapedPath): it is split
// into segments first and each segment is unescaped exactly once, so an
// escaped slash ("%2F") stays inside its segment and "%2541" is "%41". The
// most literal template wins: /api/v2/tickets/count matches
// /api/v2/tickets/count before /api/v2/tickets/{ticket_id}. A trailing
// ".json", which Zendesk accepts, is ignored; a trailing slash is not (no
// template matches it, as on Zendesk); a parameter never matches an empty
// segment.
func (t *Table[T]) Match(method, path string) (T, map[string]string, bool) {
	var zero T
	if !strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") {
		return zero, nil, false
	}
	raw := strings.Split(strings.TrimSuffix(path[1:], ".json"), "/")
	parts := make([]string, len(raw))
	for i, p := range raw {
		v, err := url.PathUnescape(p)
		if err != nil {
			v = p
		}
		parts[i] = v
	}
	routes := t.byShape[shape(method, len(parts))]
	best := -1
	for i, r := range routes {
		ok := true
		for j := range r.segs {
			if (r.keys[j] == "" && r.segs[j] != parts[j]) || (r.keys[j] != "" && parts[j] == "") {
				ok = false
				break
			}
		}
		if ok && (best < 0 || r.lits > routes[best].lits) {
			best = i
		}
	}
	if best < 0 {
		return zero, nil, false
	}
	params := map[string]string{}
	for j, k := range routes[best].keys {
		if k != "" {
			params[k] = parts[j]
		}
	}
	return routes[best].value, params, true
}
