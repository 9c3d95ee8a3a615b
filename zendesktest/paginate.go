package zendesktest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// Zendesk's limits.
const (
	offsetMaxPages   = 100
	offsetMaxRecords = 10000
	defaultPerPage   = 100
	exportPerPage    = 1000
)

// link is the URL of the request with the query parameters in set changed
// (an empty value removes the parameter).
func (c *call) link(set map[string]string) string {
	q := c.r.URL.Query()
	for k, v := range set {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	u := c.s.URL + c.r.URL.EscapedPath()
	if enc := q.Encode(); enc != "" {
		u += "?" + enc
	}
	return u
}

// queryInt reads an integer query parameter (validation has checked its
// type); def when absent.
func (c *call) queryInt(name string, def int64) int64 {
	v := c.r.URL.Query().Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return def
	}
	return n
}

// queryIDs reads a comma-separated list of ids.
func (c *call) queryIDs(name string) ([]int64, *apiError) {
	var out []int64
	for _, v := range c.r.URL.Query()[name] {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			n, err := strconv.ParseInt(part, 10, 64)
			if err != nil {
				return nil, errInvalidParam("parameter %q: %q is not an id", name, part)
			}
			out = append(out, n)
		}
	}
	return out, nil
}

func (c *call) queryList(name string) []string {
	var out []string
	for _, v := range c.r.URL.Query()[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// Cursors are opaque to clients; the fake's carry the position as
// base64 JSON, like Zendesk's.
type cursorValue struct {
	Kind string `json:"o"`
	V    int64  `json:"v"`
}

func encodeCursor(kind string, v int64) string {
	b, _ := json.Marshal(cursorValue{Kind: kind, V: v})
	return base64.StdEncoding.EncodeToString(b)
}

func decodeCursor(kind, s string) (int64, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			return 0, false
		}
	}
	var cv cursorValue
	if json.Unmarshal(b, &cv) != nil || cv.Kind != kind {
		return 0, false
	}
	return cv.V, true
}

// idSource is a list of records ordered by id.
type idSource struct {
	ascend  func(after int64, f func(id int64) bool)
	descend func(before int64, f func(id int64) bool)
	get     func(id int64) rec
	// keep filters the records (nil keeps all); total counts them when
	// keep is nil.
	keep  func(id int64) bool
	total func() int
	// encode and decode turn an id into a cursor and back (nil: cursors
	// carry the id); decode gives the id to page after, or before.
	encode func(id int64) string
	decode func(cursor string, before bool) (int64, bool)
}

func (src idSource) cursor(id int64) string {
	if src.encode != nil {
		return src.encode(id)
	}
	return encodeCursor("id", id)
}

func (src idSource) position(cursor string, before bool) (int64, bool) {
	if src.decode != nil {
		return src.decode(cursor, before)
	}
	return decodeCursor("id", cursor)
}

func (src idSource) kept(id int64) bool { return src.keep == nil || src.keep(id) }

// list answers a list operation with the pagination its annotation gives:
// cursor pagination when the operation only pages by cursor or the request
// has page[...] parameters, offset pagination otherwise (as Zendesk does
// for operations that take both).
func (c *call) list(items string, src idSource) (*reply, *apiError) {
	style := "offset"
	maxSize := defaultPerPage
	if p := c.op.meta.Pagination; p != nil {
		style = p.Style
		if p.MaxPageSize > 0 {
			maxSize = p.MaxPageSize
		}
	}
	q := c.r.URL.Query()
	cursorMode := style == "cursor" || (style == "cursor+offset" && (q.Has("page[size]") || q.Has("page[after]") || q.Has("page[before]")))
	src, apiErr := c.sorted(src, cursorMode)
	if apiErr != nil {
		return nil, apiErr
	}
	if cursorMode {
		return c.cursorPage(items, src, maxSize)
	}
	return c.offsetPage(items, src, maxSize)
}

