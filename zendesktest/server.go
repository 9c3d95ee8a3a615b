package zendesktest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zdapi/zendesk"
)

// maxBody caps the request bodies the server reads.
const maxBody = 32 << 20

// Server is a fake Zendesk. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's base URL ("http://127.0.0.1:port"), the
	// client's base URL.
	URL string
	// Email and Token are the API token credentials the server accepts.
	Email, Token string
	// OAuthToken is the bearer token the server accepts.
	OAuthToken string

	cfg       config
	spec      *apiSpec
	srv       *httptest.Server
	transport *http.Transport
	logger    *slog.Logger

	faults   *faults
	limits   *limiter
	counters *counters
	reqSeq   atomic.Int64
	ahead    atomic.Int64 // nanoseconds the clock was advanced by

	mu sync.Mutex // guards st
	st *state

	done      chan struct{}
	closeOnce sync.Once
}

// NewServer starts a Server for a test and closes it when the test ends.
// Invalid options fail the test.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatalf("zendesktest: %v", err)
		return nil
	}
	tb.Cleanup(s.Close)
	return s
}

// Start starts a Server (for programs; tests use NewServer). Close it when
// done.
func Start(opts ...Option) (*Server, error) {
	cfg, sp, err := configure(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("zendesktest: listen on %s: %w", cfg.addr, err)
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		Email: cfg.email, Token: cfg.token, OAuthToken: cfg.oauthToken,
		cfg: cfg, spec: sp, logger: logger,
		faults:   newFaults(cfg.seed, cfg.rates, cfg.scripts),
		limits:   newLimiter(),
		counters: newCounters(),
		done:     make(chan struct{}),
		transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 32,
			IdleConnTimeout:     30 * time.Second,
		},
	}
	s.st = newState(s)
	s.srv = &httptest.Server{Listener: ln, Config: &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}}
	s.srv.Start()
	s.URL = s.srv.URL
	return s, nil
}

// checkOperations refuses fault options that name operations the spec does
// not have (a typo would silently inject nothing).
func checkOperations(sp *apiSpec, cfg config) error {
	var names []string
	for _, sc := range cfg.scripts {
		if sc.op != "" {
			names = append(names, sc.op)
		}
	}
	if cfg.rates != nil {
		names = append(names, cfg.rates.Operations...)
	}
	for _, n := range names {
		if _, ok := sp.byID[n]; !ok {
			return fmt.Errorf("no operation %q in the spec", n)
		}
	}
	return nil
}

// Close stops the server: requests in flight (slow answers included) end,
// and the connections of Client's clients are closed. Close may be called
// more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.srv.CloseClientConnections()
		s.srv.Close()
		s.transport.CloseIdleConnections()
	})
}

// ClientOptions are the options that point a zendesk.Client at the server
// (base URL, plain HTTP, an HTTP client whose connections Close closes, and
// the client's pacing of rate-limited operations run at the server's time
// scale), without credentials.
func (s *Server) ClientOptions() []zendesk.Option {
	return []zendesk.Option{
		zendesk.WithBaseURL(s.URL),
		zendesk.WithInsecureHTTP(),
		zendesk.WithHTTPClient(&http.Client{Transport: s.transport, Timeout: 2 * time.Minute}),
		zendesk.WithPacingScale(s.cfg.timeScale),
	}
}

// Client returns a zendesk.Client for the server, authenticated with its
// API token; opts are applied after the server's (they must not set other
// credentials: use ClientOptions for that).
func (s *Server) Client(opts ...zendesk.Option) (*zendesk.Client, error) {
	all := append(s.ClientOptions(), zendesk.WithAPIToken(s.Email, s.Token))
	c, err := zendesk.NewClient("", append(all, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("zendesktest: client: %w", err)
	}
	return c, nil
}

// Stats returns a copy of the server's counters.
func (s *Server) Stats() Stats { return s.counters.snapshot() }

// ResetStats sets every counter back to zero.
func (s *Server) ResetStats() { s.counters.reset() }

// InjectFaults makes the next requests of operation op ("" for any) meet
// faults, in order, one fault per request (see WithFaultScript).
func (s *Server) InjectFaults(op string, faults ...Fault) error {
	if op != "" {
		if _, ok := s.spec.byID[op]; !ok {
			return fmt.Errorf("zendesktest: InjectFaults: no operation %q in the spec", op)
		}
	}
	for _, f := range faults {
		if err := f.validate(); err != nil {
			return fmt.Errorf("zendesktest: InjectFaults: %w", err)
		}
	}
	s.faults.add(script{op: op, faults: append([]Fault(nil), faults...)})
	return nil
}

// Now is the server's time: its clock (WithClock, the system clock by
// default) plus what AdvanceClock added.
func (s *Server) Now() time.Time {
	return s.cfg.clock().Add(time.Duration(s.ahead.Load()))
}

// AdvanceClock moves the server's clock d ahead (d must not be negative):
// what time does on Zendesk — a change reaching the incremental exports a
// minute later, a job nobody polls completing, a rate limit's window
// passing — happens at once.
func (s *Server) AdvanceClock(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("zendesktest: AdvanceClock: %s is negative: the clock does not go back", d)
	}
	s.ahead.Add(int64(d))
	return nil
}

