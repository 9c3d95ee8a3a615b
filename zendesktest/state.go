package zendesktest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// handler answers one operation from the state; it runs under the
// server's state lock.
type handler func(c *call) (*reply, *apiError)

// state is what the fake keeps: generated data sets and what the API
// changed.
type state struct {
	s *Server
	d *dataset

	tickets, users, orgs, groups, members *table

	comments map[int64][]rec // by ticket: comments made through the API (and created tickets' first)
	audits   map[int64][]rec // by ticket: audits made through the API
	events   []apiEvent      // ticket events of API changes, in time order
	lastEvTS int64
	nextID   int64 // audits, comments and audit events made through the API

	userEmails map[string]int64 // emails of changed and created users
	userExtIDs map[string]int64
	orgNames   map[string]int64 // lower-cased names of changed and created organizations
	orgExtIDs  map[string]int64

	idem map[string]idemEntry

	up *uploadStore // uploads and their files

	jobs      map[string]*job
	jobOrder  []string
	jobSeq    uint64
	pending   []*job       // queued or working, in the order they were queued
	jobScript []JobOutcome // how the next queued jobs end

	handlers map[string]handler
}

type apiEvent struct {
	ts int64
	ev rec
}

type idemEntry struct {
	op       string
	bodyHash string
	status   int
	header   http.Header
	body     []byte
}

// replay answers a POST whose Idempotency-Key was seen before with the first
// answer again (x-idempotency-lookup: hit); the same key with another
// operation or body is an error. Only the operations the spec marks
// x-zendesk-idempotency (ticket creation) get here, as on Zendesk.
func (st *state) replay(c *call, key string) (*reply, *apiError, bool) {
	e, ok := st.idem[key]
	if !ok {
		return nil, nil, false
	}
	sum := sha256.Sum256(c.body)
	if e.op != c.op.ID || e.bodyHash != hex.EncodeToString(sum[:]) {
		return nil, &apiError{status: http.StatusBadRequest, code: "IdempotentRequestError",
			desc: "The Idempotency-Key was already used with different request parameters"}, true
	}
	st.s.counters.update(func(s *Stats) { s.IdempotencyHits++ })
	h := e.header.Clone()
	h.Set("X-Idempotency-Lookup", "hit")
	return &reply{status: e.status, raw: e.body, header: h}, nil, true
}

// remember keeps an idempotent POST's first answer under its
// Idempotency-Key.
func (st *state) remember(c *call, key string, rep *reply) (*reply, *apiError) {
	raw := rep.raw
	if raw == nil && rep.body != nil {
		b, err := jsonBytes(rep.body)
		if err != nil {
			return nil, &apiError{status: 500, code: "InternalError", desc: err.Error()}
		}
		raw = b
	}
	sum := sha256.Sum256(c.body)
	h := rep.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	st.idem[key] = idemEntry{op: c.op.ID, bodyHash: hex.EncodeToString(sum[:]), status: rep.status, header: h.Clone(), body: raw}
	h.Set("X-Idempotency-Lookup", "miss")
	return &reply{status: rep.status, raw: raw, header: h}, nil
}

func newState(s *Server) *state {
	cfg := s.cfg
	d := newDataset(cfg.seed, cfg.tickets, cfg.users, cfg.orgs, cfg.groups, cfg.email, s.baseURL)
	st := &state{
		s: s, d: d,
		comments: map[int64][]rec{}, audits: map[int64][]rec{},
		userEmails: map[string]int64{}, userExtIDs: map[string]int64{},
		orgNames: map[string]int64{}, orgExtIDs: map[string]int64{},
		idem: map[string]idemEntry{}, jobs: map[string]*job{},
		jobScript: append([]JobOutcome(nil), cfg.jobScript...),
	}
	st.tickets = newTable("tickets", ticketBase, d.tickets, d.ticket, d.ticketTime)
	st.users = newTable("users", userBase, d.users, d.user, d.userTime)
	st.orgs = newTable("organizations", orgBase, d.orgs, d.org, d.orgTime)
	st.groups = newTable("groups", groupBase, d.groups, d.group, d.groupTime)
	st.members = newTable("group_memberships", memberBase, d.memberships(), d.membership, d.membershipTime)
	st.handlers = map[string]handler{}
	st.registerTickets()
	st.registerUsers()
	st.registerOrganizations()
	st.registerGroups()
	st.registerJobs()
	st.registerSearch()
	st.registerUploads()
	return st
}

