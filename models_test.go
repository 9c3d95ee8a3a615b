package zendesk_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/internal/wirecheck"
)

// These payloads are the shapes that break hand-written Zendesk models:
// values of several JSON types, nulls where objects are usual, values
// Zendesk adds after a client ships, and ids past 2^53.

func TestCustomFieldValuesOfEveryJSONType(t *testing.T) {
	payload := `{"id":35436,"custom_fields":[
		{"id":1,"value":"text"},
		{"id":2,"value":42},
		{"id":3,"value":3.75},
		{"id":4,"value":true},
		{"id":5,"value":["hd_3000","hd_5555"]},
		{"id":6,"value":null},
		{"id":7,"value":{"nested":{"deep":[1,"two",false]}}},
		{"id":8,"value":"2024-04-16"},
		{"id":9,"value":12345678901234567890}
	]}`
	var tk zendesk.Ticket
	require.NoError(t, json.Unmarshal([]byte(payload), &tk))
	require.NotNil(t, tk.CustomFields)
	fields := tk.CustomFields
	require.Len(t, fields, 9)

	var s string
	require.NoError(t, json.Unmarshal(fields[0].Value, &s))
	assert.Equal(t, "text", s)
	var n int64
	require.NoError(t, json.Unmarshal(fields[1].Value, &n))
	assert.Equal(t, int64(42), n)
	var f float64
	require.NoError(t, json.Unmarshal(fields[2].Value, &f))
	assert.Equal(t, 3.75, f)
	var b bool
	require.NoError(t, json.Unmarshal(fields[3].Value, &b))
	assert.True(t, b)
	var list []string
	require.NoError(t, json.Unmarshal(fields[4].Value, &list))
	assert.Equal(t, []string{"hd_3000", "hd_5555"}, list)
	assert.Equal(t, "null", string(fields[5].Value), "null is kept, not turned into an absent value")
	assert.JSONEq(t, `{"nested":{"deep":[1,"two",false]}}`, string(fields[6].Value))
	assert.Equal(t, "12345678901234567890", string(fields[8].Value), "a number past int64 keeps every digit")

	again, err := json.Marshal(tk)
	require.NoError(t, err)
	assert.Empty(t, wirecheck.Compare([]byte(payload), again), "re-encodes unchanged")
	assert.Contains(t, string(again), `{"id":6,"value":null}`)
}

func TestActionValuesAsStringNumberBooleanAndArray(t *testing.T) {
	payload := `{"id":25,"title":"Close and redirect","actions":[
		{"field":"status","value":"solved"},
		{"field":"priority","value":2},
		{"field":"comment_mode_is_public","value":true},
		{"field":"notification_user","value":["requester_id","Your ticket","We solved it."]},
		{"field":"custom_fields_360012345","value":null}
	]}`
	var m zendesk.Macro
	require.NoError(t, json.Unmarshal([]byte(payload), &m))
	actions := m.Actions
	require.Len(t, actions, 5)
	assert.Equal(t, `"solved"`, string(actions[0].Value))
	assert.Equal(t, `2`, string(actions[1].Value))
	assert.Equal(t, `true`, string(actions[2].Value))
	var notify []string
	require.NoError(t, json.Unmarshal(actions[3].Value, &notify))
	assert.Equal(t, []string{"requester_id", "Your ticket", "We solved it."}, notify)
	again, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Empty(t, wirecheck.Compare([]byte(payload), again))

	// Triggers carry the same actions.
	var tr zendesk.Trigger
	require.NoError(t, json.Unmarshal([]byte(`{"id":1,"actions":[{"field":"group_id","value":"20455932"},{"field":"set_tags","value":["vip","urgent"]}]}`), &tr))
	assert.Equal(t, `"20455932"`, string(tr.Actions[0].Value), "an id sent as a string stays a string")
	assert.Equal(t, `["vip","urgent"]`, string(tr.Actions[1].Value))
}

func TestNullWhereAnObjectIsUsual(t *testing.T) {
	var tk zendesk.Ticket
	require.NoError(t, json.Unmarshal([]byte(`{"id":1,"via":null,"satisfaction_rating":null,"assignee_id":null,"tags":null,"due_at":null}`), &tk))
	assert.Nil(t, tk.Via)
	assert.Nil(t, tk.SatisfactionRating)
	assert.Nil(t, tk.AssigneeID)
	assert.Nil(t, tk.DueAt)
	var u zendesk.User
	require.NoError(t, json.Unmarshal([]byte(`{"id":2,"photo":null,"user_fields":{"plan":null,"seats":12}}`), &u))
	assert.Nil(t, u.Photo)
	require.NotNil(t, u.UserFields)
	assert.True(t, u.UserFields["plan"].IsNull(), "a null is kept as null")
	seats, err := u.UserFields["seats"].AsInt64()
	require.NoError(t, err)
	assert.Equal(t, int64(12), seats)
}

