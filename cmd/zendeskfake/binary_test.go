package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
)

// process is the fake running as a command of its own.
type process struct {
	cmd         *exec.Cmd
	out, errOut *syncBuffer
	url         string
	done        chan error
}

// startBinary runs the built command with args and waits for its base URL.
func startBinary(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{out: &syncBuffer{}, errOut: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.errOut
	require.NoError(t, p.cmd.Start())
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	p.url = waitForURL(t, p.out)
	return p
}

// stop sends sig and waits for the process to end.
func (p *process) stop(t *testing.T, sig os.Signal) error {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(sig))
	select {
	case err := <-p.done:
		return err
	case <-time.After(15 * time.Second):
		t.Fatalf("the fake did not stop within 15s of %v; stdout:\n%s", sig, p.out.String())
		return nil
	}
}

// The command, built with go build and run as a separate process: the Go
// client drives it over loopback HTTP as it would drive Zendesk, and it
// stops cleanly on SIGTERM and SIGINT.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command builds the binary")
	bin := filepath.Join(t.TempDir(), "zendeskfake")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command(goTool, "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	t.Run("Go client end to end", func(t *testing.T) {
		p := startBinary(t, bin, "-addr", "127.0.0.1:0", "-tickets", "230", "-seed", "3",
			"-email", "e2e@example.com", "-token", "e2e-token", "-job-polls", "2")
		assert.Contains(t, p.out.String(), "API token    email e2e@example.com, token e2e-token")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		client, err := zendesk.NewClient("", zendesk.WithBaseURL(p.url), zendesk.WithInsecureHTTP(),
			zendesk.WithAPIToken("e2e@example.com", "e2e-token"))
		require.NoError(t, err)

		// List: 230 tickets over three cursor pages, each id once, in order.
		var ids []int64
		for tk, err := range client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}, zendesk.WithPageSize(100)) {
			require.NoError(t, err)
			ids = append(ids, *tk.ID)
		}
		require.Len(t, ids, 230)
		for i, id := range ids {
			require.Equal(t, int64(i+1), id)
		}

		// Show.
		show, err := client.ShowTicket(ctx, 17, nil)
		require.NoError(t, err)
		require.NotNil(t, show)
		assert.Equal(t, int64(17), *show.Ticket.ID)
		assert.NotEmpty(t, *show.Ticket.Subject)

		// Create, then read it back.
		created, err := client.CreateTicket(ctx, &zendesk.CreateTicketParams{}, zendesk.CreateTicketJSONRequestBody{
			Ticket: zendesk.TicketInput{Subject: zendesk.Ptr("Printer on fire"), Comment: &zendesk.TicketCommentInput{Body: zendesk.Ptr("It smokes.")}}})
		require.NoError(t, err)
		require.NotNil(t, created)
		newID := *created.Ticket.ID
		assert.Greater(t, newID, int64(230))
		back, err := client.ShowTicket(ctx, newID, nil)
		require.NoError(t, err)
		assert.Equal(t, "Printer on fire", *back.Ticket.Subject)

		// A ticket that does not exist is a typed 404.
		_, err = client.ShowTicket(ctx, 999_999, nil)
		var apiErr *zendesk.APIError
		require.True(t, errors.As(err, &apiErr), "%v is an *APIError", err)
		assert.Equal(t, 404, apiErr.StatusCode)
		assert.Equal(t, "RecordNotFound", apiErr.Code)

		// A bulk job, polled to completion, whose tickets then exist.
		job, err := client.CreateManyTicketsAndWait(ctx, zendesk.CreateManyTicketsJSONRequestBody{Tickets: []zendesk.TicketInput{
			{Subject: zendesk.Ptr("Bulk one"), Comment: &zendesk.TicketCommentInput{Body: zendesk.Ptr("1")}},
			{Subject: zendesk.Ptr("Bulk two"), Comment: &zendesk.TicketCommentInput{Body: zendesk.Ptr("2")}},
		}}, zendesk.WithPollInterval(10*time.Millisecond, 50*time.Millisecond))
		require.NoError(t, err)
		assert.Equal(t, zendesk.JobStatusStatusCompleted, *job.Status)
		results, err := job.Results.AsJobStatusResultList()
		require.NoError(t, err)
		require.Len(t, results, 2)
		for i, r := range results {
			var id int64
			require.NoError(t, json.Unmarshal(r.ID, &id))
			got, err := client.ShowTicket(ctx, id, nil)
			require.NoError(t, err)
			assert.Equal(t, []string{"Bulk one", "Bulk two"}[i], *got.Ticket.Subject)
		}

		// Wrong credentials are refused, and never logged.
		bad, err := zendesk.NewClient("", zendesk.WithBaseURL(p.url), zendesk.WithInsecureHTTP(),
			zendesk.WithAPIToken("e2e@example.com", "wrong-token"))
		require.NoError(t, err)
		_, err = bad.ShowTicket(ctx, 1, nil)
		require.True(t, errors.As(err, &apiErr), "%v", err)
		assert.Equal(t, 401, apiErr.StatusCode)

		require.NoError(t, p.stop(t, syscall.SIGTERM))
		log := p.errOut.String()
		for _, want := range []string{
			"method=GET path=/api/v2/tickets operation=ListTickets status=200",
			"method=GET path=/api/v2/tickets/17 operation=ShowTicket status=200",
			"method=POST path=/api/v2/tickets operation=CreateTicket status=201",
			"method=GET path=/api/v2/tickets/999999 operation=ShowTicket status=404",
			"method=POST path=/api/v2/tickets/create_many operation=CreateManyTickets status=200",
			"operation=ShowJobStatus status=200",
			"method=GET path=/api/v2/tickets/1 operation=ShowTicket status=401",
		} {
			assert.Contains(t, log, want)
		}
		assert.Equal(t, 3, strings.Count(log, "operation=ListTickets"), "one line per page")
		assert.NotContains(t, log, "wrong-token")
		assert.NotContains(t, log, "e2e-token")
	})

	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		t.Run("stops on "+sig.String(), func(t *testing.T) {
			if runtime.GOOS == "windows" {
				t.Skip("no signals to send on Windows")
			}
			p := startBinary(t, bin, "-addr", "127.0.0.1:0", "-tickets", "5", "-log", "off")
			client, err := zendesk.NewClient("", zendesk.WithBaseURL(p.url), zendesk.WithInsecureHTTP(),
				zendesk.WithAPIToken("admin@example.com", "zendesktest-api-token"))
			require.NoError(t, err)
			_, err = client.ShowTicket(context.Background(), 1, nil)
			require.NoError(t, err)

			require.NoError(t, p.stop(t, sig), "exit status 0")
			assert.Contains(t, p.out.String(), "zendeskfake: stopping\nzendeskfake: stopped after 1 requests")
			assert.Empty(t, p.errOut.String())
			_, err = client.ShowTicket(context.Background(), 1, nil)
			assert.Error(t, err, "nothing listens any more")
		})
	}
}
