// Command report runs the benchmarks of package bench and prints their
// figures as markdown tables, with the machine they ran on. Each figure is
// a ratio to a baseline measured in the same round: every round measures
// each variant once, in an order that rotates, and the report gives the
// median of the rounds' ratios and their range, so that noise shows. `make
// bench` runs it.
//
//	go run ./bench/report [-rounds 11] [-iterate-rounds 5] [-fake-rounds 5] [-benchtime 100ms]
//		[-profile-cpu 12s] [-skip decode,jsonv2,iterate,profile,export,memory,build,pacing]
//		[-only pacing] [-pacing-scale 30] [-pacing-windows 5]
//
// The jsonv2 rows come from this program built with GOEXPERIMENT=jsonv2 and
// run as a child process; the CPU profile is taken with the replay server
// in another child process, so that it holds only the client's side.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zdapi/zendesk/bench"
)

func main() {
	testing.Init()
	rounds := flag.Int("rounds", 11, "rounds of each decoding comparison (odd, at least 3)")
	iterRounds := flag.Int("iterate-rounds", 5, "rounds of the iteration over the replay (odd, at least 3)")
	fakeRounds := flag.Int("fake-rounds", 5, "rounds of the iteration over the fake (odd, at least 3)")
	benchtime := flag.String("benchtime", "100ms", "time of each decoding measurement")
	profileCPU := flag.Duration("profile-cpu", 12*time.Second, "CPU samples to take of the client's iteration, and of the raw loop's")
	skip := flag.String("skip", "", "comma-separated parts to skip: decode, jsonv2, iterate, profile, export, memory, build, pacing")
	only := flag.String("only", "", "comma-separated parts to run, the others skipped (-only pacing: about a minute and a half)")
	paceScale := flag.Float64("pacing-scale", 30, "how much faster the fake's clock runs in the pacing runs")
	paceWindows := flag.Int("pacing-windows", 5, "the account's windows each pacing run lasts (the export one more)")
	childDec := flag.Bool("child-decode", false, "serve decoding measurements on stdin/stdout (the report runs itself so)")
	childRep := flag.Int("child-replay", 0, "serve a replay of this many tickets until stdin closes (the report runs itself so)")
	flag.Parse()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fail(fmt.Errorf("-benchtime: %w", err))
	}
	switch {
	case *childDec:
		if err := childDecode(); err != nil {
			fail(err)
		}
		return
	case *childRep > 0:
		if err := childReplay(*childRep); err != nil {
			fail(err)
		}
		return
	}
	for name, n := range map[string]int{"-rounds": *rounds, "-iterate-rounds": *iterRounds, "-fake-rounds": *fakeRounds} {
		if n < 3 || n%2 == 0 {
			fail(fmt.Errorf("%s %d: want an odd number, at least 3, so that the median is a measurement", name, n))
		}
	}
	skipped := func(part string) bool {
		return slices.Contains(strings.Split(*skip, ","), part) || (*only != "" && !slices.Contains(strings.Split(*only, ","), part))
	}
	began := time.Now()
	fmt.Printf("Machine: %s, %d cores, %s %s/%s, %s; load average %s\n", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format("2006-01-02"), loadAverage())
	root, err := moduleRoot()
	if err != nil {
		fail(err)
	}
	if !skipped("decode") {
		var v2 *jsonv2
		if !skipped("jsonv2") {
			if v2, err = startJSONv2(root, *benchtime); err != nil {
				fmt.Printf("\n(no GOEXPERIMENT=jsonv2 rows: %v)\n", err)
				v2 = nil
			}
		}
		err := decode(*rounds, v2)
		if v2 != nil {
			v2.close()
		}
		if err != nil {
			fail(err)
		}
	}
	if !skipped("iterate") || !skipped("profile") {
		child, replay, err := startReplayChild(100_000)
		if err != nil {
			fail(err)
		}
		if !skipped("iterate") {
			fx, err := bench.NewFixture(100_000)
			if err == nil {
				err = iterate(replay, fx, *iterRounds, *fakeRounds)
				fx.Close()
			}

			if err != nil {
				child.close()
				fail(err)
			}
		}
		if !skipped("profile") {
			if err := profile(replay, *profileCPU); err != nil {
				child.close()
				fail(err)
			}
		}
		child.close()
	}
	if !skipped("export") {
		if err := exportRatio(50_000, *iterRounds); err != nil {
			fail(err)
		}
	}
	if !skipped("memory") {
		if err := memory(); err != nil {
			fail(err)
		}
	}
	if !skipped("pacing") {
		if err := pacing(*paceScale, *paceWindows); err != nil {
			fail(err)
		}
	}
	if !skipped("build") {
		if err := build(root); err != nil {
			fail(err)
		}
	}
	fmt.Printf("\nThe report took %s; load average at the end %s.\n", time.Since(began).Round(time.Second), loadAverage())
}

