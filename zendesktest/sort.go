package zendesktest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// Sorting of the stored lists. A list operation that declares `sort`
// (cursor pagination: "updated_at" ascending, "-updated_at" descending) or
// `sort_by`/`sort_order` (offset pagination; sort_order alone orders by
// id) is answered in that order, whichever of its parameters the spec
// declares: what Zendesk does not take for an operation, the request
// validation refuses first. Ties are broken by id, in the sort's direction.
// The records are sorted when the page is asked for, so the cost is the
// list's size, not the page's. Cursors of a sorted listing carry the last
// record's sort value and id: the next page starts after that point of the
// order, whatever changed in between.

// sortFieldRE is a property name a listing may be sorted by.
var sortFieldRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// declares reports whether the operation declares query parameter name.
func (c *call) declares(name string) bool {
	for _, p := range c.op.op.Parameters {
		if p.Value != nil && p.Value.In == "query" && p.Value.Name == name {
			return true
		}
	}
	return false
}

// sortRequest reads the sort the request asks for: the property (""
// for id) and the direction. ok is false when it asks for none.
func (c *call) sortRequest(cursorMode bool) (field string, desc, ok bool) {
	q := c.r.URL.Query()
	if cursorMode && c.declares("sort") && q.Get("sort") != "" {
		s := q.Get("sort")
		field, desc = strings.TrimPrefix(s, "-"), strings.HasPrefix(s, "-")
		return field, desc, true
	}
	if !cursorMode {
		by := ""
		if c.declares("sort_by") {
			by = q.Get("sort_by")
		}
		order := ""
		if c.declares("sort_order") {
			order = q.Get("sort_order")
		}
		if by != "" || order != "" {
			return by, strings.EqualFold(order, "desc"), true
		}
	}
	return "", false, false
}

// sortKey is a record's place in a sorted listing.
type sortKey struct {
	v  any
	id int64
}

// compareValues orders sort values: nulls first, then numbers, then
// strings (RFC 3339 UTC times order as text), booleans false first.
func compareValues(a, b any) int {
	rank := func(v any) int {
		switch v.(type) {
		case nil:
			return 0
		case bool:
			return 1
		case int64, float64:
			return 2
		case string:
			return 3
		}
		return 4
	}
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return ra - rb
	}
	switch x := a.(type) {
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case int64, float64:
		fx, fy := toFloat(a), toFloat(b)
		switch {
		case fx < fy:
			return -1
		case fx > fy:
			return 1
		}
		return 0
	case string:
		return strings.Compare(strings.ToLower(x), strings.ToLower(b.(string)))
	}
	return strings.Compare(jsonText(a), jsonText(b))
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// compareKeys orders two keys in the direction of the sort.
func compareKeys(a, b sortKey, desc bool) int {
	c := compareValues(a.v, b.v)
	if c == 0 {
		switch {
		case a.id < b.id:
			c = -1
		case a.id > b.id:
			c = 1
		}
	}
	if desc {
		return -c
	}
	return c
}

// sortedCursor is the cursor of a sorted listing: the sort value (as
// JSON) and id of a record.
type sortedCursor struct {
	Kind  string          `json:"o"`
	Field string          `json:"f"`
	Desc  bool            `json:"d,omitempty"`
	V     json.RawMessage `json:"v"`
	ID    int64           `json:"i"`
}

// sorted returns src in the requested order: its ids become positions in
// the order, and its cursors carry sort values. The listing must not be
// sorted by a property its records lack.
func (c *call) sorted(src idSource, cursorMode bool) (idSource, *apiError) {
	field, desc, ok := c.sortRequest(cursorMode)
	if !ok {
		return src, nil
	}
	if field != "" && !sortFieldRE.MatchString(field) {
		return src, errInvalidParam("cannot sort by %q", field)
	}
	var keys []sortKey
	recs := map[int64]rec{}
	src.ascend(-1<<62, func(id int64) bool {
		if !src.kept(id) {
			return true
		}
		r := src.get(id)
		recs[id] = r
		var v any
		if field != "" {
			if _, has := r[field]; !has {
				return true // checked below
			}
			v = r[field]
		}
		keys = append(keys, sortKey{v: v, id: id})
		return true
	})
	if len(keys) < len(recs) {
		return src, errInvalidParam("cannot sort by %q: the records have no such property", field)
	}
	sort.Slice(keys, func(i, j int) bool { return compareKeys(keys[i], keys[j], desc) < 0 })
	n := int64(len(keys))
	// position of the first key after k (after) or at/after k (before).
	search := func(k sortKey, strict bool) int64 {
		return int64(sort.Search(len(keys), func(i int) bool {
			c := compareKeys(keys[i], k, desc)
			return c > 0 || (!strict && c == 0)
		}))
	}
	out := idSource{
		ascend: func(after int64, f func(int64) bool) {
			for p := max(after+1, 0); p < n; p++ {
				if !f(p) {
					return
				}
			}
		},
		descend: func(before int64, f func(int64) bool) {
			for p := min(before-1, n-1); p >= 0; p-- {
				if !f(p) {
					return
				}
			}
		},
		get:   func(p int64) rec { return recs[keys[p].id] },
		total: func() int { return int(n) },
		encode: func(p int64) string {
			b, _ := json.Marshal(keys[p].v)
			cur, _ := json.Marshal(sortedCursor{Kind: "sort", Field: field, Desc: desc, V: b, ID: keys[p].id})
			return base64.StdEncoding.EncodeToString(cur)
		},
		decode: func(s string, before bool) (int64, bool) {
			raw, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return 0, false
			}
			var sc sortedCursor
			if json.Unmarshal(raw, &sc) != nil || sc.Kind != "sort" || sc.Field != field || sc.Desc != desc {
				return 0, false
			}
			dec := json.NewDecoder(bytes.NewReader(sc.V))
			dec.UseNumber()
			var v any
			if dec.Decode(&v) != nil {
				return 0, false
			}
			k := sortKey{v: normalize(v), id: sc.ID}
			if before {
				return search(k, false), true // positions before the cursor's
			}
			return search(k, true) - 1, true // positions after the cursor's
		},
	}
	return out, nil
}
