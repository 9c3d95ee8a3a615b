package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/zdapi/zendesk/bench"
	"github.com/zdapi/zendesk/bench/internal/cputime"
)

// passSample times one pass over a fixture: wall and CPU time (of the whole
// process) per record, and the bytes and objects allocated per record.
func passSample(records int, pass func() error) (sample, error) {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	c0, w0 := cputime.Self(), time.Now()
	if err := pass(); err != nil {
		return sample{}, err
	}
	w, c := time.Since(w0), cputime.Self()-c0
	runtime.ReadMemStats(&m1)
	n := float64(records)
	return sample{ns: float64(w.Nanoseconds()) / n, cpu: float64(c.Nanoseconds()) / n,
		bytes: float64(m1.TotalAlloc-m0.TotalAlloc) / n, allocs: float64(m1.Mallocs-m0.Mallocs) / n}, nil
}

// iterate compares the client's iteration with the raw loop's, over a
// replay of the fake's pages served by another process and over the fake
// itself, in this process.
func iterate(replay, fx *bench.Fixture, rounds, fakeRounds int) error {
	fmt.Printf("\n### Iterating over %d tickets over loopback (ratio to a hand-rolled http.Client.Do + json.Decoder loop of the same round: median of the rounds, and their range)\n\n", fx.Records)
	fmt.Println("| server | rounds | consumer work | raw loop ns/record | client ns/record | ÷ raw | CPU ÷ raw | client + prefetch ns/record | ÷ raw | CPU ÷ raw |")
	fmt.Println("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	allocs := ""
	for _, src := range []struct {
		name   string
		f      *bench.Fixture
		rounds int
		works  []bench.Work
	}{
		{"replay of the fake's pages (another process)", replay, rounds,
			[]bench.Work{{}, {Busy: 20 * time.Microsecond}, {Wait: 2 * time.Millisecond, Every: 100}}},
		// The fake's own work dominates its rows: one consumer is enough.
		{"the fake (zendesktest, in this process)", fx, fakeRounds, []bench.Work{{}}},
	} {
		for _, work := range src.works {
			f := src.f
			ss, err := measure(src.rounds, []func() (sample, error){
				func() (sample, error) { return passSample(f.Records, func() error { return bench.RawPass(f, work) }) },
				func() (sample, error) {
					return passSample(f.Records, func() error { return bench.ClientPass(f, false, work) })
				},
				func() (sample, error) {
					return passSample(f.Records, func() error { return bench.ClientPass(f, true, work) })
				},
			})
			if err != nil {
				return fmt.Errorf("iterate over %s: %w", src.name, err)
			}
			raw, cl, pf := ss[0], ss[1], ss[2]
			if allocs == "" {
				get := func(s []sample) string {
					return fmt.Sprintf("%.0f B in %.1f allocations", medianOf(s, func(s sample) float64 { return s.bytes }), medianOf(s, func(s sample) float64 { return s.allocs }))
				}
				allocs = fmt.Sprintf("Allocated per record over the replay: raw loop %s, client %s, client + prefetch %s.", get(raw), get(cl), get(pf))
			}
			fmt.Printf("| %s | %d | %s | %.0f | %.0f | %s | %s | %.0f | %s | %s |\n", src.name, src.rounds, work,
				medianOf(raw, nsOf), medianOf(cl, nsOf), ratios(cl, raw, nsOf), ratios(cl, raw, cpuOf),
				medianOf(pf, nsOf), ratios(pf, raw, nsOf), ratios(pf, raw, cpuOf))
		}
	}
	fmt.Println()
	fmt.Println(allocs)
	fmt.Println("\n(CPU: this process's CPU time per record, less sensitive than wall time to other load on the machine; it includes the fake's work in the fake's rows, not the replay's.)")
	return nil
}

// exportRatio compares the cursor-based incremental export iterator with
// the raw loop over the same replayed pages of records tickets, in rounds
// that alternate their order, and prints the CPU ratio: the median of the
// same-round ratios and their range.
func exportRatio(records, rounds int) error {
	fx, err := bench.NewFixture(records)
	if err != nil {
		return err
	}
	defer fx.Close()
	r, err := bench.NewExportReplay(fx)
	if err != nil {
		return err
	}
	defer r.Close()
	ss, err := measure(rounds, []func() (sample, error){
		func() (sample, error) { return passSample(records, func() error { return bench.ExportRawPass(r) }) },
		func() (sample, error) { return passSample(records, func() error { return bench.ExportClientPass(r) }) },
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	raw, cl := ss[0], ss[1]
	fmt.Printf("\nCursor export (IncrementalTicketCursorExportAll, 1000 a page) over %d replayed tickets, %d rounds: raw loop %.0f CPU ns/record, client %.0f; CPU ÷ raw %s\n",
		records, rounds, medianOf(raw, cpuOf), medianOf(cl, cpuOf), ratios(cl, raw, cpuOf))
	return nil
}
