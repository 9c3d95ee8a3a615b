package overlay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/zdapi/zendesk/generated"
	"github.com/zdapi/zendesk/internal/ctxsleep"
)

// Job states Zendesk reports.
const (
	JobQueued    = "queued"
	JobWorking   = "working"
	JobCompleted = "completed"
	JobFailed    = "failed"
	JobKilled    = "killed"
)

// WaitOption configures WaitJob.
type WaitOption func(*waitOptions)

type waitOptions struct {
	initial, max time.Duration
	timeout      time.Duration
	progress     func(generated.JobStatus)
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
// WaitJob fail at once with an error.
func WithWaitTimeout(d time.Duration) WaitOption { return func(o *waitOptions) { o.timeout = d } }

// WithProgress calls f with the job after each poll that finds it still
// queued or working; its Progress and Total say how far it is.
func WithProgress(f func(job generated.JobStatus)) WaitOption {
	return func(o *waitOptions) { o.progress = f }
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

// RetryDelayer is implemented by errors that say how long to wait before
// trying again, such as the root package's RateLimitError (Zendesk's
// Retry-After). WaitJob waits at least that long before its next poll.
type RetryDelayer interface {
	RetryDelay() time.Duration
}

// retryDelay is the delay an error asks for, 0 when it asks for none.
func retryDelay(err error) time.Duration {
	var rd RetryDelayer
	if errors.As(err, &rd) {
		return max(rd.RetryDelay(), 0)
	}
	return 0
}

// JobError is returned when a job ends failed or killed. Job holds its final
// state, with its message and per-item results.
type JobError struct {
	Job generated.JobStatus
}

// Error says which job ended how, with its message.
func (e *JobError) Error() string {
	msg := ""
	if e.Job.Message != nil {
		msg = ": " + *e.Job.Message
	}
	return fmt.Sprintf("job %s %s%s", deref(e.Job.ID), jobState(e.Job), msg)
}

// JobNotFoundError is returned when Zendesk no longer knows a job: job
// records live about a day, so this usually means the job is long done.
type JobNotFoundError struct {
	ID  string
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
	Job    generated.JobStatus
	Waited time.Duration
}

// Error says which job was still running, and for how long it was waited for.
func (e *JobTimeoutError) Error() string {
	return fmt.Sprintf("job %s still %s after %s", deref(e.Job.ID), jobState(e.Job), e.Waited.Round(time.Millisecond))
}

// Unwrap gives context.DeadlineExceeded.
func (e *JobTimeoutError) Unwrap() error { return context.DeadlineExceeded }

func deref(s *string) string {
	if s == nil {
		return "?"
	}
	return *s
}

func jobState(j generated.JobStatus) string {
	if j.Status == nil {
		return "in an unknown state"
	}
	return string(*j.Status)
}

// WaitJob polls ShowJobStatus until the job completes, with a delay that
// doubles between polls (see WithPollInterval), and returns the final job
// with its results. A failed or killed job is a *JobError, an unknown job a
// *JobNotFoundError, a job still running when the wait times out a
// *JobTimeoutError. Rate limits and server faults while polling are waited
// out, not returned; a rate limit for at least the delay Zendesk asked for
// (an error that is a RetryDelayer).
func (c *Client) WaitJob(ctx context.Context, id string, opts ...WaitOption) (*generated.JobStatus, error) {
	o := waitOptions{initial: time.Second, max: 15 * time.Second, timeout: 30 * time.Minute, sleep: ctxsleep.Sleep, jitter: jitter}
	for _, opt := range opts {
		opt(&o)
	}
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
	var last generated.JobStatus
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
			switch jobState(*job) {
			case JobCompleted:
				return job, nil
			case JobFailed, JobKilled:
				return job, &JobError{Job: *job}
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

func (c *Client) pollJob(ctx context.Context, id string) (*generated.JobStatus, error) {
	resp, err := c.Send(ctx, Request{Op: Op("ShowJobStatus"), Path: []any{id}})
	if err != nil {
		return nil, err
	}
	job, err := c.decodeJob("ShowJobStatus", resp)
	if err == nil && *job.ID != id {
		// Not the job asked for (a proxy's cache, a misrouted answer):
		// its state says nothing of this one.
		return nil, fmt.Errorf("ShowJobStatus: asked for job %q, the answer is job %q", id, *job.ID)
	}
	return job, err
}

// decodeJob reads a job_status answer.
func (c *Client) decodeJob(op string, resp *http.Response) (*generated.JobStatus, error) {
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		if c.check != nil {
			if err := c.check(resp); err != nil {
				return nil, err
			}
		}
		return nil, &statusError{op: op, status: resp.StatusCode, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	var env generated.JobStatusEnvelope
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxJobBody))
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("%s: decode job status: %w", op, noEOF(err))
	}
	if err := expectEnd(dec); err != nil {
		return nil, fmt.Errorf("%s: decode job status: %w", op, err)
	}
	if env.JobStatus.ID == nil || *env.JobStatus.ID == "" {
		return nil, fmt.Errorf("%s: the answer has no job_status id", op)
	}
	return &env.JobStatus, nil
}

// maxPollFailures is how many polls in a row may fail with rate limits,
// server faults or network errors before WaitJob gives up.
const maxPollFailures = 10

// maxJobBody caps a job status body (results of 100 items are a few kB).
const maxJobBody = 16 << 20

// StartedJob reads the job_status a bulk operation answered with, and waits
// for the job (see WaitJob). The generated <Operation>AndWait methods use it.
func (c *Client) StartedJob(ctx context.Context, op string, resp *http.Response, err error, opts ...WaitOption) (*generated.JobStatus, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	job, err := c.decodeJob(op, resp)
	if err != nil {
		return nil, err
	}
	switch jobState(*job) {
	case JobCompleted:
		return job, nil
	case JobFailed, JobKilled:
		return job, &JobError{Job: *job}
	}
	return c.WaitJob(ctx, *job.ID, opts...)
}

// statusError is the error for a non-2xx answer when no checker is set.
type statusError struct {
	op         string
	status     int
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	msg := fmt.Sprintf("unexpected HTTP status %d %s", e.status, http.StatusText(e.status))
	if e.op != "" {
		msg = e.op + ": " + msg
	}
	return msg
}

// HTTPStatus is the response's status code.
func (e *statusError) HTTPStatus() int { return e.status }

// RetryDelay is the answer's Retry-After.
func (e *statusError) RetryDelay() time.Duration { return e.retryAfter }

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date; 0
// when there is none or it cannot be read.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > int64(24*time.Hour/time.Second) {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// transient reports whether an error is worth polling through: rate limits,
// server faults and network errors.
func transient(err error) bool {
	switch s := statusOf(err); {
	case s == http.StatusTooManyRequests || s >= 500:
		return true
	case s != 0:
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
