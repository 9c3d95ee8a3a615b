package zendesktest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// send makes a raw request with the server's credentials.
func send(t *testing.T, srv *zendesktest.Server, method, path, contentType, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	require.NoError(t, err)
	req.SetBasicAuth(srv.Email+"/token", srv.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
	}
	return resp.StatusCode, out
}

// TestRequestsTheSpecForbids sends requests that break the spec: each gets
// a 400 in Zendesk's error shape that names the violation.
func TestRequestsTheSpecForbids(t *testing.T) {
	srv := zendesktest.NewServer(t)
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	cases := []struct {
		name, method, path, ctype, body string
		code                            string
		mentions                        []string
	}{
		{"missing required query parameter", "GET", "/api/v2/tickets/show_many", "", "", "InvalidParameter", []string{`"ids"`, "query", "required"}},
		{"query parameter of the wrong type", "GET", "/api/v2/tickets?page%5Bsize%5D=lots", "", "", "InvalidParameter", []string{`"page[size]"`, "lots"}},
		{"query parameter out of range", "GET", "/api/v2/tickets?page%5Bsize%5D=1000", "", "", "InvalidParameter", []string{`"page[size]"`, "100"}},
		{"unknown enum value in a query parameter", "GET", "/api/v2/users?role=overlord", "", "", "InvalidParameter", []string{`"role"`, "overlord"}},
		{"path parameter of the wrong type", "GET", "/api/v2/tickets/abc", "", "", "InvalidParameter", []string{`"ticket_id"`, "path"}},
		{"unknown enum value in the body", "POST", "/api/v2/tickets", "application/json", `{"ticket":{"subject":"x","status":"exploded"}}`, "RecordInvalid", []string{"ticket.status", "exploded", "solved"}},
		{"body property of the wrong type", "POST", "/api/v2/tickets", "application/json", `{"ticket":{"subject":42}}`, "RecordInvalid", []string{"ticket.subject", "string"}},
		{"missing required body property", "POST", "/api/v2/users", "application/json", `{"name":"no envelope"}`, "RecordInvalid", []string{`"user"`}},
		{"too many items", "POST", "/api/v2/users/create_many", "application/json", `{"users":[` + strings.Repeat(`{"name":"u"},`, 100) + `{"name":"u"}]}`, "RecordInvalid", []string{"users", "100"}},
		{"malformed JSON", "PUT", "/api/v2/tickets/1", "application/json", `{"ticket": {"subject": "unfinished`, "InvalidParameter", []string{"not valid JSON"}},
		{"a body where none is taken", "DELETE", "/api/v2/tickets/1", "application/json", `{"ticket":{}}`, "InvalidParameter", []string{"takes no request body"}},
		{"wrong content type", "POST", "/api/v2/tickets", "text/plain", `ticket=1`, "InvalidParameter", []string{"text/plain"}},
		{"missing body", "POST", "/api/v2/tickets", "application/json", ``, "InvalidParameter", []string{"body"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := send(t, srv, c.method, c.path, c.ctype, c.body)
			assert.Equal(t, 400, status, "%v", body)
			assert.Equal(t, c.code, body["error"], "%v", body)
			desc, _ := body["description"].(string)
			for _, m := range c.mentions {
				assert.Contains(t, desc, m)
			}
			t.Logf("%s → %s: %s", c.name, body["error"], desc)
		})
	}
	assert.Equal(t, len(cases), srv.Stats().Invalid)

	// Unknown endpoints and methods are Zendesk's 404.
	status, body := send(t, srv, "GET", "/api/v2/printers", "", "")
	assert.Equal(t, 404, status)
	assert.Equal(t, "InvalidEndpoint", body["error"])
	status, body = send(t, srv, "PATCH", "/api/v2/tickets/1", "application/json", `{}`)
	assert.Equal(t, 404, status)
	assert.Contains(t, body["description"], "PATCH is not allowed")
}

