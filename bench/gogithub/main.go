// Command gogithub is go-github's one-call program — NewClient and one
// Users.Get — the yardstick bench/report builds cold beside bench/tiny, so
// that the client's build cost is reported against a well-known client's
// in the same run on the same machine. It is its own module, so the
// client's module does not depend on go-github.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/google/go-github/v75/github"
)

func main() {
	client := github.NewClient(nil)
	user, _, err := client.Users.Get(context.Background(), "octocat")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(user.GetName())
}
