// Command export runs an incremental ticket export (cursor based) and keeps
// a checkpoint on disk after every ticket, so that an export stopped at any
// point resumes where it stopped: each ticket is seen exactly once.
//
// The checkpoint stays on disk until the export reaches the end of the
// stream: a run that fails (or is killed) leaves it, and the next run
// resumes from it. By default the command shows both halves in one run: it
// stops after -stop-after tickets (as if the process had died), then starts
// again from the checkpoint file and finishes. With ZENDESK_SUBDOMAIN,
// ZENDESK_EMAIL and ZENDESK_API_TOKEN set it exports from your Zendesk (read
// only); otherwise from an embedded fake Zendesk with 2,000 tickets.
//
//	go run ./examples/export [-checkpoint FILE] [-since DURATION] [-stop-after N]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/examples/internal/connect"
	"github.com/zdapi/zendesk/zendesktest"
)

// defaultCheckpoint is where the checkpoint is kept unless -checkpoint says
// otherwise: the same file for every run, so that a run resumes what the
// one before left unfinished.
var defaultCheckpoint = filepath.Join(os.TempDir(), "zendesk-export.checkpoint")

func main() {
	log.SetFlags(0)
	cfg := config{conn: fakeZendesk()}
	flag.StringVar(&cfg.checkpoint, "checkpoint", defaultCheckpoint, "checkpoint file, kept until an export finishes so that the next run resumes")
	flag.DurationVar(&cfg.since, "since", 30*24*time.Hour, "export the tickets changed in this past period (when there is no checkpoint)")
	flag.IntVar(&cfg.stopAfter, "stop-after", 700, "stop after this many tickets, then resume from the checkpoint (0: run once to the end)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, cfg); err != nil {
		log.Fatal(err)
	}
}

// config is what a run does.
type config struct {
	checkpoint string
	since      time.Duration
	stopAfter  int
	conn       connect.Options
	// seen counts the tickets exported, by id (run makes one when nil).
	seen map[int64]int
}

// fakeZendesk is the data set of the fake and how the client talks to it.
// Zendesk allows 10 export requests a minute and the client keeps to it.
// The fake's data set is small pages at full speed instead: its limits and
// the client's pacing are off, so the demonstration takes seconds.
func fakeZendesk() connect.Options {
	return connect.Options{
		Fake:       []zendesktest.Option{zendesktest.WithTickets(2000), zendesktest.WithoutRateLimits()},
		FakeClient: []zendesk.Option{zendesk.WithoutOperationPacing()},
	}
}

func run(ctx context.Context, w io.Writer, cfg config) error {
	conn, err := connect.Open(cfg.conn)
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintln(w, conn.Where)
	client := conn.Client

	seen := cfg.seen
	if seen == nil {
		seen = map[int64]int{}
	}
	start := time.Now().Add(-cfg.since).Unix()
	pageSize := 1000
	if conn.Fake {
		start, pageSize = 1, 100 // the fake's tickets are older than a month; small pages show more positions
	}
	if cfg.stopAfter > 0 {
		n, err := export(ctx, w, client, cfg.checkpoint, start, pageSize, cfg.stopAfter, seen)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "stopped after %d tickets; checkpoint saved in %s\n", n, cfg.checkpoint)
	}
	n, err := export(ctx, w, client, cfg.checkpoint, start, pageSize, 0, seen)
	if err != nil {
		return err
	}
	// The export is complete: the next run starts afresh.
	if err := os.Remove(cfg.checkpoint); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove the checkpoint: %w", err)
	}
	dups := 0
	for _, c := range seen {
		dups += c - 1
	}
	fmt.Fprintf(w, "resumed and finished: %d more tickets; %d tickets in all, %d seen twice\n", n, len(seen), dups)
	if dups > 0 {
		return errors.New("tickets were seen twice")
	}
	return nil
}

// export reads the checkpoint (if any), exports from there and saves the
// position after every ticket. It stops after limit tickets (0: at the end
// of the stream). When it fails, the checkpoint stays for the next run.
func export(ctx context.Context, w io.Writer, client *zendesk.Client, checkpoint string, start int64, pageSize, limit int, seen map[int64]int) (int, error) {
	var pos zendesk.Position
	if b, err := os.ReadFile(checkpoint); err == nil {
		if err := pos.UnmarshalText(b); err != nil {
			return 0, fmt.Errorf("checkpoint %s: %w (delete it to start afresh)", checkpoint, err)
		}
		fmt.Fprintf(w, "resuming from checkpoint %q\n", b)
	} else if !errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("checkpoint: %w", err)
	} else {
		fmt.Fprintf(w, "starting the export at %s\n", time.Unix(start, 0).UTC().Format(time.RFC3339))
	}
	params := &zendesk.IncrementalTicketCursorExportParams{StartTime: &start}
	n := 0
	for t, err := range client.IncrementalTicketCursorExportAll(ctx, params, zendesk.WithStart(pos), zendesk.TrackPosition(&pos), zendesk.WithPageSize(pageSize)) {
		if err != nil {
			return n, fmt.Errorf("export: %w (after %d tickets; the checkpoint %s is kept: run again to resume)", err, n, checkpoint)
		}
		seen[*t.ID]++
		n++
		// Process the ticket, then save where the export stands.
		text, err := pos.MarshalText()
		if err != nil {
			return n, fmt.Errorf("checkpoint: %w", err)
		}
		if err := saveCheckpoint(checkpoint, text); err != nil {
			return n, err
		}
		if n == limit {
			break
		}
	}
	return n, nil
}

// saveCheckpoint replaces the checkpoint file with text atomically: it
// writes a temporary file beside it and renames it over the old one, so the
// file always holds a whole checkpoint, the old one or the new, whenever
// the process dies.
func saveCheckpoint(path string, text []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save the checkpoint: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save the checkpoint: %w", err)
	}
	return nil
}
