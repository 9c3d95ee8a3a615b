package zendesktest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Uploads. Upload Files keeps the bytes it is sent and answers with an
// upload token and the file's attachment, whose content_url is on the
// server (/attachments/token/<file token>/?name=<filename>). A comment that
// names the token in its uploads gets the upload's attachments, and the
// token is consumed; a token nobody used, or an unknown one, is ignored, as
// on Zendesk. The attachment's bytes are served at its content_url, to any
// caller, for the life of the server. ShowAttachment shows uploaded
// attachments, and answers other ids with its example.

// attachmentBase is the first id of uploaded attachments.
const attachmentBase int64 = 90_000_000_001

// uploadTTL is how long an upload token is valid.
const uploadTTL = 3 * 24 * time.Hour

// upload is an upload token and its files.
type upload struct {
	token       string
	expires     time.Time
	attachments []rec
}

// file is the content of an uploaded file.
type file struct {
	data        []byte
	contentType string
}

// uploadStore holds the uploads not yet attached, the uploaded files by
// their token, and the attachments by id.
type uploadStore struct {
	uploads     map[string]*upload
	files       map[string]file
	attachments map[int64]rec
	next        int64
}

func (st *state) registerUploads() {
	st.up = &uploadStore{uploads: map[string]*upload{}, files: map[string]file{}, attachments: map[int64]rec{}, next: attachmentBase}
	st.handlers["UploadFile"] = st.uploadFile
	st.handlers["ShowAttachment"] = st.showAttachment
}

// randomToken is a token of n random bytes, in hex.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (st *state) uploadFile(c *call) (*reply, *apiError) {
	q := c.r.URL.Query()
	name := q.Get("filename")
	if strings.TrimSpace(name) == "" {
		return nil, errInvalidParam("filename must not be empty")
	}
	var up *upload
	if tok := q.Get("token"); tok != "" {
		up = st.up.uploads[tok]
		if up == nil || !c.now.Before(up.expires) {
			return nil, errNotFound("upload " + tok)
		}
	} else {
		up = &upload{token: randomToken(12), expires: c.now.Add(uploadTTL)}
		st.up.uploads[up.token] = up
	}
	ct := c.r.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/binary"
	}
	fileTok := randomToken(16)
	st.up.files[fileTok] = file{data: append([]byte(nil), c.body...), contentType: ct}
	id := st.up.next
	st.up.next++
	content := fmt.Sprintf("%s/attachments/token/%s/?name=%s", st.s.URL, fileTok, url.QueryEscape(name))
	a := rec{
		"id": id, "url": st.d.url("attachments", id), "file_name": name,
		"content_url": content, "mapped_content_url": content, "content_type": ct,
		"size": len(c.body), "width": nil, "height": nil, "inline": false, "deleted": false,
		"malware_access_override": false, "malware_scan_result": "malware_not_found", "thumbnails": []any{},
	}
	st.up.attachments[id] = a
	up.attachments = append(up.attachments, a)
	return c.ok(rec{"upload": rec{
		"token": up.token, "expires_at": up.expires.UTC().Format(time.RFC3339),
		"attachment": a, "attachments": append([]any(nil), toAnys(up.attachments)...),
	}})
}

func toAnys(rs []rec) []any {
	out := make([]any, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}

func (st *state) showAttachment(c *call) (*reply, *apiError) {
	id, apiErr := c.pathID("attachment_id")
	if apiErr != nil {
		return nil, apiErr
	}
	a, ok := st.up.attachments[id]
	if !ok {
		// Not uploaded here: the documented example, as before uploads
		// were kept (generated comments have no attachments to look up).
		return st.s.exampleReply(c.op), nil
	}
	return c.ok(rec{"attachment": a})
}

// takeUploads consumes the upload tokens a comment input names and returns
// their attachments.
func (st *state) takeUploads(cm rec, now time.Time) []any {
	out := []any{}
	for _, t := range strList(cm["uploads"]) {
		tok, _ := t.(string)
		up := st.up.uploads[tok]
		if up == nil || !now.Before(up.expires) {
			continue
		}
		delete(st.up.uploads, tok)
		out = append(out, toAnys(up.attachments)...)
	}
	return out
}

// serveFile answers a GET of an uploaded file's content_url; ok is false
// when path is not a file URL.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/attachments/token/")
	if !ok {
		return false
	}
	tok := strings.TrimSuffix(rest, "/")
	s.mu.Lock()
	f, found := s.st.up.files[tok]
	s.mu.Unlock()
	if !found || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		s.writeError(w, nil, &apiError{status: http.StatusNotFound, code: "InvalidEndpoint", desc: "The page you were looking for doesn't exist"})
		return true
	}
	s.counters.update(func(st *Stats) { st.Statuses[http.StatusOK]++ })
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(f.data)
	}
	return true
}
