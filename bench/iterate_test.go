package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPassesSeeEveryRecord checks that the passes the report times do the
// work they stand for: every record of the data set, over the fake and
// over the replay, and that a short data set is an error, not a figure.
func TestPassesSeeEveryRecord(t *testing.T) {
	f, err := NewFixture(250)
	require.NoError(t, err)
	defer f.Close()
	r, err := NewReplay(f)
	require.NoError(t, err)
	defer r.Close()
	for name, fx := range map[string]*Fixture{"fake": f, "replay": r.Fixture(f)} {
		require.NoError(t, RawPass(fx, Work{}), name)
		require.NoError(t, ClientPass(fx, false, Work{}), name)
		require.NoError(t, ClientPass(fx, true, Work{}), name)
		wrong := *fx
		wrong.Records++
		assert.ErrorContains(t, RawPass(&wrong, Work{}), "250 records, want 251", name)
		assert.ErrorContains(t, ClientPass(&wrong, true, Work{}), "250 records, want 251", name)
	}
}

// TestIterateMemorySamples checks the memory figures' bookkeeping: a
// forced-collection sample every `every` records, the sampler's readings,
// and collections counted.
func TestIterateMemorySamples(t *testing.T) {
	f, err := NewFixture(5000)
	require.NoError(t, err)
	defer f.Close()
	r, err := IterateMemory(f, 1000)
	require.NoError(t, err)
	assert.Equal(t, 5000, r.Records)
	assert.Equal(t, 5, r.Samples)
	assert.Equal(t, uint32(5), r.Forced)
	assert.GreaterOrEqual(t, r.GCs, r.Forced)
	assert.Positive(t, r.StartHeap)
	assert.GreaterOrEqual(t, r.PeakHeap, uint64(1))
	assert.Positive(t, r.ObjectSamples)
	assert.Positive(t, r.PeakObjects)
}
