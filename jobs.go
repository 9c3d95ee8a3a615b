package zendesk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/zdapi/zendesk/internal/ctxsleep"
	"github.com/zdapi/zendesk/overlay"
)

// WaitOption configures the waiting for a job: WaitJob and the
// <Operation>AndWait methods.
type WaitOption func(*waitOptions)

type waitOptions struct {
	initial, max time.Duration
	timeout      time.Duration
	progress     func(JobStatus)
	sleep        func(context.Context, time.Duration) error
	jitter       func(time.Duration) time.Duration
}

// WithPollInterval sets the first delay between two polls and the largest
// (the delay doubles from one to the other). Defaults: 1s and 15s. Each
// delay is shortened by up to a quarter at random, so that many waiters do
// not poll in step; a poll answered with a rate limit is followed by at
// least the delay Zendesk asked for (Retry-After).
func WithPollInterval(initial, max time.Duration) WaitOption {
	return func(o *waitOptions) { o.initial, o.max = initial, max }
}

// WithWaitTimeout bounds the whole wait (default 30 minutes; the context's
// deadline applies too, whichever comes first). A d of zero or less makes
// the wait fail at once with an error.
func WithWaitTimeout(d time.Duration) WaitOption { return func(o *waitOptions) { o.timeout = d } }

// WithProgress calls f with the job after each poll that finds it still
// queued or working; its Progress and Total say how far it is. For a bulk
// call split into parts, they count over the whole list.
func WithProgress(f func(job JobStatus)) WaitOption {
	return func(o *waitOptions) { o.progress = f }
}