func TestUnknownEnumValueAndUnknownProperty(t *testing.T) {
	payload := `{"id":7,"status":"waiting_on_moon","priority":"cosmic","type":"incident","brand_new_property":{"added":"later"}}`
	var tk zendesk.Ticket
	require.NoError(t, json.Unmarshal([]byte(payload), &tk), "a value Zendesk adds later decodes")
	assert.Equal(t, zendesk.TicketStatus("waiting_on_moon"), *tk.Status)
	assert.False(t, tk.Status.Valid(), "and is recognizably not one of the documented values")
	assert.True(t, zendesk.TicketStatusOpen.Valid())
	assert.Equal(t, "cosmic", string(*tk.Priority))
	// Unknown properties are dropped by design (see docs/design.md): they
	// do not break decoding.
	again, err := json.Marshal(tk)
	require.NoError(t, err)
	assert.NotContains(t, string(again), "brand_new_property")
	assert.Contains(t, string(again), `"status":"waiting_on_moon"`, "re-encodes the unknown value unchanged")
}

func TestIDsPastTwoToThe53AndStringIDs(t *testing.T) {
	var tk zendesk.Ticket
	require.NoError(t, json.Unmarshal([]byte(`{"id":9007199254740993,"requester_id":9223372036854775807}`), &tk))
	assert.Equal(t, int64(9007199254740993), *tk.ID)
	assert.Equal(t, int64(9223372036854775807), *tk.RequesterID)
	var rec zendesk.CustomObjectRecord
	require.NoError(t, json.Unmarshal([]byte(`{"id":"01GCSJW391QVSC80GYDH7E93Q6","custom_object_fields":{"make":"Tesla","year":2020,"sold":false,"tags":["a"]}}`), &rec))
	assert.Equal(t, "01GCSJW391QVSC80GYDH7E93Q6", *rec.ID)
	assert.Equal(t, `2020`, rec.CustomObjectFields["year"].String())
}

func TestWrongTypesAreErrorsNotSilentZeroes(t *testing.T) {
	for _, payload := range []string{
		`{"id":"not-a-number"}`,
		`{"id":1,"tags":"vip"}`,
		`{"id":1,"created_at":"yesterday"}`,
		`{"id":1,"custom_fields":{"id":1}}`,
	} {
		var tk zendesk.Ticket
		assert.Error(t, json.Unmarshal([]byte(payload), &tk), payload)
	}
}

