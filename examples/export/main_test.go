package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/examples/internal/connect"
	"github.com/zdapi/zendesk/zendesktest"
)

func noZendeskEnv(t *testing.T) {
	for _, v := range connect.EnvVars {
		t.Setenv(v, "")
	}
}

// TestRerunAfterAFailureResumes: an export that fails keeps its
// checkpoint; the next run resumes from it and finishes, each ticket
// exported exactly once over the two runs; then the checkpoint is gone.
func TestRerunAfterAFailureResumes(t *testing.T) {
	noZendeskEnv(t)
	checkpoint := filepath.Join(t.TempDir(), "export.checkpoint")

	// The fifth page fails: 400 tickets are exported, then the run fails.
	failing := fakeZendesk()
	failing.Fake = append(failing.Fake, zendesktest.WithFaultScript("IncrementalTicketCursorExport",
		zendesktest.Fault{}, zendesktest.Fault{}, zendesktest.Fault{}, zendesktest.Fault{}, zendesktest.Fault{Kind: zendesktest.FaultServerError}))
	failing.FakeClient = append(failing.FakeClient, zendesk.WithRetry(zendesk.NoRetry))
	first := map[int64]int{}
	var out bytes.Buffer
	err := run(context.Background(), &out, config{checkpoint: checkpoint, conn: failing, seen: first})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "500")
	assert.Contains(t, err.Error(), "the checkpoint "+checkpoint+" is kept")
	assert.Len(t, first, 400)
	saved, err := os.ReadFile(checkpoint)
	require.NoError(t, err, "the failed run kept its checkpoint")

	// The rerun resumes where the first stopped.
	second := map[int64]int{}
	out.Reset()
	require.NoError(t, run(context.Background(), &out, config{checkpoint: checkpoint, conn: fakeZendesk(), seen: second}), out.String())
	assert.Contains(t, out.String(), "resuming from checkpoint \""+string(saved)+"\"")
	assert.Len(t, second, 1600)
	for id := range second {
		assert.Zero(t, first[id], "ticket %d exported by both runs", id)
	}
	assert.Len(t, first, 2000-len(second))
	_, err = os.Stat(checkpoint)
	assert.ErrorIs(t, err, os.ErrNotExist, "a finished export removes its checkpoint")

	// With nothing to resume, a run starts afresh.
	out.Reset()
	require.NoError(t, run(context.Background(), &out, config{checkpoint: checkpoint, conn: fakeZendesk(), stopAfter: 700}))
	assert.Contains(t, out.String(), "starting the export at")
	assert.Contains(t, out.String(), "2000 tickets in all, 0 seen twice")
}

// TestCheckpointDefaultIsStable: every run uses the same checkpoint file
// by default, so that a second invocation resumes the first.
func TestCheckpointDefaultIsStable(t *testing.T) {
	assert.Equal(t, filepath.Join(os.TempDir(), "zendesk-export.checkpoint"), defaultCheckpoint)
}

// TestSaveCheckpointReplacesAtomically: the file holds the new checkpoint,
// owner-only, and no temporary file is left.
func TestSaveCheckpointReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cp")
	require.NoError(t, saveCheckpoint(path, []byte("cursor=a")))
	require.NoError(t, saveCheckpoint(path, []byte("cursor=b")))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "cursor=b", string(b))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	err = saveCheckpoint(filepath.Join(dir, "missing", "cp"), []byte("x"))
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "save the checkpoint: "), err.Error())
}