// newID returns a fresh id for an audit, comment or audit event.
func (st *state) newID(base int64) int64 {
	st.nextID++
	return base + apiOffset + st.nextID
}

// decodeBody decodes the request's JSON body into a generic value, with
// numbers as int64 where they are integers.
func (c *call) decodeBody() (rec, *apiError) {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return rec{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errInvalidParam("the request body is not valid JSON: %v", err)
	}
	m, ok := normalize(v).(rec)
	if !ok {
		return nil, errInvalidParam("the request body is not a JSON object")
	}
	return m, nil
}

func normalize(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		for k, x := range t {
			t[k] = normalize(x)
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = normalize(x)
		}
		return t
	}
	return v
}

// obj returns property name of m as an object (nil when absent).
func obj(m rec, name string) rec {
	o, _ := m[name].(rec)
	return o
}

func objs(m rec, name string) []rec {
	arr, _ := m[name].([]any)
	out := make([]rec, 0, len(arr))
	for _, x := range arr {
		if o, ok := x.(rec); ok {
			out = append(out, o)
		} else {
			out = append(out, rec{})
		}
	}
	return out
}

func str(m rec, name string) (string, bool) {
	s, ok := m[name].(string)
	return s, ok
}

func num(m rec, name string) (int64, bool) {
	switch v := m[name].(type) {
	case int64:
		return v, true
	case float64:
		return int64(v), true
	}
	return 0, false
}

func strList(v any) []any {
	arr, _ := v.([]any)
	out := []any{}
	seen := map[string]bool{}
	for _, x := range arr {
		if s, ok := x.(string); ok && s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func clone(r rec) rec {
	b, err := json.Marshal(r)
	if err != nil {
		return rec{}
	}
	var out rec
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if dec.Decode(&out) != nil {
		return rec{}
	}
	return normalize(out).(rec)
}

// pathID reads an integer path parameter.
func (c *call) pathID(name string) (int64, *apiError) {
	v := c.params[name]
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errInvalidParam("%s %q is not an id", name, v)
	}
	return id, nil
}

// callerUser is the id of the user the request authenticated as: the user
// with the credentials' email, the admin for OAuth.
func (st *state) callerUser(c *call) int64 {
	if c.caller != "" && c.caller != "oauth" {
		if id, ok := st.userByEmail(c.caller); ok {
			return id
		}
	}
	if st.d.users > 0 {
		return userBase
	}
	return 0
}

func (c *call) ok(body any) (*reply, *apiError) {
	return &reply{status: c.op.status, body: body}, nil
}

func (c *call) noContent() (*reply, *apiError) {
	return &reply{status: http.StatusNoContent}, nil
}

func countBody(n int, now time.Time) rec {
	return rec{"count": rec{"value": n, "refreshed_at": now.UTC().Format(time.RFC3339)}}
}

// tableSource lists a table's live records by id.
func tableSource(t *table, keep func(id int64) bool) idSource {
	return idSource{
		ascend: t.ascend, descend: t.descend,
		get:   func(id int64) rec { r, _ := t.get(id); return r },
		keep:  keep,
		total: t.count,
	}
}

// sliceSource lists records held in a slice, ordered by id.
func sliceSource(recs []rec) idSource {
	byID := map[int64]rec{}
	ids := make([]int64, 0, len(recs))
	for _, r := range recs {
		id, _ := num(r, "id")
		byID[id] = r
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return idSource{
		ascend: func(after int64, f func(int64) bool) {
			for _, id := range ids {
				if id > after && !f(id) {
					return
				}
			}
		},
		descend: func(before int64, f func(int64) bool) {
			for i := len(ids) - 1; i >= 0; i-- {
				if ids[i] < before && !f(ids[i]) {
					return
				}
			}
		},
		get:   func(id int64) rec { return byID[id] },
		total: func() int { return len(ids) },
	}
}

// tableStream is a table's export stream.
func tableStream(t *table, keep func(id int64) bool) streamSource {
	return streamSource{
		end:        t.streamLen,
		firstKeyAt: t.firstKeyAt,
		stream:     t.stream,
		get:        func(_, id int64) rec { r, _ := t.getAny(id); return r },
		keep:       keep,
	}
}

// nowTS is the time of a change made by c.
func (c *call) nowTS() int64 { return c.now.Unix() }

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// describe names a record for errors.
func describe(kind string, id int64) string { return fmt.Sprintf("%s %d", kind, id) }
