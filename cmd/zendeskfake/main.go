// Command zendeskfake serves the fake Zendesk Support API of package
// zendesktest over HTTP, for testing a program in any language offline:
//
//	go run github.com/zdapi/zendesk/cmd/zendeskfake -addr 127.0.0.1:8080
//
// It prints its base URL and the credentials it accepts, logs one line per
// request to stderr, and stops on SIGINT or SIGTERM. Run it with -h for
// its flags; a bad flag exits 2.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
