package reliability

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/internal/connectordoc"
	"github.com/zdapi/zendesk/internal/specgen"
)

// The bad-input table: each row is something broken the client, the
// iterators or specgen may be given, and the error that must name it.
// Nothing may panic, and nothing may come back as a typed value with the
// data silently missing.
//
//	row                            | through                     | the error says
//	-------------------------------|-----------------------------|----------------------------------------------
//	malformed JSON                 | ShowTicket, 200             | ShowTicket: decode the HTTP 200 response: invalid character ...
//	JSON of the wrong shape        | ShowTicket, 200             | ShowTicket: decode the HTTP 200 response: ... cannot unmarshal string into ... ticket
//	an HTML 502 page               | ShowTicket, 502             | APIError 502: HTML error page: 502 Bad Gateway
//	an empty 200 body              | ShowTicket, 200             | 200 with an empty body where JSON was expected
//	a null 200 body                | ShowTicket, 200             | 200 with a null body where a JSON object was expected
//	a truncated 200 body           | ShowTicket, 200             | ShowTicket: read response body: unexpected EOF
//	a truncated page               | ListTicketsAll              | ListTickets: ... unexpected EOF (after retries)
//	a 10 MB error body             | ShowTicket, 400             | APIError with Zendesk's code, the first 1 MiB kept
//	Content-Type lies: HTML as JSON| ShowTicket, 200             | 200 with an HTML page instead of JSON
//	Content-Type lies: JSON as HTML| ShowTicket, 200             | (no error: the JSON is decoded)
//	a spec with a broken $ref      | specgen.Check               | the missing schema's name
//	a truncated connector doc      | connectordoc.Parse          | declares 417 endpoints but has N (truncated?)
func TestBadInput(t *testing.T) {
	huge := `{"error":"InvalidValue","description":"` + strings.Repeat("x", 10<<20) + `"}`
	cases := []struct {
		name, ctype string
		status      int
		body        string
		length      int // a Content-Length longer than the body cuts the connection short
		want        string
		apiStatus   int // the APIError status expected, 0 for none
	}{
		{"malformed JSON", "application/json", 200, `{"ticket":{"id":1,"subject":"x",}}`, 0, "ShowTicket: decode the HTTP 200 response: invalid character '}' looking for beginning of object key string", 0},
		{"JSON of the wrong shape", "application/json", 200, `{"ticket":"a string, not a ticket"}`, 0, "ShowTicket: decode the HTTP 200 response: json: cannot unmarshal string into Go struct field TicketEnvelope.ticket", 0},
		{"an HTML 502 page", "text/html", 502, `<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>`, 0, "HTML error page: 502 Bad Gateway", 502},
		{"an empty 200 body", "application/json", 200, ``, 0, "200 with an empty body where JSON was expected", 0},
		{"a null 200 body", "application/json", 200, `null`, 0, "200 with a null body where a JSON object was expected", 0},
		{"a truncated 200 body", "application/json", 200, `{"ticket":{"id":1,"subj`, 400, "ShowTicket: read response body: unexpected EOF", 0},
		{"a 10 MB error body", "application/json", 400, huge, 0, "400 Bad Request: InvalidValue", 400},
		{"Content-Type lies: HTML sent as JSON", "application/json", 200, "\n  <!DOCTYPE html><html><title>Service Unavailable</title></html>", 0, "200 with an HTML page instead of JSON (Content-Type \"application/json\"): HTML error page: Service Unavailable", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client := rawServer(t, c.status, c.ctype, c.body, c.length)
			resp, err := client.ShowTicket(context.Background(), 1, nil)
			require.Error(t, err, "no typed value comes back from a broken answer")
			assert.Nil(t, resp)
			assert.Contains(t, err.Error(), c.want)
			assert.Less(t, len(err.Error()), 2000, "a short message")
			var apiErr *zendesk.APIError
			if c.apiStatus != 0 {
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, c.apiStatus, apiErr.StatusCode)
				assert.LessOrEqual(t, len(apiErr.Body), 1<<20, "the body is read with a cap")
			} else {
				assert.False(t, errors.As(err, &apiErr), "not mistaken for an error answer")
			}
		})
	}

	t.Run("Content-Type lies: JSON sent as HTML", func(t *testing.T) {
		client := rawServer(t, 200, "text/html; charset=utf-8", `{"ticket":{"id":35436,"subject":"Printer on fire"}}`, 0)
		resp, err := client.ShowTicket(context.Background(), 35436, nil)
		require.NoError(t, err)
		require.NotNil(t, resp, "the JSON is decoded whatever the label")
		assert.Equal(t, "Printer on fire", *resp.Ticket.Subject)
	})

	t.Run("a truncated page", func(t *testing.T) {
		client := rawServer(t, 200, "application/json", `{"tickets":[{"id":1},{"id":2},{"id`, 500)
		var errs []error
		n := 0
		for _, err := range client.ListTicketsAll(context.Background(), &zendesk.ListTicketsParams{}, zendesk.WithPageRetries(1)) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			n++
		}
		require.Len(t, errs, 1)
		assert.Zero(t, n, "nothing of a broken page is yielded")
		assert.Contains(t, errs[0].Error(), "ListTickets")
		assert.Contains(t, errs[0].Error(), "unexpected EOF")
	})

	t.Run("a spec with a broken $ref", func(t *testing.T) {
		in := realInputs(t)
		in.Spec = []byte(strings.Replace(string(in.Spec), `$ref: "#/components/schemas/JobStatus"`, `$ref: "#/components/schemas/JobStatusTypo"`, 1))
		require.Contains(t, string(in.Spec), "JobStatusTypo")
		r, err := specgen.Check(in)
		require.Error(t, err)
		assert.Nil(t, r)
		assert.Contains(t, err.Error(), "JobStatusTypo")
	})

	t.Run("a truncated connector doc", func(t *testing.T) {
		in := realInputs(t)
		doc, err := connectordoc.Parse(in.Doc[:len(in.Doc)*2/3])
		assert.Nil(t, doc)
		require.Error(t, err)
		assert.Regexp(t, `declares 417 endpoints but has \d+ \(truncated\?\)|has no parameter table \(truncated block\?\)|\(truncated\?\)`, err.Error())
	})
}

// rawServer answers every request with one status, content type and body
// (announcing length bytes when length is larger, so that the connection
// ends short of it).
func rawServer(t *testing.T, status int, ctype, body string, length int) *zendesk.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		if length > len(body) {
			w.Header().Set("Content-Length", fmt.Sprint(length))
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	client, err := zendesk.NewClient("", zendesk.WithBaseURL(srv.URL), zendesk.WithInsecureHTTP(),
		zendesk.WithAPIToken("agent@example.com", "token"), zendesk.WithRetry(zendesk.NoRetry))
	require.NoError(t, err)
	return client
}

func realInputs(t *testing.T) specgen.Inputs {
	t.Helper()
	var in specgen.Inputs
	var err error
	in.Doc, err = os.ReadFile("../spec/connector-docs/zendesk-support-v1r1.txt")
	require.NoError(t, err)
	in.Index, err = os.ReadFile("../spec/connector-docs/endpoints.tsv")
	require.NoError(t, err)
	in.Spec, err = os.ReadFile("../spec/zendesk.yaml")
	require.NoError(t, err)
	return in
}
