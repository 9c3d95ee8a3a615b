package zendesktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// job is a background job queued by a bulk endpoint. It moves on with the
// looks at it (WithJobPolls) and with time (WithJobDuration), whichever
// comes first, and does its work when it completes.
type job struct {
	id      string
	jobType string
	total   int
	looks   int
	stage   int // of the server's jobPolls: 0 queued, then working, jobPolls done
	status  string
	outcome JobOutcome
	message any
	results []any
	work    func(c *call) []any
	call    *call // the request that queued it
	created time.Time
}

// JobOutcome is how a queued job ends.
type JobOutcome int

// The outcomes of a job.
const (
	// JobCompletes does the job's work and ends "completed" (the default).
	JobCompletes JobOutcome = iota
	// JobFails ends "failed", without doing the job's work.
	JobFails
	// JobIsKilled ends "killed", without doing the job's work (Zendesk
	// kills jobs that run too long).
	JobIsKilled
)

var jobOutcomeNames = []string{"completed", "failed", "killed"}

// String is the job status the outcome ends in.
func (o JobOutcome) String() string {
	if o < 0 || int(o) >= len(jobOutcomeNames) {
		return fmt.Sprintf("JobOutcome(%d)", int(o))
	}
	return jobOutcomeNames[o]
}

func checkOutcomes(outcomes []JobOutcome) error {
	for _, o := range outcomes {
		if o < JobCompletes || o > JobIsKilled {
			return fmt.Errorf("unknown job outcome %d", int(o))
		}
	}
	return nil
}

func (st *state) registerJobs() {
	st.handlers["ShowJobStatus"] = st.showJobStatus
	st.handlers["ListJobStatuses"] = st.listJobStatuses
	st.handlers["ShowManyJobStatuses"] = st.showManyJobStatuses
}

// queueJob queues a job that runs work when it completes and answers with
// its status. The job ends as the next scripted outcome says (see
// Server.ScriptJobs), completed when none is scripted.
func (st *state) queueJob(c *call, jobType string, total int, work func(c *call) []any) (*reply, *apiError) {
	if limit := st.s.cfg.jobQueueLimit; limit > 0 && len(st.pending) >= limit {
		return nil, &apiError{status: http.StatusTooManyRequests, code: "TooManyJobs",
			desc:   fmt.Sprintf("Number of allowed concurrent jobs (%d) exceeded: wait for queued jobs to complete", limit),
			header: map[string]string{"Retry-After": retryAfter(st.s.cfg.window(10*time.Second), st.s.cfg.timeScale != 1)}}
	}
	st.jobSeq++
	r := newRnd(st.s.cfg.seed, "job", int(st.jobSeq))
	id := fmt.Sprintf("%016x%016x", r.next(), r.next())
	j := &job{id: id, jobType: jobType, total: total, status: "queued", work: work, call: c, created: c.now}
	if len(st.jobScript) > 0 {
		j.outcome, st.jobScript = st.jobScript[0], st.jobScript[1:]
	}
	st.jobs[id] = j
	st.jobOrder = append(st.jobOrder, id)
	st.pending = append(st.pending, j)
	return c.ok(rec{"job_status": st.jobJSON(j)})
}

// advanceJobs moves the jobs on with time, in the order they were queued:
// a job nobody polls still completes, and its work is seen by the request
// that finds it done. Every request calls it before it is answered.
func (st *state) advanceJobs(now time.Time) {
	kept := st.pending[:0]
	for _, j := range st.pending {
		st.advance(j, now)
		if j.status == "queued" || j.status == "working" {
			kept = append(kept, j)
		}
	}
	clear(st.pending[len(kept):])
	st.pending = kept
}

// look is one poll of a job: it moves it on.
func (st *state) look(j *job, now time.Time) {
	if j.status != "queued" && j.status != "working" {
		return
	}
	j.looks++
	st.advance(j, now)
}

