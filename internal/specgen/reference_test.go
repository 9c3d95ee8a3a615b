package specgen

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const referencePath = "../../spec/reference/zendesk-oas-facts.json"

func realReference(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(referencePath)
	require.NoError(t, err)
	return b
}

// editReference decodes the reference, lets edit change it and encodes it
// again.
func editReference(t *testing.T, src []byte, edit func(t *testing.T, ref map[string]any)) []byte {
	t.Helper()
	var ref map[string]any
	require.NoError(t, json.Unmarshal(src, &ref))
	edit(t, ref)
	b, err := json.Marshal(ref)
	require.NoError(t, err)
	return b
}

// refOp is the reference's operation at a method and path.
func refOp(t *testing.T, ref map[string]any, method, path string) map[string]any {
	t.Helper()
	for _, o := range ref["operations"].([]any) {
		op := o.(map[string]any)
		if op["method"] == method && op["path"] == path {
			return op
		}
	}
	t.Fatalf("no reference operation %s %s", method, path)
	return nil
}

func refComponent(t *testing.T, ref map[string]any, name string) map[string]any {
	t.Helper()
	c, ok := ref["components"].(map[string]any)["schemas/"+name].(map[string]any)
	require.True(t, ok, "no component %s", name)
	return c
}

// newFindings are the findings of in that the unbroken inputs do not have.
func newFindings(t *testing.T, base []string, in Inputs) (*Report, []string) {
	t.Helper()
	r, err := Check(in)
	require.NoError(t, err)
	var out []string
	for _, l := range r.Lines() {
		if !slices.Contains(base, stripLine(l)) {
			out = append(out, l)
		}
	}
	return r, out
}

// stripLine drops a finding's "file:LINE: " prefix, since edits move lines.
func stripLine(l string) string {
	parts := strings.SplitN(l, ": ", 2)
	if len(parts) < 2 {
		return l
	}
	return parts[1]
}

