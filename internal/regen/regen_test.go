// Package regen holds the drift test: regenerating everything from the spec
// must reproduce the committed files byte for byte.
package regen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRegenerationChangesNothing runs the steps of go generate (oapi-codegen
// with the configs of api/, gluegen, specgen bundle) into a temporary
// directory and compares every output with the committed file.
func TestRegenerationChangesNothing(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	tmp := t.TempDir()
	gen := filepath.Join(tmp, "generated")
	require.NoError(t, os.MkdirAll(gen, 0o755))
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
	}
	for _, c := range []string{"models"} {
		cfg, err := os.ReadFile(filepath.Join(root, "api", c+".yaml"))
		require.NoError(t, err)
		require.True(t, bytes.Contains(cfg, []byte("output: generated/")), "api/%s.yaml writes into generated/", c)
		cfg = bytes.ReplaceAll(cfg, []byte("output: generated/"), []byte("output: "+gen+"/"))
		p := filepath.Join(tmp, c+".yaml")
		require.NoError(t, os.WriteFile(p, cfg, 0o644))
		run("tool", "oapi-codegen", "-config", p, "spec/zendesk.yaml")
	}
	run("run", "./cmd/gluegen", "-generated", gen, "-overlay", filepath.Join(tmp, "overlay_operations.gen.go"), "-methods", filepath.Join(tmp, "zz_operations.gen.go"), "-aliases", filepath.Join(tmp, "zz_types.gen.go"))
	run("run", "./cmd/specgen", "bundle", "-o", filepath.Join(tmp, "zendesk.json"))

	pairs := map[string]string{
		filepath.Join(gen, "models.gen.go"):             "generated/models.gen.go",
		filepath.Join(tmp, "overlay_operations.gen.go"): "overlay/zz_operations.gen.go",
		filepath.Join(tmp, "zz_operations.gen.go"):      "zz_operations.gen.go",
		filepath.Join(tmp, "zz_types.gen.go"):           "zz_types.gen.go",
		filepath.Join(tmp, "zendesk.json"):              "api/zendesk.json",
	}
	for fresh, committed := range pairs {
		a, err := os.ReadFile(fresh)
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(root, committed))
		require.NoError(t, err)
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from what the spec generates: run go generate ./... and commit", committed)
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, "generated"))
	require.NoError(t, err)
	for _, e := range entries {
		if e.Name() != "models.gen.go" {
			t.Errorf("generated/%s is not generated: generated/ holds generator output only", e.Name())
		}
	}
}
