package zendesktest_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// TestSearchTriggersFilterOnTheWire: the filter of SearchTriggers goes out
// as Zendesk's filter[json][<attribute>] query parameters, which the fake,
// validating against the spec, accepts (and types: a boolean that is not
// one is refused).
func TestSearchTriggersFilterOnTheWire(t *testing.T) {
	srv := zendesktest.NewServer(t)
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	client, err := srv.Client(zendesk.WithRetry(zendesk.NoRetry))
	require.NoError(t, err)

	var sent url.Values
	record := func(_ context.Context, req *http.Request) error {
		sent = req.URL.Query()
		return nil
	}
	title, description, active := "Notify requester", "Close a ticket", true
	resp, err := client.SearchTriggers(context.Background(), &zendesk.SearchTriggersParams{
		Query: "notify", FilterTitle: &title, FilterDescription: &description, FilterActive: &active,
	}, zendesk.WithRequestEditor(record))
	require.NoError(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, url.Values{
		"query":                     {"notify"},
		"filter[json][title]":       {"Notify requester"},
		"filter[json][description]": {"Close a ticket"},
		"filter[json][active]":      {"true"},
	}, sent)

	status, body := send(t, srv, "GET", "/api/v2/triggers/search?query=x&filter%5Bjson%5D%5Bactive%5D=maybe", "", "")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "InvalidParameter", body["error"], "%v", body)
	assert.Contains(t, body["description"], "filter[json][active]")
}
