package zendesk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxErrorBody caps how much of an error response is read.
const maxErrorBody = 1 << 20

// maxDetailsShown is how many field errors an APIError's message lists.
const maxDetailsShown = 10

// APIError is a response Zendesk answered with a status other than 2xx.
// Every operation returns it (or a *RateLimitError, which unwraps to it)
// for such a response; match it with errors.As.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Method and URL are the request's; the URL has credentials and secret
	// query parameters removed.
	Method, URL string
	// Code is Zendesk's error code ("RecordNotFound", "RecordInvalid",
	// "InvalidEndpoint"), or the title of an error object (at most 200
	// bytes: Body has all of it).
	Code string
	// Description is Zendesk's description of the error, or what could be
	// read of a non-JSON error page (at most 500 bytes: Body has all of
	// it).
	Description string
	// Details holds per-field validation errors (RecordInvalid), by field.
	Details map[string][]ErrorDetail
	// RequestID is the X-Zendesk-Request-Id header: quote it to Zendesk
	// support.
	RequestID string
	// Body is the start of the raw response body (up to 1 MiB is read).
	Body []byte
	// Header is the response's header.
	Header http.Header
}

// Error says what failed, where, and what Zendesk said.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "zendesk: %s %s: %d %s", e.Method, shortURL(e.URL), e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	if len(e.Details) > 0 {
		var fields []string
		for f, ds := range e.Details {
			for _, d := range ds {
				if d.Description != nil {
					fields = append(fields, clip(f, 100)+" "+clip(*d.Description, 200))
				} else if d.Error != nil {
					fields = append(fields, clip(f, 100)+" "+clip(*d.Error, 200))
				}
			}
		}
		slices.Sort(fields)
		// A message stays readable whatever the body: the first field
		// errors, and how many more Details holds.
		if more := len(fields) - maxDetailsShown; more > 0 {
			fields = append(fields[:maxDetailsShown], fmt.Sprintf("and %d more", more))
		}
		b.WriteString(" (" + strings.Join(fields, "; ") + ")")
	}
	if e.RequestID != "" {
		b.WriteString(" [request id " + e.RequestID + "]")
	}
	return b.String()
}

// HTTPStatus is the response's status code.
func (e *APIError) HTTPStatus() int { return e.StatusCode }

// RateLimitError is a 429 (or a 503 with Retry-After) that the client did not
// wait out: retries were off or exhausted, Zendesk asked to wait longer than
// the retry policy's MaxRetryAfter, or the request could not be sent again
// (a body that cannot be read twice; a 503 on a call not safe to repeat).
// Every 429 that ends a call is one.
type RateLimitError struct {
	APIError
	// RetryAfter is how long Zendesk asked to wait; when it did not say
	// (no Retry-After), the backoff the client would have waited, or 0.
	RetryAfter time.Duration
}

// Error includes the wait Zendesk asked for.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%s (retry after %s)", e.APIError.Error(), e.RetryAfter)
}

// Unwrap gives the APIError, so errors.As finds either.
func (e *RateLimitError) Unwrap() error { return &e.APIError }

// newAPIError reads (at most maxErrorBody of) a non-2xx response and closes
// its body.
func newAPIError(resp *http.Response) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Header: resp.Header, RequestID: resp.Header.Get("X-Zendesk-Request-Id")}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.URL = redactURL(resp.Request.URL)
	}
	if resp.Body != nil {
		e.Body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}
	e.Code, e.Description, e.Details = parseErrorBody(e.Body, resp.Header.Get("Content-Type"))
	return e
}

// parseErrorBody reads Zendesk's error bodies:
//
//	{"error": "RecordNotFound", "description": "Not found"}
//	{"error": "RecordInvalid", "description": "...", "details": {"field": [{"description": "...", "error": "..."}]}}
//	{"error": {"title": "Forbidden", "message": "You do not have access"}}
//	{"errors": [{"title": "...", "detail": "..."}]}
//
// and falls back, for HTML pages, empty or other bodies, on the page title or
// the start of the text. It never fails.
func parseErrorBody(body []byte, contentType string) (code, desc string, details map[string][]ErrorDetail) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var v struct {
			Error       json.RawMessage            `json:"error"`
			Description json.RawMessage            `json:"description"`
			Details     map[string]json.RawMessage `json:"details"`
			Errors      []struct {
				Title  string `json:"title"`
				Detail string `json:"detail"`
				Code   string `json:"code"`
			} `json:"errors"`
		}
		if json.Unmarshal(trimmed, &v) == nil {
			var s string
			var obj struct {
				Title   string `json:"title"`
				Message string `json:"message"`
			}
			switch {
			case json.Unmarshal(v.Error, &s) == nil:
				code = s
			case json.Unmarshal(v.Error, &obj) == nil:
				code, desc = obj.Title, obj.Message
			}
			if json.Unmarshal(v.Description, &s) == nil && s != "" {
				desc = s
			}
			if len(v.Errors) > 0 {
				if code == "" {
					code = firstNonEmpty(v.Errors[0].Code, v.Errors[0].Title)
				}
				if desc == "" {
					desc = v.Errors[0].Detail
				}
			}
			code, desc = clip(code, 200), clip(desc, 500)
			for field, raw := range v.Details {
				var ds []ErrorDetail
				if json.Unmarshal(raw, &ds) != nil {
					var one ErrorDetail
					if json.Unmarshal(raw, &one) != nil {
						continue
					}
					ds = []ErrorDetail{one}
				}
				if details == nil {
					details = map[string][]ErrorDetail{}
				}
				details[field] = ds
			}
			return code, desc, details
		}
		// Cut off (a body over the cap) or broken later on: read what its
		// start says.
		if code, desc = partialErrorBody(trimmed); code != "" || desc != "" {
			return code, desc, nil
		}
	}
	if len(trimmed) == 0 {
		return "", "", nil
	}
	if m := htmlTitle().FindSubmatch(trimmed); m != nil {
		return "", "HTML error page: " + clip(collapse(string(m[1])), 200), nil
	}
	if strings.Contains(contentType, "html") || bytes.HasPrefix(trimmed, []byte("<")) {
		return "", "HTML error page: " + clip(collapse(stripTags(string(trimmed))), 200), nil
	}
	return "", clip(collapse(string(trimmed)), 200), nil
}

