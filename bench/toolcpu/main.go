// Command toolcpu runs a command and appends its CPU time to a log: the
// build report (bench/report) runs go build with it as the -toolexec
// wrapper and as the C compiler, to know what each package of a build cost.
//
//	toolcpu -log FILE tool [args...]
//	TOOLCPU_LOG=FILE TOOLCPU_CC=gcc toolcpu [compiler args...]
//
// The first form is go build's -toolexec wrapper. In the second, toolcpu is
// go build's CC (which must be one word, the path of a program): it runs
// the compiler named by $TOOLCPU_CC with its arguments and logs to
// $TOOLCPU_LOG, so the C compiles of cgo packages count for their package.
//
// Each run appends one line, "tool package seconds overhead": tool is the
// base name of the command; package the import path go build is building
// ($TOOLEXEC_IMPORTPATH, which it sets for the C compiler too; else the
// argument after -p; "-" when there is none); seconds the command's user
// and system CPU time; overhead toolcpu's own, which a build without it
// would not spend. (When go build runs its C compiler through the
// wrapper, so toolcpu under toolcpu, the outer run logs 0 seconds: the
// inner one logs the compiler.) toolcpu exits with the command's exit
// code, or 2 when it cannot run it or write the log. It is a program of its
// own, importing only the standard library and bench/internal/cputime, so
// that the hundreds of runs a build makes of it cost little beside the
// tools themselves.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/zdapi/zendesk/bench/internal/cputime"
)

func main() {
	log, args, ok := command(os.Args[1:], os.Getenv)
	if !ok {
		fmt.Fprintln(os.Stderr, "usage: toolcpu -log FILE tool [args...]\n   or: TOOLCPU_LOG=FILE TOOLCPU_CC=compiler toolcpu [args...]")
		os.Exit(2)
	}
	os.Exit(run(log, args))
}

// command is the log and the command line of toolcpu's arguments (without
// its own name): the -toolexec form's, or the C compiler form's when
// $TOOLCPU_CC and $TOOLCPU_LOG are set ($TOOLCPU_CC split into words: the
// compiler and its flags); ok is false for neither.
func command(args []string, getenv func(string) string) (log string, cmd []string, ok bool) {
	if len(args) >= 2 && args[0] == "-log" {
		return args[1], args[2:], true
	}
	if cc, log := strings.Fields(getenv("TOOLCPU_CC")), getenv("TOOLCPU_LOG"); len(cc) > 0 && log != "" {
		return log, append(cc, args...), true // CC may carry flags ("gcc -m64"), as go env CC prints them
	}
	return "", nil, false
}

// run runs args[0] with the other arguments, then appends its line to log;
// it returns the exit code toolcpu exits with.
func run(log string, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "toolcpu: no tool to run")
		return 2
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "toolcpu:", err)
		return 2
	}
	pkg := os.Getenv("TOOLEXEC_IMPORTPATH")
	if pkg == "" {
		pkg = "-"
		for i, a := range args[:len(args)-1] {
			if a == "-p" {
				pkg = args[i+1]
			}
		}
	}
	seconds := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	if isSelf(cmd.Path) {
		seconds = 0 // go build ran its CC through the wrapper: the inner run logs it
	}
	line := fmt.Sprintf("%s %s %.3f %.3f\n", filepath.Base(args[0]), pkg, seconds, cputime.Self().Seconds())
	f, ferr := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if ferr == nil {
		_, ferr = f.WriteString(line) // one write: lines of concurrent runs do not mix
		if cerr := f.Close(); ferr == nil {
			ferr = cerr
		}
	}
	if ferr != nil {
		fmt.Fprintln(os.Stderr, "toolcpu:", ferr)
		return 2
	}
	return cmd.ProcessState.ExitCode()
}

// isSelf reports whether path is this program.
func isSelf(path string) bool {
	self, err := os.Executable()
	if err != nil {
		return false
	}
	a, err := os.Stat(self)
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}