// ScriptJobs makes the next queued jobs end as outcomes say, in order (see
// WithJobScript).
func (s *Server) ScriptJobs(outcomes ...JobOutcome) error {
	if err := checkOutcomes(outcomes); err != nil {
		return fmt.Errorf("zendesktest: ScriptJobs: %w", err)
	}
	s.mu.Lock()
	s.st.jobScript = append(s.st.jobScript, outcomes...)
	s.mu.Unlock()
	return nil
}

// PendingFaults is the number of scripted faults not yet injected.
func (s *Server) PendingFaults() int { return s.faults.pending() }

// Operations returns the operationIds the server serves, sorted.
func (s *Server) Operations() []string {
	out := make([]string, len(s.spec.ops))
	for i, o := range s.spec.ops {
		out[i] = o.ID
	}
	return out
}

// call is one request being answered.
type call struct {
	s      *Server
	op     *operation
	r      *http.Request
	params map[string]string
	body   []byte
	caller string // "email" or "oauth", "" when anonymous
	now    time.Time
}

// reply is an answer: a JSON body (or raw bytes) and headers. Handlers
// set body; dispatch encodes it into raw before the state lock is released.
type reply struct {
	status int
	body   any
	raw    []byte
	header http.Header
}

// ServeHTTP answers a request as Zendesk would (see the package doc).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := s.reqSeq.Add(1)
	w.Header().Set("X-Zendesk-Request-Id", "zendesktest-"+strconv.FormatInt(id, 10))
	var o *operation
	var fault Fault
	rec := &statusRecorder{ResponseWriter: w}
	w = rec
	defer s.logRequest(r, rec, &o, &fault, time.Now())
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.counters.update(func(st *Stats) { st.Panics++ })
			s.logger.Error("zendesktest: handler panic", "operation", opName(o), "panic", v, "stack", string(debug.Stack()))
			s.writeError(w, o, &apiError{status: 500, code: "InternalError", desc: fmt.Sprintf("zendesktest bug: %v", v)})
		}
	}()

	// Routing splits the path as the client escaped it, so that an
	// escaped slash stays within its segment.
	path := r.URL.EscapedPath()
	if s.serveFile(w, r) {
		return
	}
	o, params := s.spec.match(r.Method, path)
	s.counters.update(func(st *Stats) { st.Requests[opName(o)]++ })
	if o == nil {
		desc := "The page you were looking for doesn't exist"
		if s.spec.pathExists(path) {
			desc = fmt.Sprintf("%s is not allowed on %s", r.Method, path)
		}
		s.writeError(w, nil, &apiError{status: http.StatusNotFound, code: "InvalidEndpoint", desc: desc})
		return
	}

	fault = s.faults.next(o.ID)
	if fault.Kind != FaultNone {
		s.counters.update(func(st *Stats) { st.Faults[fault.Kind]++; st.FaultsByOperation[o.ID]++ })
		s.logger.Debug("zendesktest: injecting fault", "operation", o.ID, "fault", fault.Kind.String())
	}
	switch fault.Kind {
	case FaultReset:
		s.counters.update(func(st *Stats) { st.Statuses[0]++ })
		resetConnection(w)
		return
	case FaultRateLimit:
		s.writeError(w, o, &apiError{status: http.StatusTooManyRequests, code: "TooManyRequests",
			desc:   "You have exceeded the rate limit (injected fault)",
			header: map[string]string{"Retry-After": retryAfter(fault.RetryAfter, fault.RetryAfter%time.Second != 0)}})
		return
	case FaultUnavailable:
		s.writeError(w, o, &apiError{status: fault.Status, code: "ServiceUnavailable", desc: "Zendesk is down for maintenance (injected fault)",
			header: map[string]string{"Retry-After": retryAfter(fault.RetryAfter, fault.RetryAfter%time.Second != 0)}})
		return
	case FaultServerError:
		s.writeError(w, o, &apiError{status: fault.Status, code: "InternalError", desc: "Something went wrong (injected fault)"})
		return
	case FaultHTML:
		s.counters.update(func(st *Stats) { st.Statuses[fault.Status]++ })
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(fault.Status)
		fmt.Fprintf(w, htmlErrorPage, fault.Status, http.StatusText(fault.Status), fault.Status, http.StatusText(fault.Status))
		return
	case FaultSlow:
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
			return
		}
	}

	now := s.Now()
	c := &call{s: s, op: o, r: r, params: params, now: now}
	caller, ok := s.authenticate(r)
	if !ok && !o.public {
		s.counters.update(func(st *Stats) { st.Unauthorized++ })
		s.writeError(w, o, &apiError{status: http.StatusUnauthorized, code: "Couldn't authenticate you",
			header: map[string]string{"WWW-Authenticate": `Basic realm="Web Password"`}})
		return
	}
	c.caller = caller

	if apiErr := s.checkLimits(w, c); apiErr != nil {
		s.writeError(w, o, apiErr)
		return
	}

	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		s.writeError(w, o, errInvalidParam("reading the request body: %v", err))
		return
	}
	if len(body) > maxBody {
		s.writeError(w, o, &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestTooLarge", desc: fmt.Sprintf("the request body is larger than %d bytes", maxBody)})
		return
	}
	c.body = body
	if apiErr := s.validate(c); apiErr != nil {
		s.counters.update(func(st *Stats) { st.Invalid++ })
		s.writeError(w, o, apiErr)
		return
	}

	rep, apiErr := s.dispatch(c)
	if apiErr != nil {
		s.writeError(w, o, apiErr)
		return
	}
	s.writeReply(w, c, rep, fault.Kind == FaultTruncated)
}