// partialErrorBody reads the top-level "error" and "description" strings of
// a JSON object that does not parse as a whole.
func partialErrorBody(b []byte) (code, desc string) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", ""
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return code, desc
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return code, desc
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			switch key {
			case "error":
				code = clip(s, 200)
			case "description":
				desc = clip(s, 500)
			}
		}
	}
	return code, desc
}

// The expressions that read HTML error pages are compiled at the first
// such page, not when every program starts.
var (
	htmlTitle = lazyRegexp(`(?is)<title[^>]*>(.*?)</title>`)
	tags      = lazyRegexp(`(?s)<[^>]*>`)
	blanks    = lazyRegexp(`\s+`)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

func stripTags(s string) string { return tags().ReplaceAllString(s, " ") }
func collapse(s string) string  { return strings.TrimSpace(blanks().ReplaceAllString(s, " ")) }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// maxURLShown is the longest URL a message shows whole: a call with a few
// hundred ids in its query would otherwise print kilobytes of them.
const maxURLShown = 200

// shortURL is u as a message shows it: whole when short, else its query
// cut after the last parameter or list item that fits, with the number of
// bytes left out. APIError.URL keeps it whole.
func shortURL(u string) string {
	if len(u) <= maxURLShown {
		return u
	}
	base, query, ok := strings.Cut(u, "?")
	if !ok || len(base) >= maxURLShown-20 {
		return clip(u, maxURLShown) + fmt.Sprintf("(%d bytes)", len(u))
	}
	keep := maxURLShown - len(base) - 1
	if i := strings.LastIndexAny(query[:keep], "&,"); i > keep/2 {
		keep = i
	} else {
		// Do not cut a percent escape in two.
		for j := max(keep-2, 0); j < keep; j++ {
			if query[j] == '%' {
				keep = j
			}
		}
	}
	for keep > 0 && query[keep]&0xC0 == 0x80 {
		keep-- // nor a character
	}
	return fmt.Sprintf("%s?%s…(%d more bytes)", base, query[:keep], len(query)-keep)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// secretParams are query parameters whose values never appear in errors or
// logs: credentials, OAuth codes, and the signatures and tokens of the
// presigned file-storage URLs Zendesk redirects attachment downloads to (S3,
// Google Cloud Storage, Azure). Names are matched without regard to case.
var secretParams = []string{
	"token", "access_token", "refresh_token", "password", "api_token", "client_secret", "code",
	"x-amz-signature", "x-amz-credential", "x-amz-security-token",
	"x-goog-signature", "x-goog-credential",
	"signature", "sig",
}

// redactURL renders a URL without user info or fragment, with secret query values
// replaced, and without the token of an attachment URL's path
// (/attachments/token/{token}/, which gives access to the file).
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	c.Fragment, c.RawFragment = "", "" // where OAuth puts access tokens
	if c.RawQuery != "" {
		// The query as sent, unless it holds a secret or does not parse:
		// then as parsed (pairs that do not parse are dropped, not shown),
		// secrets replaced.
		q, err := url.ParseQuery(c.RawQuery)
		secret := false
		for k := range q {
			if slices.ContainsFunc(secretParams, func(s string) bool { return strings.EqualFold(k, s) }) {
				q[k] = []string{"REDACTED"}
				secret = true
			}
		}
		if secret || err != nil {
			c.RawQuery = q.Encode()
		}
	}
	if before, after, ok := strings.Cut(c.Path, "/attachments/token/"); ok {
		rest := ""
		if i := strings.IndexByte(after, '/'); i >= 0 {
			rest = after[i:]
		}
		c.Path, c.RawPath = before+"/attachments/token/REDACTED"+rest, ""
	}
	return c.String()
}

// IsNotFound reports whether err is an APIError with status 404.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound
}
