package overlay

import (
	"hash/fnv"
	"testing"
)

// TestRecordHashIsFNV64a pins recordHash to FNV-64a: a Position saved by a
// program keeps its LastHash, and a new build must resume from it.
func TestRecordHashIsFNV64a(t *testing.T) {
	for _, raw := range []string{"", "{}", `{"id":1,"subject":"Printer on fire"}`, "\x00\xff\x80é"} {
		h := fnv.New64a()
		h.Write([]byte(raw))
		if got, want := recordHash([]byte(raw)), h.Sum64(); got != want {
			t.Errorf("recordHash(%q) = %#x, FNV-64a is %#x", raw, got, want)
		}
	}
}