// TestJobResultsListAndObject: most jobs give one result per item; a
// permanent deletion gives a single {"success": true}. Both decode, each
// only as its own shape, and a queued job's null results stay nil.
func TestJobResultsListAndObject(t *testing.T) {
	var list zendesk.JobStatus
	require.NoError(t, json.Unmarshal([]byte(`{"id":"8b7","status":"completed","results":[{"index":0,"id":35436},{"id":2,"action":"update","success":false,"error":"TicketUpdateFailed","details":"locked"}]}`), &list))
	require.NotNil(t, list.Results)
	items, err := list.Results.AsJobStatusResultList()
	require.NoError(t, err)
	require.Len(t, items, 2)
	assert.Equal(t, 0, *items[0].Index)
	assert.JSONEq(t, `35436`, string(items[0].ID))
	assert.Equal(t, "TicketUpdateFailed", *items[1].Error)
	_, err = list.Results.AsJobStatusSuccess()
	assert.Error(t, err, "a list is not the deletion shape")

	var deletion zendesk.JobStatus
	require.NoError(t, json.Unmarshal([]byte(`{"id":"8b8","job_type":"bulk_delete","status":"completed","results":{"success":true}}`), &deletion))
	require.NotNil(t, deletion.Results)
	ok, err := deletion.Results.AsJobStatusSuccess()
	require.NoError(t, err)
	assert.True(t, *ok.Success)
	_, err = deletion.Results.AsJobStatusResultList()
	assert.Error(t, err, "an object is not a list")
	b, err := json.Marshal(deletion)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"8b8","job_type":"bulk_delete","status":"completed","results":{"success":true}}`, string(b))

	var queued zendesk.JobStatus
	require.NoError(t, json.Unmarshal([]byte(`{"id":"8b9","status":"queued","results":null}`), &queued))
	assert.Nil(t, queued.Results)
}

// ticketAuditPages are two pages of a ticket's audits as Zendesk sends them
// under cursor pagination: meta and links, no next_page, a sideloaded user
// and coordinates with more digits than a float32 holds.
var ticketAuditPages = map[string]string{
	"": `{"audits":[{"id":9001,"ticket_id":35436,"author_id":7,"created_at":"2024-01-15T10:05:00Z",
		"metadata":{"system":{"client":"Mozilla/5.0","ip_address":"203.0.113.10","location":"San Francisco, CA, United States","latitude":37.774929,"longitude":-122.419416},"custom":{}},
		"via":{"channel":"web","source":{"from":{},"to":{},"rel":null}},
		"events":[{"id":1,"type":"Comment","body":"hello","public":true,"author_id":7}]}],
		"users":[{"id":7,"name":"Ada Requester","email":"ada@example.com"}],
		"meta":{"has_more":true,"after_cursor":"xA1","before_cursor":"xA0"},
		"links":{"next":"https://acme.zendesk.com/api/v2/tickets/35436/audits.json?page%5Bafter%5D=xA1&page%5Bsize%5D=100","prev":"https://acme.zendesk.com/api/v2/tickets/35436/audits.json?page%5Bbefore%5D=xA0&page%5Bsize%5D=100"}}`,
	"xA1": `{"audits":[{"id":9002,"ticket_id":35436,"author_id":7,"created_at":"2024-01-15T11:00:00Z","events":[]}],
		"meta":{"has_more":false,"after_cursor":null,"before_cursor":"xA2"},
		"links":{"next":null,"prev":"https://acme.zendesk.com/api/v2/tickets/35436/audits.json?page%5Bbefore%5D=xA2&page%5Bsize%5D=100"}}`,
}

// TestTicketAuditCursorPages decodes a ticket's audits paged the way Zendesk
// pages them (page[size] and page[after] asked, meta and links answered),
// typed and through the iterator.
func TestTicketAuditCursorPages(t *testing.T) {
	var asked []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v2/tickets/35436/audits" {
			http.NotFound(w, r)
			return
		}
		asked = append(asked, r.URL.RawQuery)
		body, ok := ticketAuditPages[r.URL.Query().Get("page[after]")]
		if !ok {
			http.Error(w, `{"error":"InvalidPaginationParameter"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	c, err := zendesk.NewClient("", zendesk.WithBaseURL(srv.URL), zendesk.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	ctx := t.Context()

	size := 100
	resp, err := c.ListTicketAudits(ctx, 35436, &zendesk.ListTicketAuditsParams{PageSize: &size})
	require.NoError(t, err)
	page := resp
	require.NotNil(t, page)
	require.Len(t, page.Audits, 1)
	require.NotNil(t, page.Meta)
	assert.True(t, *page.Meta.HasMore)
	assert.Equal(t, "xA1", *page.Meta.AfterCursor)
	require.NotNil(t, page.Links)
	assert.Contains(t, *page.Links.Next, "page%5Bafter%5D=xA1")
	sys := page.Audits[0].Metadata.System
	require.NotNil(t, sys)
	assert.Equal(t, 37.774929, *sys.Latitude, "float64, all the digits Zendesk sent")
	assert.Equal(t, -122.419416, *sys.Longitude)
	require.NotNil(t, page.Users)
	assert.Equal(t, "ada@example.com", *page.Users[0].Email)

	asked = nil
	var ids []int64
	for a, err := range c.ListTicketAuditsAll(ctx, 35436, nil) {
		require.NoError(t, err)
		ids = append(ids, *a.ID)
	}
	assert.Equal(t, []int64{9001, 9002}, ids)
	assert.Equal(t, []string{"page%5Bsize%5D=100", "page%5Bafter%5D=xA1&page%5Bsize%5D=100"}, asked,
		"the iterator asks for the largest page, then follows meta.after_cursor")
}

// TestEmptyListsAreSentNilListsAreNot: lists and maps are plain values, not
// pointers; a nil one is left out of a request, and an empty one is sent, so
// that "tags": [] still clears a ticket's tags.
func TestEmptyListsAreSentNilListsAreNot(t *testing.T) {
	cases := []struct {
		name string
		in   zendesk.TicketInput
		want string
	}{
		{"nil list left out", zendesk.TicketInput{}, `{}`},
		{"empty list sent", zendesk.TicketInput{Tags: []string{}}, `{"tags":[]}`},
		{"list sent", zendesk.TicketInput{Tags: []string{"vip"}}, `{"tags":["vip"]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.in)
			require.NoError(t, err)
			assert.JSONEq(t, c.want, string(b))
		})
	}
	var u zendesk.User
	require.NoError(t, json.Unmarshal([]byte(`{"id":1,"user_fields":{}}`), &u))
	b, err := json.Marshal(u)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":1,"user_fields":{}}`, string(b), "an empty map read is written back")
}

// TestGettersAreNilSafe reads a ticket's fields through their getters: the
// values Zendesk sent, the zero value for what it left out or nulled, and
// the zero value on a nil ticket, chained through nested structs.
func TestGettersAreNilSafe(t *testing.T) {
	var tk zendesk.Ticket
	require.NoError(t, json.Unmarshal([]byte(`{"id":35436,"subject":"Help","assignee_id":null,"status":"open","created_at":"2024-07-01T12:00:00Z","via":{"channel":"email"}}`), &tk))
	assert.Equal(t, int64(35436), tk.GetID())
	assert.Equal(t, "Help", tk.GetSubject())
	assert.Equal(t, int64(0), tk.GetAssigneeID(), "null reads as zero")
	assert.Nil(t, tk.AssigneeID, "and the field still says it was null")
	assert.Equal(t, zendesk.TicketStatusOpen, tk.GetStatus())
	assert.Equal(t, 2024, tk.GetCreatedAt().Year())
	assert.Equal(t, "", tk.GetDescription(), "absent reads as zero")
	assert.NotNil(t, tk.GetVia())

	var none *zendesk.Ticket
	assert.Equal(t, "", none.GetSubject())
	assert.Equal(t, int64(0), none.GetID())
	assert.Nil(t, none.GetVia())
	assert.True(t, none.GetCreatedAt().IsZero())
}

// TestSettingsKeepKeysTheModelLacks: account settings carry keys Zendesk
// adds all the time. Those the models lack are kept, by name and to the
// byte, beside the named ones, and encode again; a key set by the program
// replaces a field of the same name; a named property of the wrong type is
// an error that names it.
func TestSettingsKeepKeysTheModelLacks(t *testing.T) {
	payload := `{"settings":{"api":{"accepted_api_agreement":true,"api_token_access":"true","new_toggle":{"on":[1,2]},"big":12345678901234567890},"active_features":{"sandbox":false,"fresh_feature":true}}}`
	var env zendesk.AccountSettingsEnvelope
	require.NoError(t, json.Unmarshal([]byte(payload), &env))
	api := env.Settings.API
	require.NotNil(t, api)
	assert.True(t, api.GetAcceptedAPIAgreement())
	assert.Equal(t, "true", api.GetAPITokenAccess())
	assert.Nil(t, api.APIPasswordAccess, "absent stays absent")
	require.Len(t, api.AdditionalProperties, 2, "only the keys the model lacks")
	assert.Equal(t, `{"on":[1,2]}`, api.AdditionalProperties["new_toggle"].String())
	big, found := api.Get("big")
	require.True(t, found)
	assert.Equal(t, "12345678901234567890", big.String(), "kept to the byte")
	fresh, err := env.Settings.ActiveFeatures.AdditionalProperties["fresh_feature"].AsBool()
	require.NoError(t, err)
	assert.True(t, fresh)

	again, err := json.Marshal(env)
	require.NoError(t, err)
	assert.JSONEq(t, payload, string(again), "encoded again, nothing lost")
	assert.Contains(t, string(again), "12345678901234567890")

	api.Set("api_token_access", zendesk.Value("false"))
	api.Set("added", zendesk.Value(nil))
	b, err := json.Marshal(api)
	require.NoError(t, err)
	assert.JSONEq(t, `{"accepted_api_agreement":true,"api_token_access":"false","new_toggle":{"on":[1,2]},"big":12345678901234567890,"added":null}`, string(b))

	var empty zendesk.AccountSettingsAPI
	b, err = json.Marshal(empty)
	require.NoError(t, err)
	assert.Equal(t, `{}`, string(b))

	var bad zendesk.AccountSettingsAPI
	err = json.Unmarshal([]byte(`{"accepted_api_agreement":"yes"}`), &bad)
	assert.ErrorContains(t, err, "accepted_api_agreement")
	assert.Error(t, json.Unmarshal([]byte(`{"api_token_access":`), &bad), "cut JSON")
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &bad), "not an object")
}
