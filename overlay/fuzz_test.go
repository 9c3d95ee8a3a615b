package overlay

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/zdapi/zendesk/generated"
)

// pageSeeds are real-world page shapes and their breakages.
var pageSeeds = []string{
	`{"tickets":[{"id":1,"subject":"a"}],"meta":{"has_more":true,"after_cursor":"xyz","before_cursor":null},"links":{"next":"https://x/y?page[after]=xyz","prev":null}}`,
	`{"tickets":[],"meta":{"has_more":false,"after_cursor":null}}`,
	`{"tickets":null,"next_page":null,"previous_page":null,"count":0}`,
	`{"users":[{"id":1}],"next_page":"https://x/api/v2/users.json?page=2","count":250}`,
	`{"tickets":[{"id":1}],"end_time":1700000000,"next_page":"https://x/api/v2/incremental/tickets.json?start_time=1700000000","count":1,"end_of_stream":false}`,
	`{"tickets":[{"id":1}],"after_cursor":"MTU3","after_url":"https://x/?cursor=MTU3","before_cursor":null,"before_url":null,"end_of_stream":true}`,
	`{"attributes":[{"id":"15821cba"}],"count":1,"end_of_stream":false,"end_time":1533266020,"next_page":"https://x/api/v2/incremental/routing/attributes?cursor=7d72"}`,
	`<html><head><title>502 Bad Gateway</title></head></html>`,
	``, `null`, `[]`, `{"tickets":[{"id":1},`, `{"tickets":[1,2,3]}`, `{"tickets":"no"}`, `{"tickets":[{"id":99999999999999999999999}]}`,
	`{"meta":{"has_more":true}}`, `{"tickets":[{"id":1}],"end_time":"soon"}`, "\xef\xbb\xbf{\"tickets\":[]}",
}

type fuzzRec struct {
	ID      *int64  `json:"id"`
	Subject *string `json:"subject"`
}

// FuzzDecodePage feeds arbitrary bodies to the page decoder of every style:
// it must return a page or an error, never panic, and never claim a next
// page it cannot reach.
func FuzzDecodePage(f *testing.F) {
	for _, s := range pageSeeds {
		for _, style := range []string{"cursor", "offset", "incremental-time", "incremental-cursor"} {
			f.Add(s, style, 0)
		}
	}
	seed := maphash.MakeSeed()
	f.Fuzz(func(t *testing.T, body, style string, skip int) {
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
		filter := itemFilter{skip: skip, seed: seed}
		if p.dedup {
			filter.hashes = &hashes
		}
		if err := decodePage(strings.NewReader(body), items, nil, page, &f, filter); err != nil {
			return
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
// decoder: a job with an id, or an error; never a panic.
func FuzzDecodeJob(f *testing.F) {
	for _, s := range []string{
		`{"job_status":{"id":"8b726e606741012ffc2d782bcb7848fe","status":"completed","total":2,"progress":2,"results":[{"index":0,"id":101},{"id":"01GCSJW391QVSC80GYDH7E93Q6","success":true,"action":"update","status":"Updated"}]}}`,
		`{"job_status":{"id":"x","status":"queued","total":null,"progress":null,"message":null,"results":null}}`,
		`{"job_status":{"status":"failed","message":"boom"}}`,
		`{"job_status":null}`, `{"job_status":"done"}`, `{}`, ``, `<html>504</html>`, `{"job_status":{"id":7}}`,
		`{"job_status":{"id":"x","results":[{"id":{"nested":true},"index":"zero"}]}}`,
	} {
		f.Add(s, 200)
		f.Add(s, 503)
	}
	c := New(&generated.ClientWithResponses{}, nil)
	f.Fuzz(func(t *testing.T, body string, status int) {
		if status < 100 || status > 599 {
			return
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader([]byte(body)))}
		job, err := c.decodeJob("Fuzz", resp)
		if err == nil && (job == nil || job.ID == nil || *job.ID == "") {
			t.Fatalf("no error and no job id for %q", body)
		}
		if err == nil && status/100 != 2 {
			t.Fatalf("status %d read as a job", status)
		}
		if err == nil {
			if _, err := json.Marshal(job); err != nil {
				t.Fatalf("decoded job does not encode: %v", err)
			}
		}
	})
}
