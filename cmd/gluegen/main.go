// Command gluegen writes what is ours per operation, from the spec's
// annotations and the models oapi-codegen wrote (zz_models.gen.go, in the
// root package):
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
//   - zz_getters.gen.go (root package): a nil-safe getter for each pointer
//     field of the models that programs read (t.GetSubject()).
//
// Types are looked up in the generated models, so the methods cannot drift
// from them: a mismatch fails the generation or the build.
//
// Usage: gluegen [-spec spec/zendesk.yaml] [-models zz_models.gen.go] [-overlay overlay/zz_operations.gen.go] [-methods zz_operations.gen.go] [-getters zz_getters.gen.go]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/zdapi/zendesk/internal/glue"
)

func main() {
	spec := flag.String("spec", "spec/zendesk.yaml", "OpenAPI spec")
	models := flag.String("models", "zz_models.gen.go", "the models oapi-codegen wrote")
	overlayOut := flag.String("overlay", "overlay/zz_operations.gen.go", "overlay glue output")
	methodsOut := flag.String("methods", "zz_operations.gen.go", "root package operation methods output")
	gettersOut := flag.String("getters", "zz_getters.gen.go", "getters of the models output")
	flag.Parse()
	if err := glue.Write(*spec, *models, *overlayOut, *methodsOut, *gettersOut); err != nil {
		fmt.Fprintln(os.Stderr, "gluegen:", err)
		os.Exit(2)
	}
}
