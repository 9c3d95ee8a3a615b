package zendesk

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// TokenSource gives OAuth access tokens, refreshing them when they expire.
// Token is called for every request and should cache; the client never
// logs or prints what it returns.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// TokenSourceFunc adapts a function to TokenSource.
type TokenSourceFunc func(ctx context.Context) (string, error)

// Token calls f; a nil f gives an error (WithTokenSource refuses one).
func (f TokenSourceFunc) Token(ctx context.Context) (string, error) {
	if f == nil {
		return "", errors.New("nil TokenSourceFunc")
	}
	return f(ctx)
}

// credentials authenticate requests. Their fmt and slog renderings never
// show the secret.
type credentials struct {
	email  string // API token auth
	secret string // API token or static OAuth token
	source TokenSource
}

func (c *credentials) String() string {
	if c == nil {
		return "none"
	}
	switch {
	case c.source != nil:
		return "OAuth token source"
	case c.email != "":
		return "API token for " + c.email + " (secret redacted)"
	default:
		return "OAuth token (redacted)"
	}
}

// GoString keeps %#v from printing the secret.
func (c *credentials) GoString() string { return c.String() }

// Format keeps every fmt verb from printing the secret.
func (c *credentials) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue keeps slog from printing the secret.
func (c *credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// header returns the Authorization header value for a request.
func (c *credentials) header(ctx context.Context) (string, error) {
	switch {
	case c.source != nil:
		tok, err := c.source.Token(ctx)
		if err != nil {
			return "", fmt.Errorf("zendesk: token source: %w", err)
		}
		if tok == "" {
			return "", fmt.Errorf("zendesk: token source gave an empty token")
		}
		if hasControl(tok) {
			return "", fmt.Errorf("zendesk: token source gave a token with control characters")
		}
		return "Bearer " + tok, nil
	case c.email != "":
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.email+"/token:"+c.secret)), nil
	default:
		return "Bearer " + c.secret, nil
	}
}

// authTransport adds credentials to requests for the configured Zendesk
// host, and to no other: a redirect elsewhere, or an attachment's
// content_url on another host, goes out without them. It works on a clone,
// never on the caller's request.
type authTransport struct {
	base   http.RoundTripper
	scheme string
	host   string // host[:port], lower case
	creds  *credentials
	agent  string
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if t.agent != "" && r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", t.agent)
	}
	ours := strings.EqualFold(r.URL.Host, t.host) && r.URL.Scheme == t.scheme
	if !ours {
		// No Authorization header, whoever set it, leaves for another host.
		r.Header.Del("Authorization")
	}
	if t.creds != nil && ours {
		h, err := t.creds.header(req.Context())
		if err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
		r.Header.Set("Authorization", h)
	}
	resp, err := t.base.RoundTrip(r)
	if resp != nil {
		// net/http makes the request a transport was given the response's
		// Request: that is r, which carries the credentials. The caller's
		// response carries the request it made, without them.
		resp.Request = req
	}
	return resp, err
}