func (c *call) cursorPage(items string, src idSource, maxSize int) (*reply, *apiError) {
	q := c.r.URL.Query()
	size := int(c.queryInt("page[size]", int64(defaultPerPage)))
	if size < 1 || size > maxSize {
		return nil, errInvalidParam("page[size] must be 1 to %d", maxSize)
	}
	var ids []int64
	hasMore := false
	switch {
	case q.Get("page[before]") != "":
		before, ok := src.position(q.Get("page[before]"), true)
		if !ok {
			return nil, &apiError{status: http.StatusBadRequest, code: "InvalidPaginationParameter", desc: "page[before] is not a valid cursor"}
		}
		src.descend(before, func(id int64) bool {
			if !src.kept(id) {
				return true
			}
			if len(ids) == size {
				hasMore = true
				return false
			}
			ids = append(ids, id)
			return true
		})
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
	default:
		after := int64(-1 << 62)
		if a := q.Get("page[after]"); a != "" {
			v, ok := src.position(a, false)
			if !ok {
				return nil, &apiError{status: http.StatusBadRequest, code: "InvalidPaginationParameter", desc: "page[after] is not a valid cursor"}
			}
			after = v
		}
		src.ascend(after, func(id int64) bool {
			if !src.kept(id) {
				return true
			}
			if len(ids) == size {
				hasMore = true
				return false
			}
			ids = append(ids, id)
			return true
		})
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = src.get(id)
	}
	meta := rec{"has_more": hasMore, "after_cursor": nil, "before_cursor": nil}
	links := rec{"next": nil, "prev": nil}
	if len(ids) > 0 {
		after, before := src.cursor(ids[len(ids)-1]), src.cursor(ids[0])
		meta["after_cursor"], meta["before_cursor"] = after, before
		sz := strconv.Itoa(size)
		links["next"] = c.link(map[string]string{"page[after]": after, "page[before]": "", "page[size]": sz})
		links["prev"] = c.link(map[string]string{"page[before]": before, "page[after]": "", "page[size]": sz})
	}
	return &reply{status: c.op.status, body: rec{items: out, "meta": meta, "links": links}}, nil
}

func (c *call) offsetPage(items string, src idSource, maxSize int) (*reply, *apiError) {
	page := int(c.queryInt("page", 1))
	per := int(c.queryInt("per_page", int64(min(defaultPerPage, maxSize))))
	if page < 1 {
		return nil, errInvalidParam("page must be at least 1")
	}
	if per < 1 || per > maxSize {
		return nil, errInvalidParam("per_page must be 1 to %d", maxSize)
	}
	if page > offsetMaxPages || (page-1)*per >= offsetMaxRecords {
		return nil, &apiError{status: http.StatusBadRequest, code: "InvalidPaginationParameter",
			desc: fmt.Sprintf("Offset pagination is limited to the first %d pages and %d records (page %d of %d): use cursor pagination (page[size]) to go further", offsetMaxPages, offsetMaxRecords, page, per)}
	}
	skip := (page - 1) * per
	var ids []int64
	more := false
	src.ascend(-1<<62, func(id int64) bool {
		if !src.kept(id) {
			return true
		}
		if skip > 0 {
			skip--
			return true
		}
		if len(ids) == per {
			more = true
			return false
		}
		ids = append(ids, id)
		return true
	})
	total := 0
	if src.keep == nil {
		total = src.total()
	} else {
		src.ascend(-1<<62, func(id int64) bool {
			if src.keep(id) {
				total++
			}
			return true
		})
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = src.get(id)
	}
	body := rec{items: out, "count": total, "next_page": nil, "previous_page": nil}
	pp := strconv.Itoa(per)
	if more {
		body["next_page"] = c.link(map[string]string{"page": strconv.Itoa(page + 1), "per_page": pp})
	}
	if page > 1 {
		body["previous_page"] = c.link(map[string]string{"page": strconv.Itoa(page - 1), "per_page": pp})
	}
	return &reply{status: c.op.status, body: body}, nil
}

// streamSource is an export's stream: records in time order, by key (see
// table).
type streamSource struct {
	// end is one past the last key.
	end        func() int64
	firstKeyAt func(ts int64) int64
	stream     func(from int64, f func(k, id, ts int64) bool)
	get        func(k, id int64) rec
	keep       func(id int64) bool
}

func (src streamSource) kept(id int64) bool { return src.keep == nil || src.keep(id) }

func (c *call) exportPerPage() (int, *apiError) {
	per := int(c.queryInt("per_page", exportPerPage))
	if per < 1 || per > exportPerPage {
		return 0, errInvalidParam("per_page must be 1 to %d", exportPerPage)
	}
	return per, nil
}

func (c *call) exportStart() (int64, *apiError) {
	start := c.queryInt("start_time", 0)
	if start < 0 {
		return 0, errInvalidParam("start_time must not be negative")
	}
	if start > c.now.Unix()-60 {
		return 0, &apiError{status: http.StatusBadRequest, code: "InvalidValue", desc: "start_time must be at least one minute in the past"}
	}
	return start, nil
}