// TestReferenceBrokenCopies breaks a copy of the reference or of the spec
// and checks that the comparison reports exactly the disagreement made,
// and that a reference erratum waives it.
func TestReferenceBrokenCopies(t *testing.T) {
	base := realInputs(t)
	base.Reference = realReference(t)
	r0, err := Check(base)
	require.NoError(t, err)
	var baseLines []string
	for _, l := range r0.Lines() {
		baseLines = append(baseLines, stripLine(l))
	}
	spec := string(base.Spec)
	const tickets, ticket = "/api/v2/tickets", "/api/v2/tickets/{ticket_id}"
	cases := []struct {
		name string
		ref  func(t *testing.T, ref map[string]any)
		spec func(t *testing.T) string
		// want are substrings of the new findings, one each.
		want []string
	}{
		{name: "a query parameter the spec lacks", ref: func(t *testing.T, ref map[string]any) {
			op := refOp(t, ref, "GET", tickets)
			op["parameters"] = append(op["parameters"].([]any), map[string]any{"name": "frobnicate", "in": "query", "schema": map[string]any{"type": "boolean"}})
		}, want: []string{"ListTickets: no query parameter frobnicate (reference: boolean)"}},
		{name: "a path parameter typed otherwise", ref: func(t *testing.T, ref map[string]any) {
			op := refOp(t, ref, "GET", ticket)
			for _, p := range op["parameters"].([]any) {
				if p := p.(map[string]any); p["name"] == "ticket_id" {
					p["schema"] = map[string]any{"type": "string"}
				}
			}
		}, want: []string{"ShowTicket: parameter ticket_id: is integer, the reference's is string"}},
		{name: "an enum value the spec does not list", ref: func(t *testing.T, ref map[string]any) {
			op := refOp(t, ref, "GET", tickets)
			for _, p := range op["parameters"].([]any) {
				if p := p.(map[string]any); p["name"] == "external_id" {
					p["schema"] = map[string]any{"type": "string", "enum": []any{"a", "b"}}
				}
			}
		}, want: []string{"ListTickets: parameter external_id: has no enum, the reference lists [a, b]"}},
		{name: "a body property the spec lacks", ref: func(t *testing.T, ref map[string]any) {
			refComponent(t, ref, "TicketObject")["properties"].(map[string]any)["frobnicate"] = map[string]any{"type": "string"}
		}, want: []string{"TicketInput: no property frobnicate (reference: string)", "Ticket: no property frobnicate (reference: string)", "SuspendedTicket: no property frobnicate"}},
		{name: "a nested response property the spec lacks", ref: func(t *testing.T, ref map[string]any) {
			refComponent(t, ref, "ViaObject")["properties"].(map[string]any)["frobnicate"] = map[string]any{"type": "integer"}
		}, want: []string{"Via: no property frobnicate (reference: integer)"}},
		{name: "a property typed otherwise", ref: func(t *testing.T, ref map[string]any) {
			refComponent(t, ref, "TicketObject")["properties"].(map[string]any)["subject"] = map[string]any{"type": "integer"}
		}, want: []string{"Ticket.subject is string, the reference's is integer", "TicketInput.subject is string, the reference's is integer", "SuspendedTicket.subject is string"}},
		{name: "a wrong success status code", ref: func(t *testing.T, ref map[string]any) {
			op := refOp(t, ref, "GET", ticket)
			rs := op["responses"].(map[string]any)
			rs["203"] = rs["200"]
			delete(rs, "200")
		}, want: []string{"ShowTicket: success status codes are [200], the reference's [203]"}},
		{name: "an operation the spec lacks", ref: func(t *testing.T, ref map[string]any) {
			op := refOp(t, ref, "GET", ticket)
			op["method"] = "PATCH"
		}, want: []string{"the reference has operation PATCH /api/v2/tickets/{ticket_id} (ShowTicket), the spec does not"}},
		{name: "an operation erratum waives a parameter", ref: func(t *testing.T, ref map[string]any) {
			op := refOp(t, ref, "GET", ticket)
			op["parameters"] = append(op["parameters"].([]any), map[string]any{"name": "frobnicate", "in": "query", "schema": map[string]any{"type": "boolean"}})
		}, spec: func(t *testing.T) string {
			return inOp(t, spec, ticket, "get", "      x-zendesk-doc-errata:\n", "      x-zendesk-doc-errata:\n        reference:\n          parameters:\n            frobnicate: Zendesk ignores it.\n")
		}, want: nil},
		{name: "a schema erratum waives a property", ref: func(t *testing.T, ref map[string]any) {
			refComponent(t, ref, "ViaObject")["properties"].(map[string]any)["frobnicate"] = map[string]any{"type": "integer"}
		}, spec: func(t *testing.T) string {
			return replaceOnce(t, spec, "    Via:\n      type: object\n", "    Via:\n      type: object\n      x-zendesk-doc-errata:\n        reference:\n          properties:\n            frobnicate: Zendesk never sends it.\n")
		}, want: nil},
		{name: "an erratum with no reason", spec: func(t *testing.T) string {
			return inOp(t, spec, ticket, "get", "      x-zendesk-doc-errata:\n", "      x-zendesk-doc-errata:\n        reference:\n          parameters:\n            ticket_id: ''\n")
		}, want: []string{"ShowTicket: parameter ticket_id: reference erratum gives no reason"}},
		{name: "an erratum that excuses nothing", spec: func(t *testing.T) string {
			return inOp(t, spec, ticket, "get", "      x-zendesk-doc-errata:\n", "      x-zendesk-doc-errata:\n        reference:\n          status-codes: Zendesk answers otherwise.\n")
		}, want: []string{"ShowTicket: status codes: reference erratum excuses nothing"}},
		{name: "a schema erratum that excuses nothing", spec: func(t *testing.T) string {
			return replaceOnce(t, spec, "    Via:\n      type: object\n", "    Via:\n      type: object\n      x-zendesk-doc-errata:\n        reference:\n          properties:\n            channel: not so.\n")
		}, want: []string{"Via.channel: reference erratum excuses nothing"}},
		{name: "a malformed schema erratum", spec: func(t *testing.T) string {
			return replaceOnce(t, spec, "    Via:\n      type: object\n", "    Via:\n      type: object\n      x-zendesk-doc-errata:\n        job: not here.\n")
		}, want: []string{"Via: x-zendesk-doc-errata:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base
			if c.ref != nil {
				in.Reference = editReference(t, base.Reference, c.ref)
			}
			if c.spec != nil {
				in.Spec = []byte(c.spec(t))
			}
			r, lines := newFindings(t, baseLines, in)
			require.Len(t, lines, len(c.want), "new findings: %v", lines)
			for _, w := range c.want {
				found := false
				for _, l := range lines {
					found = found || strings.Contains(l, w)
				}
				assert.True(t, found, "no finding %q in %v", w, lines)
			}
			require.NotNil(t, r.Reference)
			if c.spec != nil && c.want == nil {
				assert.Equal(t, r0.Reference.Errata+1, r.Reference.Errata, "the erratum is counted")
			}
		})
	}
}

