// Package bench measures what the client costs: decoding pages into the
// generated types against a plain struct and a map, iterating over loopback
// against a hand-rolled net/http loop, and memory over long exports. The
// benchmark bodies live here so that both `go test -bench` and the ratio
// report (bench/report) run the same code.
package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/zdapi/zendesk/internal/specgen"
)

// Payloads are realistic pages built from the spec's examples.
type Payloads struct {
	// Tickets is a List Tickets page of 100 tickets, Users a List Users page
	// of 100 users, Export an incremental ticket export page of 1000 tickets.
	Tickets, Users, Export []byte
}

// specPath finds spec/zendesk.yaml from this package's directory.
func specPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "spec", "zendesk.yaml")
}

func example(ops map[string]map[string]any, id string) (map[string]any, error) {
	ex, ok := ops[id]
	if !ok {
		return nil, fmt.Errorf("no example for %s", id)
	}
	return ex, nil
}

// LoadPayloads builds the pages from the examples of ListTickets, ListUsers
// and IncrementalTicketCursorExport: records are copies of the examples'
// records with their own ids, and tickets carry custom field values of every
// JSON type (string, number, boolean, array, null, date).
func LoadPayloads() (*Payloads, error) {
	src, err := os.ReadFile(specPath())
	if err != nil {
		return nil, err
	}
	spec, err := specgen.LoadSpec(src)
	if err != nil {
		return nil, err
	}
	ops := map[string]map[string]any{}
	for _, p := range spec.Paths.Map() {
		for _, op := range p.Operations() {
			if r := op.Responses.Value("200"); r != nil && r.Value != nil {
				if mt := r.Value.Content.Get("application/json"); mt != nil {
					if m, ok := mt.Example.(map[string]any); ok {
						ops[op.OperationID] = m
					}
				}
			}
		}
	}
	tickets, err := example(ops, "ListTickets")
	if err != nil {
		return nil, err
	}
	users, err := example(ops, "ListUsers")
	if err != nil {
		return nil, err
	}
	export, err := example(ops, "IncrementalTicketCursorExport")
	if err != nil {
		return nil, err
	}
	out := &Payloads{}
	if out.Tickets, err = page(tickets, "tickets", 100, ticketVariant); err != nil {
		return nil, err
	}
	if out.Users, err = page(users, "users", 100, userVariant); err != nil {
		return nil, err
	}
	if out.Export, err = page(export, "tickets", 1000, ticketVariant); err != nil {
		return nil, err
	}
	return out, nil
}

// page copies the example page with n records made from its records.
func page(ex map[string]any, items string, n int, vary func(map[string]any, int)) ([]byte, error) {
	recs, ok := ex[items].([]any)
	if !ok || len(recs) == 0 {
		return nil, fmt.Errorf("example has no %s", items)
	}
	out := map[string]any{}
	for k, v := range ex {
		out[k] = v
	}
	list := make([]any, n)
	for i := range list {
		// Copy through JSON: every record its own value.
		b, _ := json.Marshal(recs[i%len(recs)])
		var r map[string]any
		_ = json.Unmarshal(b, &r)
		vary(r, i)
		list[i] = r
	}
	out[items] = list
	return json.Marshal(out)
}

func ticketVariant(t map[string]any, i int) {
	t["id"] = 100000 + i
	t["url"] = fmt.Sprintf("https://example.zendesk.com/api/v2/tickets/%d.json", 100000+i)
	t["subject"] = fmt.Sprintf("Ticket number %d about the printer", i)
	t["custom_fields"] = []any{
		map[string]any{"id": 360001, "value": fmt.Sprintf("order-%d", i)},
		map[string]any{"id": 360002, "value": i * 7},
		map[string]any{"id": 360003, "value": i%2 == 0},
		map[string]any{"id": 360004, "value": []any{"hd_3000", "hd_5555"}},
		map[string]any{"id": 360005, "value": nil},
		map[string]any{"id": 360006, "value": "2024-04-16"},
		map[string]any{"id": 360007, "value": 12.5},
	}
	t["fields"] = t["custom_fields"]
}

func userVariant(u map[string]any, i int) {
	u["id"] = 500000 + i
	u["name"] = fmt.Sprintf("User %d", i)
	u["email"] = fmt.Sprintf("user%d@example.com", i)
	u["user_fields"] = map[string]any{"plan": "enterprise", "seats": i, "vip": i%3 == 0, "renewal": nil}
}
