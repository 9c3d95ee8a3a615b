package bench

import (
	"encoding/json"
	"fmt"
	"github.com/zdapi/zendesk"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk/internal/wirecheck"
)

func BenchmarkDecode(b *testing.B) {
	p, err := LoadPayloads()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range Cases(p) {
		for _, d := range c.Decoders() {
			b.Run(c.Name+"/"+d.Name, func(b *testing.B) { Decode(b, c.Body, d) })
		}
	}
}

// TestDecodersAgree checks that the three decoders read the same data from
// each page: the comparison is fair only if they do the same work.
func TestDecodersAgree(t *testing.T) {
	p, err := LoadPayloads()
	require.NoError(t, err)
	for _, c := range Cases(p) {
		for _, d := range c.Decoders() {
			v := d.New()
			require.NoError(t, json.Unmarshal(c.Body, v), c.Name+"/"+d.Name)
			again, err := json.Marshal(v)
			require.NoError(t, err)
			if d.Name == "keep-unknown" {
				// Its page keeps only the records and their cursor fields.
				var page map[string]json.RawMessage
				require.NoError(t, json.Unmarshal(c.Body, &page))
				for k := range page {
					if k != "tickets" && k != "users" && k != "meta" && k != "links" {
						delete(page, k)
					}
				}
				want, _ := json.Marshal(page)
				assert.Empty(t, wirecheck.Compare(want, again), c.Name+"/"+d.Name)
				continue
			}
			assert.Empty(t, wirecheck.Compare(c.Body, again), c.Name+"/"+d.Name)
		}
	}
}

// TestGeneratedTypesHaveNoCustomDecoding checks the claim the floor stands
// on: the generated page types, and every struct they contain, decode with
// encoding/json's own struct decoding.
func TestGeneratedTypesHaveNoCustomDecoding(t *testing.T) {
	p, err := LoadPayloads()
	require.NoError(t, err)
	unmarshaler := reflect.TypeFor[json.Unmarshaler]()
	for _, c := range Cases(p) {
		var walk func(reflect.Type, map[reflect.Type]bool)
		walk = func(typ reflect.Type, seen map[reflect.Type]bool) {
			if seen[typ] || keep[typ] || typ.PkgPath() == "time" {
				return
			}
			seen[typ] = true
			if typ.Kind() == reflect.Struct && (typ.Implements(unmarshaler) || reflect.PointerTo(typ).Implements(unmarshaler)) {
				t.Errorf("%s has a custom UnmarshalJSON", typ)
			}
			switch typ.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map:
				walk(typ.Elem(), seen)
			case reflect.Struct:
				for i := 0; i < typ.NumField(); i++ {
					walk(typ.Field(i).Type, seen)
				}
			}
		}
		walk(c.Type, map[reflect.Type]bool{})
	}
}

// iterationRecords is the data set of the iteration benchmarks.
const iterationRecords = 100_000

func BenchmarkIterate(b *testing.B) {
	f, err := NewFixture(iterationRecords)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r, err := NewReplay(f)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	for _, src := range []struct {
		name string
		f    *Fixture
	}{{"fake", f}, {"replay", r.Fixture(f)}} {
		for _, work := range []Work{{}, {Busy: 20 * time.Microsecond}, {Wait: 2 * time.Millisecond, Every: 100}} {
			b.Run(fmt.Sprintf("%s/raw-loop/work=%s", src.name, work), func(b *testing.B) { IterateRaw(b, src.f, work) })
			b.Run(fmt.Sprintf("%s/client/work=%s", src.name, work), func(b *testing.B) { IterateClient(b, src.f, false, work) })
			b.Run(fmt.Sprintf("%s/client-prefetch/work=%s", src.name, work), func(b *testing.B) { IterateClient(b, src.f, true, work) })
		}
	}
}

// BenchmarkMemory iterates over a million exported tickets and reports the
// heap's peak and its slope against the records passed.
func BenchmarkMemory(b *testing.B) {
	f, err := NewFixture(1_000_000)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for b.Loop() {
		r, err := IterateMemory(f, 20_000)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.PeakHeap)/(1<<20), "peak-MiB")
		b.ReportMetric(r.SlopePerMillion/(1<<20), "MiB/Mrecords")
	}
}

// TestKeepUnknownKeepsThem checks that the keep-unknown decoder does what
// it stands for: a property the schema does not know survives.
func TestKeepUnknownKeepsThem(t *testing.T) {
	var k KeepUnknown[zendesk.Ticket]
	require.NoError(t, json.Unmarshal([]byte(`{"id":7,"subject":"s","brand_new":{"x":1}}`), &k))
	assert.Equal(t, int64(7), *k.Value.ID)
	assert.JSONEq(t, `{"x":1}`, string(k.Extra["brand_new"]))
	again, err := json.Marshal(k)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":7,"subject":"s","brand_new":{"x":1}}`, string(again))
}
