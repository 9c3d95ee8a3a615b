package connect_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExamplesRunWithoutAnAccount runs each example as a user does — go run,
// with no ZENDESK_* variable set — and checks it exits 0, says it uses the
// fake on its first line, and prints real results.
func TestExamplesRunWithoutAnAccount(t *testing.T) {
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	cases := map[string][]string{
		"quickstart": {"The first 10 tickets:", "Ticket #1:", "Created ticket #"},
		"bulkjob":    {"Creating 5 users in one job", ": completed", "The new users:", "Bulk example user 5"},
		"export":     {"stopped after 700 tickets", "resuming from checkpoint", "2000 tickets in all, 0 seen twice"},
	}
	for name, wants := range cases {
		t.Run(name, func(t *testing.T) {
			args := []string{"run", "./examples/" + name}
			if name == "export" {
				// Not the default checkpoint, which other runs may share.
				args = append(args, "-checkpoint", filepath.Join(t.TempDir(), "export.checkpoint"))
			}
			cmd := exec.CommandContext(context.Background(), "go", args...)
			cmd.Dir = root
			var env []string
			for _, e := range os.Environ() {
				if !strings.HasPrefix(e, "ZENDESK_") {
					env = append(env, e)
				}
			}
			cmd.Env = env
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			require.NoError(t, cmd.Run(), out.String())
			first, _, _ := strings.Cut(out.String(), "\n")
			assert.Contains(t, first, "using the embedded fake Zendesk")
			for _, w := range wants {
				assert.Contains(t, out.String(), w)
			}
		})
	}
}
