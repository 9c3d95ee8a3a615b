package zendesktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/internal/specmeta"
	"github.com/zdapi/zendesk/zendesktest"
)

// idPools are ids that exist in the fake, by path parameter name; each use
// takes the next, so an operation that deletes a record never takes one
// another operation needs.
type idPools struct {
	pools map[string][]string
	next  map[string]int
}

func (p *idPools) take(name string) (string, bool) {
	ids := p.pools[name]
	if len(ids) == 0 {
		return "", false
	}
	i := p.next[name]
	p.next[name] = i + 1
	return ids[i%len(ids)], true
}

// TestEveryOperation calls every operation of the spec through the
// generated client, against the fake, with parameters and bodies made from
// the spec (ids the fake has for the records it keeps), and checks each
// answers a documented status whose body decodes into the typed response.
// The fake validates every request and, here, every answer too. Each
// operation gets a fresh server (the same seed gives the same records), so
// that one operation's effects (a deleted ticket, a taken email) never
// decide another's answer.
func TestEveryOperation(t *testing.T) {
	leakCheck(t)
	opts := []zendesktest.Option{zendesktest.WithResponseValidation(), zendesktest.WithTickets(200)}
	probe := zendesktest.NewServer(t, opts...)
	client, err := probe.Client(zendesk.WithRetry(zendesk.NoRetry))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pools := &idPools{pools: map[string][]string{}, next: map[string]int{}}
	collect := func(name, items, path string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer resp.Body.Close()
		var page map[string]json.RawMessage
		var records []struct {
			ID json.Number `json:"id"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := json.Unmarshal(page[items], &records); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, r := range records {
			pools.pools[name] = append(pools.pools[name], r.ID.String())
		}
	}
	for _, c := range []struct{ name, items string }{
		{"ticket_id", "tickets"}, {"user_id", "users"}, {"organization_id", "organizations"},
		{"group_id", "groups"}, {"group_membership_id", "group_memberships"},
	} {
		collect(c.name, c.items, "/api/v2/"+c.items+".json?page[size]=100")
	}

	ops := specOps(t)
	exercised := 0
	var failures []string
	byStatus := map[int]int{}
	var total zendesktest.Stats
	for _, so := range ops {
		status, st, err := exerciseOperation(ctx, so, pools, opts)
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s (%s %s): %v", so.id, so.method, so.path, err))
			continue
		}
		if st.Requests[so.id] == 0 {
			// The method sent some other operation's request: the
			// generated code points it at the wrong entry of the table.
			failures = append(failures, fmt.Sprintf("%s (%s %s): the fake saw no request of it, but %v", so.id, so.method, so.path, st.Requests))
			continue
		}
		byStatus[status]++
		exercised++
		total.InvalidResponses += st.InvalidResponses
		total.Invalid += st.Invalid
		total.Panics += st.Panics
		total.Requests = addCounts(total.Requests, st.Requests)
	}
	for _, f := range failures {
		t.Error(f)
	}
	t.Logf("operations exercised: %d/%d", exercised, len(ops))
	t.Logf("answers by status: %v; requests: %d; invalid answers: %d; refused requests: %d; panics: %d",
		byStatus, total.Total(), total.InvalidResponses, total.Invalid, total.Panics)
	if exercised != len(ops) || len(ops) != len(probe.Operations()) {
		t.Errorf("exercised %d of %d operations (the server serves %d)", exercised, len(ops), len(probe.Operations()))
	}
	if total.InvalidResponses != 0 || total.Panics != 0 || total.Invalid != 0 {
		t.Errorf("the fake answered %d invalid answers, refused %d requests, panicked %d times", total.InvalidResponses, total.Invalid, total.Panics)
	}
}

func addCounts(into, from map[string]int) map[string]int {
	if into == nil {
		into = map[string]int{}
	}
	for k, v := range from {
		into[k] += v
	}
	return into
}

// exerciseOperation calls one operation on a fresh server.
func exerciseOperation(ctx context.Context, so specOp, pools *idPools, opts []zendesktest.Option) (int, zendesktest.Stats, error) {
	srv, err := zendesktest.Start(opts...)
	if err != nil {
		return 0, zendesktest.Stats{}, err
	}
	defer srv.Close()
	client, err := srv.Client(zendesk.WithRetry(zendesk.NoRetry))
	if err != nil {
		return 0, zendesktest.Stats{}, err
	}
	local := &idPools{pools: pools.pools, next: pools.next}
	if slices.Contains(pathParamNames(so.path), "job_status_id") {
		name := "Pat Poller"
		job, err := client.CreateManyUsers(ctx, zendesk.CreateManyUsersJSONRequestBody{Users: []zendesk.UserInput{{Name: &name}}})
		if err != nil {
			return 0, zendesktest.Stats{}, err
		}
		local = &idPools{pools: map[string][]string{"job_status_id": {*job.JobStatus.ID}}, next: map[string]int{}}
		for k, v := range pools.pools {
			local.pools[k] = v
		}
	}
	status, err := callOperation(ctx, so, local, client)
	return status, srv.Stats(), err
}

// callOperation calls one operation through its method of zendesk.Client,
// found by reflection, and checks its answer. It returns the answer's
// status.
func callOperation(ctx context.Context, so specOp, pools *idPools, client *zendesk.Client) (int, error) {
	gen := reflect.ValueOf(client)
	ct, body, err := requestBody(so.op)
	if err != nil {
		return 0, err
	}
	if rule, ok := beyondTheSchema[so.id]; ok && ct == "application/json" {
		if body, err = rule(body); err != nil {
			return 0, err
		}
	}
	withBody := ct != "" && ct != "application/json"
	m := methodByName(gen, so.id)
	if !m.IsValid() {
		return 0, fmt.Errorf("zendesk.Client has no method for it")
	}
	mt := m.Type()
	args := []reflect.Value{reflect.ValueOf(ctx)}
	in := 1

	// Path parameters, in the order of the path.
	chosen := map[string]string{}
	for _, name := range pathParamNames(so.path) {
		var value string
		if name == "ticket_audit_id" {
			v, err := auditOf(ctx, client, chosen["ticket_id"])
			if err != nil {
				return 0, err
			}
			value = v
		} else if v, ok := pools.take(name); ok {
			value = v
		} else {
			for _, p := range so.params {
				if p.In == "path" && p.Name == name {
					value = fmt.Sprint(paramValue(p))
				}
			}
		}
		chosen[name] = value
		if in >= mt.NumIn() {
			return 0, fmt.Errorf("the method takes fewer arguments than the path has parameters")
		}
		arg, err := fromText(value, mt.In(in))
		if err != nil {
			return 0, fmt.Errorf("path parameter %s: %w", name, err)
		}
		args = append(args, arg)
		in++
	}

	// The params struct: required query and header parameters, set
	// through their wire names (the fields' json tags).
	if in < mt.NumIn() && mt.In(in).Kind() == reflect.Pointer && strings.HasSuffix(mt.In(in).Elem().Name(), "Params") {
		values := map[string]any{}
		meta, err := specmeta.Decode(so.op.Extensions)
		if err != nil {
			return 0, err
		}
		for _, p := range so.params {
			// A cursor-based export starts with start_time: Zendesk
			// needs it or a cursor, so the spec requires neither.
			startsExport := meta.Pagination != nil && meta.Pagination.Style == specmeta.StyleIncrementalCursor && p.Name == "start_time"
			if p.In != "path" && (p.Required || startsExport) {
				values[p.Name] = paramValue(p)
			}
		}
		pv := reflect.New(mt.In(in).Elem())
		b, _ := json.Marshal(values)
		if err := json.Unmarshal(b, pv.Interface()); err != nil {
			return 0, fmt.Errorf("params %s: %w", b, err)
		}
		args = append(args, pv)
		in++
	}

	// The body.
	switch {
	case withBody:
		args = append(args, reflect.ValueOf(ct), reflect.ValueOf(io.Reader(bytes.NewReader(body))))
		in += 2
	case body != nil:
		if in >= mt.NumIn() || (mt.IsVariadic() && in == mt.NumIn()-1) {
			return 0, fmt.Errorf("the method takes no body")
		}
		bv := reflect.New(mt.In(in))
		if err := json.Unmarshal(body, bv.Interface()); err != nil {
			return 0, fmt.Errorf("the body %s does not decode into %s: %w", clip(string(body)), mt.In(in), err)
		}
		args = append(args, bv.Elem())
		in++
	}
	if mt.IsVariadic() && in != mt.NumIn()-1 || !mt.IsVariadic() && in != mt.NumIn() {
		return 0, fmt.Errorf("built %d arguments for %s", in, mt)
	}

	var resp *http.Response
	args = append(args, reflect.ValueOf(zendesk.KeepResponse(&resp)))
	out := m.Call(args)
	if errV := out[len(out)-1]; !errV.IsNil() {
		return 0, errV.Interface().(error)
	}
	if resp == nil {
		return 0, fmt.Errorf("the call succeeded but kept no response")
	}
	status := resp.StatusCode
	documented := so.op.Responses.Status(status)
	if status < 200 || status > 299 || documented == nil {
		return status, fmt.Errorf("answered %d, not a documented success", status)
	}
	if documented.Value.Content.Get("application/json") != nil {
		if len(out) != 2 || out[0].IsNil() {
			return status, fmt.Errorf("the %d answer did not decode into the typed response", status)
		}
	} else if len(out) != 1 {
		return status, fmt.Errorf("the %d answer has no JSON body, but the method returns %d values", status, len(out))
	}
	return status, nil
}

// beyondTheSchema completes the minimal body of the operations whose
// validity Zendesk decides beyond what the schema can say (the fake
// enforces it as Zendesk does).
var beyondTheSchema = map[string]func(body []byte) ([]byte, error){
	// A new ticket needs a comment, its description (422 otherwise).
	"CreateTicket": func(body []byte) ([]byte, error) {
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, err
		}
		ticket, _ := v["ticket"].(map[string]any)
		if ticket == nil {
			ticket = map[string]any{}
		}
		if _, ok := ticket["comment"]; !ok {
			ticket["comment"] = map[string]any{"body": "The smoke is very colorful."}
		}
		v["ticket"] = ticket
		return json.Marshal(v)
	},
}

// methodByName finds a method whatever the case of its initialisms: the
// generator writes operationId ByExternalId as ByExternalID.
func methodByName(v reflect.Value, name string) reflect.Value {
	if m := v.MethodByName(name); m.IsValid() {
		return m
	}
	for i := 0; i < v.NumMethod(); i++ {
		if strings.EqualFold(v.Type().Method(i).Name, name) {
			return v.Method(i)
		}
	}
	return reflect.Value{}
}

// fromText converts a path parameter's text into the method's argument
// type (an integer, a string or a named string type).
func fromText(text string, typ reflect.Type) (reflect.Value, error) {
	v := reflect.New(typ)
	var raw []byte
	switch typ.Kind() {
	case reflect.String:
		raw, _ = json.Marshal(text)
	default:
		raw = []byte(text)
	}
	if err := json.Unmarshal(raw, v.Interface()); err != nil {
		return reflect.Value{}, fmt.Errorf("%q into %s: %w", text, typ, err)
	}
	return v.Elem(), nil
}

// auditOf is an audit id of the ticket.
func auditOf(ctx context.Context, client *zendesk.Client, ticket string) (string, error) {
	id, err := strconv.ParseInt(ticket, 10, 64)
	if err != nil {
		return "", fmt.Errorf("ticket id %q: %w", ticket, err)
	}
	resp, err := client.ListTicketAudits(ctx, id, &zendesk.ListTicketAuditsParams{})
	if err != nil {
		return "", err
	}
	if len(resp.Audits) == 0 {
		return "", fmt.Errorf("ticket %d has no audit", id)
	}
	return strconv.FormatInt(*resp.Audits[0].ID, 10), nil
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
