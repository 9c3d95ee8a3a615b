package specgen

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	docPath   = "../../spec/connector-docs/zendesk-support-v1r1.txt"
	indexPath = "../../spec/connector-docs/endpoints.tsv"
	specPath  = "../../spec/zendesk.yaml"
)

func realInputs(t *testing.T) Inputs {
	t.Helper()
	var in Inputs
	var err error
	in.Doc, err = os.ReadFile(docPath)
	require.NoError(t, err)
	in.Index, err = os.ReadFile(indexPath)
	require.NoError(t, err)
	in.Spec, err = os.ReadFile(specPath)
	require.NoError(t, err)
	in.SpecName = "spec/zendesk.yaml"
	return in
}

func TestRealSpecAgreesWithDoc(t *testing.T) {
	r, err := Check(realInputs(t))
	require.NoError(t, err)
	for _, l := range r.Lines() {
		t.Log(l)
	}
	t.Log(r.Summary())
	t.Log(r.Totals())
	assert.Empty(t, r.Findings)
	assert.Equal(t, 417, r.Documented)
	assert.Equal(t, 417, r.Matched)
	assert.Equal(t, 417, r.Operations)
	assert.Equal(t, "417/417 endpoints, 0 disagreements", r.Totals())
}

// opBlock returns the first and last (exclusive) 0-based lines of an
// operation's block in the spec text.
func opBlock(t *testing.T, spec, path, method string) (int, int) {
	t.Helper()
	ix, err := newLineIndex([]byte(spec))
	require.NoError(t, err)
	start := ix.op(path, method) - 1
	lines := strings.Split(spec, "\n")
	require.Equal(t, "    "+method+":", lines[start], "operation %s %s", method, path)
	end := start + 1
	for end < len(lines) && (strings.HasPrefix(lines[end], "      ") || lines[end] == "") {
		end++
	}
	return start, end
}

// lineOf is the 1-based line of the first line matching re at or after from.
func lineOf(t *testing.T, spec string, from int, re string) int {
	t.Helper()
	rx := regexp.MustCompile(re)
	for i, l := range strings.Split(spec, "\n") {
		if i >= from && rx.MatchString(l) {
			return i + 1
		}
	}
	t.Fatalf("no line matching %q after %d", re, from)
	return 0
}

func replaceLine(spec string, line int, with string) string {
	lines := strings.Split(spec, "\n")
	lines[line-1] = with
	return strings.Join(lines, "\n")
}

// TestBrokenCopies breaks a copy of the real spec in one way at a time and
// checks that exactly that disagreement is reported, at its line.
func TestBrokenCopies(t *testing.T) {
	base := realInputs(t)
	spec := string(base.Spec)
	cases := []struct {
		name   string
		breaks func(t *testing.T) (string, int)
		want   string
	}{
		{"removed operation", func(t *testing.T) (string, int) {
			s, e := opBlock(t, spec, "/api/v2/tickets/{ticket_id}", "delete")
			lines := strings.Split(spec, "\n")
			broken := strings.Join(append(lines[:s:s], lines[e:]...), "\n")
			ix, _ := newLineIndex([]byte(broken))
			return broken, ix.path("/api/v2/tickets/{ticket_id}")
		}, `missing operation DELETE /api/v2/tickets/{ticket_id} for "{ticket_id}: Delete Ticket"`},
		{"wrong pagination style", func(t *testing.T) (string, int) {
			s, _ := opBlock(t, spec, "/api/v2/users", "get")
			l := lineOf(t, spec, s, `^\s+style: cursor\+offset$`)
			return replaceLine(spec, l, strings.Replace(strings.Split(spec, "\n")[l-1], "cursor+offset", "offset", 1)), lineOf(t, spec, s, `x-zendesk-pagination:`)
		}, `pagination style is "offset", doc says "cursor+offset"`},
		{"job annotation removed", func(t *testing.T) (string, int) {
			s, _ := opBlock(t, spec, "/api/v2/tickets/create_many", "post")
			l := lineOf(t, spec, s, `^\s+x-zendesk-job: true$`)
			return replaceLine(spec, l, ""), s + 1
		}, "doc says it returns a job_status but there is no x-zendesk-job"},
		{"wrong rate limit", func(t *testing.T) (string, int) {
			s, _ := opBlock(t, spec, "/api/v2/views/{view_id}/count", "get")
			l := lineOf(t, spec, s, `^\s+requests: 5$`)
			return replaceLine(spec, l, strings.Replace(strings.Split(spec, "\n")[l-1], "5", "50", 1)), lineOf(t, spec, s, `x-zendesk-rate-limit:`)
		}, "rate limit is 50 per 60s, doc says 5 per 60s"},
		{"required parameter made optional", func(t *testing.T) (string, int) {
			s, _ := opBlock(t, spec, "/api/v2/search", "get")
			l := lineOf(t, spec, s, `^\s+- name: query$`)
			lines := strings.Split(spec, "\n")
			for i := l; ; i++ {
				if strings.TrimSpace(lines[i]) == "required: true" {
					lines[i] = strings.Replace(lines[i], "true", "false", 1)
					break
				}
			}
			return strings.Join(lines, "\n"), l
		}, "parameter query is documented (Required) but not required"},
		{"summary changed", func(t *testing.T) (string, int) {
			s, _ := opBlock(t, spec, "/api/v2/tickets/count", "get")
			l := lineOf(t, spec, s, `^\s+summary: `)
			return replaceLine(spec, l, "      summary: Count All Tickets"), l
		}, `summary is "Count All Tickets", doc title's summary is "Count Tickets"`},
		{"schema named like a generated response", func(t *testing.T) (string, int) {
			l := lineOf(t, spec, 0, `^  schemas:$`)
			return replaceLine(spec, l, "  schemas:\n    ListTicketsResponse:\n      type: object\n      description: A schema whose name oapi-codegen takes."), l + 1
		}, "schema ListTicketsResponse collides with the ListTicketsResponse type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			broken, line := c.breaks(t)
			in := base
			in.Spec = []byte(broken)
			r, err := Check(in)
			require.NoError(t, err)
			lines := r.Lines()
			require.Len(t, lines, 1, "findings: %v", lines)
			assert.Contains(t, lines[0], c.want)
			assert.True(t, strings.HasPrefix(lines[0], fmt.Sprintf("spec/zendesk.yaml:%d: ", line)), "want line %d: %s", line, lines[0])
		})
	}
}