// TestTypedClientGetsRecordInvalid sends an invalid enum through the
// typed client: the error names the field.
func TestTypedClientGetsRecordInvalid(t *testing.T) {
	srv := zendesktest.NewServer(t)
	client, err := srv.Client()
	require.NoError(t, err)
	_, err = client.CreateTicket(context.Background(), &zendesk.CreateTicketParams{}, zendesk.CreateTicketJSONRequestBody{Ticket: zendesk.TicketInput{
		Subject: ptr("Help"), Status: ptr(zendesk.TicketStatus("exploded")),
	}})
	var apiErr *zendesk.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Equal(t, "RecordInvalid", apiErr.Code)
	require.Contains(t, apiErr.Details, "ticket.status")
	assert.Contains(t, *apiErr.Details["ticket.status"][0].Description, "exploded")
	assert.Contains(t, err.Error(), "ticket.status")
	t.Logf("typed client: %v", err)
}

// TestEscapedPaths routes on the path as the client escaped it: an escaped
// slash stays inside its segment, and each segment is unescaped once.
func TestEscapedPaths(t *testing.T) {
	srv := zendesktest.NewServer(t)
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	status, body := send(t, srv, "GET", "/api/v2/custom_objects/car/records/01GC%2FX", "", "")
	assert.Equal(t, 200, status, "%v", body)
	assert.Equal(t, 1, srv.Stats().Requests["ShowCustomObjectRecord"])

	// The job's id comes back in the 404: unescaped once.
	for path, id := range map[string]string{
		"/api/v2/job_statuses/a%2541":   "a%41",
		"/api/v2/job_statuses/01GC%2FX": "01GC/X",
		"/api/v2/job_statuses/x%20y":    "x y",
	} {
		status, body := send(t, srv, "GET", path, "", "")
		assert.Equal(t, 404, status, path)
		assert.Equal(t, "RecordNotFound", body["error"], path)
		assert.Equal(t, "Not found: job status "+id, body["description"], path)
	}

	// A trailing slash is no endpoint, as on Zendesk.
	for _, path := range []string{"/api/v2/tickets/", "/api/v2/tickets/1/", "/api/v2/tickets.json/"} {
		status, body := send(t, srv, "GET", path, "", "")
		assert.Equal(t, 404, status, path)
		assert.Equal(t, "InvalidEndpoint", body["error"], path)
	}
	status, _ = send(t, srv, "GET", "/api/v2/tickets/1", "", "")
	assert.Equal(t, 200, status)
}

// TestZendeskRulesBeyondTheSchema: requests the schema allows but Zendesk
// refuses.
func TestZendeskRulesBeyondTheSchema(t *testing.T) {
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(3))
	t.Cleanup(http.DefaultClient.CloseIdleConnections)

	// A ticket needs a comment: 422 RecordInvalid, and nothing created.
	for _, body := range []string{`{"ticket":{}}`, `{"ticket":{"subject":"x","comment":{"body":"  "}}}`, `{"ticket":{"requester":{"email":"new@example.org","name":"New"}}}`} {
		status, got := send(t, srv, "POST", "/api/v2/tickets", "application/json", body)
		assert.Equal(t, 422, status, body)
		assert.Equal(t, "RecordInvalid", got["error"], body)
		assert.Equal(t, map[string]any{"base": []any{map[string]any{"description": "Description: cannot be blank", "error": "BlankValue"}}}, got["details"], body)
	}
	status, got := send(t, srv, "GET", "/api/v2/tickets/count", "", "")
	require.Equal(t, 200, status)
	assert.Equal(t, 3.0, got["count"].(map[string]any)["value"])
	status, got = send(t, srv, "GET", "/api/v2/users/count", "", "")
	require.Equal(t, 200, status)
	assert.Equal(t, float64(zendesktest.DefaultUsers), got["count"].(map[string]any)["value"], "no requester created on the fly")
	status, _ = send(t, srv, "POST", "/api/v2/tickets", "application/json", `{"ticket":{"comment":{"html_body":"<p>It smokes.</p>"}}}`)
	assert.Equal(t, 201, status, "an HTML comment is a comment")

	// A cursor-based export starts with start_time or goes on with a cursor.
	for _, path := range []string{"/api/v2/incremental/tickets/cursor", "/api/v2/incremental/users/cursor"} {
		status, got := send(t, srv, "GET", path, "", "")
		assert.Equal(t, 400, status, path)
		assert.Equal(t, "start_time or cursor is required", got["description"], path)
		status, _ = send(t, srv, "GET", path+"?start_time=0", "", "")
		assert.Equal(t, 200, status, path)
	}
}
