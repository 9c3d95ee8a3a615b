package main

import (
	"fmt"
	"slices"
)

// sample is one measurement: time per operation, and what it allocated.
type sample struct{ ns, bytes, allocs, cpu float64 }

// median is the middle value of xs, or the mean of the two middle values
// when there is an even number of them.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// spread is the median of some values and their range.
type spread struct{ med, min, max float64 }

func spreadOf(xs []float64) spread {
	if len(xs) == 0 {
		return spread{}
	}
	return spread{median(xs), slices.Min(xs), slices.Max(xs)}
}

// String renders a ratio and its range across rounds: "1.02 (0.95–1.10)".
func (s spread) String() string {
	return fmt.Sprintf("%.2f (%.2f–%.2f)", s.med, s.min, s.max)
}

// measure runs every f once a round, for rounds rounds, and returns each
// one's samples by round. The order rotates from round to round, so that no
// f always runs first or after the same neighbour.
func measure(rounds int, fs []func() (sample, error)) ([][]sample, error) {
	out := make([][]sample, len(fs))
	for r := 0; r < rounds; r++ {
		for k := range fs {
			i := (k + r) % len(fs)
			s, err := fs[i]()
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], s)
		}
	}
	return out, nil
}

// ratios divides each round's sample of xs by the same round's sample of
// base, with get choosing the figure compared.
func ratios(xs, base []sample, get func(sample) float64) spread {
	rs := make([]float64, 0, len(xs))
	for r := range xs {
		if b := get(base[r]); b > 0 {
			rs = append(rs, get(xs[r])/b)
		}
	}
	return spreadOf(rs)
}

// medianOf is the median of one figure of samples.
func medianOf(xs []sample, get func(sample) float64) float64 {
	vs := make([]float64, len(xs))
	for i, x := range xs {
		vs[i] = get(x)
	}
	return median(vs)
}

func nsOf(s sample) float64  { return s.ns }
func cpuOf(s sample) float64 { return s.cpu }