func TestBadInputs(t *testing.T) {
	base := realInputs(t)
	doc := string(base.Doc)
	cases := []struct {
		name  string
		edit  func(in *Inputs)
		wants string
	}{
		{"malformed YAML", func(in *Inputs) { in.Spec = []byte("openapi: 3.0.3\npaths:\n  /x: [\n") }, "spec/zendesk.yaml: yaml: line"},
		{"not an OpenAPI document", func(in *Inputs) { in.Spec = []byte("- just\n- a list\n") }, "not a YAML mapping"},
		{"broken $ref", func(in *Inputs) {
			in.Spec = []byte(strings.Replace(string(in.Spec), `$ref: "#/components/schemas/JobStatus"`, `$ref: "#/components/schemas/NoSuchSchema"`, 1))
		}, "NoSuchSchema"},
		{"truncated doc", func(in *Inputs) { in.Doc = []byte(doc[:len(doc)/2]) }, "connector doc"},
		{"foreign doc", func(in *Inputs) { in.Doc = []byte("hello\n") }, "not a connector doc"},
		{"malformed index", func(in *Inputs) { in.Index = []byte("nope\n") }, "endpoint index"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base
			c.edit(&in)
			r, err := Check(in)
			require.Error(t, err)
			assert.Nil(t, r)
			assert.Contains(t, err.Error(), c.wants)
			var ie *InputError
			assert.ErrorAs(t, err, &ie)
		})
	}
}

// inOp replaces the first old after the start of an operation's block,
// within the block.
func inOp(t *testing.T, spec, path, method, old, new string) string {
	t.Helper()
	s, e := opBlock(t, spec, path, method)
	lines := strings.Split(spec, "\n")
	block := strings.Join(lines[s:e], "\n")
	require.Contains(t, block, old, "%s %s", method, path)
	lines = append(lines[:s:s], append(strings.Split(strings.Replace(block, old, new, 1), "\n"), lines[e:]...)...)
	return strings.Join(lines, "\n")
}

func replaceOnce(t *testing.T, spec, old, new string) string {
	t.Helper()
	require.Equal(t, 1, strings.Count(spec, old), "%q", old)
	return strings.Replace(spec, old, new, 1)
}

