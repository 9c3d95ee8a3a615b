package overlay

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk/generated"
)

// jobServer answers GET /api/v2/job_statuses/{id} from a script: one answer
// per poll, the last one repeated.
type jobServer struct {
	script     []jobAnswer
	retryAfter string // the Retry-After of 429 answers (default 1)
	polls      atomic.Int32
	mu         sync.Mutex
	paths      []string
}

type jobAnswer struct {
	status int
	body   string
}

func jobBody(status string, progress, total int, extra string) jobAnswer {
	return jobAnswer{200, fmt.Sprintf(`{"job_status":{"id":"8b726e606741012ffc2d782bcb7848fe","url":"https://example.zendesk.com/api/v2/job_statuses/8b726e606741012ffc2d782bcb7848fe.json","status":%q,"progress":%d,"total":%d%s}}`, status, progress, total, extra)}
}

func (s *jobServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.polls.Add(1))
	s.mu.Lock()
	s.paths = append(s.paths, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	a := s.script[min(n, len(s.script))-1]
	w.Header().Set("Content-Type", "application/json")
	if a.status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", cmp.Or(s.retryAfter, "1"))
	}
	w.WriteHeader(a.status)
	fmt.Fprint(w, a.body)
}

func newJobClient(t *testing.T, s *jobServer) *Client {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, srv.Client(), nil)
	require.NoError(t, err)
	return c
}

// fakeSleep records the delays instead of sleeping.
type fakeSleep struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.delays = append(f.delays, d)
	f.mu.Unlock()
	return ctx.Err()
}

const jobID = "8b726e606741012ffc2d782bcb7848fe"

func TestWaitJob(t *testing.T) {
	results := `,"results":[{"index":0,"id":101},{"index":1,"id":102}]`
	cases := []struct {
		name   string
		script []jobAnswer
		polls  int
		check  func(t *testing.T, job *generated.JobStatus, err error)
	}{
		{"completes after polls", []jobAnswer{jobBody("queued", 0, 2, ""), jobBody("working", 1, 2, ""), jobBody("completed", 2, 2, results)}, 3,
			func(t *testing.T, job *generated.JobStatus, err error) {
				require.NoError(t, err)
				assert.Equal(t, generated.JobStatusStatusCompleted, *job.Status)
				require.NotNil(t, job.Results)
				list, err := job.Results.AsJobStatusResultList()
				require.NoError(t, err)
				require.Len(t, list, 2)
				assert.JSONEq(t, `102`, string(list[1].ID))
			}},
		{"failed", []jobAnswer{jobBody("working", 0, 2, ""), jobBody("failed", 1, 2, `,"message":"Ticket 2 is invalid"`)}, 2,
			func(t *testing.T, job *generated.JobStatus, err error) {
				var je *JobError
				require.ErrorAs(t, err, &je)
				assert.Equal(t, generated.JobStatusStatusFailed, *je.Job.Status)
				assert.Contains(t, err.Error(), "Ticket 2 is invalid")
				require.NotNil(t, job, "the final job comes back with the error")
			}},
		{"killed", []jobAnswer{jobBody("killed", 0, 2, "")}, 1,
			func(t *testing.T, job *generated.JobStatus, err error) {
				var je *JobError
				require.ErrorAs(t, err, &je)
				assert.Contains(t, err.Error(), "killed")
			}},
		{"not found", []jobAnswer{{404, `{"error":"RecordNotFound","description":"Not found"}`}}, 1,
			func(t *testing.T, job *generated.JobStatus, err error) {
				var nf *JobNotFoundError
				require.ErrorAs(t, err, &nf)
				assert.Equal(t, jobID, nf.ID)
				assert.Nil(t, job)
			}},
		{"transient 500 and 429 in between", []jobAnswer{jobBody("working", 0, 2, ""), {500, `<html>oops</html>`}, {429, `{"error":"TooManyRequests"}`}, {503, ``}, jobBody("completed", 2, 2, results)}, 5,
			func(t *testing.T, job *generated.JobStatus, err error) {
				require.NoError(t, err)
				assert.Equal(t, generated.JobStatusStatusCompleted, *job.Status)
			}},
		{"a client error is not waited out", []jobAnswer{{403, `{"error":"Forbidden"}`}}, 1,
			func(t *testing.T, job *generated.JobStatus, err error) {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "403")
			}},
		{"a truncated body is retried, then given up", []jobAnswer{{200, `{"job_status":`}}, 10,
			func(t *testing.T, job *generated.JobStatus, err error) {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "10 polls in a row failed")
				assert.Contains(t, err.Error(), "unexpected EOF")
			}},
		{"a body of the wrong shape is an error at once", []jobAnswer{{200, `{"job_status":"done"}`}}, 1,
			func(t *testing.T, job *generated.JobStatus, err error) {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "decode job status")
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			leakCheck(t)
			s := &jobServer{script: c.script}
			client := newJobClient(t, s)
			fs := &fakeSleep{}
			var progress []string
			job, err := client.WaitJob(context.Background(), jobID, withSleep(fs.sleep), WithPollInterval(time.Second, 4*time.Second),
				WithProgress(func(j generated.JobStatus) { progress = append(progress, fmt.Sprintf("%d/%d", *j.Progress, *j.Total)) }))
			c.check(t, job, err)
			assert.Equal(t, c.polls, int(s.polls.Load()), "polls")
			for _, p := range s.paths {
				assert.Equal(t, "GET /api/v2/job_statuses/"+jobID, p)
			}
			// The delay doubles up to the maximum, each shortened by up to a
			// quarter (jitter).
			want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}
			assert.Len(t, fs.delays, max(c.polls-1, 0), "one sleep between two polls")
			for i := range min(len(fs.delays), len(want)) {
				assert.LessOrEqual(t, fs.delays[i], want[i], "delay %d", i)
				assert.GreaterOrEqual(t, fs.delays[i], want[i]*3/4, "delay %d", i)
			}
			if c.name == "completes after polls" {
				assert.Equal(t, []string{"0/2", "1/2"}, progress)
			}
		})
	}
}

