package zendesk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk/overlay"
)

// jobBody is a ShowJobStatus answer for job jobID in the given state.
func jobBody(status string, progress, total int, extra string) answer {
	return answer{status: 200, body: fmt.Sprintf(`{"job_status":{"id":"8b726e606741012ffc2d782bcb7848fe","url":"https://example.zendesk.com/api/v2/job_statuses/8b726e606741012ffc2d782bcb7848fe.json","status":%q,"progress":%d,"total":%d%s}}`, status, progress, total, extra)}
}

// newJobClient is a client for a server answering script, whose transport
// sends each request once: what WaitJob does with each answer is then all
// that is tested.
func newJobClient(t *testing.T, script []answer) (*Client, *recorder) {
	c, rec, _ := newTestClient(t, script, WithRetry(RetryPolicy{MaxAttempts: 1, MaxRetryAfter: time.Second}))
	return c, rec
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
		script []answer
		polls  int
		check  func(t *testing.T, job *JobStatus, err error)
	}{
		{"completes after polls", []answer{jobBody("queued", 0, 2, ""), jobBody("working", 1, 2, ""), jobBody("completed", 2, 2, results)}, 3,
			func(t *testing.T, job *JobStatus, err error) {
				require.NoError(t, err)
				assert.Equal(t, JobStatusStatusCompleted, *job.Status)
				require.NotNil(t, job.Results)
				list, err := job.Results.AsJobStatusResultList()
				require.NoError(t, err)
				require.Len(t, list, 2)
				assert.JSONEq(t, `102`, string(list[1].ID))
			}},
		{"failed", []answer{jobBody("working", 0, 2, ""), jobBody("failed", 1, 2, `,"message":"Ticket 2 is invalid"`)}, 2,
			func(t *testing.T, job *JobStatus, err error) {
				var je *JobError
				require.ErrorAs(t, err, &je)
				assert.Equal(t, JobStatusStatusFailed, *je.Job.Status)
				assert.Contains(t, err.Error(), "Ticket 2 is invalid")
				require.NotNil(t, job, "the final job comes back with the error")
			}},
		{"killed", []answer{jobBody("killed", 0, 2, "")}, 1,
			func(t *testing.T, job *JobStatus, err error) {
				var je *JobError
				require.ErrorAs(t, err, &je)
				assert.Contains(t, err.Error(), "killed")
			}},
		{"not found", []answer{{status: 404, body: `{"error":"RecordNotFound","description":"Not found"}`}}, 1,
			func(t *testing.T, job *JobStatus, err error) {
				var nf *JobNotFoundError
				require.ErrorAs(t, err, &nf)
				assert.Equal(t, jobID, nf.ID)
				assert.Nil(t, job)
			}},
		{"transient 500 and 429 in between", []answer{jobBody("working", 0, 2, ""), {status: 500, body: `<html>oops</html>`}, {status: 429, body: `{"error":"TooManyRequests"}`}, {status: 503, body: ``}, jobBody("completed", 2, 2, results)}, 5,
			func(t *testing.T, job *JobStatus, err error) {
				require.NoError(t, err)
				assert.Equal(t, JobStatusStatusCompleted, *job.Status)
			}},
		{"a client error is not waited out", []answer{{status: 403, body: `{"error":"Forbidden"}`}}, 1,
			func(t *testing.T, job *JobStatus, err error) {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "403")
			}},
		{"a truncated body is retried, then given up", []answer{{status: 200, body: `{"job_status":`}}, 10,
			func(t *testing.T, job *JobStatus, err error) {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "10 polls in a row failed")
				assert.Contains(t, err.Error(), "unexpected EOF")
			}},
		{"a body of the wrong shape is an error at once", []answer{{status: 200, body: `{"job_status":"done"}`}}, 1,
			func(t *testing.T, job *JobStatus, err error) {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "decode job status")
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			leakCheck(t)
			client, rec := newJobClient(t, c.script)
			fs := &fakeSleep{}
			var progress []string
			job, err := client.WaitJob(context.Background(), jobID, withSleep(fs.sleep), WithPollInterval(time.Second, 4*time.Second),
				WithProgress(func(j JobStatus) { progress = append(progress, fmt.Sprintf("%d/%d", *j.Progress, *j.Total)) }))
			c.check(t, job, err)
			assert.Len(t, rec.got(), c.polls, "polls")
			for _, r := range rec.got() {
				assert.Equal(t, "GET /api/v2/job_statuses/"+jobID, r.method+" "+r.path)
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
	client, rec := newJobClient(t, []answer{jobBody("working", 1, 3, "")})
	job, err := client.WaitJob(context.Background(), jobID, WithPollInterval(5*time.Millisecond, 10*time.Millisecond), WithWaitTimeout(60*time.Millisecond))
	assert.Nil(t, job)
	var te *JobTimeoutError
	require.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, JobStatusStatusWorking, *te.Job.Status, "the last state seen")
	assert.GreaterOrEqual(t, te.Waited, 60*time.Millisecond, "waited for the whole timeout")
	assert.Equal(t, "working", jobState(te.Job))
	assert.NotEmpty(t, rec.got())
}

