// Command gluegen writes the per-operation glue that a generic core cannot
// give by itself, from the spec's annotations and the generated client:
//
//   - overlay/zz_operations.gen.go: the Operations table (what every
//     operation's annotations say), an <Operation>All and <Operation>Pages
//     iterator for each operation annotated x-zendesk-pagination, an
//     <Operation>AndWait helper for each operation annotated x-zendesk-job,
//     and for every typed method of the generated client
//     (<Operation>WithResponse) one of the same signature whose errors name
//     the operation;
//   - zz_types.gen.go (root package): aliases of the generated types and
//     constants, so that programs import github.com/zdapi/zendesk alone.
//
// Signatures are copied from the generated client's methods and item types
// read from its response types, so the glue cannot drift from the generated
// code: a mismatch fails to compile.
//
// Usage: gluegen [-spec spec/zendesk.yaml] [-generated generated] [-overlay overlay/zz_operations.gen.go] [-aliases zz_types.gen.go]
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
	aliasOut := flag.String("aliases", "zz_types.gen.go", "root package aliases output")
	flag.Parse()
	if err := glue.Write(*spec, *gen, *overlayOut, *aliasOut); err != nil {
		fmt.Fprintln(os.Stderr, "gluegen:", err)
		os.Exit(2)
	}
}
