package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zdapi/zendesk/bench"
	"github.com/zdapi/zendesk/bench/internal/cputime"
)

// trace is one stack of a CPU profile and the time sampled in it; frames
// go from the innermost call out.
type trace struct {
	value  time.Duration
	frames []string
}

// parseTraces reads the output of `go tool pprof -traces`.
func parseTraces(r io.Reader) ([]trace, error) {
	var out []trace
	var cur *trace
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	started := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "-----------+") {
			started = true
			cur = nil
			continue
		}
		if !started || strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Fields(line)
		if cur == nil {
			// The first line of a trace: its value, then the innermost frame.
			d, err := time.ParseDuration(fields[0])
			if err != nil || len(fields) < 2 {
				return nil, fmt.Errorf("pprof traces: unexpected line %q", line)
			}
			out = append(out, trace{value: d})
			cur = &out[len(out)-1]
			line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), fields[0]))
		}
		cur.frames = append(cur.frames, strings.TrimSuffix(strings.TrimSpace(line), " (inline)"))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("pprof traces: no samples")
	}
	return out, nil
}

// pkgOf is the package path of a function name as pprof prints it
// ("encoding/json.(*Decoder).Decode", "github.com/x/y.F[go.shape...]").
func pkgOf(fn string) string {
	if i := strings.IndexByte(fn, '['); i >= 0 {
		fn = fn[:i]
	}
	slash := strings.LastIndexByte(fn, '/')
	if dot := strings.IndexByte(fn[slash+1:], '.'); dot >= 0 {
		return fn[:slash+1+dot]
	}
	return fn
}

// The groups a CPU sample is charged to.
const (
	groupJSON    = "encoding/json (decoding, its allocations included)"
	groupGC      = "runtime: garbage collection (background, assists, write barriers)"
	groupNet     = "net/http, bufio and the socket"
	groupOverlay = "overlay (iterator, page decoding)"
	groupRoot    = "root package (transport, auth, pacing, logging, models)"
	groupLoop    = "the benchmark's loop"
	groupOther   = "runtime: scheduler and other"
)

// groups in the order the table lists them.
var groups = []string{groupJSON, groupGC, groupNet, groupOverlay, groupRoot, groupLoop, groupOther}

// ours are the groups of the client's own code.
var ours = []string{groupOverlay, groupRoot}

const module = "github.com/zdapi/zendesk"

// groupOfPkg is the group of a package's frames, "" for packages whose
// frames are charged to their caller (reflect, strconv, sync, runtime...).
func groupOfPkg(pkg string) string {
	switch {
	case pkg == "encoding/json" || strings.HasPrefix(pkg, "encoding/json/"):
		return groupJSON
	case pkg == module+"/overlay":
		return groupOverlay
	case pkg == module:
		return groupRoot
	case pkg == module+"/bench":
		return groupLoop
	case pkg == "net" || strings.HasPrefix(pkg, "net/") || pkg == "bufio" || pkg == "internal/poll" || pkg == "syscall":
		return groupNet
	}
	return ""
}

// isGC reports whether a frame is the garbage collector's work.
func isGC(fn string) bool {
	switch strings.TrimPrefix(fn, "runtime.") {
	case "gcBgMarkWorker", "gcAssistAlloc", "bgsweep", "bgscavenge", "sweepone", "gcStart", "gcMarkDone",
		"gcMarkTermination", "GC", "gcWriteBarrier", "wbBufFlush", "wbBufFlush1":
		return strings.HasPrefix(fn, "runtime.")
	}
	return false
}

// charge is where a trace's time goes: to garbage collection when the
// collector is on its stack; otherwise to the group of its innermost frame
// that has one (so allocations and reflection count for encoding/json,
// which makes them), or to the runtime's scheduler and the rest. It also
// lists every group on the stack, for cumulative shares.
func charge(t trace) (self string, all []string) {
	for _, f := range t.frames {
		if isGC(f) {
			return groupGC, []string{groupGC}
		}
	}
	for _, f := range t.frames {
		if g := groupOfPkg(pkgOf(f)); g != "" {
			if self == "" {
				self = g
			}
			if !slices.Contains(all, g) {
				all = append(all, g)
			}
		}
	}
	if self == "" {
		self = groupOther
		all = []string{groupOther}
	}
	return self, all
}

// breakdown is a profile's time by group.
type breakdown struct {
	total      time.Duration
	self, cumu map[string]time.Duration
	passes     int
	records    int
}

func breakdownOf(ts []trace) breakdown {
	b := breakdown{self: map[string]time.Duration{}, cumu: map[string]time.Duration{}}
	for _, t := range ts {
		self, all := charge(t)
		b.total += t.value
		b.self[self] += t.value
		for _, g := range all {
			b.cumu[g] += t.value
		}
	}
	return b
}

func (b breakdown) share(m map[string]time.Duration, groups ...string) float64 {
	var d time.Duration
	for _, g := range groups {
		d += m[g]
	}
	if b.total == 0 {
		return 0
	}
	return 100 * float64(d) / float64(b.total)
}

