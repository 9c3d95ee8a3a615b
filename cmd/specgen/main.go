// Command specgen keeps spec/zendesk.yaml and the Zendesk connector
// documentation in agreement.
//
// Usage:
//
//	specgen check    [-doc FILE] [-index FILE] [-spec FILE] [-reference FILE]
//	specgen scaffold [-doc FILE] [-index FILE] [-spec FILE]
//	specgen bundle   [-spec FILE] -o FILE
//
// check proves that every documented endpoint maps to exactly one operation
// and back, and that parameters, pagination, jobs, sideloads and rate limits
// say what the doc says. It prints one "spec/zendesk.yaml:LINE: message" per
// disagreement, a line of annotation counts, and a last line with the totals
// ("417/417 endpoints, 0 disagreements"). It also compares every operation
// with Zendesk's published reference facts (-reference, by default
// spec/reference/zendesk-oas-facts.json; empty to skip): parameters, request-body and
// response properties, success status codes; it prints their figures
// ("reference: params 301/308, ...") and reports every disagreement no
// reference erratum waives. It exits 1 when there is any disagreement.
//
// scaffold adds a skeleton operation for every documented endpoint the spec
// lacks, without touching the operations already there, and lists what it
// added.
//
// bundle writes the spec's JSON form (api/zendesk.json), key order kept.
//
// Bad input (a missing file, malformed YAML, a truncated or foreign doc) gets
// one error line and exit status 2; nothing is written.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/zdapi/zendesk/internal/specgen"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = "usage: specgen check|scaffold [-doc FILE] [-index FILE] [-spec FILE] | specgen bundle [-spec FILE] -o FILE"

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	cmd := args[0]
	switch cmd {
	case "check", "scaffold", "bundle":
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("specgen "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	docPath := fs.String("doc", "spec/connector-docs/zendesk-support-v1r1.txt", "connector documentation")
	indexPath := fs.String("index", "spec/connector-docs/endpoints.tsv", "endpoint index (method, path, doc title, doc line)")
	specPath := fs.String("spec", "spec/zendesk.yaml", "OpenAPI spec")
	refPath := fs.String("reference", "spec/reference/zendesk-oas-facts.json", "Zendesk's published reference facts to compare the spec with (check; empty: doc only)")
	out := fs.String("o", "", "output file (bundle)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if cmd == "bundle" {
		if *out == "" {
			fmt.Fprintln(stderr, "specgen bundle: -o FILE is required")
			return 2
		}
		src, err := os.ReadFile(*specPath)
		if err != nil {
			fmt.Fprintf(stderr, "specgen: %v\n", err)
			return 2
		}
		js, err := specgen.Bundle(src)
		if err != nil {
			fmt.Fprintf(stderr, "specgen: %s: %v\n", *specPath, err)
			return 2
		}
		if old, err := os.ReadFile(*out); err == nil && string(old) == string(js) {
			return 0
		}
		if err := writeAtomic(*out, js); err != nil {
			fmt.Fprintf(stderr, "specgen: %v\n", err)
			return 2
		}
		return 0
	}
	in, err := readInputs(*docPath, *indexPath, *specPath)
	if err == nil && cmd == "check" && *refPath != "" {
		in.Reference, err = os.ReadFile(*refPath)
	}
	if err != nil {
		fmt.Fprintf(stderr, "specgen: %v\n", err)
		return 2
	}
	switch cmd {
	case "check":
		r, err := specgen.Check(in)
		if err != nil {
			fmt.Fprintf(stderr, "specgen: %v\n", err)
			return 2
		}
		for _, l := range r.Lines() {
			fmt.Fprintln(stdout, l)
		}
		fmt.Fprintln(stdout, r.Summary())
		if r.Reference != nil {
			fmt.Fprintln(stdout, r.Reference.Line())
		}
		fmt.Fprintln(stdout, r.Totals())
		if len(r.Findings) > 0 || r.Matched != r.Documented {
			return 1
		}
		return 0
	case "scaffold":
		res, err := specgen.Scaffold(in)
		if err != nil {
			fmt.Fprintf(stderr, "specgen: %v\n", err)
			return 2
		}
		if len(res.Added) == 0 {
			fmt.Fprintln(stdout, "nothing to add: every documented endpoint has an operation")
			return 0
		}
		if err := writeAtomic(*specPath, res.Spec); err != nil {
			fmt.Fprintf(stderr, "specgen: %v\n", err)
			return 2
		}
		for _, a := range res.Added {
			fmt.Fprintln(stdout, "added", a)
		}
		fmt.Fprintf(stdout, "%d operations added to %s\n", len(res.Added), *specPath)
		return 0
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
}

func readInputs(docPath, indexPath, specPath string) (specgen.Inputs, error) {
	var in specgen.Inputs
	var err error
	if in.Doc, err = os.ReadFile(docPath); err != nil {
		return in, err
	}
	if in.Index, err = os.ReadFile(indexPath); err != nil {
		return in, err
	}
	if in.Spec, err = os.ReadFile(specPath); err != nil {
		return in, err
	}
	in.SpecName = filepath.ToSlash(specPath)
	return in, nil
}

// writeAtomic replaces path with data through a temporary file, so a failed
// write never leaves half a file behind.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".specgen-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if fi, err := os.Stat(path); err == nil {
		_ = os.Chmod(tmp.Name(), fi.Mode())
	}
	return os.Rename(tmp.Name(), path)
}