// exportCutoff is the time of the latest change incremental exports
// show: Zendesk holds back the changes of the last minute (so that none is
// missed while it is being written), unless WithRecentChangesInExports.
func (c *call) exportCutoff() int64 {
	if c.s.cfg.recentInExports {
		return math.MaxInt64
	}
	return c.now.Unix() - 60
}

// timeExport answers a time-based incremental export: the records changed
// at or after start_time, in time order, up to a minute ago. A page holds
// per_page records, plus the others that share the last one's time (so the
// next page, which starts at end_time, makes progress); the records of that
// last second come again at the start of the next page, as on Zendesk.
func (c *call) timeExport(items string, src streamSource) (*reply, *apiError) {
	start, apiErr := c.exportStart()
	if apiErr != nil {
		return nil, apiErr
	}
	per, apiErr := c.exportPerPage()
	if apiErr != nil {
		return nil, apiErr
	}
	var out []any
	last := int64(-1)
	more := false
	cutoff := c.exportCutoff()
	src.stream(src.firstKeyAt(start), func(k, id, ts int64) bool {
		if ts > cutoff {
			return false // the stream is in time order: the rest is recent too
		}
		if !src.kept(id) {
			return true
		}
		if len(out) >= per && ts != last && last > start {
			more = true
			return false
		}
		out = append(out, src.get(k, id))
		last = ts
		return true
	})
	if out == nil {
		out = []any{}
	}
	end := start
	if last >= 0 {
		end = last
	}
	body := rec{items: out, "count": len(out), "end_time": end, "end_of_stream": !more,
		"next_page": c.link(map[string]string{"start_time": strconv.FormatInt(end, 10)})}
	return &reply{status: c.op.status, body: body}, nil
}

// cursorExport answers a cursor-based incremental export: start_time on
// the first request, then the cursor of the page before. Cursors are
// positions in the stream: a resumed export never repeats a record unless
// it changed again. Changes of the last minute are held back: the stream
// ends before them, and the same cursor reaches them a minute later.
func (c *call) cursorExport(items string, src streamSource) (*reply, *apiError) {
	per, apiErr := c.exportPerPage()
	if apiErr != nil {
		return nil, apiErr
	}
	var from int64
	if cur := c.r.URL.Query().Get("cursor"); cur != "" {
		k, ok := decodeCursor("ts", cur)
		if !ok || k < -1 || k > src.end() {
			return nil, &apiError{status: http.StatusBadRequest, code: "InvalidPaginationParameter", desc: "cursor is not a valid cursor"}
		}
		from = k + 1
	} else {
		if !c.r.URL.Query().Has("start_time") {
			return nil, &apiError{status: http.StatusBadRequest, code: "InvalidValue", desc: "start_time or cursor is required"}
		}
		start, apiErr := c.exportStart()
		if apiErr != nil {
			return nil, apiErr
		}
		from = src.firstKeyAt(start)
	}
	var out []any
	firstKey, lastKey := int64(-1), from-1
	more := false
	cutoff := c.exportCutoff()
	src.stream(from, func(k, id, ts int64) bool {
		if ts > cutoff {
			return false
		}
		if !src.kept(id) {
			return true
		}
		if len(out) == per {
			more = true
			return false
		}
		if firstKey < 0 {
			firstKey = k
		}
		out = append(out, src.get(k, id))
		lastKey = k
		return true
	})
	if out == nil {
		out = []any{}
	}
	if firstKey < 0 {
		firstKey = from
	}
	after, before := encodeCursor("ts", lastKey), encodeCursor("ts", firstKey-1)
	pp := strconv.Itoa(per)
	body := rec{items: out, "end_of_stream": !more,
		"after_cursor": after, "before_cursor": before,
		"after_url":  c.link(map[string]string{"cursor": after, "start_time": "", "per_page": pp}),
		"before_url": c.link(map[string]string{"cursor": before, "start_time": "", "per_page": pp}),
	}
	return &reply{status: c.op.status, body: body}, nil
}

// CursorAfter is the list cursor (a page[after] value) that starts a
// cursor-paginated listing of the server's records right after the record
// with this id. Cursors are opaque to clients; tests use this one to jump
// deep into a large data set without paging through it.
func CursorAfter(id int64) string { return encodeCursor("id", id) }
