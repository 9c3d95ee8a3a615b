package zendesk

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDotPathParametersAreRefused calls operations, raw and typed, and
// WaitJob with path parameters that URL resolution would drop ("" and "."
// and ".."): DeleteUserField(ctx, "..") would otherwise send DELETE
// /api/v2/. Each call fails naming the parameter, and nothing reaches the
// server.
func TestDotPathParametersAreRefused(t *testing.T) {
	ctx := context.Background()
	for _, bad := range []string{"", ".", ".."} {
		calls := []struct {
			name, param string
			call        func(c *Client) error
		}{
			{"DeleteCustomObjectRecord", "custom_object_record_id", func(c *Client) error {
				_, err := c.DeleteCustomObjectRecord(ctx, "car", bad)
				return err
			}},
			{"DeleteCustomObjectRecord", "custom_object_key", func(c *Client) error {
				_, err := c.DeleteCustomObjectRecordWithResponse(ctx, bad, "rec-1")
				return err
			}},
			{"DeleteUserField", "user_field_id", func(c *Client) error {
				_, err := c.DeleteUserField(ctx, bad)
				return err
			}},
			{"DeleteUserField", "user_field_id", func(c *Client) error {
				_, err := c.DeleteUserFieldWithResponse(ctx, bad)
				return err
			}},
			{"ShowJobStatus", "job_status_id", func(c *Client) error {
				_, err := c.WaitJob(ctx, bad)
				return err
			}},
		}
		for _, tc := range calls {
			t.Run(tc.name+"/"+tc.param+"="+bad, func(t *testing.T) {
				c, rec, _ := newTestClient(t, []answer{{status: 200, body: `{"job_status":{"id":"x","status":"completed"}}`}})
				err := tc.call(c)
				require.Error(t, err)
				assert.Empty(t, rec.got(), "a request reached the server")
				assert.ErrorIs(t, err, ErrBadPathParam)
				assert.Contains(t, err.Error(), tc.param)
			})
		}
	}
}

// TestNilContextIsAnError calls an operation, an iterator and WaitJob with
// a nil context: each is an error, as http.NewRequestWithContext gives,
// not a panic.
func TestNilContextIsAnError(t *testing.T) {
	c, rec, _ := newTestClient(t, []answer{{status: 200, body: ticketJSON}})
	var nilCtx context.Context
	calls := map[string]func() error{
		"raw": func() error {
			_, err := c.ShowTicket(nilCtx, 1)
			return err
		},
		"typed": func() error {
			_, err := c.ShowTicketWithResponse(nilCtx, 1)
			return err
		},
		"iterator": func() error {
			for _, err := range c.ListTicketsAll(nilCtx, &ListTicketsParams{}) {
				return err
			}
			return nil
		},
		"WaitJob": func() error {
			_, err := c.WaitJob(nilCtx, "job-1")
			return err
		},
		"Download": func() error {
			_, err := c.Download(nilCtx, c.BaseURL()+"/attachments/1", new(strings.Builder))
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = call() })
			require.Error(t, err)
		})
	}
	assert.Empty(t, rec.got())
}

var _ = errors.New
var _ = http.MethodGet

// TestWaitJobRefusesAnotherJobsStatus: a poll answered with the status of
// another job (a proxy's cache, a misrouted answer) says nothing of the job
// waited for; it is an error, not a completion.
func TestWaitJobRefusesAnotherJobsStatus(t *testing.T) {
	c, rec, _ := newTestClient(t, []answer{{status: 200, body: `{"job_status":{"id":"OTHER","status":"completed"}}`}})
	job, err := c.WaitJob(context.Background(), "job-1", WithPollInterval(time.Millisecond, time.Millisecond))
	require.Error(t, err)
	assert.Nil(t, job)
	assert.Contains(t, err.Error(), `"OTHER"`)
	assert.Len(t, rec.got(), 1)
}
