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
			return replaceLine(spec, l, "  schemas:\n    ListTicketsResponse:\n      type: object"), l + 1
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
