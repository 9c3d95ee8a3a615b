package overlay

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/zdapi/zendesk/generated"
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
		p := &pager[fuzzRec]{l: Listing{Operation: "Fuzz", Style: style, Items: items, CursorParam: "cursor"}, seed: seed, dedup: style == "incremental-time"}
		page := &Page[fuzzRec]{Position: Position{Skip: skip, Cursor: "c0", StartTime: 1}}
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

		// What encoding/json reads in the body.
		var top map[string]json.RawMessage
		if err := json.NewDecoder(strings.NewReader(body)).Decode(&top); err != nil {
			t.Fatalf("decoded a page from a body encoding/json refuses (%v): %q", err, body)
		}
		var sent []json.RawMessage
		if err := json.Unmarshal(top[items], &sent); err != nil {
			t.Fatalf("decoded a page whose %q encoding/json refuses (%v): %q", items, err, body)
		}
		if want := max(len(sent)-skip, 0); len(page.Items) != want {
			t.Fatalf("%d records of %d sent, %d skipped: want %d, body %q", len(page.Items), len(sent), skip, want, body)
		}
		for i, it := range page.Items {
			var want fuzzRec
			if err := json.Unmarshal(sent[skip+i], &want); err != nil || !reflect.DeepEqual(it, want) {
				t.Fatalf("record %d is %+v, encoding/json reads %+v (%v)", skip+i, it, want, err)
			}
			if page.index[i] != skip+i {
				t.Fatalf("record %d has index %d", skip+i, page.index[i])
			}
		}
		if _, err := json.Marshal(page.Items); err != nil {
			t.Fatalf("the records do not encode again: %v", err)
		}
		for k, raw := range page.Extra {
			if !bytes.Equal(raw, top[k]) {
				t.Fatalf("property %q kept as %q, sent as %q", k, raw, top[k])
			}
		}
		if track && len(page.hashes) != len(page.Items) {
			t.Fatalf("%d records but %d hashes", len(page.Items), len(page.hashes))
		}
		if err := p.advance(page, &f); err != nil {
			return
		}
		if page.More && page.Next == page.Position {
			t.Fatalf("a next page at the same position: %+v", page.Next)
		}
		if len(page.Items) != len(page.index) {
			t.Fatalf("%d items but %d indexes", len(page.Items), len(page.index))
		}
	})
}

// FuzzDecodeJob feeds arbitrary bodies and statuses to the job status
// decoder (seed corpus in testdata/fuzz/FuzzDecodeJob: Zendesk's job
// statuses, huge and non-integer numbers, wrong types, nulls, HTML, cut
// JSON): a job with an id, or an error; never a panic. A job it returns is
// what encoding/json reads in the body, and encodes and decodes again to
// itself.
func FuzzDecodeJob(f *testing.F) {
	c, err := New("https://example.zendesk.com", http.DefaultClient, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string, status int) {
		if status < 100 || status > 599 {
			return
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader([]byte(body)))}
		job, err := c.decodeJob("Fuzz", resp)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "Fuzz: ") {
				t.Fatalf("the error does not name the operation: %v", err)
			}
			return
		}
		if job == nil || job.ID == nil || *job.ID == "" {
			t.Fatalf("no error and no job id for %q", body)
		}
		if status/100 != 2 {
			t.Fatalf("status %d read as a job", status)
		}
		var env struct {
			JobStatus map[string]json.RawMessage `json:"job_status"`
		}
		if err := json.NewDecoder(strings.NewReader(body)).Decode(&env); err != nil {
			t.Fatalf("decoded a job from a body encoding/json refuses (%v): %q", err, body)
		}
		var id string
		if json.Unmarshal(env.JobStatus["id"], &id) != nil || id != *job.ID {
			t.Fatalf("job id %q, the body's is %s", *job.ID, env.JobStatus["id"])
		}
		if job.Results != nil {
			if list, err := job.Results.AsJobStatusResultList(); err == nil && len(list) > len(body)/2 {
				t.Fatalf("%d results from %d bytes", len(list), len(body))
			}
		}
		b, err := json.Marshal(job)
		if err != nil {
			t.Fatalf("decoded job does not encode: %v", err)
		}
		var again generated.JobStatus
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("the encoded job %s does not decode: %v", b, err)
		}
		if b2, _ := json.Marshal(again); !bytes.Equal(b, b2) {
			t.Fatalf("the job changes when encoded again: %s then %s", b, b2)
		}
	})
}