// waitOptionsOf is the defaults with opts applied (nil options skipped).
func waitOptionsOf(opts []WaitOption) waitOptions {
	o := waitOptions{initial: time.Second, max: 15 * time.Second, timeout: 30 * time.Minute, sleep: ctxsleep.Sleep, jitter: jitter}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// withSleep replaces the sleep between polls (tests).
func withSleep(f func(context.Context, time.Duration) error) WaitOption {
	return func(o *waitOptions) { o.sleep = f }
}

// jitter shortens a delay by up to a quarter, at random.
func jitter(d time.Duration) time.Duration {
	if d/4 <= 0 {
		return d
	}
	return d - rand.N(d/4)
}

// JobError is returned when a job ends failed or killed. Job holds its final
// state, with its message and per-item results.
type JobError struct {
	Job JobStatus
}

// Error says which job ended how, with its message.
func (e *JobError) Error() string {
	msg := ""
	if e.Job.Message != nil {
		msg = ": " + *e.Job.Message
	}
	return fmt.Sprintf("job %s %s", orUnknown(e.Job.ID), jobState(e.Job)) + msg
}

// JobNotFoundError is returned when Zendesk no longer knows a job: job
// records live about a day, so this usually means the job is long done.
type JobNotFoundError struct {
	// ID is the job's id.
	ID string
	// Err is Zendesk's 404 answer.
	Err error
}

// Error says which job Zendesk no longer knows.
func (e *JobNotFoundError) Error() string {
	return fmt.Sprintf("job %s not found (Zendesk keeps job statuses about a day): %v", e.ID, e.Err)
}

// Unwrap gives the 404 answer.
func (e *JobNotFoundError) Unwrap() error { return e.Err }

// JobTimeoutError is returned when a job is still running when the wait's
// time is up. It matches context.DeadlineExceeded with errors.Is.
type JobTimeoutError struct {
	// Job is the last state seen.
	Job JobStatus
	// Waited is how long the job was waited for.
	Waited time.Duration
}

// Error says which job was still running, and for how long it was waited for.
func (e *JobTimeoutError) Error() string {
	return fmt.Sprintf("job %s still %s after %s", orUnknown(e.Job.ID), jobState(e.Job), e.Waited.Round(time.Millisecond))
}

// Unwrap gives context.DeadlineExceeded.
func (e *JobTimeoutError) Unwrap() error { return context.DeadlineExceeded }

func orUnknown(s *string) string {
	if s == nil {
		return "?"
	}
	return *s
}

func jobState(j JobStatus) string {
	if j.Status == nil {
		return "in an unknown state"
	}
	return string(*j.Status)
}

// ended is the error of a job that ended other than completed, nil for a
// completed one; done reports whether the job ended at all.
func ended(job *JobStatus) (done bool, err error) {
	switch JobStatusStatus(jobState(*job)) {
	case JobStatusStatusCompleted:
		return true, nil
	case JobStatusStatusFailed, JobStatusStatusKilled:
		return true, &JobError{Job: *job}
	}
	return false, nil
}

// WaitJob polls ShowJobStatus until the job with this id ends, with a delay
// that doubles between polls (see WithPollInterval), and returns the final
// job with its results. A failed or killed job is a *JobError (and the
// final job comes back with it), a job Zendesk no longer knows a
// *JobNotFoundError, a job still running when the wait times out a
// *JobTimeoutError, a cancelled ctx ctx.Err(). Rate limits, server faults
// and network errors while polling are waited out, not returned, a rate
// limit for at least the delay Zendesk asked for; ten in a row end the
// wait. Options: WithPollInterval, WithWaitTimeout, WithProgress.
func (c *Client) WaitJob(ctx context.Context, id string, opts ...WaitOption) (*JobStatus, error) {
	o := waitOptionsOf(opts)
	if ctx == nil {
		return nil, fmt.Errorf("wait job %s: %w", id, ErrNilContext)
	}
	switch id {
	case "", ".", "..":
		return nil, fmt.Errorf("wait job: job_status_id is %q: %w", id, ErrBadPathParam)
	}
	if o.initial <= 0 || o.max < o.initial {
		return nil, fmt.Errorf("wait job %s: poll interval %s..%s is not a positive range", id, o.initial, o.max)
	}
	if o.timeout <= 0 {
		return nil, fmt.Errorf("wait job %s: wait timeout %s is not positive", id, o.timeout)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	delay := o.initial
	var last JobStatus
	last.ID = &id
	failures := 0
	for {
		job, err := c.pollJob(ctx, id)
		if err != nil && transient(err) && ctx.Err() == nil {
			failures++
			if failures >= maxPollFailures {
				return nil, fmt.Errorf("wait job %s: %d polls in a row failed, the last with: %w", id, failures, err)
			}
		} else {
			failures = 0
		}
		switch {
		case err == nil:
			last = *job
			if done, err := ended(job); done {
				return job, err
			}
			if o.progress != nil {
				o.progress(*job)
			}
		case statusOf(err) == http.StatusNotFound:
			return nil, &JobNotFoundError{ID: id, Err: err}
		case ctx.Err() != nil:
			// handled below
		case !transient(err):
			return nil, fmt.Errorf("wait job %s: %w", id, err)
		}
		wait := o.jitter(delay)
		if err != nil {
			wait = max(wait, retryDelay(err))
		}
		if err := o.sleep(ctx, wait); err != nil || ctx.Err() != nil {
			if parent := context.Cause(ctx); errors.Is(parent, context.DeadlineExceeded) {
				return nil, &JobTimeoutError{Job: last, Waited: time.Since(start)}
			}
			return nil, ctx.Err()
		}
		delay = min(2*delay, o.max)
	}
}

// maxPollFailures is how many polls in a row may fail with rate limits,
// server faults or network errors before WaitJob gives up.
const maxPollFailures = 10

func (c *Client) pollJob(ctx context.Context, id string) (*JobStatus, error) {
	job, err := c.jobOf(ctx, overlay.Request{Op: opShowJobStatus, Path: []any{id}})
	if err == nil && *job.ID != id {
		// Not the job asked for (a proxy's cache, a misrouted answer):
		// its state says nothing of this one.
		return nil, fmt.Errorf("ShowJobStatus: asked for job %q, the answer is job %q", id, *job.ID)
	}
	return job, err
}

// jobOf sends r, whose answer is a job_status, and decodes the job. A
// body cut short is an io.ErrUnexpectedEOF, which WaitJob polls through.
func (c *Client) jobOf(ctx context.Context, r overlay.Request) (*JobStatus, error) {
	var resp *http.Response
	if _, err := c.call(ctx, &r, nil, []CallOption{KeepResponse(&resp)}); err != nil {
		return nil, err
	}
	var env JobStatusEnvelope
	dec := json.NewDecoder(resp.Body)
	if err := dec.Decode(&env); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%s: decode job status: %w", r.Op.ID, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: decode job status: more data after the JSON object", r.Op.ID)
	}
	if env.JobStatus.ID == nil || *env.JobStatus.ID == "" {
		return nil, fmt.Errorf("%s: the answer has no job_status id", r.Op.ID)
	}
	return &env.JobStatus, nil
}

