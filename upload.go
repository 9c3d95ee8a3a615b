package zendesk

import (
	"context"
	"io"
	"mime"
	"path"
)

// Upload uploads a file for attaching to a ticket comment: name is the
// file's name as the comment will show it, r its content. The content
// type comes from the name's extension (mime.TypeByExtension: "notes.txt"
// is sent as text/plain), or is application/binary, Zendesk's type for a
// file of unknown type, when the extension says nothing. Put the returned
// Upload.Token in a comment's Uploads to attach the file.
//
// To add a file to an existing upload, or to choose the content type, call
// UploadFile, of which Upload is the short form.
func (c *Client) Upload(ctx context.Context, name string, r io.Reader, opts ...CallOption) (*UploadEnvelope, error) {
	return c.UploadFile(ctx, &UploadFileParams{Filename: name}, uploadType(name), r, opts...)
}

// uploadType is the content type of a file named name.
func uploadType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/binary"
}
