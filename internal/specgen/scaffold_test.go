package specgen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScaffoldCompleteSpecChangesNothing(t *testing.T) {
	in := realInputs(t)
	res, err := Scaffold(in)
	require.NoError(t, err)
	assert.Empty(t, res.Added)
	assert.Equal(t, string(in.Spec), string(res.Spec))
}

// TestScaffoldRestoresRemovedOperations removes an operation that is alone
// on its path and one that shares its path, adds a comment, and checks that
// scaffolding brings both back as skeletons while every byte of the curated
// text, the comment included, stays where it was.
func TestScaffoldRestoresRemovedOperations(t *testing.T) {
	in := realInputs(t)
	spec := string(in.Spec)
	lines := strings.Split(spec, "\n")

	// /api/v2/tickets/count has one operation: remove the whole path item.
	s1, e1 := opBlock(t, spec, "/api/v2/tickets/count", "get")
	require.Equal(t, "  /api/v2/tickets/count:", lines[s1-1])
	// /api/v2/tickets/{ticket_id} keeps its other methods.
	s2, e2 := opBlock(t, spec, "/api/v2/tickets/{ticket_id}", "delete")
	require.Less(t, e1, s2)
	var kept []string
	kept = append(kept, lines[:s1-1]...)
	kept = append(kept, "  # a curator's comment stays put")
	kept = append(kept, lines[e1:s2]...)
	kept = append(kept, lines[e2:]...)
	in.Spec = []byte(strings.Join(kept, "\n"))

	res, err := Scaffold(in)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"GET /api/v2/tickets/count (CountTickets)",
		"DELETE /api/v2/tickets/{ticket_id} (DeleteTicket)",
	}, res.Added)

	// Every input line is still there, in order: scaffolding only inserted.
	out := strings.Split(string(res.Spec), "\n")
	j := 0
	for _, l := range out {
		if j < len(kept) && l == kept[j] {
			j++
		}
	}
	assert.Equal(t, len(kept), j, "input lines kept in order")
	assert.Contains(t, string(res.Spec), "  # a curator's comment stays put\n")

	// The new path sits where path order puts it, before the comment that
	// followed the removed block.
	got := string(res.Spec)
	assert.Less(t, strings.Index(got, "  /api/v2/tickets/count:\n"), strings.Index(got, "  # a curator's comment stays put"))

	// The skeletons are reported until curated, and only they are.
	in.Spec = res.Spec
	r, err := Check(in)
	require.NoError(t, err)
	require.NotEmpty(t, r.Findings)
	for _, l := range r.Lines() {
		assert.Regexp(t, `(CountTickets|DeleteTicket): not curated yet`, l)
	}
	assert.Equal(t, 417, r.Matched)
}

// TestScaffoldEmptySpec: a spec with no operations, or whose only
// operation is null, gets all 417, and the result checks 417/417.
func TestScaffoldEmptySpec(t *testing.T) {
	const head = "openapi: 3.0.3\ninfo:\n  title: t\n  version: \"1\"\n"
	const tail = "components:\n  schemas:\n    JobStatusEnvelope:\n      type: object\n"
	for _, c := range []struct {
		name, spec, want string
	}{
		{"no paths", head + "# paths follow\npaths: {}\n" + tail, "# paths follow\npaths:\n  /api/v2/"},
		{"a null operation", head + "paths:\n  /api/v2/tickets/count:\n    get: ~\n" + tail, "  /api/v2/tickets/count:\n    get:\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := realInputs(t)
			in.Spec = []byte(c.spec)
			res, err := Scaffold(in)
			require.NoError(t, err)
			assert.Len(t, res.Added, 417)
			assert.Contains(t, string(res.Spec), c.want)
			in.Spec = res.Spec
			r, err := Check(in)
			require.NoError(t, err)
			assert.Equal(t, 417, r.Operations)
			assert.Equal(t, 417, r.Matched)
		})
	}
}

func TestScaffoldBadInput(t *testing.T) {
	in := realInputs(t)
	for _, spec := range []string{"paths: [\n", "- a\n", "openapi: 3.0.3\n"} {
		in.Spec = []byte(spec)
		res, err := Scaffold(in)
		require.Error(t, err, spec)
		assert.Nil(t, res)
	}
}

// TestScaffoldNullOperations: an operation written as null ("delete: ~")
// or a path item with nothing under it is missing. Check says so at its
// line; scaffold writes the skeleton in its place, comment kept, and the
// result checks 417/417 with only the skeletons left to curate.
func TestScaffoldNullOperations(t *testing.T) {
	in := realInputs(t)
	spec := string(in.Spec)
	lines := strings.Split(spec, "\n")
	s1, e1 := opBlock(t, spec, "/api/v2/tickets/count", "get")
	s2, e2 := opBlock(t, spec, "/api/v2/tickets/{ticket_id}", "delete")
	require.Less(t, e1, s2)
	var kept []string
	kept = append(kept, lines[:s1]...) // "  /api/v2/tickets/count:" stays, null
	kept = append(kept, lines[e1:s2]...)
	kept = append(kept, "    delete: ~ # curate me")
	kept = append(kept, lines[e2:]...)
	in.Spec = []byte(strings.Join(kept, "\n"))

	r, err := Check(in)
	require.NoError(t, err)
	assert.Equal(t, 415, r.Matched)
	nullLine := lineOf(t, string(in.Spec), 0, `^    delete: ~ # curate me$`)
	assert.Contains(t, r.Lines(), fmt.Sprintf(`spec/zendesk.yaml:%d: missing operation DELETE /api/v2/tickets/{ticket_id} for "{ticket_id}: Delete Ticket" (doc line %d): the operation is null; write it out (specgen scaffold does) or remove the line`, nullLine, docLine(t, r, "DELETE /api/v2/tickets/{ticket_id}")))

	res, err := Scaffold(in)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"GET /api/v2/tickets/count (CountTickets)",
		"DELETE /api/v2/tickets/{ticket_id} (DeleteTicket)",
	}, res.Added)
	assert.Contains(t, string(res.Spec), "    # curate me\n    delete:\n      operationId: DeleteTicket\n")
	assert.Contains(t, string(res.Spec), "  /api/v2/tickets/count:\n    get:\n      operationId: CountTickets\n")
	in.Spec = res.Spec
	r, err = Check(in)
	require.NoError(t, err)
	assert.Equal(t, 417, r.Matched)
	assert.Equal(t, 417, r.Operations)
	require.NotEmpty(t, r.Findings)
	for _, l := range r.Lines() {
		assert.Regexp(t, `(CountTickets|DeleteTicket): not curated yet`, l)
	}
}

// TestScaffoldNullNotAlone: a null operation scaffold cannot replace line
// for line is an error naming the line, and nothing is written.
func TestScaffoldNullNotAlone(t *testing.T) {
	in := realInputs(t)
	in.Spec = []byte("openapi: 3.0.3\ninfo:\n  title: t\n  version: \"1\"\npaths:\n  /api/v2/tickets/count: {get: ~}\n")
	res, err := Scaffold(in)
	require.Error(t, err)
	assert.Nil(t, res)
	assert.Contains(t, err.Error(), "line 6: get is null but not alone on its line")
}

func docLine(t *testing.T, r *Report, key string) int {
	t.Helper()
	for _, f := range r.Findings {
		var n int
		if _, err := fmt.Sscanf(f.Msg[strings.Index(f.Msg, "(doc line ")+len("(doc line "):], "%d", &n); err == nil && strings.Contains(f.Msg, key) {
			return n
		}
	}
	t.Fatalf("no finding for %s", key)
	return 0
}
