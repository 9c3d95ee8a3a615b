package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/zdapi/zendesk/bench"
	"github.com/zdapi/zendesk/bench/internal/cputime"
)

// benchSample runs a benchmark function with testing.Benchmark (for the
// -benchtime the report was given) and returns its figures. The CPU time
// is the process's over the whole call, divided by the operations. It
// collects the garbage the benchmark left before it returns, so that the
// collection does not run into the next measurement (the jsonv2 child's
// would slow the decoder measured after it in this process).
func benchSample(f func(*testing.B)) (sample, error) {
	c0 := cputime.Self()
	r := testing.Benchmark(f)
	c := cputime.Self() - c0
	runtime.GC()
	if r.N == 0 {
		return sample{}, errors.New("the benchmark failed")
	}
	n := float64(r.N)
	return sample{ns: float64(r.T.Nanoseconds()) / n, cpu: float64(c.Nanoseconds()) / n, bytes: float64(r.AllocedBytesPerOp()), allocs: float64(r.AllocsPerOp())}, nil
}

// decodeRow is one decoder of a page in the table.
type decodeRow struct {
	name    string
	measure func() (sample, error)
}

func decode(rounds int, v2 *jsonv2) error {
	p, err := bench.LoadPayloads()
	if err != nil {
		return err
	}
	fmt.Printf("\n### Decoding a page (ratios to the plain struct and to map[string]any of the same round: median of %d rounds, and their range)\n\n", rounds)
	fmt.Println("| page | decoder | ns/op | CPU ns/op | B/op | allocs/op | ÷ plain struct | ÷ map | CPU ÷ plain struct | CPU ÷ map |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	var v2lines []string
	for _, c := range bench.Cases(p) {
		var rows []decodeRow
		for _, d := range c.Decoders() {
			rows = append(rows, decodeRow{d.Name, func() (sample, error) {
				return benchSample(func(b *testing.B) { bench.Decode(b, c.Body, d) })
			}})
		}
		plain, mp := indexOf(rows, "plain-struct"), indexOf(rows, "map")
		v2gen, v2map := -1, -1
		if v2 != nil {
			for _, name := range []string{"generated", "map"} {
				rows = append(rows, decodeRow{name + ", jsonv2", func() (sample, error) { return v2.measure(c.Name, name) }})
			}
			v2gen, v2map = len(rows)-2, len(rows)-1
		}
		fs := make([]func() (sample, error), len(rows))
		for i, r := range rows {
			fs[i] = r.measure
		}
		ss, err := measure(rounds, fs)
		if err != nil {
			return fmt.Errorf("decode %s: %w", c.Name, err)
		}
		for i, r := range rows {
			last := ss[i][len(ss[i])-1]
			fmt.Printf("| %s (%d kB) | %s | %.0f | %.0f | %.0f | %.0f | %s | %s | %s | %s |\n", c.Name, len(c.Body)/1000, r.name,
				medianOf(ss[i], nsOf), medianOf(ss[i], cpuOf), last.bytes, last.allocs,
				ratios(ss[i], ss[plain], nsOf), ratios(ss[i], ss[mp], nsOf), ratios(ss[i], ss[plain], cpuOf), ratios(ss[i], ss[mp], cpuOf))
		}
		if v2gen >= 0 {
			v2lines = append(v2lines, fmt.Sprintf("%s %s (CPU %s)", c.Name, ratios(ss[v2gen], ss[v2map], nsOf), ratios(ss[v2gen], ss[v2map], cpuOf)))
		}
	}
	if v2 != nil {
		fmt.Printf("\nWith GOEXPERIMENT=jsonv2 (%s), generated ÷ map, both with jsonv2: %s.\n", v2.setting, strings.Join(v2lines, ", "))
	}
	return nil
}

func indexOf(rows []decodeRow, name string) int {
	for i, r := range rows {
		if r.name == name {
			return i
		}
	}
	panic("no decoder " + name)
}

// jsonv2 is this report built with GOEXPERIMENT=jsonv2, running as a child
// process that measures decoders on request, so that its measurements
// alternate with this process's like any other decoder's.
type jsonv2 struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Scanner
	dir     string
	setting string
}

// startJSONv2 builds the report with GOEXPERIMENT=jsonv2 and starts it as a
// decoding child.
func startJSONv2(root, benchtime string) (*jsonv2, error) {
	dir, err := os.MkdirTemp("", "zendesk-report-jsonv2")
	if err != nil {
		return nil, err
	}
	exe := filepath.Join(dir, "report")
	build := exec.Command("go", "build", "-o", exe, "./bench/report")
	build.Dir = root
	build.Env = append(os.Environ(), "GOEXPERIMENT=jsonv2")
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("build with GOEXPERIMENT=jsonv2: %v\n%s", err, out)
	}
	cmd := exec.Command(exe, "-child-decode", "-benchtime", benchtime)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	j := &jsonv2{cmd: cmd, in: in, out: bufio.NewScanner(out), dir: dir}
	if !j.out.Scan() {
		j.close()
		return nil, fmt.Errorf("the jsonv2 child did not start: %v", j.out.Err())
	}
	j.setting = strings.TrimPrefix(j.out.Text(), "ready ")
	if !strings.Contains(j.setting, "jsonv2") {
		j.close()
		return nil, fmt.Errorf("the child was not built with jsonv2 (GOEXPERIMENT=%q)", j.setting)
	}
	return j, nil
}

func (j *jsonv2) measure(page, decoder string) (sample, error) {
	if _, err := fmt.Fprintf(j.in, "%s %s\n", page, decoder); err != nil {
		return sample{}, fmt.Errorf("jsonv2 child: %w", err)
	}
	if !j.out.Scan() {
		return sample{}, fmt.Errorf("jsonv2 child: no answer (%v)", j.out.Err())
	}
	var s sample
	if _, err := fmt.Sscan(j.out.Text(), &s.ns, &s.cpu, &s.bytes, &s.allocs); err != nil {
		return sample{}, fmt.Errorf("jsonv2 child: %q: %w", j.out.Text(), err)
	}
	return s, nil
}

func (j *jsonv2) close() {
	j.in.Close()
	_ = j.cmd.Wait()
	os.RemoveAll(j.dir)
}

// childDecode serves decoding measurements: it reads "page decoder" lines
// and answers each with "ns/op CPU-ns/op B/op allocs/op", after a first line "ready
// GOEXPERIMENT".
func childDecode() error {
	p, err := bench.LoadPayloads()
	if err != nil {
		return err
	}
	decoders := map[string]func(*testing.B){}
	for _, c := range bench.Cases(p) {
		for _, d := range c.Decoders() {
			decoders[c.Name+" "+d.Name] = func(b *testing.B) { bench.Decode(b, c.Body, d) }
		}
	}
	fmt.Printf("ready %s\n", goexperiment())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f, ok := decoders[in.Text()]
		if !ok {
			return fmt.Errorf("no decoder %q", in.Text())
		}
		s, err := benchSample(f)
		if err != nil {
			return err
		}
		fmt.Printf("%f %f %f %f\n", s.ns, s.cpu, s.bytes, s.allocs)
	}
	return in.Err()
}

// goexperiment is the GOEXPERIMENT setting this program was built with.
func goexperiment() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOEXPERIMENT" {
				return s.Value
			}
		}
	}
	return ""
}