// TestBrokenCopiesFindings breaks a copy of the real spec (or of the doc)
// and checks that exactly the expected disagreements are reported: the wire
// names of documented parameters, free-form responses, precise errata,
// sideloads and rate limits.
func TestBrokenCopiesFindings(t *testing.T) {
	base := realInputs(t)
	spec := string(base.Spec)
	const tickets, activities, views = "/api/v2/tickets", "/api/v2/activities", "/api/v2/views"
	const replica, metric = "/api/v2/macros/new", "/api/v2/ticket_metrics/{ticket_metric_id}"
	cases := []struct {
		name  string
		spec  func(t *testing.T) string
		doc   func(t *testing.T) string
		wants []string
	}{
		{"a documented parameter under another wire name", func(t *testing.T) string {
			return inOp(t, spec, tickets, "get", "- name: external_id\n", "- name: external_ids\n")
		}, nil, []string{`ListTickets: parameter external_ids is described "Lists tickets by external id. External ids don't have to be unique for each t...", which is Zendesk's external_id (doc line 7830)`}},
		{"a one-value parameter declared as a list", func(t *testing.T) string {
			return inOp(t, spec, tickets, "get", "          schema:\n            type: string\n", "          schema:\n            type: array\n            items:\n              type: string\n")
		}, nil, []string{"ListTickets: parameter external_id takes one value"}},
		{"a list parameter declared as one value", func(t *testing.T) string {
			return inOp(t, spec, "/api/v2/users/show_many", "get", "            type: array\n            items:\n              type: integer\n              format: int64\n", "            type: string\n")
		}, nil, []string{"ShowManyUsers: parameter ids takes a list"}},
		{"a parameter no rule knows", func(t *testing.T) string {
			return replaceOnce(t, spec, "Lists tickets by external id. External ids", "Tickets with a matching reference. External ids")
		}, func(t *testing.T) string {
			return replaceOnce(t, string(base.Doc), "Lists tickets by external id. External ids", "Tickets with a matching reference. External ids")
		}, []string{`ListTickets: no wire-name rule knows the parameter described "Tickets with a matching reference.`}},
		{"a bare object response", func(t *testing.T) string {
			return replaceOnce(t, spec, "      additionalProperties: false\n      x-go-type: struct{}\n", "")
		}, nil, []string{"BulkUpdateDefaultCustomTicketStatuses: the 200 response's schema has no properties"}},
		{"an empty schema behind allOf", func(t *testing.T) string {
			s := replaceOnce(t, spec, "      additionalProperties: false\n      x-go-type: struct{}\n", "")
			return replaceOnce(t, s, "    CustomStatusesDefaultUpdateResult:\n      type: object\n", "    CustomStatusesDefaultUpdateResult:\n      allOf:\n        - type: object\n        - {}\n")
		}, nil, []string{"BulkUpdateDefaultCustomTicketStatuses: the 200 response's schema has no properties"}},
		{"a parameters erratum excuses only the parameter it names", func(t *testing.T) string {
			return inOp(t, spec, replica, "get", "          ticket_id: The doc", "          source: The doc")
		}, nil, []string{"ShowMacroReplica: parameter ticket_id is documented (Required) but not required", "ShowMacroReplica: erratum for parameter source excuses nothing"}},
		{"a pagination erratum excuses only its fact", func(t *testing.T) string {
			s := inOp(t, spec, activities, "get", "        max-page-size: 100\n", "        max-page-size: 50\n")
			return inOp(t, s, activities, "get", "      x-zendesk-doc-errata:\n", "      x-zendesk-doc-errata:\n        pagination:\n          style: not so\n")
		}, nil, []string{"ListActivities: max-page-size is 50, doc says 100", "ListActivities: pagination erratum style excuses nothing"}},
		{"a pagination erratum for a fact the doc does not state", func(t *testing.T) string {
			return inOp(t, spec, metric, "get", "          style: 'The doc", "          items: 'The doc")
		}, nil, []string{"ShowTicketMetric: doc says it paginates", `ShowTicketMetric: pagination erratum "items" is not a fact the doc states`}},
		{"a job erratum that excuses nothing", func(t *testing.T) string {
			return inOp(t, spec, tickets, "get", "      x-zendesk-doc-errata:\n", "      x-zendesk-doc-errata:\n        job: no reason\n")
		}, nil, []string{"ListTickets: job erratum excuses nothing"}},
		{"an invented include for always-on sideloads", func(t *testing.T) string {
			return inOp(t, spec, activities, "get", "        - name: page[size]\n", "        - name: include\n          in: query\n          description: Sideloads.\n          schema:\n            type: array\n            items:\n              type: string\n              enum: [actors, users]\n        - name: page[size]\n")
		}, nil, []string{"ListActivities: include enum [actors, users] differs from the sideloads a caller asks for in x-zendesk-sideloads []"}},
		{"an always-on sideload not marked so", func(t *testing.T) string {
			return inOp(t, spec, activities, "get", "          always: true\n", "")
		}, nil, []string{"ListActivities: the doc says Zendesk always sends the actors sideload: mark it always: true", "ListActivities: sideloads [actors] are asked for with include, but there is no include query parameter"}},
		{"sideloads without an include parameter", func(t *testing.T) string {
			return inOp(t, spec, views, "get", "        - name: include\n", "        - name: includes\n")
		}, nil, []string{"ListViews: sideloads [app_installation, permissions] are asked for with include, but there is no include query parameter"}},
		{"an include parameter without an enum", func(t *testing.T) string {
			return inOp(t, spec, views, "get", "              enum:\n                - app_installation\n                - permissions\n", "")
		}, nil, []string{"ListViews: include parameter has no enum"}},
		{"a sideload the envelope drops", func(t *testing.T) string {
			return replaceOnce(t, spec, "          property: child_events\n", "")
		}, nil, []string{"IncrementalTicketEventExport: sideload comment_events lands in comment_events, which is not a property of the 2xx response or of its records"}},
		{"the macro categories sideload dropped", func(t *testing.T) string {
			return strings.ReplaceAll(spec, "            categories:\n              type: array\n              description: 'Sideloaded (include=categories)", "            kategories:\n              type: array\n              description: 'Sideloaded (include=categories)")
		}, nil, []string{"ListMacros: sideload categories lands in categories", "ListActiveMacros: sideload categories lands in categories", "SearchMacros: sideload categories lands in categories"}},
		{"a nullable enum without null", func(t *testing.T) string {
			return replaceOnce(t, spec, "enum: [low, normal, high, urgent, null]", "enum: [low, normal, high, urgent]")
		}, nil, []string{"Request.priority: a nullable enum must list null among its values"}},
		{"a named schema without a description", func(t *testing.T) string {
			return replaceOnce(t, spec, "    BookmarkInput:\n      description: The ticket to bookmark.\n", "    BookmarkInput:\n")
		}, nil, []string{"BookmarkInput: a named schema needs a description"}},
		{"null listed by an enum that is not nullable", func(t *testing.T) string {
			return replaceOnce(t, spec, "          nullable: true\n          description: The type of the request.\n", "          description: The type of the request.\n")
		}, nil, []string{"Request.type: the enum lists null but the schema is not nullable"}},
		{"a single-precision number", func(t *testing.T) string {
			return replaceOnce(t, spec, "        latitude:\n          type: number\n          format: double\n", "        latitude:\n          type: number\n          format: float\n")
		}, nil, []string{"TicketAuditSystemMetadata.latitude: a number must be format: double"}},
		{"a second documented rate limit", nil, func(t *testing.T) string {
			return replaceOnce(t, string(base.Doc), "Count: Count Tickets in View\nReturns the ticket count for a single view.\n", "Count: Count Tickets in View\nYou can make 10 requests every 1 minute using this endpoint.\n")
		}, []string{`CountTicketsInView: doc states 2 different rate limits (10 per 60s: "You can make 10 requests every 1 minute using this endpoint."; 5 per 60s:`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base
			if c.spec != nil {
				in.Spec = []byte(c.spec(t))
			}
			if c.doc != nil {
				in.Doc = []byte(c.doc(t))
			}
			r, err := Check(in)
			require.NoError(t, err)
			lines := r.Lines()
			require.Len(t, lines, len(c.wants), "findings: %v", lines)
			for _, w := range c.wants {
				found := false
				for _, l := range lines {
					found = found || strings.Contains(l, w)
				}
				assert.True(t, found, "no finding %q in %v", w, lines)
			}
		})
	}
}

