// Command bulkjob creates users in bulk — one background job — waits for
// the job with a progress report, and lists what it created. With
// ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and ZENDESK_API_TOKEN set it uses your
// Zendesk (and creates real users); otherwise an embedded fake Zendesk.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/examples/internal/connect"
)

func main() {
	if err := run(context.Background(), os.Stdout, connect.Options{}, exampleUsers(time.Now().Unix(), 5)); err != nil {
		log.SetFlags(0)
		log.Fatal(err)
	}
}

// exampleUsers are n end users with unique emails.
func exampleUsers(stamp int64, n int) []zendesk.UserInput {
	var users []zendesk.UserInput
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("Bulk example user %d", i)
		email := fmt.Sprintf("bulk-example-%d-%d@example.com", stamp, i)
		role := zendesk.UserRoleEndUser
		users = append(users, zendesk.UserInput{Name: &name, Email: &email, Role: &role})
	}
	return users
}

func run(ctx context.Context, w io.Writer, opts connect.Options, users []zendesk.UserInput) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	conn, err := connect.Open(opts)
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintln(w, conn.Where)
	client := conn.Client

	// Up to 100 users a call; Zendesk queues a job and answers at once.
	fmt.Fprintf(w, "\nCreating %d users in one job...\n", len(users))
	job, err := client.CreateManyUsersAndWait(ctx, zendesk.CreateManyUsersJSONRequestBody{Users: users},
		zendesk.WithPollInterval(500*time.Millisecond, 5*time.Second),
		zendesk.WithProgress(func(j zendesk.JobStatus) {
			fmt.Fprintf(w, "  job %s: %s, %d/%d\n", j.GetID(), j.GetStatus(), j.GetProgress(), j.GetTotal())
		}))
	if err != nil {
		return fmt.Errorf("create many users: %w", err)
	}
	fmt.Fprintf(w, "  job %s: %s\n", *job.ID, *job.Status)

	// The job completed, but each item succeeded or failed on its own.
	var ids []int64
	failed := 0
	if job.Results != nil {
		results, err := job.Results.AsJobStatusResultList()
		if err != nil {
			return fmt.Errorf("the job's results: %w", err)
		}
		for _, r := range results {
			if reason, bad := failure(r); bad {
				failed++
				fmt.Fprintf(w, "  item %d: failed: %s\n", r.GetIndex(), reason)
			} else if id, err := r.ID.AsInt64(); err != nil || id == 0 {
				failed++
				fmt.Fprintf(w, "  item %d: no user id in the result (%s)\n", r.GetIndex(), r.ID)
			} else {
				ids = append(ids, id)
				fmt.Fprintf(w, "  item %d: user %d created\n", r.GetIndex(), id)
			}
		}
	}
	if len(ids) > 0 {
		shown, err := client.ShowManyUsers(ctx, &zendesk.ShowManyUsersParams{IDs: ids})
		if err != nil {
			return fmt.Errorf("show many users: %w", err)
		}
		fmt.Fprintln(w, "\nThe new users:")
		for _, u := range shown.Users {
			fmt.Fprintf(w, "  #%d %s <%s>\n", *u.ID, u.GetName(), u.GetEmail())
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d users were not created", failed, len(users))
	}
	return nil
}

// failure says why a job's item failed: Zendesk reports it with an error
// (and details), or success false.
func failure(r zendesk.JobStatusResult) (string, bool) {
	switch {
	case r.Error != nil:
		if r.GetDetails() != "" {
			return *r.Error + ": " + r.GetDetails(), true
		}
		return *r.Error, true
	case r.Success != nil && !*r.Success:
		return "status " + r.GetStatus(), true
	}
	return "", false
}
