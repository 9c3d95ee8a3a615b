package everyday_test

import (
	"context"
	"fmt"
	"log"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// Thirty calls under an account limit of 60 a minute: the client paces
// itself by the budget Zendesk reports, here leaving a fifth of it to others
// (the fake's clock runs 30 times as fast, so the minute lasts two seconds).
func Example_headroom() {
	srv, err := zendesktest.Start(zendesktest.WithAccountRateLimit(60), zendesktest.WithTimeScale(30))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.Client(zendesk.WithHeadroom(0.2))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	calls := 0
	for id := int64(1); id <= 30; id++ {
		if _, err := client.ShowTicket(ctx, id, nil); err != nil {
			log.Fatal(err)
		}
		calls++
	}
	limited := 0
	for _, n := range srv.Stats().RateLimited {
		limited += n
	}
	fmt.Printf("%d calls, %d rate limited\n", calls, limited)
	// Output:
	// 30 calls, 0 rate limited
}