// statusRecorder remembers the status a handler answered with, for the
// request's log line; Unwrap lets http.ResponseController reach the
// connection underneath (flushes and hijacks of injected faults).
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (rw *statusRecorder) WriteHeader(status int) {
	if rw.status == 0 {
		rw.status = status
	}
	rw.ResponseWriter.WriteHeader(status)
}

func (rw *statusRecorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.ResponseWriter.Write(b)
}

func (rw *statusRecorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// logRequest logs one line per request at info level: method, path (never
// the query or headers, which could carry secrets), operation, status (0
// when the connection was reset without an answer), duration, and the
// injected fault if any.
func (s *Server) logRequest(r *http.Request, rec *statusRecorder, o **operation, fault *Fault, start time.Time) {
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("operation", opName(*o)),
		slog.Int("status", rec.status),
		slog.Duration("duration", time.Since(start)),
	}
	if fault.Kind != FaultNone {
		attrs = append(attrs, slog.String("fault", fault.Kind.String()))
	}
	s.logger.LogAttrs(r.Context(), slog.LevelInfo, "zendesktest: request", attrs...)
}

func opName(o *operation) string {
	if o == nil {
		return ""
	}
	return o.ID
}

// validate checks the request against the spec: its query parameters are
// ones the operation declares (unless WithUndeclaredQueryParameters), and
// the validator accepts it.
func (s *Server) validate(c *call) *apiError {
	if !s.cfg.undeclaredQuery {
		if apiErr := undeclaredQuery(c.op, c.r.URL.Query()); apiErr != nil {
			return apiErr
		}
	}
	return validateRequest(c.r.Context(), c.op, c.r, c.params, c.body)
}

// authenticate checks the request's credentials: API token basic auth or
// the bearer token. It returns who called.
func (s *Server) authenticate(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		if err != nil {
			return "", false
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		email, isToken := strings.CutSuffix(user, "/token")
		if !ok || !isToken || !strings.EqualFold(email, s.Email) || pass != s.Token {
			return "", false
		}
		return strings.ToLower(email), true
	case "bearer":
		if strings.TrimSpace(cred) == s.OAuthToken {
			return "oauth", true
		}
	}
	return "", false
}

// checkLimits enforces the account's limit and the operation's own, and
// reports them in Zendesk's headers (see reportAccount and reportOperation).
func (s *Server) checkLimits(w http.ResponseWriter, c *call) *apiError {
	scaled := s.cfg.timeScale != 1
	if n := s.cfg.accountLimit; n > 0 {
		b := s.limits.allow("\x00account", n, s.cfg.window(time.Minute), c.now)
		reportAccount(w.Header(), n, b, scaled)
		if !b.ok {
			s.counters.update(func(st *Stats) { st.RateLimited[c.op.ID]++ })
			return &apiError{status: http.StatusTooManyRequests, code: "TooManyRequests",
				desc:   fmt.Sprintf("The account's limit of %d requests a minute is reached", n),
				header: map[string]string{"Retry-After": retryAfter(b.reset, scaled)}}
		}
	}
	rl := c.op.meta.RateLimit
	if rl == nil || s.cfg.noRateLimits || (rl.AppliesTo != "" && c.caller != "") {
		return nil
	}
	window := s.cfg.window(time.Duration(rl.Seconds) * time.Second)
	b := s.limits.allow(opLimitKey(c.op, c.params, c.caller), rl.Requests, window, c.now)
	reportOperation(w.Header(), c.op.ID, rl.Requests, b, scaled)
	if b.ok {
		return nil
	}
	s.counters.update(func(st *Stats) { st.RateLimited[c.op.ID]++ })
	return &apiError{status: http.StatusTooManyRequests, code: "TooManyRequests",
		desc:   fmt.Sprintf("%s is limited to %d requests per %d seconds", c.op.ID, rl.Requests, rl.Seconds),
		header: map[string]string{"Retry-After": retryAfter(b.reset, scaled)}}
}