func TestWaitJobDeadline(t *testing.T) {
	leakCheck(t)
	s := &jobServer{script: []jobAnswer{jobBody("working", 1, 3, "")}}
	client := newJobClient(t, s)
	job, err := client.WaitJob(context.Background(), jobID, WithPollInterval(5*time.Millisecond, 10*time.Millisecond), WithWaitTimeout(60*time.Millisecond))
	assert.Nil(t, job)
	var te *JobTimeoutError
	require.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, generated.JobStatusStatusWorking, *te.Job.Status, "the last state seen")
	assert.GreaterOrEqual(t, te.Waited, 60*time.Millisecond, "waited for the whole timeout")
	assert.Equal(t, JobWorking, jobState(te.Job))
	assert.Positive(t, int(s.polls.Load()))
}

// retryLater stands for the root package's RateLimitError: a checker's
// error that says how long to wait.
type retryLater struct{ after time.Duration }

func (e *retryLater) Error() string             { return "zendesk: 429 Too Many Requests" }
func (e *retryLater) HTTPStatus() int           { return http.StatusTooManyRequests }
func (e *retryLater) RetryDelay() time.Duration { return e.after }

// TestWaitJobHonoursRetryAfter: after a poll answered with a rate limit,
// the next poll waits at least what Zendesk asked for, whether the answer
// is read here (no checker) or by the root package's checker.
func TestWaitJobHonoursRetryAfter(t *testing.T) {
	script := []jobAnswer{jobBody("working", 0, 2, ""), {429, `{"error":"TooManyRequests"}`}, jobBody("working", 1, 2, ""), jobBody("completed", 2, 2, "")}
	for _, c := range []struct {
		name  string
		check ResponseChecker
		want  time.Duration
	}{
		{"Retry-After header", nil, 7 * time.Second},
		{"checker's RetryDelayer", func(resp *http.Response) error {
			if resp.StatusCode == http.StatusTooManyRequests {
				return &retryLater{9 * time.Second}
			}
			return nil
		}, 9 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			leakCheck(t)
			s := &jobServer{script: script, retryAfter: "7"}
			srv := httptest.NewServer(s)
			defer srv.Close()
			client, err := New(srv.URL, srv.Client(), c.check)
			require.NoError(t, err)
			fs := &fakeSleep{}
			job, err := client.WaitJob(context.Background(), jobID, withSleep(fs.sleep), WithPollInterval(time.Second, 2*time.Second))
			require.NoError(t, err)
			assert.Equal(t, JobCompleted, jobState(*job))
			require.Len(t, fs.delays, 3)
			assert.Equal(t, c.want, fs.delays[1], "the wait after the rate-limited poll")
			assert.LessOrEqual(t, fs.delays[2], 2*time.Second, "then back to the poll interval")
		})
	}
}

