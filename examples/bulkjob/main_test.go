package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/examples/internal/connect"
	"github.com/zdapi/zendesk/zendesktest"
)

// TestFailedItemsAreFailures: an item the job could not create (its email
// is taken) is printed as a failure, not as a created user, and the run
// fails saying how many were not created.
func TestFailedItemsAreFailures(t *testing.T) {
	for _, v := range connect.EnvVars {
		t.Setenv(v, "")
	}
	users := exampleUsers(1, 2)
	taken := zendesktest.DefaultEmail
	users = append(users, zendesk.UserInput{Name: zendesk.Ptr("Copycat"), Email: &taken})
	var out bytes.Buffer
	err := run(context.Background(), &out, connect.Options{}, users)
	t.Log(out.String())
	require.Error(t, err)
	assert.Equal(t, "1 of 3 users were not created", err.Error())
	assert.Contains(t, out.String(), "item 0: user ")
	assert.Contains(t, out.String(), "item 1: user ")
	assert.Contains(t, out.String(), "item 2: failed: RecordInvalid: Email: "+taken+" is already being used by another user")
	assert.NotContains(t, out.String(), "item 2: user")
	assert.Equal(t, 2, strings.Count(out.String(), " created\n"))
	assert.Contains(t, out.String(), "Bulk example user 2")

	out.Reset()
	require.NoError(t, run(context.Background(), &out, connect.Options{}, exampleUsers(1, 3)))
	assert.Equal(t, 3, strings.Count(out.String(), " created\n"))
}

func TestFailure(t *testing.T) {
	no := false
	cases := []struct {
		r    zendesk.JobStatusResult
		want string
		bad  bool
	}{
		{zendesk.JobStatusResult{Index: zendesk.Ptr(0)}, "", false},
		{zendesk.JobStatusResult{Error: zendesk.Ptr("RecordInvalid"), Details: zendesk.Ptr("Email: taken")}, "RecordInvalid: Email: taken", true},
		{zendesk.JobStatusResult{Error: zendesk.Ptr("UserNotFound")}, "UserNotFound", true},
		{zendesk.JobStatusResult{Success: &no, Status: zendesk.Ptr("Failed")}, "status Failed", true},
	}
	for _, c := range cases {
		got, bad := failure(c.r)
		assert.Equal(t, c.bad, bad)
		assert.Equal(t, c.want, got)
	}
}
