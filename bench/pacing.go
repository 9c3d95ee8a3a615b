package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// SharedAccount is a run of several clients on one account of the fake:
// Clients zendesk.Clients (standing in for as many processes), each with
// Goroutines callers of ShowTicket, for Windows of the account's minute at
// the fake's TimeScale.
type SharedAccount struct {
	Clients, Goroutines, Windows int
	// Limit is the account's limit a minute.
	Limit     int
	TimeScale float64
	// Options are given to every client (none: the defaults).
	Options []zendesk.Option
	// Per builds the options of client i, after Options (nil: none).
	Per func(i int) []zendesk.Option
}

// PaceResult is what a pacing run achieved.
type PaceResult struct {
	// Requests is the calls that succeeded within the windows; Allowed is
	// the most the account's limit lets through in them.
	Requests, Allowed int
	// TooMany is the 429s the fake answered, Failed the calls that ended
	// in an error (their retries spent).
	TooMany, Failed int
}

// Share is Requests as a fraction of Allowed.
func (r PaceResult) Share() float64 { return float64(r.Requests) / float64(r.Allowed) }

// Run runs the clients until the windows have passed.
func (s SharedAccount) Run() (PaceResult, error) {
	srv, err := zendesktest.Start(zendesktest.WithTickets(100), zendesktest.WithAccountRateLimit(s.Limit), zendesktest.WithTimeScale(s.TimeScale))
	if err != nil {
		return PaceResult{}, err
	}
	defer srv.Close()
	clients := make([]*zendesk.Client, s.Clients)
	for i := range clients {
		opts := s.Options
		if s.Per != nil {
			opts = append(append([]zendesk.Option(nil), opts...), s.Per(i)...)
		}
		if clients[i], err = srv.Client(opts...); err != nil {
			return PaceResult{}, err
		}
	}
	span := time.Duration(float64(s.Windows) * float64(time.Minute) / s.TimeScale)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	end := start.Add(span)
	timer := time.AfterFunc(span, cancel)
	defer timer.Stop()
	var ok, failed atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range clients {
		for g := range s.Goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for id := int64(g%100 + 1); ctx.Err() == nil; id = id%100 + 1 {
					_, err := c.ShowTicket(ctx, id, nil)
					switch {
					case err == nil && time.Now().Before(end):
						ok.Add(1)
					case err != nil && !errors.Is(err, context.Canceled):
						failed.Add(1)
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	st := srv.Stats()
	tooMany := 0
	for _, n := range st.RateLimited {
		tooMany += n
	}
	_ = firstErr
	return PaceResult{Requests: int(ok.Load()), Allowed: s.Limit * s.Windows, TooMany: tooMany, Failed: int(failed.Load())}, nil
}

// String is the run's line of the report.
func (s SharedAccount) String(r PaceResult) string {
	return fmt.Sprintf("shared account: clients %d, %d requests in %d windows, %.1f%% of the allowed rate, 429s %d, failed calls %d",
		s.Clients, r.Requests, s.Windows, 100*r.Share(), r.TooMany, r.Failed)
}

// ExportPace runs the incremental ticket export (10 pages a minute, its
// documented limit) for Windows of its minute at the fake's TimeScale, with
// the default options, 1000 tickets a page.
type ExportPace struct {
	Windows   int
	TimeScale float64
}

// Run exports until the windows have passed; Requests is the pages fetched.
func (e ExportPace) Run() (PaceResult, error) {
	const perMinute = 10
	srv, err := zendesktest.Start(zendesktest.WithTickets(1000*perMinute*(e.Windows+1)), zendesktest.WithTimeScale(e.TimeScale))
	if err != nil {
		return PaceResult{}, err
	}
	defer srv.Close()
	c, err := srv.Client()
	if err != nil {
		return PaceResult{}, err
	}
	span := time.Duration(float64(e.Windows) * float64(time.Minute) / e.TimeScale)
	ctx, cancel := context.WithTimeout(context.Background(), span)
	defer cancel()
	end := time.Now().Add(span)
	pages, failed := 0, 0
	params := &zendesk.IncrementalTicketCursorExportParams{StartTime: zendesk.Ptr(int64(1))}
	for _, err := range c.IncrementalTicketCursorExportPages(ctx, params, zendesk.WithPageSize(1000)) {
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				failed++
			}
			break
		}
		if time.Now().Before(end) {
			pages++
		}
	}
	st := srv.Stats()
	return PaceResult{Requests: pages, Allowed: perMinute * e.Windows, TooMany: st.RateLimited["IncrementalTicketCursorExport"], Failed: failed}, nil
}

// String is the run's line of the report.
func (e ExportPace) String(r PaceResult) string {
	return fmt.Sprintf("incremental export: %d pages in %d windows, %.1f%% of the documented 10 a minute, 429s %d, failed calls %d",
		r.Requests, e.Windows, 100*r.Share(), r.TooMany, r.Failed)
}
