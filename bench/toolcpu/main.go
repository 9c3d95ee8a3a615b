// Command toolcpu runs a command and appends its CPU time to a log: the
// build report (bench/report) runs go build with it as the -toolexec
// wrapper, to know what each package of a build cost.
//
//	toolcpu -log FILE tool [args...]
//
// Each run appends one line, "tool package seconds": tool is the base name
// of the command, package the argument after -p ("-" when there is none),
// seconds its user and system CPU time. toolcpu exits with the command's
// exit code, or 2 when it cannot run it or write the log. It is a program
// of its own, importing only the standard library, so that the hundreds of
// runs a build makes of it cost little beside the tools themselves.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

func main() {
	if len(os.Args) < 3 || os.Args[1] != "-log" {
		fmt.Fprintln(os.Stderr, "usage: toolcpu -log FILE tool [args...]")
		os.Exit(2)
	}
	os.Exit(run(os.Args[2], os.Args[3:]))
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
	pkg := "-"
	for i, a := range args[:len(args)-1] {
		if a == "-p" {
			pkg = args[i+1]
		}
	}
	line := fmt.Sprintf("%s %s %.3f\n", filepath.Base(args[0]), pkg, (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds())
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
