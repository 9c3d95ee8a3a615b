// Command report runs the benchmarks of package bench and prints their
// figures, each as a ratio to a baseline measured in the same run (pairs
// alternate, and the median of the rounds is kept), as markdown tables with
// the machine they ran on. `make bench` runs it.
//
//	go run ./bench/report [-rounds N] [-skip iterate,memory,build,profile]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zdapi/zendesk/bench"
)

func main() {
	testing.Init()
	rounds := flag.Int("rounds", 5, "rounds of each comparison (the median is kept)")
	skip := flag.String("skip", "", "comma-separated parts to skip: decode, iterate, memory, build, profile")
	flag.Parse()
	skipped := func(part string) bool { return slices.Contains(strings.Split(*skip, ","), part) }
	fmt.Printf("Machine: %s, %d cores, %s %s/%s, %s\n", cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format("2006-01-02"))
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	if !skipped("decode") {
		if err := decode(*rounds); err != nil {
			fail(err)
		}
	}
	var fx *bench.Fixture
	if !skipped("iterate") || !skipped("profile") {
		var err error
		if fx, err = bench.NewFixture(100_000); err != nil {
			fail(err)
		}
		defer fx.Close()
	}
	if !skipped("iterate") {
		if err := iterate(fx, max(*rounds/2, 1)); err != nil {
			fail(err)
		}
	}
	if !skipped("profile") {
		if err := profile(fx); err != nil {
			fail(err)
		}
	}
	if !skipped("memory") {
		if err := memory(); err != nil {
			fail(err)
		}
	}
	if !skipped("build") {
		if err := build(); err != nil {
			fail(err)
		}
	}
}

type result struct{ ns, bytes, allocs float64 }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// run measures fs in turn, rounds times, and returns each one's median.
func run(rounds int, fs []func(*testing.B)) []result {
	ns := make([][]float64, len(fs))
	var last []testing.BenchmarkResult = make([]testing.BenchmarkResult, len(fs))
	for r := 0; r < rounds; r++ {
		for i, f := range fs {
			res := testing.Benchmark(f)
			ns[i] = append(ns[i], float64(res.NsPerOp()))
			last[i] = res
		}
	}
	out := make([]result, len(fs))
	for i := range fs {
		out[i] = result{median(ns[i]), float64(last[i].AllocedBytesPerOp()), float64(last[i].AllocsPerOp())}
	}
	return out
}

func decode(rounds int) error {
	p, err := bench.LoadPayloads()
	if err != nil {
		return err
	}
	fmt.Println("\n### Decoding a page (ratios to the plain struct and to map[string]any)")
	fmt.Println()
	fmt.Println("| page | decoder | ns/op | B/op | allocs/op | ÷ plain struct | ÷ map |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
	for _, c := range bench.Cases(p) {
		ds := c.Decoders()
		var fs []func(*testing.B)
		for _, d := range ds {
			fs = append(fs, func(b *testing.B) { bench.Decode(b, c.Body, d) })
		}
		rs := run(rounds, fs)
		base, mp := rs[1], rs[2]
		for i, d := range ds {
			fmt.Printf("| %s (%d kB) | %s | %.0f | %.0f | %.0f | %.2f | %.2f |\n", c.Name, len(c.Body)/1000, d.Name, rs[i].ns, rs[i].bytes, rs[i].allocs, rs[i].ns/base.ns, rs[i].ns/mp.ns)
		}
	}
	return nil
}

func iterate(fx *bench.Fixture, rounds int) error {
	replay, err := bench.NewReplay(fx)
	if err != nil {
		return err
	}
	defer replay.Close()
	fmt.Printf("\n### Iterating over %d tickets over loopback (ratio to a hand-rolled http.Get + json.Decoder loop)\n\n", fx.Records)
	fmt.Println("| server | consumer work per record | raw loop ns/record | client ns/record | ÷ raw | client + prefetch ns/record | ÷ raw |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
	perRecord := func(res result, n int) float64 { return res.ns / float64(n) }
	for _, src := range []struct {
		name string
		f    *bench.Fixture
	}{{"replay of the fake's pages", replay.Fixture(fx)}, {"the fake (zendesktest)", fx}} {
		for _, work := range []time.Duration{0, 20 * time.Microsecond} {
			rs := run(rounds, []func(*testing.B){
				func(b *testing.B) { bench.IterateRaw(b, src.f, work) },
				func(b *testing.B) { bench.IterateClient(b, src.f, false, work) },
				func(b *testing.B) { bench.IterateClient(b, src.f, true, work) },
			})
			raw, cl, pf := perRecord(rs[0], src.f.Records), perRecord(rs[1], src.f.Records), perRecord(rs[2], src.f.Records)
			fmt.Printf("| %s | %s | %.0f | %.0f | %.2f | %.0f | %.2f |\n", src.name, work, raw, cl, cl/raw, pf, pf/raw)
		}
	}
	return nil
}

// profile samples the CPU while the client iterates over the replay and
// lists where the time goes.
func profile(fx *bench.Fixture) error {
	replay, err := bench.NewReplay(fx)
	if err != nil {
		return err
	}
	defer replay.Close()
	dir, err := os.MkdirTemp("", "zendesk-report")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cpu.pprof")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	testing.Benchmark(func(b *testing.B) { bench.IterateClient(b, replay.Fixture(fx), false, 0) })
	pprof.StopCPUProfile()
	f.Close()
	exe, _ := os.Executable()
	out, err := exec.Command("go", "tool", "pprof", "-top", "-cum", "-nodecount=40", exe, path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pprof: %v\n%s", err, out)
	}
	fmt.Println("\n### Where the client's iteration spends its CPU (cumulative, replay server in the same process)")
	fmt.Println("\n```")
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	shown := 0
	for sc.Scan() {
		l := sc.Text()
		if strings.Contains(l, "flat%") || (shown < 25 && interesting(l)) {
			fmt.Println(l)
			if !strings.Contains(l, "flat%") {
				shown++
			}
		}
	}
	fmt.Println("```")
	return nil
}

func interesting(l string) bool {
	for _, s := range []string{"encoding/json", "zendesk", "net/http", "time.", "runtime.mallocgc", "runtime.gcBgMarkWorker", "syscall", "bufio", "maphash"} {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
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
	fmt.Printf("\n### Memory over %d exported tickets (1000 a page, heap sampled after a GC every 20,000 records)\n\n", r.Records)
	fmt.Println("| records | samples | peak heap in use | slope | time |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: |")
	fmt.Printf("| %d | %d | %s | %+.2f MiB per million records | %s |\n", r.Records, r.Samples, bench.MiB(r.PeakHeap), r.SlopePerMillion/(1<<20), time.Since(start).Round(time.Second))
	return nil
}

// build measures the generated code and the cost of building it.
func build() error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	lines, bytes := 0, 0
	files, _ := filepath.Glob(filepath.Join(root, "generated", "*.go"))
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
	genBuild, err := cold("./generated")
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
	fmt.Println("| generated/ | go generate ./... | cold build of ./generated | cold build of a one-call program | its binary |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	fmt.Printf("| %d lines, %.1f MB in %d files | %s | %s | %s | %.1f MB |\n", lines, float64(bytes)/1e6, len(files),
		gen.Round(100*time.Millisecond), genBuild.Round(100*time.Millisecond), tinyBuild.Round(100*time.Millisecond), float64(fi.Size())/1e6)
	fmt.Println("\n(cold: an empty build cache; the module cache is warm. The program is bench/tiny: NewClient and one ShowTicket call.)")
	return nil
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
