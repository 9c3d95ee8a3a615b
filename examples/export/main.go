// Command export runs an incremental ticket export (cursor based) and keeps
// a checkpoint on disk after every ticket, so that an export stopped at any
// point resumes where it stopped: each ticket is seen exactly once.
//
// By default it shows both halves: it stops after -stop-after tickets (as
// if the process had died), then starts again from the checkpoint file and
// finishes. With ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and ZENDESK_API_TOKEN set
// it exports from your Zendesk (read only); otherwise from an embedded fake
// Zendesk with 2,000 tickets.
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

func main() {
	log.SetFlags(0)
	checkpoint := flag.String("checkpoint", filepath.Join(os.TempDir(), fmt.Sprintf("zendesk-export-%d.checkpoint", os.Getpid())), "checkpoint file")
	since := flag.Duration("since", 30*24*time.Hour, "export the tickets changed in this past period (first run only)")
	stopAfter := flag.Int("stop-after", 700, "stop after this many tickets, then resume from the checkpoint (0: run once to the end)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *checkpoint, *since, *stopAfter); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, checkpoint string, since time.Duration, stopAfter int) error {
	// Zendesk allows 10 export requests a minute and the client keeps to it.
	// The fake's data set is small pages at full speed instead: its limits
	// and the client's pacing are off, so the demonstration takes seconds.
	conn, err := connect.Open(connect.Options{
		Fake:       []zendesktest.Option{zendesktest.WithTickets(2000), zendesktest.WithoutRateLimits()},
		FakeClient: []zendesk.Option{zendesk.WithoutOperationPacing()},
	})
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintln(w, conn.Where)
	client := conn.Client
	defer os.Remove(checkpoint)

	seen := map[int64]int{}
	start := time.Now().Add(-since).Unix()
	pageSize := 1000
	if conn.Fake {
		start, pageSize = 1, 100 // the fake's tickets are older than a month; small pages show more positions
	}
	if stopAfter > 0 {
		n, err := export(ctx, w, client, checkpoint, start, pageSize, stopAfter, seen)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "stopped after %d tickets; checkpoint saved in %s\n", n, checkpoint)
	}
	n, err := export(ctx, w, client, checkpoint, start, pageSize, 0, seen)
	if err != nil {
		return err
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
// of the stream).
func export(ctx context.Context, w io.Writer, client *zendesk.Client, checkpoint string, start int64, pageSize, limit int, seen map[int64]int) (int, error) {
	var pos zendesk.Position
	if b, err := os.ReadFile(checkpoint); err == nil {
		if err := pos.UnmarshalText(b); err != nil {
			return 0, fmt.Errorf("checkpoint %s: %w", checkpoint, err)
		}
		fmt.Fprintf(w, "resuming from checkpoint %q\n", b)
	} else if !errors.Is(err, os.ErrNotExist) {
		return 0, err
	} else {
		fmt.Fprintf(w, "starting the export at %s\n", time.Unix(start, 0).UTC().Format(time.RFC3339))
	}
	params := &zendesk.IncrementalTicketCursorExportParams{StartTime: &start}
	n := 0
	for t, err := range client.IncrementalTicketCursorExportAll(ctx, params, zendesk.WithStart(pos), zendesk.TrackPosition(&pos), zendesk.WithPageSize(pageSize)) {
		if err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		seen[*t.ID]++
		n++
		// Process the ticket, then save where the export stands.
		text, _ := pos.MarshalText()
		if err := os.WriteFile(checkpoint, text, 0o600); err != nil {
			return n, err
		}
		if n == limit {
			break
		}
	}
	return n, nil
}
