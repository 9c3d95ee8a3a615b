package everyday_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// The cursor-based ticket export as JSON lines: a first run stops after 120
// records with a checkpoint, a second run resumes from it to the end.
func Example_exportJSONL() {
	srv, err := zendesktest.Start(zendesktest.WithTickets(250))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	var out bytes.Buffer
	params := &zendesk.IncrementalTicketCursorExportParams{StartTime: new(int64(0))}

	// Each ticket's JSON exactly as Zendesk sent it, one per line; the
	// checkpoint is the position right after the last one written.
	export := func(limit int, opts ...zendesk.ListOption) int {
		lines := 0
		for raw, err := range client.IncrementalTicketCursorExportAllRaw(ctx, params, opts...) {
			if err != nil {
				log.Fatal(err)
			}
			if err := json.Compact(&out, raw); err != nil {
				log.Fatal(err)
			}
			out.WriteByte('\n')
			if lines++; lines == limit {
				break
			}
		}
		return lines
	}
	var checkpoint zendesk.Position
	fmt.Printf("first run: %d lines\n", export(120, zendesk.TrackPosition(&checkpoint)))
	fmt.Printf("second run: %d lines\n", export(0, zendesk.WithStart(checkpoint), zendesk.TrackPosition(&checkpoint)))

	total, ids := 0, map[int64]bool{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var t zendesk.Ticket
		if err := json.Unmarshal(sc.Bytes(), &t); err != nil {
			log.Fatal(err)
		}
		total++
		ids[*t.ID] = true
	}
	fmt.Printf("total: %d, distinct ids: %d\n", total, len(ids))
	// Output:
	// first run: 120 lines
	// second run: 130 lines
	// total: 250, distinct ids: 250
}
