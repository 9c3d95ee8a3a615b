package overlay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk/generated"
)

// TestTypedMethodErrorsNameTheOperation: an answer the typed method cannot
// decode, or a request that fails, is an error that says which operation
// it was, and still matches its cause with errors.As and errors.Is.
func TestTypedMethodErrorsNameTheOperation(t *testing.T) {
	leakCheck(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"ticket":[]}`)
		case r.URL.Path == "/api/v2/tickets":
			fmt.Fprint(w, `{"tickets":[{"id":1,}]}`)
		case r.URL.Path == "/api/v2/tickets/7":
			fmt.Fprint(w, `{"ticket":{"id":"seven"}}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":`)
		}
	}))
	defer srv.Close()
	gc, err := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	c := New(gc, nil)
	ctx := context.Background()

	_, err = c.ListTicketsWithResponse(ctx, &generated.ListTicketsParams{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ListTickets: decode the HTTP 200 response: invalid character '}'")
	var syn *json.SyntaxError
	assert.ErrorAs(t, err, &syn)

	_, err = c.ShowTicketWithResponse(ctx, 7, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ShowTicket: decode the HTTP 200 response: json: cannot unmarshal")
	var ute *json.UnmarshalTypeError
	assert.ErrorAs(t, err, &ute)

	// An error answer whose body does not decode: its status is said.
	_, err = c.ShowJobStatusWithResponse(ctx, "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ShowJobStatus: decode the HTTP 404 response")

	// The raw-body form of a typed method too.
	_, err = c.CreateTicketWithBodyWithResponse(ctx, &generated.CreateTicketParams{}, "application/json", strings.NewReader(`{}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "CreateTicket: decode the HTTP 201 response: json: cannot unmarshal array")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.ListTicketsWithResponse(cancelled, &generated.ListTicketsParams{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ListTickets: ")
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, context.DeadlineExceeded))
}
