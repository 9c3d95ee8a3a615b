package reliability

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// TestInterruptedExportResumesExactlyOnce stops exports at chosen points —
// the context cancelled in the middle of a page, with the next page being
// prefetched — as a process that stops or dies would, then starts a new
// client from the checkpoint file and checks that the two runs together
// delivered every ticket exactly once. Faults are injected all along.
//
// The consumer commits what it received together with the checkpoint,
// every saveEvery records and when it stops; a consumer that dies commits
// nothing since its last save, and the resume must give those records
// again. The stop points are the edges — the first record, the last of the
// first page, the first of the second, the one before the last, the last —
// and random ones; random ones are also met by a crash.
func TestInterruptedExportResumesExactlyOnce(t *testing.T) {
	defer goleak.VerifyNone(t, leakOptions...)
	const tickets, saveEvery = 1250, 50
	randomStops := 3
	if testing.Short() {
		randomStops = 1
	}
	srv, err := zendesktest.Start(zendesktest.WithTickets(tickets), zendesktest.WithoutRateLimits(), zendesktest.WithSeed(99),
		zendesktest.WithFaultRates(soakRates("ListTickets", "IncrementalTicketCursorExport")))
	require.NoError(t, err)
	defer srv.Close()
	bound, cancelBound := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancelBound()

	rng := rand.New(rand.NewPCG(2026, 11))
	for _, kind := range []struct {
		name     string
		pageSize int // 1250 is five export pages, and twelve and a half listing pages
	}{{"cursor export", 250}, {"cursor pagination", 100}} {
		type trial struct {
			stop  int
			crash bool
		}
		var trials []trial
		for _, stop := range []int{1, kind.pageSize, kind.pageSize + 1, tickets - 1, tickets} {
			trials = append(trials, trial{stop: stop})
		}
		for range randomStops {
			stop := 2 + rng.IntN(tickets-3)
			trials = append(trials, trial{stop: stop}, trial{stop: stop, crash: true})
		}
		for _, tr := range trials {
			checkpoint := filepath.Join(t.TempDir(), "export.checkpoint")
			seen := make([]int, tickets+1)

			// run iterates from the checkpoint file (if any) with a fresh
			// client. It commits the records it received and saves the
			// position every saveEvery records, and at the end. At stop
			// (0: never) it stops: it saves first, unless it crashes.
			run := func(stop int, crash bool) (consumed, committed int, err error) {
				client, err := srv.Client(zendesk.WithoutOperationPacing(), zendesk.WithRetry(soakPolicy))
				if err != nil {
					return 0, 0, err
				}
				pos, err := loadCheckpoint(checkpoint)
				if err != nil {
					return 0, 0, err
				}
				ctx, cancel := context.WithCancel(bound)
				defer cancel()
				var pending []int64
				save := func() error {
					if err := saveCheckpoint(checkpoint, pos); err != nil {
						return err
					}
					for _, id := range pending {
						seen[id]++
					}
					committed += len(pending)
					pending = pending[:0]
					return nil
				}
				opts := []zendesk.ListOption{zendesk.WithStart(pos), zendesk.TrackPosition(&pos), zendesk.WithPrefetch(), zendesk.WithPageSize(kind.pageSize)}
				var seq func(func(*zendesk.Ticket, error) bool)
				if kind.name == "cursor export" {
					seq = client.IncrementalTicketCursorExportAll(ctx, &zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(int64(1))}, opts...)
				} else {
					seq = client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}, opts...)
				}
				stopped := false
				for tk, err := range seq {
					if err != nil {
						if stopped && errors.Is(err, context.Canceled) {
							return consumed, committed, nil // what was saved is all that is left
						}
						return consumed, committed, err
					}
					if stopped {
						return consumed, committed, errors.New("a record after the stop")
					}
					if tk.ID == nil || *tk.ID < 1 || *tk.ID > tickets {
						return consumed, committed, fmt.Errorf("unexpected ticket id %v", tk.ID)
					}
					pending = append(pending, *tk.ID)
					consumed++
					if consumed == stop {
						if !crash {
							if err := save(); err != nil {
								return consumed, committed, err
							}
						}
						stopped = true
						cancel() // the process stops here, before anything else is saved
						continue
					}
					if len(pending) == saveEvery {
						if err := save(); err != nil {
							return consumed, committed, err
						}
					}
				}
				if stopped {
					return consumed, committed, nil
				}
				return consumed, committed, save()
			}
			what := fmt.Sprintf("%s stopped after %d", kind.name, tr.stop)
			if tr.crash {
				what = fmt.Sprintf("%s crashed after %d", kind.name, tr.stop)
			}
			consumed, first, err := run(tr.stop, tr.crash)
			require.NoError(t, err, "%s: first run", what)
			require.Equal(t, tr.stop, consumed, what)
			_, second, err := run(0, false)
			require.NoError(t, err, "%s: resumed run", what)
			lost, twice := 0, 0
			for id := 1; id <= tickets; id++ {
				switch seen[id] {
				case 0:
					lost++
				case 1:
				default:
					twice++
				}
			}
			assert.Zero(t, lost, what)
			assert.Zero(t, twice, what)
			assert.Equal(t, tickets, first+second, what)
			if !tr.crash {
				assert.Equal(t, tr.stop, first, "%s: a stop saves what it received", what)
			}
			t.Logf("%s tickets (%d committed), resumed for %d: lost %d, twice %d", what, first, second, lost, twice)
		}
	}
	require.NoError(t, bound.Err(), "the trials ended within their bound")
}

