package main

import (
	"fmt"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/bench"
)

// pacing runs clients sharing one account of the fake (limit 700 a
// minute, its clock scaled) with the default options and with the pacing
// by Zendesk's headers off, and the incremental export against its
// documented 10 pages a minute. Each line is a share of what the limit
// allows in the windows run, with the 429s the fake answered.
func pacing(scale float64, windows int) error {
	fmt.Printf("\n### Pacing: the share of an account's limit reached (fake Zendesk, limit 700 a minute, clock %g× faster, %d windows, 4 callers a client)\n\n", scale, windows)
	for _, variant := range []struct {
		name string
		opts []zendesk.Option
	}{{"default options", nil}, {"pacing off (WithoutAccountPacing)", []zendesk.Option{zendesk.WithoutAccountPacing()}}} {
		fmt.Printf("%s:\n", variant.name)
		for _, n := range []int{1, 4, 16} {
			run := bench.SharedAccount{Clients: n, Goroutines: 4, Windows: windows, Limit: 700, TimeScale: scale, Options: variant.opts}
			r, err := run.Run()
			if err != nil {
				return err
			}
			fmt.Println(run.String(r))
		}
	}
	exp := bench.ExportPace{Windows: windows + 1, TimeScale: scale}
	r, err := exp.Run()
	if err != nil {
		return err
	}
	fmt.Println(exp.String(r))
	return nil
}
