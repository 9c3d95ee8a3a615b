package zendesktest_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// TestUploadAttachDownload uploads files of random bytes, attaches them to
// comments (on creation, on update, two files under one token), and
// downloads each attachment's content_url with Client.Download: the bytes
// must come back exactly.
func TestUploadAttachDownload(t *testing.T) {
	leakCheck(t)
	srv := zendesktest.NewServer(t, zendesktest.WithTickets(3), zendesktest.WithUsers(3), zendesktest.WithResponseValidation())
	client, err := srv.Client()
	require.NoError(t, err)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(13, 42))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}

	type upFile struct {
		name, contentType string
		data              []byte
	}
	cases := []struct {
		name   string
		files  []upFile // uploaded under one token
		update bool     // attach with an update rather than a creation
	}{
		{"one binary file on a new ticket", []upFile{{"crash.bin", "application/binary", random(4096)}}, false},
		{"two files under one token", []upFile{{"a.png", "image/png", random(3000)}, {"b.log", "text/plain", random(5121)}}, false},
		{"a file on an update", []upFile{{"trace.dat", "application/octet-stream", random(6000)}}, true},
		{"a one-byte file", []upFile{{"one.txt", "text/plain", []byte{0}}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			token := ""
			for _, f := range tc.files {
				params := &zendesk.UploadFileParams{Filename: f.name}
				if token != "" {
					params.Token = &token
				}
				var raw *http.Response
				resp, err := client.UploadFile(ctx, params, f.contentType, bytes.NewReader(f.data), zendesk.KeepResponse(&raw))
				require.NoError(t, err)
				require.Equal(t, 201, raw.StatusCode)
				up := resp.Upload
				if token == "" {
					token = *up.Token
				}
				assert.Equal(t, token, *up.Token, "later files join the first file's upload")
				assert.Equal(t, f.name, *up.Attachment.FileName)
				assert.Equal(t, int64(len(f.data)), int64(*up.Attachment.Size))
			}

			comment := &zendesk.TicketCommentInput{Body: ptr("Files attached."), Uploads: []string{token}}
			var ticketID int64
			if tc.update {
				ticketID = 2
				_, err := client.UpdateTicket(ctx, ticketID, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{Comment: comment}})
				require.NoError(t, err)
			} else {
				created, err := client.CreateTicket(ctx, &zendesk.CreateTicketParams{}, zendesk.CreateTicketJSONRequestBody{Ticket: zendesk.TicketInput{Subject: ptr(tc.name), Comment: comment}})
				require.NoError(t, err)
				ticketID = *created.Ticket.ID
			}

			comments, err := client.ListTicketComments(ctx, ticketID, &zendesk.ListTicketCommentsParams{})
			require.NoError(t, err)
			last := comments.Comments[len(comments.Comments)-1]
			require.NotNil(t, last.Attachments)
			require.Len(t, last.Attachments, len(tc.files), "the comment has the upload's files")
			for i, a := range last.Attachments {
				f := tc.files[i]
				assert.Equal(t, f.name, *a.FileName)
				assert.Equal(t, f.contentType, *a.ContentType)
				var got bytes.Buffer
				n, err := client.Download(ctx, *a.ContentURL, &got)
				require.NoError(t, err)
				assert.Equal(t, int64(len(f.data)), n)
				assert.True(t, bytes.Equal(f.data, got.Bytes()), "%s comes back byte for byte", f.name)

				shown, err := client.ShowAttachment(ctx, *a.ID)
				require.NoError(t, err)
				assert.Equal(t, *a.ContentURL, *shown.Attachment.ContentURL)
			}

			// The token is consumed: naming it again attaches nothing.
			again, err := client.UpdateTicket(ctx, ticketID, zendesk.UpdateTicketJSONRequestBody{Ticket: zendesk.TicketInput{
				Comment: &zendesk.TicketCommentInput{Body: ptr("Again."), Uploads: []string{token}},
			}})
			require.NoError(t, err)
			require.NotNil(t, again.Audit)
			comments, err = client.ListTicketComments(ctx, ticketID, &zendesk.ListTicketCommentsParams{})
			require.NoError(t, err)
			assert.Empty(t, comments.Comments[len(comments.Comments)-1].Attachments)
		})
	}

	// A content URL the server never gave out is a 404.
	var sink bytes.Buffer
	_, err = client.Download(ctx, srv.URL+"/attachments/token/nope/?name=x.bin", &sink)
	var apiErr *zendesk.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.StatusCode)
}
