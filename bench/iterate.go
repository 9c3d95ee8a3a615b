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
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zdapi/zendesk"
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

// Work is what a consumer does with the records it gets.
type Work struct {
	// Busy is CPU work on each record (a transformation): it needs a core.
	Busy time.Duration
	// Wait is a pause after every Every records (a batch written elsewhere,
	// waiting on its I/O): it needs no core.
	Wait  time.Duration
	Every int
}

// String names the work for tables: "none", "20µs busy a record", "2ms
// wait every 100 records".
func (w Work) String() string {
	var parts []string
	if w.Busy > 0 {
		parts = append(parts, w.Busy.String()+" busy a record")
	}
	if w.Wait > 0 && w.Every > 0 {
		parts = append(parts, fmt.Sprintf("%s wait every %d records", w.Wait, w.Every))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// do is the work on the n-th record (counting from 1).
func (w Work) do(n int) {
	if w.Busy > 0 {
		for end := time.Now().Add(w.Busy); time.Now().Before(end); {
		}
	}
	if w.Wait > 0 && w.Every > 0 && n%w.Every == 0 {
		time.Sleep(w.Wait)
	}
}

// ClientPass lists every ticket with the client's iterator
// (ListTicketsAll, cursor pagination, 100 a page), doing w on each, and
// checks that it saw every record once.
func ClientPass(f *Fixture, prefetch bool, w Work) error {
	opts := []zendesk.ListOption{zendesk.WithPageSize(100)}
	if prefetch {
		opts = append(opts, zendesk.WithPrefetch())
	}
	n := 0
	for t, err := range f.Client.ListTicketsAll(context.Background(), &zendesk.ListTicketsParams{}, opts...) {
		if err != nil {
			return fmt.Errorf("after %d records: %w", n, err)
		}
		if t.ID == nil {
			return fmt.Errorf("record %d has no id", n)
		}
		n++
		w.do(n)
	}
	if n != f.Records {
		return fmt.Errorf("%d records, want %d", n, f.Records)
	}
	return nil
}

// IterateClient is a benchmark of ClientPass that reports the time per
// record.
func IterateClient(b *testing.B, f *Fixture, prefetch bool, w Work) {
	b.ReportAllocs()
	for b.Loop() {
		if err := ClientPass(f, prefetch, w); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*f.Records), "ns/record")
}

// rawPage is what the hand-rolled loop decodes: the same record type, and
// the cursor fields it follows.
type rawPage struct {
	Tickets []zendesk.Ticket `json:"tickets"`
	Meta    struct {
		HasMore     bool   `json:"has_more"`
		AfterCursor string `json:"after_cursor"`
	} `json:"meta"`
}

// RawPass is the floor: a hand-rolled loop of http.Client.Do and
// json.Decoder over the same server, pages and record type, with the same
// credentials and connection pool, and no retries, pacing or streaming.
func RawPass(f *Fixture, w Work) error {
	base := f.Server.URL + "/api/v2/tickets"
	hc := &http.Client{Transport: http.DefaultTransport}
	n := 0
	after := ""
	for {
		q := url.Values{"page[size]": {"100"}}
		if after != "" {
			q.Set("page[after]", after)
		}
		req, err := http.NewRequest(http.MethodGet, base+"?"+q.Encode(), nil)
		if err != nil {
			return err
		}
		req.SetBasicAuth(f.Server.Email+"/token", f.Server.Token)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		var page rawPage
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return fmt.Errorf("page after %q: status %d, %v", after, resp.StatusCode, err)
		}
		for i := range page.Tickets {
			if page.Tickets[i].ID == nil {
				return fmt.Errorf("record %d has no id", n)
			}
			n++
			w.do(n)
		}
		if !page.Meta.HasMore || len(page.Tickets) == 0 {
			break
		}
		after = page.Meta.AfterCursor
	}
	if n != f.Records {
		return fmt.Errorf("%d records, want %d", n, f.Records)
	}
	return nil
}

// IterateRaw is a benchmark of RawPass that reports the time per record.
func IterateRaw(b *testing.B, f *Fixture, w Work) {
	b.ReportAllocs()
	for b.Loop() {
		if err := RawPass(f, w); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*f.Records), "ns/record")
}

