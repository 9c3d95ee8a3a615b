package zendesktest

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Zendesk's search limits.
const (
	searchMaxResults = 1000 // offset search serves the first 1000 results only
	searchPerPage    = 100
	searchExportPage = 100
)

func (st *state) registerSearch() {
	h := st.handlers
	h["ListSearchResults"] = st.listSearchResults
	h["CountSearchResults"] = st.countSearchResults
	h["ExportSearchResults"] = st.exportSearchResults
	h["SearchUsers"] = st.searchUsers
}

// hit is a record a query matched.
type hit struct {
	kind string
	id   int64
	r    rec
}

// searchTable is the table of a record type.
func (st *state) searchTable(kind string) *table {
	switch kind {
	case "ticket":
		return st.tickets
	case "user":
		return st.users
	case "organization":
		return st.orgs
	}
	return st.groups
}

// search evaluates a query over the live records of the types it may
// match, in the order of searchTypes, then by id.
func (st *state) search(c *call, raw string, only string) ([]hit, *apiError) {
	q, err := parseQuery(raw, c.now)
	if err != nil {
		return nil, invalidSearch(err)
	}
	var out []hit
	for _, kind := range searchTypes {
		if only != "" && kind != only {
			continue
		}
		t := st.searchTable(kind)
		t.ascend(-1<<62, func(id int64) bool {
			r, _ := t.get(id)
			if q.matches(kind, r) {
				out = append(out, hit{kind: kind, id: id, r: r})
			}
			return true
		})
	}
	return out, nil
}

// invalidSearch is Zendesk's answer to a search it cannot run: 422
// {"error":"invalid","description":"Invalid search: ..."}.
func invalidSearch(err error) *apiError {
	var qe *queryError
	desc := err.Error()
	if errors.As(err, &qe) {
		desc = qe.Error()
	}
	return &apiError{status: http.StatusUnprocessableEntity, code: "invalid", desc: desc}
}

// result is a hit as a search result: a copy of its record with its
// result_type.
func (h hit) result() rec {
	r := maps.Clone(h.r)
	r["result_type"] = h.kind
	return r
}

// sortHits orders hits by the sort_by property (Zendesk's sort_by values:
// updated_at, created_at, priority, status, ticket_type), in sort_order
// (desc by default, as on Zendesk); without sort_by they stay in the
// search's order. Records without the property come last.
func sortHits(hits []hit, by, order string) {
	if by == "" {
		return
	}
	desc := !strings.EqualFold(order, "asc")
	key := func(h hit) (string, bool) {
		switch by {
		case "status":
			s, _ := str(h.r, "status")
			o, ok := statusOrder[s]
			return strconv.Itoa(o), ok && h.kind == "ticket"
		case "priority":
			s, _ := str(h.r, "priority")
			o, ok := priorityOrder[s]
			return strconv.Itoa(o), ok && h.kind == "ticket"
		case "ticket_type":
			s, ok := str(h.r, "type")
			return s, ok && h.kind == "ticket"
		}
		s, ok := str(h.r, by) // created_at, updated_at: RFC 3339 UTC sorts as text
		return s, ok
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, aok := key(hits[i])
		b, bok := key(hits[j])
		switch {
		case aok != bok:
			return aok
		case !aok || a == b:
			return false
		case desc:
			return a > b
		}
		return a < b
	})
}

// listSearchResults answers Search with offset pages. As on Zendesk, only
// the first 1000 results can be paged to: a page reaching past them is a
// 422, even though next_page pointed at it and count says how many match.
func (st *state) listSearchResults(c *call) (*reply, *apiError) {
	q := c.r.URL.Query()
	hits, apiErr := st.search(c, q.Get("query"), "")
	if apiErr != nil {
		return nil, apiErr
	}
	sortHits(hits, q.Get("sort_by"), q.Get("sort_order"))
	page := int(c.queryInt("page", 1))
	per := int(c.queryInt("per_page", searchPerPage))
	if page < 1 {
		return nil, errInvalidParam("page must be at least 1")
	}
	if per < 1 || per > searchPerPage {
		return nil, errInvalidParam("per_page must be 1 to %d", searchPerPage)
	}
	if page*per > searchMaxResults {
		return nil, &apiError{status: http.StatusUnprocessableEntity, code: "invalid",
			desc: fmt.Sprintf("Invalid search: Requested response size was greater than Search Response Limits (%d results; page %d of %d asks for up to result %d): use Export Search Results", searchMaxResults, page, per, page*per)}
	}
	from := min((page-1)*per, len(hits))
	to := min(from+per, len(hits))
	out := make([]any, 0, to-from)
	for _, h := range hits[from:to] {
		out = append(out, h.result())
	}
	body := rec{"results": out, "count": len(hits), "facets": nil, "next_page": nil, "previous_page": nil}
	pp := strconv.Itoa(per)
	if to < len(hits) {
		body["next_page"] = c.link(map[string]string{"page": strconv.Itoa(page + 1), "per_page": pp})
	}
	if page > 1 {
		body["previous_page"] = c.link(map[string]string{"page": strconv.Itoa(page - 1), "per_page": pp})
	}
	return c.ok(body)
}

