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
)

// ticketList and ticketEnvelope stand for the models' TicketList and
// TicketEnvelope (their ids are numbers).
type (
	ticketList     struct{ Tickets []struct{ ID int64 } }
	ticketEnvelope struct{ Ticket struct{ ID int64 } }
)

// TestTypedMethodErrorsNameTheOperation: an answer Call cannot decode, or a
// request that fails, is an error that says which operation it was, and
// still matches its cause with errors.As and errors.Is.
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
	c, err := New(srv.URL, srv.Client(), nil)
	require.NoError(t, err)
	ctx := context.Background()
	call := func(ctx context.Context, id string, path []any, params, body, out any) error {
		_, err := c.Call(ctx, Request{Op: opByID(t, id), Path: path, Params: params, JSON: body}, out, CallOptions{})
		return err
	}

	err = call(ctx, "ListTickets", nil, nil, nil, new(ticketList))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ListTickets: decode the HTTP 200 response: invalid character '}'")
	var syn *json.SyntaxError
	assert.ErrorAs(t, err, &syn)

	err = call(ctx, "ShowTicket", []any{int64(7)}, nil, nil, new(ticketEnvelope))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ShowTicket: decode the HTTP 200 response: json: cannot unmarshal")
	var ute *json.UnmarshalTypeError
	assert.ErrorAs(t, err, &ute)

	// A body sent as is, with its content type.
	_, err = c.Call(ctx, Request{Op: opByID(t, "CreateTicket"), Body: strings.NewReader(`{}`), ContentType: "application/json"}, new(ticketEnvelope), CallOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "CreateTicket: decode the HTTP 201 response: json: cannot unmarshal array")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	err = call(cancelled, "ListTickets", nil, nil, nil, new(ticketList))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ListTickets: ")
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, context.DeadlineExceeded))
}

// opByID is the entry of Operations with the given ID; the generated
// methods hold the address of theirs and never look one up.
func opByID(t *testing.T, id string) *OperationInfo {
	t.Helper()
	for i := range Operations {
		if Operations[i].ID == id {
			return &Operations[i]
		}
	}
	t.Fatalf("no operation %s in the table", id)
	return nil
}
