package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMedian(t *testing.T) {
	assert.Equal(t, 2.0, median([]float64{3, 1, 2}))
	assert.Equal(t, 2.5, median([]float64{4, 1, 3, 2}), "an even count averages the middle two")
	assert.Equal(t, 5.0, median([]float64{5}))
	assert.Equal(t, 0.0, median(nil))
}

func TestRatiosArePerRound(t *testing.T) {
	// Round by round the variant takes twice the baseline's time, though
	// the machine's speed changes between rounds: each ratio is 2.
	base := []sample{{ns: 10}, {ns: 40}, {ns: 20}}
	x := []sample{{ns: 20}, {ns: 80}, {ns: 40}}
	assert.Equal(t, spread{2, 2, 2}, ratios(x, base, nsOf))
	x[1].ns = 120 // one noisy round
	s := ratios(x, base, nsOf)
	assert.Equal(t, spread{2, 2, 3}, s)
	assert.Equal(t, "2.00 (2.00–3.00)", s.String())
}

func TestMeasureRotatesTheOrder(t *testing.T) {
	var order []int
	f := func(i int) func() (sample, error) {
		return func() (sample, error) { order = append(order, i); return sample{ns: float64(i)}, nil }
	}
	ss, err := measure(3, []func() (sample, error){f(0), f(1), f(2)})
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 1, 2, 0, 2, 0, 1}, order)
	for i, s := range ss {
		assert.Len(t, s, 3)
		assert.Equal(t, float64(i), s[0].ns, "samples stay with their function")
	}
}

func TestPkgOf(t *testing.T) {
	for fn, want := range map[string]string{
		"encoding/json.(*Decoder).Decode":          "encoding/json",
		"runtime.mallocgc":                         "runtime",
		"github.com/zdapi/zendesk.(*transport).Do": "github.com/zdapi/zendesk",
		"github.com/zdapi/zendesk/overlay.decodeItems[go.shape.struct { a/b.c int }]": "github.com/zdapi/zendesk/overlay",
		"net/http.(*persistConn).readLoop":                                            "net/http",
		"internal/runtime/syscall/linux.Syscall6":                                     "internal/runtime/syscall/linux",
	} {
		assert.Equal(t, want, pkgOf(fn), fn)
	}
}

const tracesText = `File: report
Type: cpu
Duration: 12s, Total samples = 1.50s (12.50%)
-----------+-------------------------------------------------------
     1.10s   runtime.mallocgc
             reflect.New
             encoding/json.indirect
             encoding/json.(*Decoder).Decode
             github.com/zdapi/zendesk/overlay.decodeItems[go.shape.x]
-----------+-------------------------------------------------------
     200ms   runtime.scanobject
             runtime.gcDrain
             runtime.gcAssistAlloc
             runtime.mallocgc
             encoding/json.(*decodeState).object
-----------+-------------------------------------------------------
     100ms   syscall.read
             internal/poll.(*FD).Read
             net/http.(*persistConn).Read
             bufio.(*Reader).Read
             github.com/zdapi/zendesk.(*callBody).Read
             encoding/json.(*Decoder).refill
-----------+-------------------------------------------------------
      60ms   github.com/zdapi/zendesk.(*router).match (inline)
             github.com/zdapi/zendesk.(*transport).Do
-----------+-------------------------------------------------------
      40ms   runtime.futex
             runtime.findRunnable
             runtime.schedule
-----------+-------------------------------------------------------
`

func TestProfileBreakdown(t *testing.T) {
	ts, err := parseTraces(strings.NewReader(tracesText))
	require.NoError(t, err)
	require.Len(t, ts, 5)
	assert.Equal(t, 1100*time.Millisecond, ts[0].value)
	assert.Equal(t, "github.com/zdapi/zendesk.(*router).match", ts[3].frames[0], "(inline) is dropped")
	b := breakdownOf(ts)
	assert.Equal(t, 1500*time.Millisecond, b.total)
	assert.Equal(t, 1100*time.Millisecond, b.self[groupJSON], "allocations count for their caller")
	assert.Equal(t, 200*time.Millisecond, b.self[groupGC], "an assist is the collector's")
	assert.Equal(t, 100*time.Millisecond, b.self[groupNet])
	assert.Equal(t, 60*time.Millisecond, b.self[groupRoot])
	assert.Equal(t, 40*time.Millisecond, b.self[groupOther])
	assert.Equal(t, 1100*time.Millisecond, b.cumu[groupOverlay])
	assert.Equal(t, 1200*time.Millisecond, b.cumu[groupJSON])
	assert.Equal(t, 160*time.Millisecond, b.cumu[groupRoot])
	assert.InDelta(t, 4.0, b.share(b.self, groupRoot), 1e-9)

	raw := b
	s := profileSentence(b, raw)
	assert.Contains(t, s, "The largest remaining cost is encoding/json: 73% of the client's CPU samples")
	assert.Contains(t, s, "garbage collection 13%")
}

func TestParseTracesRefusesGarbage(t *testing.T) {
	_, err := parseTraces(strings.NewReader("-----------+----\nnot a duration here\n"))
	assert.ErrorContains(t, err, "unexpected line")
	_, err = parseTraces(strings.NewReader("File: x\n"))
	assert.ErrorContains(t, err, "no samples")
}