// startJob sends r, an operation that queues a job, and waits for the job.
func (c *Client) startJob(ctx context.Context, r overlay.Request, opts []WaitOption) (*JobStatus, error) {
	job, err := c.jobOf(ctx, r)
	if err != nil {
		return nil, err
	}
	if done, err := ended(job); done {
		return job, err
	}
	return c.WaitJob(ctx, *job.ID, opts...)
}

// startJobs sends r, an operation that queues a background job, and waits
// for the job to end. When one of the operation's Split lists holds more
// items than one call takes, it is sent as several calls of at most that
// many, one after the other, each waited for before the next is sent (an
// account has a small queue of jobs). The status returned merges them:
// Results holds every part's results in order, Progress and Total are
// summed, and ID, URL and Message are the last part's. WithProgress sees
// the progress over all parts: items done in earlier parts plus the
// current part's, out of the whole list.
//
// A part that fails ends the calls: its error (a *JobError for a failed
// job) says which items it held, and the status returned merges the parts
// that completed, so the caller knows what was done; the later parts were
// not sent.
func (c *Client) startJobs(ctx context.Context, r overlay.Request, opts []WaitOption) (*JobStatus, error) {
	parts, err := overlay.SplitRequest(r)
	if err != nil {
		return nil, err
	}
	if len(parts) == 1 {
		return c.startJob(ctx, r, opts)
	}
	o := waitOptionsOf(opts)
	total := 0
	for _, p := range parts {
		total += p.Items
	}
	var merged *JobStatus
	var results []json.RawMessage
	done, first := 0, 0
	for i, p := range parts {
		partOpts := opts
		if o.progress != nil {
			before, report := done, o.progress
			partOpts = append(append([]WaitOption(nil), opts...), WithProgress(func(j JobStatus) {
				report(overall(j, before, total))
			}))
		}
		job, err := c.startJob(ctx, p.Request, partOpts)
		if job != nil && err == nil {
			merged, results = mergeJob(merged, results, job)
			done += p.Items
		}
		if err != nil {
			return merged, fmt.Errorf("%s: part %d of %d (items %d to %d of %d): %w", r.Op.ID, i+1, len(parts), first+1, first+p.Items, total, err)
		}
		first += p.Items
	}
	if len(results) > 0 {
		var all JobStatusResults
		b, _ := json.Marshal(results)
		if err := all.UnmarshalJSON(b); err != nil {
			return merged, fmt.Errorf("%s: merge the parts' results: %w", r.Op.ID, err)
		}
		merged.Results = &all
	}
	return merged, nil
}

// overall is a part's job status as progress over the whole list.
func overall(j JobStatus, before, total int) JobStatus {
	p := before + j.GetProgress()
	j.Progress, j.Total = &p, &total
	return j
}

// mergeJob adds a completed part's status to the merged one; results
// collects the parts' result lists.
func mergeJob(merged *JobStatus, results []json.RawMessage, job *JobStatus) (*JobStatus, []json.RawMessage) {
	if job.Results != nil {
		// The results as Zendesk sent them, every property kept.
		b, err := job.Results.MarshalJSON()
		var list []json.RawMessage
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) && json.Unmarshal(b, &list) == nil {
			results = append(results, list...)
		}
	}
	m := *job // the last part's id, url, status and message
	if merged != nil {
		progress, total := merged.GetProgress()+job.GetProgress(), merged.GetTotal()+job.GetTotal()
		m.Progress, m.Total = &progress, &total
	}
	return &m, results
}

// statusOf is the HTTP status of an error answer, 0 for other errors.
func statusOf(err error) int {
	if e, ok := errors.AsType[*APIError](err); ok {
		return e.StatusCode
	}
	return 0
}

// retryDelay is the delay a rate limit asks for, 0 for other errors.
func retryDelay(err error) time.Duration {
	if e, ok := errors.AsType[*RateLimitError](err); ok {
		return max(e.RetryAfter, 0)
	}
	return 0
}

// transient reports whether an error is worth polling through: rate limits,
// server faults, and the network and I/O failures the transport retries.
func transient(err error) bool {
	switch s := statusOf(err); {
	case s == http.StatusTooManyRequests || s >= 500:
		return true
	case s != 0:
		return false
	}
	return retryableErr(err)
}
