package overlay

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
	"reflect"
	"strings"
	"testing"
)

type fuzzRec struct {
	ID      *int64  `json:"id"`
	Subject *string `json:"subject"`
}

// FuzzDecodePage feeds arbitrary bodies to the page decoder of every style
// (seed corpus in testdata/fuzz/FuzzDecodePage: Zendesk's page shapes,
// proxies' HTML pages, empty bodies, nulls, huge numbers, wrong types, cut
// JSON): it returns a page or an error, never panics, and never claims a
// next page it cannot reach. A page it returns says what encoding/json reads
// in the body: the records of the items array, less the skipped ones, each
// decoded alike; the other properties kept as they were sent.
func FuzzDecodePage(f *testing.F) {
	seed := maphash.MakeSeed()
	f.Fuzz(func(t *testing.T, body, style string, skip int, track bool) {
		switch style {
		case "cursor", "offset", "incremental-time", "incremental-cursor":
		default:
			return
		}
		if skip < 0 || skip > 1000 {
			return
		}
		items := "tickets"
		if strings.Contains(body, `"attributes"`) {
			items = "attributes"
		}
		p := &pager{newSink: RecordsOf(reflect.TypeFor[fuzzRec]()), l: Listing{Operation: "Fuzz", Style: style, Items: items, CursorParam: "cursor"}, seed: seed, dedup: style == "incremental-time"}
		page := &PageState{Items: RecordsOf(reflect.TypeFor[fuzzRec]())(), Position: Position{Skip: skip, Cursor: "c0", StartTime: 1}}
		var f pageFields
		var hashes []uint64
		filter := itemFilter{skip: skip, seed: seed, track: track}
		if p.dedup {
			filter.hashes = &hashes
		}
		if err := decodePage(strings.NewReader(body), items, nil, page, &f, filter); err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}

		got := page.Items.(*Records).Slice().([]fuzzRec)
		// What encoding/json reads in the body.
		var top map[string]json.RawMessage
		if err := json.NewDecoder(strings.NewReader(body)).Decode(&top); err != nil {
			t.Fatalf("decoded a page from a body encoding/json refuses (%v): %q", err, body)
		}
		var sent []json.RawMessage
		if err := json.Unmarshal(top[items], &sent); err != nil {
			t.Fatalf("decoded a page whose %q encoding/json refuses (%v): %q", items, err, body)
		}
		if want := max(len(sent)-skip, 0); len(got) != want {
			t.Fatalf("%d records of %d sent, %d skipped: want %d, body %q", len(got), len(sent), skip, want, body)
		}
		for i, it := range got {
			var want fuzzRec
			if err := json.Unmarshal(sent[skip+i], &want); err != nil || !reflect.DeepEqual(it, want) {
				t.Fatalf("record %d is %+v, encoding/json reads %+v (%v)", skip+i, it, want, err)
			}
			if page.index[i] != skip+i {
				t.Fatalf("record %d has index %d", skip+i, page.index[i])
			}
		}
		if _, err := json.Marshal(got); err != nil {
			t.Fatalf("the records do not encode again: %v", err)
		}
		for k, raw := range page.Extra {
			if !bytes.Equal(raw, top[k]) {
				t.Fatalf("property %q kept as %q, sent as %q", k, raw, top[k])
			}
		}
		if track && len(page.hashes) != len(got) {
			t.Fatalf("%d records but %d hashes", len(got), len(page.hashes))
		}
		if err := p.advance(page, &f); err != nil {
			return
		}
		if page.More && page.Next == page.Position {
			t.Fatalf("a next page at the same position: %+v", page.Next)
		}
		if len(got) != len(page.index) {
			t.Fatalf("%d got but %d indexes", len(got), len(page.index))
		}
	})
}