// A checkpoint file is a header naming the format and the CRC-32 of the
// position, then the position's text, each on its own line. A file cut
// short, emptied or overwritten with something else is refused: resuming
// from it would silently start over, or skip records.
const checkpointHeader = "zendesk-checkpoint v1 crc32="

// saveCheckpoint writes the position atomically: a temporary file in the
// same directory, synced, then renamed over the checkpoint. A crash leaves
// either the old checkpoint or the new one, never a mix.
func saveCheckpoint(path string, pos zendesk.Position) error {
	text, err := pos.MarshalText()
	if err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	_, err = fmt.Fprintf(f, "%s%08x\n%s\n", checkpointHeader, crc32.ChecksumIEEE(text), text)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	return nil
}

// loadCheckpoint reads a position saveCheckpoint wrote; no file is the
// start of the listing.
func loadCheckpoint(path string) (zendesk.Position, error) {
	var pos zendesk.Position
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return pos, nil
	}
	if err != nil {
		return pos, fmt.Errorf("load checkpoint: %w", err)
	}
	bad := func(what string) (zendesk.Position, error) {
		return zendesk.Position{}, fmt.Errorf("checkpoint %s is torn or corrupt (%s): remove it to start over", path, what)
	}
	header, rest, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return bad(fmt.Sprintf("%d bytes with no complete header", len(b)))
	}
	sum, ok := strings.CutPrefix(string(header), checkpointHeader)
	if !ok {
		return bad(fmt.Sprintf("the header is %q", clipText(header)))
	}
	text, ok := bytes.CutSuffix(rest, []byte("\n"))
	if !ok || bytes.Contains(text, []byte("\n")) {
		return bad("the position is cut short or followed by more")
	}
	if want := fmt.Sprintf("%08x", crc32.ChecksumIEEE(text)); sum != want {
		return bad(fmt.Sprintf("checksum %q, the position's is %s", sum, want))
	}
	if err := pos.UnmarshalText(text); err != nil {
		return bad(err.Error())
	}
	return pos, nil
}

func clipText(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// TestCheckpointFileTornOrGarbage: a checkpoint file cut short at any byte,
// emptied, overwritten with garbage or with a checksum that does not match
// is refused with an error naming the file and what is wrong; a save leaves
// no temporary file, and a save that died before its rename leaves the
// previous checkpoint readable.
func TestCheckpointFileTornOrGarbage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.checkpoint")
	pos := zendesk.Position{Cursor: "eyJvIjoidHMiLCJ2IjoxNzAwMDAwMDAwfQ==", Skip: 12, LastHash: 0x9d3f0c2a61b6e0f4}
	require.NoError(t, saveCheckpoint(path, pos))
	got, err := loadCheckpoint(path)
	require.NoError(t, err)
	assert.Equal(t, pos, got)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file is left")

	// A save that died after writing its temporary file, before renaming it.
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".export.checkpoint.123"), []byte("cursor=half"), 0o600))
	got, err = loadCheckpoint(path)
	require.NoError(t, err)
	assert.Equal(t, pos, got, "the previous checkpoint is intact")

	good, err := os.ReadFile(path)
	require.NoError(t, err)
	bad := map[string][]byte{
		"empty":            {},
		"garbage":          []byte("\x00\x17PK\x03\x04 not a checkpoint at all\n\xff\xfe\n"),
		"a bare position":  []byte("cursor=abc&skip=3\n"),
		"another checksum": bytes.Replace(good, []byte("crc32="), []byte("crc32=0"), 1),
		"a changed cursor": bytes.Replace(good, []byte("eyJv"), []byte("eyJw"), 1),
		"two positions":    append(slices.Clone(good), good[bytes.IndexByte(good, '\n')+1:]...),
		"a bad position":   fmt.Appendf(nil, "%s%08x\nskip=-1\n", checkpointHeader, crc32.ChecksumIEEE([]byte("skip=-1"))),
	}
	for n := range len(good) {
		bad[fmt.Sprintf("cut after %d bytes", n)] = good[:n]
	}
	for name, content := range bad {
		require.NoError(t, os.WriteFile(path, content, 0o600))
		got, err := loadCheckpoint(path)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), path, name)
			assert.Contains(t, err.Error(), "torn or corrupt", name)
		}
		assert.True(t, got.IsZero(), "%s: no position comes back", name)
	}
}
