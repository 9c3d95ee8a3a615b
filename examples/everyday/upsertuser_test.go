package everyday_test

import (
	"context"
	"fmt"
	"log"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// Create or update a user by email, with a custom user field: the first call
// creates the user, the second updates it.
func Example_createOrUpdateUser() {
	srv, err := zendesktest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	for _, plan := range []string{"gold", "platinum"} {
		res, err := client.CreateOrUpdateUser(ctx, zendesk.UserCreateOrUpdateRequest{User: zendesk.UserInput{
			Email: new("ada@example.com"), Name: new("Ada"), UserFields: map[string]zendesk.AnyValue{"plan": zendesk.Value(plan)},
		}})
		if err != nil {
			log.Fatal(err)
		}
		got, err := res.User.UserFields["plan"].AsString()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("created: %t, plan: %s\n", res.Created, got)
	}
	// Output:
	// created: true, plan: gold
	// created: false, plan: platinum
}