// TestSummaryShowsTheErrataArithmetic: each annotation count is the doc's,
// less what errata waive, plus what the spec supplements.
func TestSummaryShowsTheErrataArithmetic(t *testing.T) {
	r, err := Check(realInputs(t))
	require.NoError(t, err)
	s := r.Summary()
	for _, want := range []string{
		"x-zendesk-pagination 76 (doc says 74, 1 waived by errata, 3 supplemented)",
		"x-zendesk-job 23 (doc says 20, 1 waived by errata, 4 supplemented)",
		"x-zendesk-rate-limit 22 (doc says 22, 0 waived by errata, 0 supplemented)",
		"x-zendesk-sideloads 49 (doc says 19, 0 waived by errata, 30 supplemented)",
	} {
		assert.Contains(t, s, want)
	}
	for _, c := range []struct {
		n, waived, supplemented, doc int
	}{
		{r.Paginated, r.PaginatedWaived, r.PaginatedSupplemented, r.PaginatedFromDoc},
		{r.Jobs, r.JobsWaived, r.JobsSupplemented, r.JobsFromDoc},
		{r.RateLimited, r.RateLimitedWaived, r.RateLimitedSupplemented, r.RateLimitedFromDoc},
		{r.Sideloaded, r.SideloadedWaived, r.SideloadedSupplemented, r.SideloadedFromDoc},
	} {
		assert.Equal(t, c.n, c.doc-c.waived+c.supplemented, s)
	}
	one := &Report{Matched: 417, Documented: 417, Findings: []Finding{{}}}
	assert.Equal(t, "417/417 endpoints, 1 disagreement", one.Totals())
	one.Findings = append(one.Findings, Finding{})
	assert.Equal(t, "417/417 endpoints, 2 disagreements", one.Totals())
}
