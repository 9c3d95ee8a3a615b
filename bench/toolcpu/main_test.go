package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestRunLogsThePackageAndKeepsTheExitCode(t *testing.T) {
	log := filepath.Join(t.TempDir(), "tools.log")
	t.Setenv("TOOLEXEC_IMPORTPATH", "")
	if got := run(log, []string{"/bin/sh", "-c", "exit 3", "-p", "example.com/pkg"}); got != 3 {
		t.Errorf("exit code %d, want the tool's 3", got)
	}
	if got := run(log, []string{"/bin/sh", "-c", "true"}); got != 0 {
		t.Errorf("exit code %d, want 0", got)
	}
	t.Setenv("TOOLEXEC_IMPORTPATH", "net")
	if got := run(log, []string{"/bin/sh", "-c", "true", "-p", "main"}); got != 0 {
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
	if len(lines) != 3 {
		t.Fatalf("log %q: want a line for each tool that ran", data)
	}
	const cpu = ` [0-9]+\.[0-9]{3} [0-9]+\.[0-9]{3}$`
	for i, want := range []string{`^sh example\.com/pkg` + cpu, `^sh -` + cpu, `^sh net` + cpu} {
		if !regexp.MustCompile(want).MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i, lines[i], want)
		}
	}
}

func TestCommandForms(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	cc := env(map[string]string{"TOOLCPU_CC": "gcc", "TOOLCPU_LOG": "/tmp/cc.log"})
	for _, tc := range []struct {
		name   string
		args   []string
		getenv func(string) string
		log    string
		cmd    []string
		usable bool
	}{
		{"toolexec", []string{"-log", "/tmp/t.log", "compile", "-p", "x"}, env(nil), "/tmp/t.log", []string{"compile", "-p", "x"}, true},
		{"toolexec wins over the environment", []string{"-log", "/tmp/t.log", "asm"}, cc, "/tmp/t.log", []string{"asm"}, true},
		{"the C compiler", []string{"-###", "-x", "c", "-c", "-"}, cc, "/tmp/cc.log", []string{"gcc", "-###", "-x", "c", "-c", "-"}, true},
		{"the C compiler with flags", []string{"-c", "x.c"}, env(map[string]string{"TOOLCPU_CC": "gcc -m64", "TOOLCPU_LOG": "l"}), "l", []string{"gcc", "-m64", "-c", "x.c"}, true},
		{"a blank C compiler", []string{"-c", "x.c"}, env(map[string]string{"TOOLCPU_CC": " ", "TOOLCPU_LOG": "l"}), "", nil, false},
		{"the C compiler without a log", []string{"-c", "x.c"}, env(map[string]string{"TOOLCPU_CC": "gcc"}), "", nil, false},
		{"-log without its file", []string{"-log"}, env(nil), "", nil, false},
		{"nothing", nil, env(nil), "", nil, false},
	} {
		log, cmd, ok := command(tc.args, tc.getenv)
		if log != tc.log || !slices.Equal(cmd, tc.cmd) || ok != tc.usable {
			t.Errorf("%s: command(%q) = %q, %q, %v; want %q, %q, %v", tc.name, tc.args, log, cmd, ok, tc.log, tc.cmd, tc.usable)
		}
	}
}

func TestRunUnderItselfLogsNoSeconds(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "tools.log")
	if got := run(log, []string{self, "-test.list=^$"}); got != 0 {
		t.Fatalf("exit code %d, want 0", got)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if want := regexp.MustCompile(` 0\.000 [0-9]+\.[0-9]{3}\n$`); !want.Match(data) {
		t.Errorf("log %q: the run of toolcpu under itself should log 0 seconds, and its own overhead", data)
	}
}
