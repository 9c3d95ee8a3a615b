package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExitStatuses runs the command as a user does: 0 and the totals line
// when doc and spec agree, 1 for disagreements, 2 and one error line for
// bad input, with nothing written.
func TestExitStatuses(t *testing.T) {
	dir := t.TempDir()
	doc := "../../spec/connector-docs/zendesk-support-v1r1.txt"
	index := "../../spec/connector-docs/endpoints.tsv"
	spec := "../../spec/zendesk.yaml"
	ref := "../../spec/reference/zendesk-oas-facts.json"
	realDoc, err := os.ReadFile(doc)
	require.NoError(t, err)
	realSpec, err := os.ReadFile(spec)
	require.NoError(t, err)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	broken := write("broken.yaml", strings.Replace(string(realSpec), "summary: Count Tickets\n", "summary: Count Them\n", 1))
	cases := []struct {
		name   string
		args   []string
		status int
		last   string
	}{
		{"agree", []string{"check", "-doc", doc, "-index", index, "-spec", spec, "-reference", ref}, 0, "417/417 endpoints, 0 disagreements"},
		{"disagree", []string{"check", "-doc", doc, "-index", index, "-spec", broken, "-reference", ref}, 1, "417/417 endpoints, 1 disagreement"},
		{"missing file", []string{"check", "-doc", doc, "-index", index, "-spec", filepath.Join(dir, "nope.yaml")}, 2, "no such file or directory"},
		{"malformed YAML", []string{"check", "-doc", doc, "-index", index, "-spec", write("bad.yaml", "openapi: 3.0.3\npaths: [\n"), "-reference", ref}, 2, "yaml"},
		{"truncated doc", []string{"check", "-doc", write("half.txt", string(realDoc[:len(realDoc)/2])), "-index", index, "-spec", spec, "-reference", ref}, 2, "truncated"},
		{"foreign doc", []string{"check", "-doc", write("readme.txt", "# Hello\n"), "-index", index, "-spec", spec, "-reference", ref}, 2, "not a connector doc"},
		{"scaffold on a malformed spec", []string{"scaffold", "-doc", doc, "-index", index, "-spec", write("bad2.yaml", "paths: [\n")}, 2, "yaml"},
		{"malformed reference", []string{"check", "-doc", doc, "-index", index, "-spec", spec, "-reference", write("ref.json", `{"operations": [`)}, 2, "reference: not a reference facts file"},
		{"missing reference", []string{"check", "-doc", doc, "-index", index, "-spec", spec, "-reference", filepath.Join(dir, "nope.json")}, 2, "no such file or directory"},
		{"unknown command", []string{"frobnicate"}, 2, "usage"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run(c.args, &stdout, &stderr)
			assert.Equal(t, c.status, status)
			out := strings.TrimSpace(stdout.String())
			if c.status == 2 {
				out = strings.TrimSpace(stderr.String())
				assert.Equal(t, 1, strings.Count(out, "\n")+1, "one error line: %q", out)
				assert.Empty(t, stdout.String())
			}
			lines := strings.Split(out, "\n")
			assert.Contains(t, lines[len(lines)-1], c.last)
		})
	}
	after, err := os.ReadFile(filepath.Join(dir, "bad2.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "paths: [\n", string(after), "nothing written on bad input")
}
