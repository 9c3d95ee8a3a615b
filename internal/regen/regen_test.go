// Package regen holds the drift test: regenerating everything from the spec
// must reproduce the committed files byte for byte.
package regen

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
		require.True(t, bytes.Contains(cfg, []byte("\noutput: zz_")), "api/%s.yaml writes a zz_ file of the root package", c)
		cfg = bytes.ReplaceAll(cfg, []byte("\noutput: zz_"), []byte("\noutput: "+tmp+"/zz_"))
		p := filepath.Join(tmp, c+".yaml")
		require.NoError(t, os.WriteFile(p, cfg, 0o644))
		run("tool", "oapi-codegen", "-config", p, "spec/zendesk.yaml")
	}
	run("run", "./cmd/gluegen", "-models", filepath.Join(tmp, "zz_models.gen.go"), "-overlay", filepath.Join(tmp, "overlay_operations.gen.go"), "-methods", filepath.Join(tmp, "zz_operations.gen.go"), "-getters", filepath.Join(tmp, "zz_getters.gen.go"))
	run("run", "./cmd/specgen", "bundle", "-o", filepath.Join(tmp, "zendesk.json"))

	pairs := map[string]string{
		filepath.Join(tmp, "zz_models.gen.go"):          "zz_models.gen.go",
		filepath.Join(tmp, "zz_getters.gen.go"):         "zz_getters.gen.go",
		filepath.Join(tmp, "overlay_operations.gen.go"): "overlay/zz_operations.gen.go",
		filepath.Join(tmp, "zz_operations.gen.go"):      "zz_operations.gen.go",
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
	// Every zz_*.gen.go file of the root package and the overlay is one of
	// the outputs above: none is left behind by an older generator.
	for _, dir := range []string{".", "overlay"} {
		files, err := filepath.Glob(filepath.Join(root, dir, "zz_*.gen.go"))
		require.NoError(t, err)
		for _, f := range files {
			rel, err := filepath.Rel(root, f)
			require.NoError(t, err)
			if !slices.Contains(slices.Collect(maps.Values(pairs)), rel) {
				t.Errorf("%s is not written by go generate: delete it", rel)
			}
		}
	}
}