// loadAverage is the machine's 1, 5 and 15 minute load averages, which
// say how much else ran while the report measured.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func memory() error {
	fx, err := bench.NewFixture(1_000_000)
	if err != nil {
		return err
	}
	defer fx.Close()
	start := time.Now()
	r, err := bench.IterateMemory(fx, 20_000)
	if err != nil {
		return err
	}
	fmt.Printf("\n### Memory over %d exported tickets (1000 a page; the fake runs in the same process and its heap is included)\n\n", r.Records)
	fmt.Println("| records | live heap before the export | peak live heap (after a forced GC, every 20,000 records) | slope of the live heap | peak heap objects (sampled every ms, no forced GC) | GC cycles (forced) | time |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	fmt.Printf("| %d | %s | %s (%d samples) | %+.2f MiB per million records | %s (%d samples) | %d (%d) | %s |\n", r.Records, bench.MiB(r.StartHeap),
		bench.MiB(r.PeakHeap), r.Samples, r.SlopePerMillion/(1<<20), bench.MiB(r.PeakObjects), r.ObjectSamples, r.GCs, r.Forced, time.Since(start).Round(time.Second))
	return nil
}

// build measures the generated code and the cost of building it.
func build(root string) error {
	lines, bytes := 0, 0
	files, _ := filepath.Glob(filepath.Join(root, "zz_*.gen.go"))
	ops, _ := filepath.Glob(filepath.Join(root, "overlay", "zz_*.gen.go"))
	files = append(files, ops...)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		bytes += len(b)
		lines += strings.Count(string(b), "\n")
	}
	timeCmd := func(env []string, args ...string) (time.Duration, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), env...)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return time.Since(start), nil
	}
	gen, err := timeCmd(nil, "generate", "./...")
	if err != nil {
		return err
	}
	cold := func(pkg string, extra ...string) (time.Duration, error) {
		cache, err := os.MkdirTemp("", "gocache")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(cache)
		return timeCmd([]string{"GOCACHE=" + cache}, append([]string{"build"}, append(extra, pkg)...)...)
	}
	genBuild, err := cold(".")
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "tiny")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "tiny")
	tinyBuild, err := cold("./bench/tiny", "-o", bin)
	if err != nil {
		return err
	}
	fi, err := os.Stat(bin)
	if err != nil {
		return err
	}
	fmt.Println("\n### The generated code")
	fmt.Println()
	fmt.Println("| generated code (zz_*.gen.go) | go generate ./... | cold build of the root package | cold build of a one-call program | its binary |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	fmt.Printf("| %d lines, %.1f MB in %d files | %s | %s | %s | %.1f MB |\n", lines, float64(bytes)/1e6, len(files),
		gen.Round(100*time.Millisecond), genBuild.Round(100*time.Millisecond), tinyBuild.Round(100*time.Millisecond), float64(fi.Size())/1e6)
	fmt.Println("\n(cold: an empty build cache; the module cache is warm. The program is bench/tiny: NewClient and one ShowTicket call.)")
	return buildRatio(root)
}

