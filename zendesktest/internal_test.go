package zendesktest

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk/overlay"
	"github.com/zdapi/zendesk/spec"
)

func TestOptionsValidate(t *testing.T) {
	cases := []struct {
		name string
		opt  Option
		want string
	}{
		{"negative tickets", WithTickets(-1), "WithTickets"},
		{"too many tickets", WithTickets(maxRecords + 1), "WithTickets"},
		{"no users", WithUsers(0), "WithUsers"},
		{"negative organizations", WithOrganizations(-3), "WithOrganizations"},
		{"negative groups", WithGroups(-1), "WithGroups"},
		{"email without @", WithAPIToken("admin", "t"), "not an email"},
		{"email with a colon", WithAPIToken("a:b@example.com", "t"), "not a usable email"},
		{"empty token", WithAPIToken("a@example.com", " "), "token is empty"},
		{"empty oauth token", WithOAuthToken(""), "WithOAuthToken"},
		{"empty spec", WithSpec(nil), "empty"},
		{"time scale below 1", WithTimeScale(0.5), "WithTimeScale"},
		{"time scale NaN", WithTimeScale(nan()), "WithTimeScale"},
		{"account limit 0", WithAccountRateLimit(0), "WithAccountRateLimit"},
		{"rates above 1", WithFaultRates(FaultRates{ServerError: 0.7, RateLimit: 0.7}), "add up to"},
		{"negative rate", WithFaultRates(FaultRates{Reset: -0.1}), "not a probability"},
		{"unknown fault", WithFaultScript("", Fault{Kind: 99}), "unknown fault kind"},
		{"fault status not 5xx", WithFaultScript("", Fault{Kind: FaultHTML, Status: 404}), "not a 5xx"},
		{"job polls 0", WithJobPolls(0), "WithJobPolls"},
		{"negative job duration", WithJobDuration(-time.Second), "WithJobDuration"},
		{"job duration above an hour", WithJobDuration(2 * time.Hour), "WithJobDuration"},
		{"unknown job outcome", WithJobScript(JobFails, JobOutcome(5)), "unknown job outcome 5"},
		{"nil clock", WithClock(nil), "WithClock"},
		{"negative job limit", WithJobQueueLimit(-1), "WithJobQueueLimit"},
		{"empty address", WithAddr(" "), "WithAddr"},
		{"nil logger", WithLogger(nil), "logger is nil"},
		{"nil option", nil, "nil option"},
		{"script for an unknown operation", WithFaultScript("ShowTikcet", Fault{Kind: FaultReset}), `no operation "ShowTikcet"`},
		{"rates for an unknown operation", WithFaultRates(FaultRates{Reset: 0.1, Operations: []string{"Nope"}}), `no operation "Nope"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Start(c.opt)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := Start(WithSpec([]byte("openapi: 3.0.3\ninfo: [")))
	assert.ErrorContains(t, err, "load spec")
	_, err = Start(WithAddr("256.0.0.1:http"))
	assert.ErrorContains(t, err, "listen")
	s, err := Start(WithAPIToken("Agent@Example.com", "secret"), WithSeed(9))
	require.NoError(t, err)
	s.Close()
	s.Close() // twice is fine
	assert.Equal(t, "Agent@Example.com", s.Email)
	assert.Error(t, s.InjectFaults("NoSuchOperation", Fault{Kind: FaultReset}))
}

func nan() float64 { z := 0.0; return z / z }

// TestHandlersAreOperations: every operation the fake keeps state for is an
// operation of the spec, and every job operation answers with a job.
func TestHandlersAreOperations(t *testing.T) {
	s := startTest(t)
	for id := range s.st.handlers {
		_, ok := s.spec.byID[id]
		assert.True(t, ok, "handler for %s, which the spec does not have", id)
	}
	assert.Len(t, s.spec.ops, len(overlay.Operations), "the fake serves the operations the client knows")
	t.Logf("%d of %d operations are answered from state, the others from the spec's examples", len(s.st.handlers), len(s.spec.ops))
}

func startTest(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// TestResponseValidationCatchesBadAnswers proves the answers' check works:
// a ticket with a status the spec does not have is refused.
func TestResponseValidationCatchesBadAnswers(t *testing.T) {
	s := startTest(t)
	o := s.spec.byID["ShowTicket"]
	r := httptest.NewRequest("GET", "/api/v2/tickets/1", nil)
	params := map[string]string{"ticket_id": "1"}
	good, err := json.Marshal(rec{"ticket": s.st.d.ticket(0)})
	require.NoError(t, err)
	h := http.Header{"Content-Type": {"application/json"}}
	require.NoError(t, validateResponse(context.Background(), o, r, params, 200, h, good))
	bad := bytes.Replace(good, []byte(`"status":"`), []byte(`"status":"exploded-`), 1)
	err = validateResponse(context.Background(), o, r, params, 200, h, bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ticket.status")
	err = validateResponse(context.Background(), o, r, params, 201, h, good)
	assert.ErrorContains(t, err, "201", "an undocumented status")
}

func TestGeneratedDataIsDeterministic(t *testing.T) {
	a := newDataset(7, 100, 50, 10, 3, "admin@example.com", func() string { return "http://x" })
	b := newDataset(7, 100, 50, 10, 3, "admin@example.com", func() string { return "http://x" })
	c := newDataset(8, 100, 50, 10, 3, "admin@example.com", func() string { return "http://x" })
	for i := range 100 {
		assert.Equal(t, jsonText(a.ticket(i)), jsonText(b.ticket(i)))
	}
	differ := 0
	for i := range 100 {
		if jsonText(a.ticket(i)) != jsonText(c.ticket(i)) {
			differ++
		}
	}
	assert.Greater(t, differ, 50, "another seed, other tickets")
	for u := range 50 {
		assert.Equal(t, u, a.genUserIndexByEmail(a.userEmail(u)), "emails find their user")
	}
	assert.Equal(t, -1, a.genUserIndexByEmail("nobody.9@example.com"))
	assert.Equal(t, "admin@example.com", a.userEmail(0))
	// Time order follows the index, for every kind.
	for i := 1; i < 100; i++ {
		assert.LessOrEqual(t, a.ticketTime(i-1), a.ticketTime(i))
		assert.LessOrEqual(t, a.genEventTime(2*i-1), a.genEventTime(2*i))
	}
}

func TestTable(t *testing.T) {
	tb := newTable("things", 100, 10, func(i int) rec { return rec{"id": int64(100 + i), "i": i} }, func(i int) int64 { return int64(1000 + i) })
	assert.Equal(t, 10, tb.count())
	tb.remove(103, rec{"id": int64(103), "gone": true}, 2000)
	tb.put(105, rec{"id": int64(105), "changed": true}, 2001)
	id := tb.create(rec{"new": true}, 2002)
	assert.Equal(t, int64(110), id)
	assert.Equal(t, 10, tb.count())
	var asc []int64
	tb.ascend(101, func(id int64) bool { asc = append(asc, id); return true })
	assert.Equal(t, []int64{102, 104, 105, 106, 107, 108, 109, 110}, asc)
	var desc []int64
	tb.descend(106, func(id int64) bool { desc = append(desc, id); return len(desc) < 4 })
	assert.Equal(t, []int64{105, 104, 102, 101}, desc)
	_, ok := tb.get(103)
	assert.False(t, ok)
	gone, ok := tb.getAny(103)
	assert.True(t, ok)
	assert.Equal(t, true, gone["gone"])

	// The stream: unchanged generated records in order, then the changes.
	var ids []int64
	tb.stream(0, func(k, id, ts int64) bool { ids = append(ids, id); return true })
	assert.Equal(t, []int64{100, 101, 102, 104, 106, 107, 108, 109, 103, 105, 110}, ids)
	assert.Equal(t, int64(4), tb.firstKeyAt(1004))
	assert.Equal(t, int64(10+1), tb.firstKeyAt(2001))
	// A record changed again moves to the end.
	tb.put(101, rec{"id": int64(101)}, 1500) // earlier than the last change: stamped after it
	ids = nil
	tb.stream(tb.firstKeyAt(2002), func(k, id, ts int64) bool { ids = append(ids, id); assert.Equal(t, int64(2002), ts); return true })
	assert.Equal(t, []int64{110, 101}, ids)
}

func TestCursors(t *testing.T) {
	c := encodeCursor("id", 42)
	v, ok := decodeCursor("id", c)
	assert.True(t, ok)
	assert.Equal(t, int64(42), v)
	for _, bad := range []string{"", "!!!", "bm90IGpzb24=", encodeCursor("ts", 42)} {
		_, ok := decodeCursor("id", bad)
		assert.False(t, ok, bad)
	}
	assert.Equal(t, c, CursorAfter(42))
}

func TestRetryAfterFormat(t *testing.T) {
	assert.Equal(t, "1", retryAfter(300*time.Millisecond, false))
	assert.Equal(t, "60", retryAfter(time.Minute, false))
	assert.Equal(t, "0.301", retryAfter(300*time.Millisecond+500*time.Microsecond, true))
	assert.Equal(t, "0", retryAfter(-time.Second, false))
}

// FuzzServe sends arbitrary requests (seed corpus in
// testdata/fuzz/FuzzServe: huge, float and negative ids, null, empty, HTML,
// cut and mistyped bodies, odd parameters; the seeds added here are
// ordinary requests and ones built from the fake's own cursors): the
// server never panics and never answers 500.
func FuzzServe(f *testing.F) {
	s, err := Start(WithTickets(20), WithUsers(5), WithoutRateLimits(), WithJobQueueLimit(0))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(s.Close)
	// Jobs to list.
	for range 3 {
		r := httptest.NewRequest("POST", "/api/v2/users/create_many", strings.NewReader(`{"users":[{"name":"a"}]}`))
		r.SetBasicAuth(s.Email+"/token", s.Token)
		r.Header.Set("Content-Type", "application/json")
		s.ServeHTTP(httptest.NewRecorder(), r)
	}
	seeds := []struct{ method, path, body string }{
		{"GET", "/api/v2/tickets/1", ""},
		{"PUT", "/api/v2/tickets/1", `{"ticket":{"comment":{"body":"hi"},"tags":["a"],"additional_tags":["b"]}}`},
		{"POST", "/api/v2/tickets", `{"ticket":{"requester":{"email":"x@example.com","name":"X"},"custom_fields":[{"id":1,"value":[1,{"a":null}]}]}}`},
		{"POST", "/api/v2/users/create_or_update", `{"user":{"email":"ADMIN@example.com"}}`},
		{"PUT", "/api/v2/users/update_many?ids=1,2", `{"user":{"name":"n"}}`},
		{"GET", "/api/v2/incremental/tickets/cursor?cursor=eyJvIjoidHMiLCJ2IjotNX0%3D", ""},
		{"GET", "/api/v2/incremental/tickets?start_time=1700000000&per_page=3", ""},
		{"GET", "/api/v2/tickets?page%5Bbefore%5D=eyJvIjoiaWQiLCJ2Ijo1fQ%3D%3D&page%5Bsize%5D=2", ""},
		{"DELETE", "/api/v2/organizations/destroy_many?external_ids=org-1,zzz", ""},
		{"GET", "/api/v2/job_statuses/show_many?ids=a,b", ""},
		{"GET", "/api/v2/job_statuses?page%5Bbefore%5D=" + url.QueryEscape(encodeCursor("id", math.MinInt64)), ""},
		{"GET", "/api/v2/job_statuses?page%5Bafter%5D=" + url.QueryEscape(encodeCursor("id", math.MaxInt64)), ""},
		{"GET", "/api/v2/tickets?page%5Bbefore%5D=" + url.QueryEscape(encodeCursor("id", math.MinInt64)), ""},
		{"GET", "/api/v2/users?page%5Bafter%5D=" + url.QueryEscape(encodeCursor("id", math.MaxInt64)), ""},
		{"GET", "/api/v2/incremental/users/cursor?cursor=" + url.QueryEscape(encodeCursor("ts", math.MaxInt64)), ""},
	}
	for _, sd := range seeds {
		f.Add(sd.method, sd.path, sd.body)
	}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t") || len(path) > 2000 {
			return
		}
		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
		default:
			return
		}
		r, err := http.NewRequest(method, "http://zendesktest"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		r.SetBasicAuth(s.Email+"/token", s.Token)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, w.Code, w.Body.String())
		}
		if p := s.Stats().Panics; p != 0 {
			t.Fatalf("%d panics", p)
		}
	})
}

// TestIteratorsSendDeclaredParameters: the query parameters the client's
// iterators set (page size, cursor, page, start time) are ones each
// paginated operation declares, so the fake, which refuses undeclared
// parameters, accepts every page an iterator asks for.
func TestIteratorsSendDeclaredParameters(t *testing.T) {
	s := startTest(t)
	checked := 0
	for _, info := range overlay.Operations {
		l := info.Listing
		if l == nil {
			continue
		}
		o := s.spec.byID[info.ID]
		require.NotNil(t, o, info.ID)
		names := []string{l.SizeParam, l.CursorParam}
		switch l.Style {
		case "offset":
			names = append(names, "page")
		case "incremental-time":
			names = append(names, "start_time") // the next page's, from end_time
		}
		for _, n := range names {
			if n != "" {
				assert.True(t, o.query[n], "%s: its iterator sends %q, which the operation does not declare", info.ID, n)
			}
		}
		checked++
	}
	assert.Positive(t, checked)
	t.Logf("%d paginated operations: every parameter their iterators send is declared", checked)
}

// TestUndeclaredQueryParameters refuses query parameters the operation
// does not declare, unless WithUndeclaredQueryParameters.
func TestUndeclaredQueryParameters(t *testing.T) {
	get := func(s *Server, target string) (int, rec) {
		r := httptest.NewRequest("GET", target, nil)
		r.SetBasicAuth(s.Email+"/token", s.Token)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		var body rec
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
		return w.Code, body
	}
	s := startTest(t, WithTickets(5))
	code, body := get(s, "/api/v2/tickets?sort_direction=sideways")
	assert.Equal(t, 400, code)
	assert.Equal(t, "InvalidParameter", body["error"])
	assert.Equal(t, `parameter "sort_direction" in query is not a parameter of ListTickets`, body["description"])
	code, body = get(s, "/api/v2/tickets?per_page=2&sort_key=x&page%5Bsise%5D=3")
	assert.Equal(t, 400, code)
	assert.Equal(t, `parameters "page[sise]", "sort_key" in query are not parameters of ListTickets`, body["description"])
	assert.Equal(t, 2, s.Stats().Invalid)
	code, _ = get(s, "/api/v2/tickets?per_page=2&page=1")
	assert.Equal(t, 200, code, "declared parameters pass")

	lenient := startTest(t, WithTickets(5), WithUndeclaredQueryParameters())
	code, _ = get(lenient, "/api/v2/tickets?sort_direction=sideways")
	assert.Equal(t, 200, code)
}

// TestListTicketsByExternalID: List Tickets filters by the external_id
// parameter. The handler is called as dispatch calls it, past the spec's
// validation; once the spec declares the parameter, a raw request is
// checked too.
func TestListTicketsByExternalID(t *testing.T) {
	s := startTest(t, WithTickets(20), WithoutRateLimits())
	do := func(method, target, body string) (int, []byte) {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		r.SetBasicAuth(s.Email+"/token", s.Token)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w.Code, w.Body.Bytes()
	}
	for _, ext := range []string{"crm-1", "crm-1", "crm-2"} {
		code, body := do("POST", "/api/v2/tickets", `{"ticket":{"external_id":"`+ext+`","comment":{"body":"from the CRM"}}}`)
		require.Equal(t, 201, code, "%s", body)
	}
	code, body := do("PUT", "/api/v2/tickets/5", `{"ticket":{"external_id":"crm-1"}}`)
	require.Equal(t, 200, code, "%s", body)
	code, body = do("DELETE", "/api/v2/tickets/22", "")
	require.Equal(t, 204, code, "%s", body)

	// The filter.
	s.mu.Lock()
	keep := s.st.ticketsWithExternalID("crm-1")
	var kept []int64
	for id := int64(1); id <= 23; id++ {
		if keep(id) {
			kept = append(kept, id)
		}
	}
	assert.Nil(t, s.st.ticketsWithExternalID(""), "no external id: no filter")
	s.mu.Unlock()
	assert.Equal(t, []int64{5, 21}, kept, "ticket 22 is deleted")

	// The handler, as dispatch runs it.
	list := func(target string) []int64 {
		c := &call{s: s, op: s.spec.byID["ListTickets"], r: httptest.NewRequest("GET", target, nil), now: s.Now()}
		rep, apiErr := s.dispatch(c)
		require.Nil(t, apiErr)
		var page struct {
			Tickets []struct {
				ID int64 `json:"id"`
			} `json:"tickets"`
		}
		require.NoError(t, json.Unmarshal(rep.raw, &page))
		var ids []int64
		for _, tk := range page.Tickets {
			ids = append(ids, tk.ID)
		}
		return ids
	}
	assert.Equal(t, []int64{5, 21}, list("/api/v2/tickets?external_id=crm-1"))
	assert.Equal(t, []int64{23}, list("/api/v2/tickets?external_id=crm-2&page%5Bsize%5D=10"))
	assert.Empty(t, list("/api/v2/tickets?external_id=nobody"))
	assert.Len(t, list("/api/v2/tickets"), 22)

	// Through HTTP, with a spec that declares external_id: the repository's
	// once it does, until then the repository's with List Tickets'
	// external_ids (an array) renamed to external_id (a string).
	yaml := spec.YAML
	if !s.spec.byID["ListTickets"].query["external_id"] {
		const old = `        - name: external_ids
          in: query
          description: Lists tickets by external id.`
		i := bytes.Index(yaml, []byte("operationId: ListTickets\n"))
		require.GreaterOrEqual(t, i, 0)
		j := bytes.Index(yaml[i:], []byte(old))
		require.GreaterOrEqual(t, j, 0, "List Tickets declares neither external_id nor external_ids")
		k := i + j + bytes.Index(yaml[i+j:], []byte("          explode: false\n")) + len("          explode: false\n")
		renamed := "        - name: external_id\n          in: query\n          description: Lists the tickets with this external id.\n          schema:\n            type: string\n"
		yaml = append(append(append([]byte(nil), yaml[:i+j]...), renamed...), yaml[k:]...)
	}
	s = startTest(t, WithTickets(20), WithoutRateLimits(), WithSpec(yaml))
	require.True(t, s.spec.byID["ListTickets"].query["external_id"])
	for _, ext := range []string{"crm-1", "crm-2", "crm-1"} {
		code, body := do("POST", "/api/v2/tickets", `{"ticket":{"external_id":"`+ext+`","comment":{"body":"from the CRM"}}}`)
		require.Equal(t, 201, code, "%s", body)
	}
	code, body = do("GET", "/api/v2/tickets?external_id=crm-1", "")
	require.Equal(t, 200, code, "%s", body)
	var page struct {
		Tickets []struct {
			ID int64 `json:"id"`
		} `json:"tickets"`
	}
	require.NoError(t, json.Unmarshal(body, &page))
	require.Len(t, page.Tickets, 2)
	assert.Equal(t, []int64{21, 23}, []int64{page.Tickets[0].ID, page.Tickets[1].ID})
}
