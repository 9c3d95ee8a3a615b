// Package connect gives the examples their client: real Zendesk when
// ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and ZENDESK_API_TOKEN are set, the
// embedded fake Zendesk (zendesktest) otherwise.
package connect

import (
	"fmt"
	"os"

	"github.com/zdapi/zendesk"
	"github.com/zdapi/zendesk/zendesktest"
)

// Conn is a connected client.
type Conn struct {
	Client *zendesk.Client
	// Fake is true when the client talks to the embedded fake Zendesk.
	Fake bool
	// Where says which Zendesk the client talks to.
	Where string
	close func()
}

// Close stops the fake Zendesk, if one was started.
func (c *Conn) Close() { c.close() }

// Options are the fake's data set and the client options used with it.
type Options struct {
	Fake       []zendesktest.Option
	FakeClient []zendesk.Option
}

// Open returns a connected client.
func Open(o Options) (*Conn, error) {
	sub, email, token := os.Getenv("ZENDESK_SUBDOMAIN"), os.Getenv("ZENDESK_EMAIL"), os.Getenv("ZENDESK_API_TOKEN")
	if sub != "" && email != "" && token != "" {
		c, err := zendesk.NewClient(sub, zendesk.WithAPIToken(email, token))
		if err != nil {
			return nil, err
		}
		return &Conn{Client: c, Where: fmt.Sprintf("using real Zendesk at %s as %s", c.BaseURL(), email), close: func() {}}, nil
	}
	srv, err := zendesktest.Start(o.Fake...)
	if err != nil {
		return nil, err
	}
	c, err := srv.Client(o.FakeClient...)
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &Conn{Client: c, Fake: true, close: srv.Close,
		Where: fmt.Sprintf("using the embedded fake Zendesk at %s (set ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and ZENDESK_API_TOKEN to use yours)", srv.URL)}, nil
}