// MemoryResult is the heap seen while iterating.
type MemoryResult struct {
	Records int
	// StartHeap is HeapInuse after a collection before the first page: the
	// fake's data set (it runs in the same process), the client and the
	// runtime.
	StartHeap uint64
	// PeakHeap is the largest HeapInuse sampled after a forced collection:
	// the largest live heap (StartHeap included).
	PeakHeap uint64
	// SlopePerMillion is the least-squares slope of those HeapInuse samples
	// against the records passed, in bytes per million records: flat memory
	// is about 0.
	SlopePerMillion float64
	Samples         int
	// PeakObjects is the largest /memory/classes/heap/objects:bytes seen by
	// a sampler that reads runtime/metrics every millisecond without
	// collecting: live objects and garbage not yet collected, the heap's
	// real high-water mark (at the sampler's resolution).
	PeakObjects uint64
	// ObjectSamples is the number of those readings.
	ObjectSamples int
	// GCs is the number of collections during the export, Forced the
	// number of them the sampling forced.
	GCs, Forced uint32
}

// heapObjects is the runtime/metrics sample of the heap's object bytes.
const heapObjects = "/memory/classes/heap/objects:bytes"

// sampleObjects reads heapObjects every millisecond until stop is closed,
// then sends the largest value and the number of readings on out.
func sampleObjects(stop <-chan struct{}, out chan<- [2]uint64) {
	s := []metrics.Sample{{Name: heapObjects}}
	var peak, n uint64
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		metrics.Read(s)
		if s[0].Value.Kind() == metrics.KindUint64 {
			peak = max(peak, s[0].Value.Uint64())
			n++
		}
		select {
		case <-stop:
			out <- [2]uint64{peak, n}
			return
		case <-t.C:
		}
	}
}

// IterateMemory runs the cursor-based incremental ticket export over every
// ticket of the fixture (1000 a page) and samples the heap two ways: every
// `every` records it forces a garbage collection and reads HeapInuse, so
// that those samples show what stays alive, not what waits to be
// collected (the peak and the slope); and a sampler reads the heap's object
// bytes every millisecond without collecting, which shows the real peak.
func IterateMemory(f *Fixture, every int) (MemoryResult, error) {
	var xs, ys []float64
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	res := MemoryResult{StartHeap: ms.HeapInuse}
	gc0 := ms.NumGC
	stop, peaks := make(chan struct{}), make(chan [2]uint64, 1)
	go sampleObjects(stop, peaks)
	n := 0
	params := &zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(int64(1))}
	var iterErr error
	for t, err := range f.Client.IncrementalTicketCursorExportAll(context.Background(), params, zendesk.WithPageSize(1000)) {
		if err != nil {
			iterErr = err
			break
		}
		if t.ID == nil {
			iterErr = fmt.Errorf("record %d has no id", n)
			break
		}
		n++
		if n%every == 0 {
			runtime.GC()
			res.Forced++
			runtime.ReadMemStats(&ms)
			res.PeakHeap = max(res.PeakHeap, ms.HeapInuse)
			xs = append(xs, float64(n))
			ys = append(ys, float64(ms.HeapInuse))
		}
	}
	close(stop)
	p := <-peaks
	if iterErr != nil {
		return MemoryResult{}, iterErr
	}
	if n != f.Records {
		return MemoryResult{}, fmt.Errorf("%d records, want %d", n, f.Records)
	}
	runtime.ReadMemStats(&ms)
	res.Records, res.Samples = n, len(xs)
	res.SlopePerMillion = slope(xs, ys) * 1e6
	res.PeakObjects, res.ObjectSamples = p[0], int(p[1])
	res.GCs = ms.NumGC - gc0
	return res, nil
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
	rf, err := ReplayFixture(r.URL, f.Server.Email, f.Server.Token, f.Records)
	if err != nil {
		r.srv.Close()
		return nil, err
	}
	r.Client = rf.Client
	return r, nil
}

// ReplayFixture is a fixture for a replay served at url (by this process or
// another one) of a data set of the given number of records.
func ReplayFixture(url, email, token string, records int) (*Fixture, error) {
	c, err := zendesk.NewClient("", zendesk.WithBaseURL(url), zendesk.WithInsecureHTTP(), zendesk.WithAPIToken(email, token))
	if err != nil {
		return nil, err
	}
	return &Fixture{Server: &zendesktest.Server{URL: url, Email: email, Token: token}, Client: c, Records: records}, nil
}

// Close stops the replay server.
func (r *Replay) Close() { r.srv.Close() }

// Fixture presents the replay as a fixture for IterateClient and IterateRaw.
func (r *Replay) Fixture(f *Fixture) *Fixture {
	return &Fixture{Server: &zendesktest.Server{URL: r.URL, Email: f.Server.Email, Token: f.Server.Token}, Client: r.Client, Records: r.Records}
}
