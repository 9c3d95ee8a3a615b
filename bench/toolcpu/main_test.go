package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestRunLogsThePackageAndKeepsTheExitCode(t *testing.T) {
	log := filepath.Join(t.TempDir(), "tools.log")
	if got := run(log, []string{"/bin/sh", "-c", "exit 3", "-p", "example.com/pkg"}); got != 3 {
		t.Errorf("exit code %d, want the tool's 3", got)
	}
	if got := run(log, []string{"/bin/sh", "-c", "true"}); got != 0 {
		t.Errorf("exit code %d, want 0", got)
	}
	if got := run(log, nil); got != 2 {
		t.Errorf("no tool: exit code %d, want 2", got)
	}
	if got := run(log, []string{filepath.Join(t.TempDir(), "missing")}); got != 2 {
		t.Errorf("a tool that does not exist: exit code %d, want 2", got)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("log %q: want a line for each tool that ran", data)
	}
	for i, want := range []string{`^sh example\.com/pkg [0-9]+\.[0-9]{3}$`, `^sh - [0-9]+\.[0-9]{3}$`} {
		if !regexp.MustCompile(want).MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i, lines[i], want)
		}
	}
}