// dispatch answers a valid request: from the state for the operations the
// fake keeps, from the spec's example for the others. The answer leaves
// it encoded: handlers answer with the state's own records, which only the
// lock keeps from changing while they are encoded.
func (s *Server) dispatch(c *call) (*reply, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rep, apiErr := s.dispatchLocked(c)
	if apiErr != nil {
		return nil, apiErr
	}
	if err := rep.encode(); err != nil {
		return nil, &apiError{status: 500, code: "InternalError", desc: "zendesktest: encode the answer: " + err.Error()}
	}
	return rep, nil
}

// encode turns the reply's body into its JSON bytes.
func (rep *reply) encode() error {
	if rep.raw != nil || rep.body == nil {
		rep.body = nil
		return nil
	}
	b, err := json.Marshal(rep.body)
	if err != nil {
		return err
	}
	rep.raw, rep.body = b, nil
	return nil
}

func (s *Server) dispatchLocked(c *call) (*reply, *apiError) {
	s.st.advanceJobs(c.now)
	// Idempotency-Key counts only where Zendesk honours it (the spec's
	// x-zendesk-idempotency); other POSTs ignore the header, as on Zendesk.
	key := ""
	if c.r.Method == http.MethodPost && c.op.meta.Idempotency {
		key = strings.TrimSpace(c.r.Header.Get("Idempotency-Key"))
	}
	if key != "" {
		if rep, apiErr, ok := s.st.replay(c, key); ok {
			return rep, apiErr
		}
	}
	rep, apiErr := s.handle(c)
	if key != "" && apiErr == nil {
		return s.st.remember(c, key, rep)
	}
	return rep, apiErr
}

func (s *Server) handle(c *call) (*reply, *apiError) {
	if h, ok := s.st.handlers[c.op.ID]; ok {
		rep, apiErr := h(c)
		if apiErr == nil && rep != nil {
			s.st.addSideloads(c, rep)
		}
		return rep, apiErr
	}
	if c.op.meta.Job {
		return s.st.exampleJob(c)
	}
	return s.exampleReply(c.op), nil
}

// exampleReply is the operation's documented success answer, with the
// example's Zendesk URLs pointing at the server.
func (s *Server) exampleReply(o *operation) *reply {
	if o.example == nil {
		return &reply{status: o.status}
	}
	return &reply{status: o.status, raw: bytes.ReplaceAll(o.example, []byte("https://example.zendesk.com"), []byte(s.URL))}
}

func (s *Server) writeError(w http.ResponseWriter, o *operation, e *apiError) {
	for k, v := range e.header {
		w.Header().Set(k, v)
	}
	b, err := json.Marshal(e.body())
	if err != nil {
		b = []byte(`{"error":"InternalError"}`)
	}
	s.counters.update(func(st *Stats) { st.Statuses[e.status]++ })
	s.logger.Debug("zendesktest: error", "operation", opName(o), "status", e.status, "error", e.code, "description", e.desc)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}

func (s *Server) writeReply(w http.ResponseWriter, c *call, rep *reply, truncate bool) {
	body := rep.raw // encoded by dispatch, under the state lock
	for k, vs := range rep.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if len(body) > 0 {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	if s.cfg.validateResponses {
		if err := validateResponse(c.r.Context(), c.op, c.r, c.params, rep.status, w.Header(), body); err != nil {
			s.counters.update(func(st *Stats) { st.InvalidResponses++ })
			s.logger.Warn("zendesktest: invalid answer", "operation", c.op.ID, "error", err)
			s.writeError(w, c.op, &apiError{status: 500, code: "InvalidResponse", desc: err.Error()})
			return
		}
	}
	s.counters.update(func(st *Stats) { st.Statuses[rep.status]++ })
	s.logger.Debug("zendesktest: answer", "operation", c.op.ID, "status", rep.status, "bytes", len(body))
	if rep.status == http.StatusNoContent {
		w.WriteHeader(rep.status)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if truncate && len(body) > 1 {
		w.WriteHeader(rep.status)
		_, _ = w.Write(body[:len(body)/2])
		abortConnection(w)
		return
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(body)
}

// abortConnection sends what was written and closes the connection, so the
// client reads fewer bytes than the Content-Length promised.
func abortConnection(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		return
	}
	_ = conn.Close()
}

// resetConnection closes the connection with a TCP reset, before any
// answer.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// baseURL is the URL records link to.
func (s *Server) baseURL() string { return s.URL }