// buildRatio builds bench/tiny and bench/gogithub (github.NewClient(nil)
// and one Users.Get, in a module of its own) cold, buildRounds times each,
// with bench/toolcpu as go build's -toolexec wrapper and as its C compiler,
// and prints the CPU time (user and system: the go command and every
// compiler, assembler, C compiler and linker it ran, the wrapper's own CPU
// left out) of each and their ratio. The two builds of a round run one
// after the other, in turns (ours first in even rounds, theirs first in odd
// ones), after one build of each that is not counted: the first build of a
// run also reads the standard library's sources from disk.
//
// Most of either build is the packages both programs compile (the standard
// library), the same work in both, whose CPU varies by a tenth from one
// build to the next: that noise is larger than the difference measured. So
// the ratio counts them once, at the mean of the two programs' medians, and
// adds to it each program's rest (its own packages, its link, the go
// command) as the median of its share of the shared packages' CPU in the
// same build, which takes out how fast the machine was during that build;
// each round's ratio so measured, and the whole builds and their rounds'
// ratios, are printed too.
func buildRatio(root string) error {
	const buildRounds = 8
	other := filepath.Join(root, "bench", "gogithub")
	if out, err := exec.Command("go", "-C", other, "mod", "download").CombinedOutput(); err != nil {
		return fmt.Errorf("go mod download in bench/gogithub: %v\n%s", err, out)
	}
	// Every tool of a build runs under toolcpu, which logs its CPU by
	// package: a small program, so that its runs add little to the build.
	bin, err := os.MkdirTemp("", "toolcpu")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)
	toolcpu := filepath.Join(bin, "toolcpu")
	if out, err := exec.Command("go", "-C", root, "build", "-o", toolcpu, "./bench/toolcpu").CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./bench/toolcpu: %v\n%s", err, out)
	}
	cc, err := exec.Command("go", "env", "CC").Output()
	if err != nil {
		return fmt.Errorf("go env CC: %v", err)
	}
	type coldBuild struct {
		total    float64            // the whole build's CPU, toolcpu's own taken out
		overhead float64            // toolcpu's own CPU
		tools    map[string]float64 // each package's tools' CPU
	}
	build := func(dir, pkg string) (coldBuild, error) {
		tmp, err := os.MkdirTemp("", "gobuild")
		if err != nil {
			return coldBuild{}, err
		}
		defer os.RemoveAll(tmp)
		log := filepath.Join(tmp, "tools.log")
		wrap := toolcpu + " -log " + log
		cmd := exec.Command("go", "build", "-o", os.DevNull, "-toolexec", wrap, pkg)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOCACHE="+filepath.Join(tmp, "cache"),
			"CC="+toolcpu, "TOOLCPU_CC="+strings.TrimSpace(string(cc)), "TOOLCPU_LOG="+log)
		if out, err := cmd.CombinedOutput(); err != nil {
			return coldBuild{}, fmt.Errorf("go build -toolexec %s in %s: %v\n%s", pkg, dir, err, out)
		}
		data, err := os.ReadFile(log)
		if err != nil {
			return coldBuild{}, err
		}
		b := coldBuild{total: (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds(), tools: map[string]float64{}}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var tool, p string
			var s, over float64
			if _, err := fmt.Sscanf(line, "%s %s %g %g", &tool, &p, &s, &over); err != nil {
				return coldBuild{}, fmt.Errorf("tool log line %q: %v", line, err)
			}
			if tool == "link" {
				p = "(link)"
			}
			b.tools[p] += s
			b.overhead += over
		}
		b.total -= b.overhead
		return b, nil
	}
	if _, err := build(root, "./bench/tiny"); err != nil {
		return err
	}
	if _, err := build(other, "."); err != nil {
		return err
	}
	var ours, theirs []coldBuild
	for i := range buildRounds {
		for j := range 2 {
			if (i+j)%2 == 0 {
				b, err := build(root, "./bench/tiny")
				if err != nil {
					return err
				}
				ours = append(ours, b)
			} else {
				b, err := build(other, ".")
				if err != nil {
					return err
				}
				theirs = append(theirs, b)
			}
		}
	}

	// The packages both programs compile (the link is each program's own).
	shared := map[string]bool{}
	for p := range ours[0].tools {
		if _, ok := theirs[0].tools[p]; ok && p != "(link)" {
			shared[p] = true
		}
	}
	// figures are each build's: its shared packages' CPU, its rest, the
	// rest's share of the shared part (a build that ran while the machine
	// was slower is slower in both parts, and the share cancels that out),
	// its total, the go command's own CPU (beside the tools it ran) and
	// toolcpu's.
	type figures struct{ shared, rest, share, total, goCmd, overhead []float64 }
	figuresOf := func(bs []coldBuild) (f figures) {
		for _, b := range bs {
			s, tools := 0.0, 0.0
			for p, cpu := range b.tools {
				tools += cpu
				if shared[p] {
					s += cpu
				}
			}
			f.shared, f.rest, f.share = append(f.shared, s), append(f.rest, b.total-s), append(f.share, (b.total-s)/s)
			f.total, f.goCmd, f.overhead = append(f.total, b.total), append(f.goCmd, b.total-tools), append(f.overhead, b.overhead)
		}
		return f
	}
	o, t := figuresOf(ours), figuresOf(theirs)
	mean := (median(o.shared) + median(t.shared)) / 2
	x, y := mean*(1+median(o.share)), mean*(1+median(t.share))
	all := append(slices.Clone(o.shared), t.shared...)
	lo, hi := slices.Min(all), slices.Max(all)
	ratios, whole := make([]float64, buildRounds), make([]float64, buildRounds)
	byRound, wholeByRound := make([]string, buildRounds), make([]string, buildRounds)
	for i := range ratios {
		ratios[i] = (1 + o.share[i]) / (1 + t.share[i])
		byRound[i] = fmt.Sprintf("%.3f", ratios[i])
		whole[i] = o.total[i] / t.total[i]
		wholeByRound[i] = fmt.Sprintf("%.2f", whole[i])
	}
	n := 0
	for p := range shared {
		if p != "-" { // "-": the tools' runs for no package (their versions, the C compiler's probes)
			n++
		}
	}
	fmt.Printf("\ncold build CPU of a one-call program: zendesk %.1fs, go-github %.1fs, ratio %.2f\n", x, y, x/y)
	fmt.Printf("(%d cold builds each, in turns, after one each not counted. The %d packages both compile are the same work, yet took %.1fs to %.1fs from one build to the next: "+
		"they count once, at the mean of the two programs' medians (%.1fs and %.1fs). Each program adds the rest of its builds, the median of its share of the shared part's CPU in the same build: "+
		"zendesk %.1f%% (%.1fs), go-github %.1f%% (%.1fs). The rounds' ratios so measured: %s; range %.3f to %.3f.)\n",
		buildRounds, n, lo, hi, median(o.shared), median(t.shared), 100*median(o.share), median(o.rest), 100*median(t.share), median(t.rest),
		strings.Join(byRound, " "), slices.Min(ratios), slices.Max(ratios))
	fmt.Printf("(the go command itself, beside the tools it ran: zendesk %.1fs, go-github %.1fs; the wrapper's own CPU, left out of every figure: %.1fs and %.1fs; medians)\n",
		median(o.goCmd), median(t.goCmd), median(o.overhead), median(t.overhead))
	fmt.Printf("(the whole builds as measured: zendesk %s; go-github v75 %s; the rounds' ratios of whole builds %s, median %.2f)\n",
		seconds(o.total), seconds(t.total), strings.Join(wholeByRound, " "), median(whole))

	oursTools, theirsTools := make([]map[string]float64, len(ours)), make([]map[string]float64, len(theirs))
	for i := range ours {
		oursTools[i], theirsTools[i] = ours[i].tools, theirs[i].tools
	}
	om, tm := medianByTool(oursTools), medianByTool(theirsTools)
	only := func(a, b map[string]float64) string {
		var names []string
		total := 0.0
		for p, s := range a {
			if _, shared := b[p]; !shared {
				names = append(names, p)
				total += s
			}
		}
		slices.SortFunc(names, func(x, y string) int { return cmpFloat(a[y], a[x]) })
		var parts []string
		rest, others := 0.0, 0
		for i, p := range names {
			if i < 3 {
				parts = append(parts, fmt.Sprintf("%s %.1fs", p, a[p]))
			} else {
				rest += a[p]
				others++
			}
		}
		if others > 0 {
			parts = append(parts, fmt.Sprintf("%d more %.1fs", others, rest))
		}
		return fmt.Sprintf("%.1fs (%s)", total, strings.Join(parts, ", "))
	}
	fmt.Printf("packages only one program compiles (CPU per package, the median of its builds): zendesk %s; go-github %s; link %.1fs and %.1fs\n",
		only(om, tm), only(tm, om), om["(link)"], tm["(link)"])
	return nil
}

// medianByTool is, for every package (or tool run) of the builds, the
// median of its CPU over the builds that ran it.
func medianByTool(runs []map[string]float64) map[string]float64 {
	all := map[string][]float64{}
	for _, run := range runs {
		for p, s := range run {
			all[p] = append(all[p], s)
		}
	}
	out := make(map[string]float64, len(all))
	for p, xs := range all {
		out[p] = median(xs)
	}
	return out
}

// cmpFloat orders a before b when a is smaller.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// seconds lists times in seconds, one decimal.
func seconds(s []float64) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = fmt.Sprintf("%.1f", x)
	}
	return strings.Join(parts, " ")
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