// TestWaitJobJitter: delays vary, within a quarter below the interval.
func TestWaitJobJitter(t *testing.T) {
	leakCheck(t)
	s := &jobServer{script: append(slices.Repeat([]jobAnswer{jobBody("working", 0, 2, "")}, 20), jobBody("completed", 2, 2, ""))}
	client := newJobClient(t, s)
	fs := &fakeSleep{}
	_, err := client.WaitJob(context.Background(), jobID, withSleep(fs.sleep), WithPollInterval(time.Second, time.Second))
	require.NoError(t, err)
	require.Len(t, fs.delays, 20)
	distinct := map[time.Duration]bool{}
	for _, d := range fs.delays {
		assert.LessOrEqual(t, d, time.Second)
		assert.GreaterOrEqual(t, d, 750*time.Millisecond)
		distinct[d] = true
	}
	assert.Greater(t, len(distinct), 1, "the delays are not all the same")
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"Thu, 02 Jan 2025 03:04:35 GMT": 30 * time.Second,
		"Thu, 02 Jan 2025 03:00:00 GMT": 0,
	} {
		assert.Equal(t, want, parseRetryAfter(v, now), v)
	}
}

func TestWaitJobCancel(t *testing.T) {
	leakCheck(t)
	s := &jobServer{script: []jobAnswer{jobBody("working", 1, 3, "")}}
	client := newJobClient(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	_, err := client.WaitJob(ctx, jobID, WithPollInterval(10*time.Second, 10*time.Second))
	assert.ErrorIs(t, err, context.Canceled)
}

// TestWaitJobBadInput gives WaitJob what it cannot wait with: each is an
// error before any poll, naming what is wrong.
func TestWaitJobBadInput(t *testing.T) {
	client, err := New("https://example.zendesk.com", http.DefaultClient, nil)
	require.NoError(t, err)
	cases := []struct {
		name, id string
		opts     []WaitOption
		want     string
	}{
		{"empty id", "", nil, `job_status_id is ""`},
		{"dot-dot id", "..", nil, `job_status_id is ".."`},
		{"backwards interval", jobID, []WaitOption{WithPollInterval(time.Second, time.Millisecond)}, "not a positive range"},
		{"negative timeout", jobID, []WaitOption{WithWaitTimeout(-1)}, "wait timeout -1ns is not positive"},
		{"zero timeout", jobID, []WaitOption{WithWaitTimeout(0)}, "wait timeout 0s is not positive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := client.WaitJob(context.Background(), c.id, c.opts...)
			assert.ErrorContains(t, err, c.want)
		})
	}
}

func TestStartedJob(t *testing.T) {
	leakCheck(t)
	s := &jobServer{script: []jobAnswer{jobBody("completed", 3, 3, "")}}
	client := newJobClient(t, s)
	fs := &fakeSleep{}
	started := &http.Response{StatusCode: 200, Header: http.Header{}, Body: httpBody(jobBody("queued", 0, 3, "").body)}
	job, err := client.StartedJob(context.Background(), "CreateManyTickets", started, nil, withSleep(fs.sleep))
	require.NoError(t, err)
	assert.Equal(t, generated.JobStatusStatusCompleted, *job.Status)
	assert.Equal(t, 1, int(s.polls.Load()))

	_, err = client.StartedJob(context.Background(), "CreateManyTickets", nil, fmt.Errorf("boom"))
	assert.EqualError(t, err, "CreateManyTickets: boom")
	noID := &http.Response{StatusCode: 200, Header: http.Header{}, Body: httpBody(`{"job_status":{"status":"queued"}}`)}
	_, err = client.StartedJob(context.Background(), "CreateManyTickets", noID, nil)
	assert.ErrorContains(t, err, "no job_status id")
}

func httpBody(s string) *readCloser { return &readCloser{strings.NewReader(s)} }

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