// TestWaitJobHonoursRetryAfter: a poll answered with a rate limit the
// client does not wait out itself is followed by a wait of at least what
// Zendesk asked for, then the poll interval again.
func TestWaitJobHonoursRetryAfter(t *testing.T) {
	leakCheck(t)
	script := []answer{jobBody("working", 0, 2, ""), {status: 429, header: map[string]string{"Retry-After": "7"}, body: `{"error":"TooManyRequests"}`}, jobBody("working", 1, 2, ""), jobBody("completed", 2, 2, "")}
	client, _ := newJobClient(t, script)
	fs := &fakeSleep{}
	job, err := client.WaitJob(context.Background(), jobID, withSleep(fs.sleep), WithPollInterval(time.Second, 2*time.Second))
	require.NoError(t, err)
	assert.Equal(t, "completed", jobState(*job))
	require.Len(t, fs.delays, 3)
	assert.Equal(t, 7*time.Second, fs.delays[1], "the wait after the rate-limited poll")
	assert.LessOrEqual(t, fs.delays[2], 2*time.Second, "then back to the poll interval")
}

// TestWaitJobJitter: delays vary, within a quarter below the interval.
func TestWaitJobJitter(t *testing.T) {
	leakCheck(t)
	client, _ := newJobClient(t, append(slices.Repeat([]answer{jobBody("working", 0, 2, "")}, 20), jobBody("completed", 2, 2, "")))
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

func TestWaitJobCancel(t *testing.T) {
	leakCheck(t)
	client, rec := newJobClient(t, []answer{jobBody("working", 1, 3, "")})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	_, err := client.WaitJob(ctx, jobID, WithPollInterval(10*time.Second, 10*time.Second))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Len(t, rec.got(), 1, "cancelled during the first sleep")
}

// TestWaitJobBadInput gives WaitJob what it cannot wait with: each is an
// error before any poll, naming what is wrong.
func TestWaitJobBadInput(t *testing.T) {
	client, err := NewClient("example")
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

// TestAndWaitStartsAndWaits: a bulk operation's job is read from its
// answer and polled until it ends; an answer without a job id is an error.
func TestAndWaitStartsAndWaits(t *testing.T) {
	leakCheck(t)
	client, rec := newJobClient(t, []answer{jobBody("queued", 0, 3, ""), jobBody("completed", 3, 3, "")})
	body := TicketsCreateManyRequest{Tickets: []TicketInput{{Subject: Ptr("a")}}}
	job, err := client.CreateManyTicketsAndWait(context.Background(), body, withSleep((&fakeSleep{}).sleep))
	require.NoError(t, err)
	assert.Equal(t, JobStatusStatusCompleted, *job.Status)
	got := rec.got()
	require.Len(t, got, 2)
	assert.Equal(t, "POST /api/v2/tickets/create_many", got[0].method+" "+got[0].path)
	assert.Equal(t, "GET /api/v2/job_statuses/"+jobID, got[1].method+" "+got[1].path)

	client, _ = newJobClient(t, []answer{{status: 200, body: `{"job_status":{"status":"queued"}}`}})
	_, err = client.CreateManyTicketsAndWait(context.Background(), body)
	assert.ErrorContains(t, err, "CreateManyTickets: the answer has no job_status id")
}

// FuzzDecodeJob answers a poll with arbitrary bodies and statuses, over
// loopback through the whole client (seed corpus in
// testdata/fuzz/FuzzDecodeJob: Zendesk's job statuses, huge and
// non-integer numbers, wrong types, nulls, HTML, cut JSON): a job with an
// id, or an error naming the operation; never a panic. A job it returns is
// what encoding/json reads in the body, and encodes and decodes again to
// itself.
func FuzzDecodeJob(f *testing.F) {
	var mu sync.Mutex
	var answer struct {
		body   string
		status int
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		body, status := answer.body, answer.status
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	f.Cleanup(srv.Close)
	c, err := NewClient("", WithBaseURL(srv.URL), WithInsecureHTTP(), WithRetry(RetryPolicy{MaxAttempts: 1, MaxRetryAfter: time.Second}), WithoutOperationPacing())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string, status int) {
		if status < 200 || status > 599 || (status >= 300 && status < 400) {
			return // no informational answers or redirects: net/http handles those itself
		}
		mu.Lock()
		answer.body, answer.status = body, status
		mu.Unlock()
		job, err := c.jobOf(context.Background(), overlay.Request{Op: opShowJobStatus, Path: []any{"fuzz"}})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "ShowJobStatus: ") {
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
		var again JobStatus
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("the encoded job %s does not decode: %v", b, err)
		}
		if b2, _ := json.Marshal(again); !bytes.Equal(b, b2) {
			t.Fatalf("the job changes when encoded again: %s then %s", b, b2)
		}
	})
}