// TestReferenceFindingsPointAtTheSpec: every finding names a line of the
// spec, so that it can be fixed where it is.
func TestReferenceFindingsPointAtTheSpec(t *testing.T) {
	in := realInputs(t)
	in.Reference = realReference(t)
	r, err := Check(in)
	require.NoError(t, err)
	n := strings.Count(string(in.Spec), "\n") + 1
	for _, f := range r.Findings {
		assert.True(t, f.Line >= 1 && f.Line <= n, "line %d: %s", f.Line, f.Msg)
	}
}

// TestBadReference: a reference that is not one is an input error naming
// the reference, never a panic or a silent pass.
func TestBadReference(t *testing.T) {
	base := realInputs(t)
	good := realReference(t)
	cases := []struct {
		name, ref, want string
	}{
		{"empty", "", "not a reference facts file"},
		{"truncated", string(good[:len(good)/2]), "not a reference facts file"},
		{"not JSON", "operations: []", "not a reference facts file"},
		{"a foreign JSON file", `{"name": "zendesk", "version": "1.0.0"}`, "unknown field"},
		{"no operations", `{"operations": []}`, "no operations"},
		{"an operation without a path", `{"operations": [{"method": "GET", "responses": {"200": {}}}]}`, "no method or path"},
		{"a dangling $ref", `{"operations": [{"method": "GET", "path": "/x", "parameters": [], "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}}], "components": {}}`, `$ref "#/components/schemas/Nope" names no component`},
		{"a schema of the wrong type", `{"operations": [{"method": "GET", "path": "/x", "parameters": [{"name": "a", "in": "query", "schema": {"type": 3}}], "responses": {"200": {}}}]}`, "not a reference facts file"},
		{"two copies of an operation", `{"operations": [{"method": "GET", "path": "/x", "responses": {"200": {}}}, {"method": "get", "path": "/x", "responses": {"200": {}}}]}`, "appears twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base
			in.Reference = []byte(c.ref)
			_, err := Check(in)
			require.Error(t, err)
			var ie *InputError
			require.True(t, errors.As(err, &ie), "%v", err)
			assert.Equal(t, "reference", ie.File)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestRealSpecAgainstReference reports where the spec stands against the
// reference.
func TestRealSpecAgainstReference(t *testing.T) {
	in := realInputs(t)
	in.Reference = realReference(t)
	r, err := Check(in)
	require.NoError(t, err)
	for _, l := range r.Lines() {
		t.Log(l)
	}
	require.NotNil(t, r.Reference)
	t.Log(r.Reference.Line())
	assert.Equal(t, 417, r.Reference.StatusTotal)
	assert.Regexp(t, `^reference: params \d+/\d+, sideloads \d+/35, bodies \d+/\d+, responses \d+/\d+, status codes \d+/417, errata \d+$`, r.Reference.Line())
}
