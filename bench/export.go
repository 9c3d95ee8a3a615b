package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"

	"github.com/zdapi/zendesk"
)

// ExportReplay serves recorded pages of the fake's cursor-based incremental
// ticket export (1000 a page) from memory, so that the export iterator and
// the raw loop read the same bytes and the fake's work is not measured.
type ExportReplay struct {
	srv   *httptest.Server
	pages map[string][]byte // by cursor ("" for the first page)
	// Client is a client for the replay (operation pacing off).
	Client  *zendesk.Client
	Records int
}

// exportPage is what the raw loop decodes of an export page.
type exportPage struct {
	Tickets     []zendesk.Ticket `json:"tickets"`
	AfterCursor string           `json:"after_cursor"`
	EndOfStream bool             `json:"end_of_stream"`
}

// NewExportReplay records every page of the fixture's cursor export and
// serves them.
func NewExportReplay(f *Fixture) (*ExportReplay, error) {
	r := &ExportReplay{pages: map[string][]byte{}, Records: f.Records}
	cursor := ""
	for {
		body, err := exportGet(f.Server.URL, f.Server.Email, f.Server.Token, cursor)
		if err != nil {
			return nil, err
		}
		r.pages[cursor] = body
		var page exportPage
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, err
		}
		if page.EndOfStream || page.AfterCursor == "" {
			break
		}
		cursor = page.AfterCursor
	}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, ok := r.pages[req.URL.Query().Get("cursor")]
		if !ok {
			http.Error(w, `{"error":"InvalidCursor"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	c, err := zendesk.NewClient("", zendesk.WithBaseURL(r.srv.URL), zendesk.WithInsecureHTTP(),
		zendesk.WithAPIToken(f.Server.Email, f.Server.Token), zendesk.WithoutOperationPacing())
	if err != nil {
		r.srv.Close()
		return nil, err
	}
	r.Client = c
	return r, nil
}

// Close stops the replay server.
func (r *ExportReplay) Close() { r.srv.Close() }

func exportGet(base, email, token, cursor string) ([]byte, error) {
	q := url.Values{"per_page": {"1000"}}
	if cursor != "" {
		q.Set("cursor", cursor)
	} else {
		q.Set("start_time", "0")
	}
	req, err := http.NewRequest(http.MethodGet, base+"/api/v2/incremental/tickets/cursor?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(email+"/token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("export page at %q: status %d, %v", cursor, resp.StatusCode, err)
	}
	return body, nil
}

// ExportClientPass exports every ticket with the client's iterator
// (IncrementalTicketCursorExportAll, 1000 a page) and checks the count.
func ExportClientPass(r *ExportReplay) error {
	n := 0
	for t, err := range r.Client.IncrementalTicketCursorExportAll(context.Background(),
		&zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(int64(0))}, zendesk.WithPageSize(1000)) {
		if err != nil {
			return fmt.Errorf("after %d records: %w", n, err)
		}
		if t.ID == nil {
			return fmt.Errorf("record %d has no id", n)
		}
		n++
	}
	if n != r.Records {
		return fmt.Errorf("%d records, want %d", n, r.Records)
	}
	return nil
}

// ExportRawPass is the floor: http.Client.Do and json.Decoder over the same
// replayed pages and record type, following after_cursor.
func ExportRawPass(r *ExportReplay) error {
	hc := &http.Client{Transport: http.DefaultTransport}
	n, cursor := 0, ""
	for {
		q := url.Values{"per_page": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		} else {
			q.Set("start_time", "0")
		}
		req, err := http.NewRequest(http.MethodGet, r.srv.URL+"/api/v2/incremental/tickets/cursor?"+q.Encode(), nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		var page exportPage
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return fmt.Errorf("export page at %q: status %d, %v", cursor, resp.StatusCode, err)
		}
		n += len(page.Tickets)
		if page.EndOfStream || page.AfterCursor == "" {
			break
		}
		cursor = page.AfterCursor
	}
	if n != r.Records {
		return fmt.Errorf("%d records, want %d", n, r.Records)
	}
	return nil
}
