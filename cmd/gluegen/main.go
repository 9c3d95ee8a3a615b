// Command gluegen writes what is ours per operation, from the spec's
// annotations and the generated models:
//
//   - overlay/zz_operations.gen.go: the Operations table, what every
//     operation's annotations say (method, path, parameters, envelope,
//     pagination, job, rate limit, retry safety), which drives the overlay's
//     one request builder, the transport and the iterators;
//   - zz_operations.gen.go (root package): a documented method of Client for
//     every operation, an <Operation>All, <Operation>AllRaw and
//     <Operation>Pages iterator for each operation annotated
//     x-zendesk-pagination, and an <Operation>AndWait helper for each
//     operation annotated x-zendesk-job;
//   - zz_types.gen.go (root package): aliases of the generated types and
//     constants, so that programs import github.com/zdapi/zendesk alone.
//
// Types are looked up in the generated models, so the methods cannot drift
// from them: a mismatch fails the generation or the build.
//
// Usage: gluegen [-spec spec/zendesk.yaml] [-generated generated] [-overlay overlay/zz_operations.gen.go] [-methods zz_operations.gen.go] [-aliases zz_types.gen.go]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/zdapi/zendesk/internal/glue"
)

func main() {
	spec := flag.String("spec", "spec/zendesk.yaml", "OpenAPI spec")
	gen := flag.String("generated", "generated", "directory of the generated package")
	overlayOut := flag.String("overlay", "overlay/zz_operations.gen.go", "overlay glue output")
	methodsOut := flag.String("methods", "zz_operations.gen.go", "root package operation methods output")
	aliasOut := flag.String("aliases", "zz_types.gen.go", "root package aliases output")
	flag.Parse()
	if err := glue.Write(*spec, *gen, *overlayOut, *methodsOut, *aliasOut); err != nil {
		fmt.Fprintln(os.Stderr, "gluegen:", err)
		os.Exit(2)
	}
}