// advance sets a job's stage from its looks and its age: each look, and
// each jobPolls-th of WithJobDuration, is a stage; the last stage ends it.
func (st *state) advance(j *job, now time.Time) {
	if j.status != "queued" && j.status != "working" {
		return
	}
	polls := st.s.cfg.jobPolls
	stage := j.looks
	if d := st.s.cfg.window(st.s.cfg.jobDuration); d > 0 {
		switch age := now.Sub(j.created); {
		case age >= d:
			stage = polls
		case age > 0:
			stage += int(age * time.Duration(polls) / d) // d is at most an hour: no overflow
		}
	}
	j.stage = min(stage, polls)
	if j.stage == 0 {
		return
	}
	if j.stage < polls {
		j.status = "working"
		return
	}
	at := now.UTC().Format("2006-01-02 15:04:05 -0700")
	switch j.outcome {
	case JobFails:
		j.status, j.message = "failed", "Failed: an error stopped the job before it could finish (zendesktest script)"
	case JobIsKilled:
		j.status, j.message = "killed", "Killed: the job ran too long and was stopped (zendesktest script)"
	default:
		// The work is done now, by the request that queued it.
		done := *j.call
		done.now = now
		j.results = j.work(&done)
		j.status, j.message = "completed", "Completed at "+at
	}
	j.work, j.call = nil, nil
}

func (st *state) jobJSON(j *job) rec {
	progress := 0
	switch j.status {
	case "working", "failed", "killed":
		progress = j.total * j.stage / st.s.cfg.jobPolls
	case "completed":
		progress = j.total
	}
	var results any
	if j.results != nil {
		results = j.results
	}
	return rec{
		"id": j.id, "url": st.d.url("job_statuses", j.id), "job_type": j.jobType, "status": j.status,
		"total": j.total, "progress": progress, "message": j.message, "results": results,
	}
}

func (st *state) showJobStatus(c *call) (*reply, *apiError) {
	j, ok := st.jobs[c.params["job_status_id"]]
	if !ok {
		return nil, errNotFound("job status " + c.params["job_status_id"])
	}
	st.look(j, c.now)
	return c.ok(rec{"job_status": st.jobJSON(j)})
}

func (st *state) showManyJobStatuses(c *call) (*reply, *apiError) {
	out := []any{}
	for _, id := range c.queryList("ids") {
		if j, ok := st.jobs[id]; ok {
			st.look(j, c.now)
			out = append(out, st.jobJSON(j))
		}
	}
	return c.ok(rec{"job_statuses": out})
}

// listJobStatuses lists the jobs, newest first, with cursor pagination.
func (st *state) listJobStatuses(c *call) (*reply, *apiError) {
	// Job ids are strings: page over the position in the queue instead.
	n := len(st.jobOrder)
	src := idSource{
		ascend: func(after int64, f func(int64) bool) {
			if after >= int64(n) {
				return
			}
			for i := max(after, -1) + 1; i < int64(n); i++ {
				if !f(i) {
					return
				}
			}
		},
		descend: func(before int64, f func(int64) bool) {
			if before <= 0 {
				return
			}
			for i := min(before, int64(n)) - 1; i >= 0; i-- {
				if !f(i) {
					return
				}
			}
		},
		get: func(i int64) rec {
			j := st.jobs[st.jobOrder[n-1-int(i)]]
			st.look(j, c.now)
			return st.jobJSON(j)
		},
		total: func() int { return n },
	}
	return c.list("job_statuses", src)
}

// exampleJob answers a bulk operation the fake does not model: the spec's
// example, whose job is queued for real, so that polling it works.
func (st *state) exampleJob(c *call) (*reply, *apiError) {
	ex := st.s.exampleReply(c.op)
	var env struct {
		JobStatus struct {
			JobType string `json:"job_type"`
			Total   int    `json:"total"`
			Results []any  `json:"results"`
		} `json:"job_status"`
	}
	if ex.raw != nil {
		_ = json.Unmarshal(ex.raw, &env)
	}
	results := env.JobStatus.Results
	if results == nil {
		results = []any{}
	}
	jobType := env.JobStatus.JobType
	if jobType == "" {
		jobType = c.op.ID
	}
	total := env.JobStatus.Total
	if total == 0 {
		total = len(results)
	}
	rep, apiErr := st.queueJob(c, jobType, total, func(*call) []any { return results })
	if apiErr != nil {
		return nil, apiErr
	}
	rep.status = c.op.status
	return rep, nil
}
