package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/generated"
	"github.com/zdapi/zendesk/zendesktest"
)

// Fixture is a fake Zendesk with a data set, and a client for it.
type Fixture struct {
	Server *zendesktest.Server
	Client *zendesk.Client
	// Records is the size of the data set.
	Records int
}

// NewFixture starts a fake Zendesk with n tickets (no rate limits: the
// benchmarks measure the client, not Zendesk's limits).
func NewFixture(n int) (*Fixture, error) {
	srv, err := zendesktest.Start(zendesktest.WithTickets(n), zendesktest.WithoutRateLimits())
	if err != nil {
		return nil, err
	}
	c, err := srv.Client(zendesk.WithoutOperationPacing())
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &Fixture{Server: srv, Client: c, Records: n}, nil
}

// Close stops the fake.
func (f *Fixture) Close() { f.Server.Close() }

// work stands for what a consumer does with each record (a write, a
// call...): busy for d.
func work(d time.Duration) {
	if d <= 0 {
		return
	}
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

// IterateClient lists every ticket with the client's iterator
// (ListTicketsAll, cursor pagination, 100 a page), doing perRecord work on
// each, and reports the time per record.
func IterateClient(b *testing.B, f *Fixture, prefetch bool, perRecord time.Duration) {
	opts := []zendesk.ListOption{zendesk.WithPageSize(100)}
	if prefetch {
		opts = append(opts, zendesk.WithPrefetch())
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for t, err := range f.Client.ListTicketsAll(context.Background(), &zendesk.ListTicketsParams{}, opts...) {
			if err != nil {
				b.Fatal(err)
			}
			if t.ID == nil {
				b.Fatal("ticket without id")
			}
			work(perRecord)
			n++
		}
		if n != f.Records {
			b.Fatalf("%d records, want %d", n, f.Records)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*f.Records), "ns/record")
}

// rawPage is what the hand-rolled loop decodes: the same record type, and
// the cursor fields it follows.
type rawPage struct {
	Tickets []generated.Ticket `json:"tickets"`
	Meta    struct {
		HasMore     bool   `json:"has_more"`
		AfterCursor string `json:"after_cursor"`
	} `json:"meta"`
}

// IterateRaw is the floor: a hand-rolled loop of http.Client.Get and
// json.Decoder over the same server, pages and record type, with the same
// credentials and connection pool, and no retries, pacing or streaming.
func IterateRaw(b *testing.B, f *Fixture, perRecord time.Duration) {
	base := f.Server.URL + "/api/v2/tickets"
	hc := &http.Client{Transport: http.DefaultTransport}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		after := ""
		for {
			q := url.Values{"page[size]": {"100"}}
			if after != "" {
				q.Set("page[after]", after)
			}
			req, err := http.NewRequest(http.MethodGet, base+"?"+q.Encode(), nil)
			if err != nil {
				b.Fatal(err)
			}
			req.SetBasicAuth(f.Server.Email+"/token", f.Server.Token)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var page rawPage
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("page: status %d, %v", resp.StatusCode, err)
			}
			for i := range page.Tickets {
				if page.Tickets[i].ID == nil {
					b.Fatal("ticket without id")
				}
				work(perRecord)
				n++
			}
			if !page.Meta.HasMore || len(page.Tickets) == 0 {
				break
			}
			after = page.Meta.AfterCursor
		}
		if n != f.Records {
			b.Fatalf("%d records, want %d", n, f.Records)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*f.Records), "ns/record")
}

// MemoryResult is the heap seen while iterating.
type MemoryResult struct {
	Records int
	// PeakHeap is the largest HeapInuse sampled, in bytes.
	PeakHeap uint64
	// SlopePerMillion is the least-squares slope of HeapInuse against the
	// records passed, in bytes per million records: flat memory is about 0.
	SlopePerMillion float64
	Samples         int
}

// IterateMemory runs the cursor-based incremental ticket export over every
// ticket of the fixture (1000 a page) and samples the heap every `every`
// records, after a garbage collection, so that the samples show what stays
// alive, not what waits to be collected.
func IterateMemory(f *Fixture, every int) (MemoryResult, error) {
	var xs, ys []float64
	var peak uint64
	var ms runtime.MemStats
	n := 0
	params := &zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(int64(1))}
	for t, err := range f.Client.IncrementalTicketCursorExportAll(context.Background(), params, zendesk.WithPageSize(1000)) {
		if err != nil {
			return MemoryResult{}, err
		}
		if t.ID == nil {
			return MemoryResult{}, fmt.Errorf("record %d has no id", n)
		}
		n++
		if n%every == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			xs = append(xs, float64(n))
			ys = append(ys, float64(ms.HeapInuse))
		}
	}
	if n != f.Records {
		return MemoryResult{}, fmt.Errorf("%d records, want %d", n, f.Records)
	}
	return MemoryResult{Records: n, PeakHeap: peak, SlopePerMillion: slope(xs, ys) * 1e6, Samples: len(xs)}, nil
}

// slope is the least-squares slope of ys against xs.
func slope(xs, ys []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	n := float64(len(xs))
	d := n*sxx - sx*sx
	if d == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / d
}

// MiB renders bytes as MiB.
func MiB(b uint64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MiB" }

// Replay serves recorded pages of the fake's ticket list from memory, so
// that iteration benchmarks measure the client and not the fake's work of
// making up records: the same bytes for the iterator and the raw loop.
type Replay struct {
	srv   *httptest.Server
	pages map[string][]byte // by page[after] ("" for the first page)
	// URL is the server's base URL; Client a client for it.
	URL     string
	Client  *zendesk.Client
	Records int
}

// NewReplay records every page of the fixture's ticket list (100 a page)
// and serves them.
func NewReplay(f *Fixture) (*Replay, error) {
	r := &Replay{pages: map[string][]byte{}, Records: f.Records}
	hc := &http.Client{}
	after := ""
	for {
		q := url.Values{"page[size]": {"100"}}
		if after != "" {
			q.Set("page[after]", after)
		}
		req, _ := http.NewRequest(http.MethodGet, f.Server.URL+"/api/v2/tickets?"+q.Encode(), nil)
		req.SetBasicAuth(f.Server.Email+"/token", f.Server.Token)
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("record page after %q: status %d, %v", after, resp.StatusCode, err)
		}
		r.pages[after] = body
		var page rawPage
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, err
		}
		if !page.Meta.HasMore || len(page.Tickets) == 0 {
			break
		}
		after = page.Meta.AfterCursor
	}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, ok := r.pages[req.URL.Query().Get("page[after]")]
		if !ok {
			http.Error(w, `{"error":"InvalidCursor"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	r.URL = r.srv.URL
	c, err := zendesk.NewClient("", zendesk.WithBaseURL(r.URL), zendesk.WithInsecureHTTP(), zendesk.WithAPIToken(f.Server.Email, f.Server.Token))
	if err != nil {
		r.srv.Close()
		return nil, err
	}
	r.Client = c
	return r, nil
}

// Close stops the replay server.
func (r *Replay) Close() { r.srv.Close() }

// Fixture presents the replay as a fixture for IterateClient and IterateRaw.
func (r *Replay) Fixture(f *Fixture) *Fixture {
	return &Fixture{Server: &zendesktest.Server{URL: r.URL, Email: f.Server.Email, Token: f.Server.Token}, Client: r.Client, Records: r.Records}
}