// profileSentence says where the client's time goes, from its profile and
// the raw loop's.
func profileSentence(cl, raw breakdown) string {
	largest := groupOther
	for _, g := range groups {
		if cl.self[g] > cl.self[largest] {
			largest = g
		}
	}
	name := largest
	if i := strings.Index(name, " ("); i >= 0 {
		name = name[:i]
	}
	return fmt.Sprintf("The largest remaining cost is %s: %.0f%% of the client's CPU samples "+
		"(%.0f%% for the raw loop), in %.1fs of samples over %d passes of %d records with the replay "+
		"served by another process. The client's own code (overlay, root package) "+
		"takes %.1f%% (%.1f%% overlay, %.1f%% root package); net/http and the "+
		"socket %.0f%% (raw loop: %.0f%%); garbage collection %.0f%% (raw loop: %.0f%%).",
		name, cl.share(cl.self, largest), raw.share(raw.self, largest), cl.total.Seconds(), cl.passes, cl.records,
		cl.share(cl.self, ours...), cl.share(cl.self, groupOverlay), cl.share(cl.self, groupRoot),
		cl.share(cl.self, groupNet), raw.share(raw.self, groupNet), cl.share(cl.self, groupGC), raw.share(raw.self, groupGC))
}

// profile samples the CPU while the client, then the raw loop, iterate
// over f, a replay of the fake's pages served by a child process (so that
// the profile holds only the client's side), for at least cpu of samples
// each, and charges the samples to packages.
func profile(f *bench.Fixture, cpu time.Duration) error {
	dir, err := os.MkdirTemp("", "zendesk-report-profile")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	run := func(name string, pass func() error) (breakdown, error) {
		if err := pass(); err != nil { // warm up the connection and the caches
			return breakdown{}, err
		}
		path := filepath.Join(dir, name+".pprof")
		out, err := os.Create(path)
		if err != nil {
			return breakdown{}, err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return breakdown{}, err
		}
		passes := 0
		for c0 := cputime.Self(); passes == 0 || cputime.Self()-c0 < cpu; passes++ {
			if err := pass(); err != nil {
				pprof.StopCPUProfile()
				return breakdown{}, err
			}
		}
		pprof.StopCPUProfile()
		text, err := exec.Command("go", "tool", "pprof", "-traces", path).Output()
		if err != nil {
			return breakdown{}, fmt.Errorf("go tool pprof -traces: %w", err)
		}
		ts, err := parseTraces(strings.NewReader(string(text)))
		if err != nil {
			return breakdown{}, err
		}
		b := breakdownOf(ts)
		b.passes, b.records = passes, f.Records
		return b, nil
	}
	cl, err := run("client", func() error { return bench.ClientPass(f, false, bench.Work{}) })
	if err != nil {
		return err
	}
	raw, err := run("raw", func() error { return bench.RawPass(f, bench.Work{}) })
	if err != nil {
		return err
	}
	fmt.Printf("\n### Where the CPU goes while iterating (no consumer work, replay in another process)\n\n")
	fmt.Printf("Each sample is charged to the garbage collector when it is on the stack, else to the innermost frame's group (allocations and reflection count for their caller). Client: %.1fs of samples over %d passes; raw loop: %.1fs over %d passes.\n\n",
		cl.total.Seconds(), cl.passes, raw.total.Seconds(), raw.passes)
	fmt.Println("| where | client: share of samples | client: cumulative | raw loop: share | raw loop: cumulative |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	for _, g := range groups {
		fmt.Printf("| %s | %.1f%% | %.1f%% | %.1f%% | %.1f%% |\n", g, cl.share(cl.self, g), cl.share(cl.cumu, g), raw.share(raw.self, g), raw.share(raw.cumu, g))
	}
	fmt.Println("\n(cumulative: samples with a frame of the group anywhere on the stack; the overlay's include the decoding it calls.)")
	fmt.Println()
	fmt.Println(profileSentence(cl, raw))
	return nil
}

// replayChild is a child process serving a replay of the fake's pages.
type replayChild struct {
	cmd *exec.Cmd
	in  io.WriteCloser
}

func (c *replayChild) close() {
	c.in.Close()
	_ = c.cmd.Wait()
}

// startReplayChild runs this program as a replay server of records
// tickets and returns a fixture for it.
func startReplayChild(records int) (*replayChild, *bench.Fixture, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(exe, "-child-replay", strconv.Itoa(records))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	c := &replayChild{cmd: cmd, in: in}
	var url, email, token string
	var n int
	if _, err := fmt.Fscan(out, &url, &email, &token, &n); err != nil {
		c.close()
		return nil, nil, fmt.Errorf("replay child: %w", err)
	}
	f, err := bench.ReplayFixture(url, email, token, n)
	if err != nil {
		c.close()
		return nil, nil, err
	}
	return c, f, nil
}

// childReplay serves a replay of the fake's pages of records tickets until
// its standard input closes; it first prints the URL, the credentials and
// the number of records.
func childReplay(records int) error {
	fx, err := bench.NewFixture(records)
	if err != nil {
		return err
	}
	defer fx.Close()
	r, err := bench.NewReplay(fx)
	if err != nil {
		return err
	}
	defer r.Close()
	fmt.Println(r.URL, fx.Server.Email, fx.Server.Token, r.Records)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}
