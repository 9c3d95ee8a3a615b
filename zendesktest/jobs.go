package zendesktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// job is a background job queued by a bulk endpoint. It does its work when
// it completes, which it does after a number of looks (WithJobPolls).
type job struct {
	id      string
	jobType string
	total   int
	looks   int
	status  string
	message any
	results []any
	work    func() []any
	created time.Time
}

func (st *state) registerJobs() {
	st.handlers["ShowJobStatus"] = st.showJobStatus
	st.handlers["ListJobStatuses"] = st.listJobStatuses
	st.handlers["ShowManyJobStatuses"] = st.showManyJobStatuses
}

// queueJob queues a job that runs work when it completes and answers with
// its status.
func (st *state) queueJob(c *call, jobType string, total int, work func() []any) (*reply, *apiError) {
	if limit := st.s.cfg.jobQueueLimit; limit > 0 {
		running := 0
		for _, j := range st.jobs {
			if j.status == "queued" || j.status == "working" {
				running++
			}
		}
		if running >= limit {
			return nil, &apiError{status: http.StatusTooManyRequests, code: "TooManyJobs",
				desc:   fmt.Sprintf("Number of allowed concurrent jobs (%d) exceeded: wait for queued jobs to complete", limit),
				header: map[string]string{"Retry-After": retryAfter(st.s.cfg.window(10*time.Second), st.s.cfg.timeScale != 1)}}
		}
	}
	st.jobSeq++
	r := newRnd(st.s.cfg.seed, "job", int(st.jobSeq))
	id := fmt.Sprintf("%016x%016x", r.next(), r.next())
	j := &job{id: id, jobType: jobType, total: total, status: "queued", work: work, created: c.now}
	st.jobs[id] = j
	st.jobOrder = append(st.jobOrder, id)
	return c.ok(rec{"job_status": st.jobJSON(j)})
}

// look is one poll of a job: it moves it on.
func (st *state) look(j *job, now time.Time) {
	if j.status != "queued" && j.status != "working" {
		return
	}
	j.looks++
	if j.looks < st.s.cfg.jobPolls {
		j.status = "working"
		return
	}
	j.results = j.work()
	j.status = "completed"
	j.message = "Completed at " + now.UTC().Format("2006-01-02 15:04:05 -0700")
}

func (st *state) jobJSON(j *job) rec {
	progress := 0
	switch j.status {
	case "working":
		progress = j.total * j.looks / st.s.cfg.jobPolls
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
	rep, apiErr := st.queueJob(c, jobType, total, func() []any { return results })
	if apiErr != nil {
		return nil, apiErr
	}
	rep.status = c.op.status
	return rep, nil
}
