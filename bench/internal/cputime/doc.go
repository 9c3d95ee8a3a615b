// Package cputime reads the CPU time a process has used, for the build
// report and its -toolexec wrapper (bench/report, bench/toolcpu). It
// imports only the standard library's syscall and time, so that the
// wrapper's hundreds of runs a build stay cheap.
package cputime