func (st *state) countSearchResults(c *call) (*reply, *apiError) {
	hits, apiErr := st.search(c, c.r.URL.Query().Get("query"), "")
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(rec{"count": len(hits)})
}

// exportSearchResults answers Export Search Results: the results of the
// one type filter[type] names (a type: in the query is an error, as on
// Zendesk), by creation (id order in the fake), in cursor pages with no
// backward links and no count.
func (st *state) exportSearchResults(c *call) (*reply, *apiError) {
	q := c.r.URL.Query()
	kind := q.Get("filter[type]")
	if strings.Contains(" "+strings.ToLower(q.Get("query")), " type:") {
		return nil, &apiError{status: http.StatusUnprocessableEntity, code: "invalid",
			desc: "Invalid search: the export takes the record type in filter[type], not type: in the query"}
	}
	hits, apiErr := st.search(c, q.Get("query"), kind)
	if apiErr != nil {
		return nil, apiErr
	}
	size := int(c.queryInt("page[size]", searchExportPage))
	if size < 1 || size > exportPerPage {
		return nil, errInvalidParam("page[size] must be 1 to %d", exportPerPage)
	}
	from := 0
	if a := q.Get("page[after]"); a != "" {
		after, ok := decodeCursor("search", a)
		if !ok {
			return nil, &apiError{status: http.StatusBadRequest, code: "InvalidPaginationParameter", desc: "page[after] is not a valid cursor"}
		}
		from = sort.Search(len(hits), func(i int) bool { return hits[i].id > after })
	}
	to := min(from+size, len(hits))
	out := make([]any, 0, to-from)
	for _, h := range hits[from:to] {
		out = append(out, h.result())
	}
	more := to < len(hits)
	meta := rec{"has_more": more, "after_cursor": nil, "before_cursor": nil}
	links := rec{"next": nil, "prev": nil}
	if to > from {
		after := encodeCursor("search", hits[to-1].id)
		meta["after_cursor"] = after
		if more {
			links["next"] = c.link(map[string]string{"page[after]": after, "page[size]": strconv.Itoa(size)})
		}
	}
	return c.ok(rec{"results": out, "facets": nil, "meta": meta, "links": links})
}

// searchUsers answers Search Users: the query over users only, or the
// users with the external_id, in offset pages.
func (st *state) searchUsers(c *call) (*reply, *apiError) {
	q := c.r.URL.Query()
	var ids []int64
	if ext := q.Get("external_id"); ext != "" && q.Get("query") == "" {
		if id, ok := st.userByExternalID(ext); ok {
			ids = append(ids, id)
		}
	} else {
		hits, apiErr := st.search(c, q.Get("query"), "user")
		if apiErr != nil {
			return nil, apiErr
		}
		for _, h := range hits {
			ids = append(ids, h.id)
		}
	}
	src := idsSource(ids, func(id int64) rec { r, _ := st.users.get(id); return r })
	return c.offsetPage("users", src, searchPerPage)
}

// idsSource lists the records with the ids, ascending.
func idsSource(ids []int64, get func(int64) rec) idSource {
	sorted := append([]int64(nil), ids...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return idSource{
		ascend: func(after int64, f func(int64) bool) {
			for _, id := range sorted {
				if id > after && !f(id) {
					return
				}
			}
		},
		descend: func(before int64, f func(int64) bool) {
			for i := len(sorted) - 1; i >= 0; i-- {
				if sorted[i] < before && !f(sorted[i]) {
					return
				}
			}
		},
		get:   get,
		total: func() int { return len(sorted) },
	}
}
