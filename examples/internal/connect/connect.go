// Package connect gives the examples their client: real Zendesk when
// ZENDESK_SUBDOMAIN, ZENDESK_EMAIL and ZENDESK_API_TOKEN are set, the
// embedded fake Zendesk (zendesktest) when none is, and an error when only
// some are.
package connect

import (
	"fmt"
	"os"
	"strings"

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

// EnvVars are the variables that point the examples at a real Zendesk;
// with none of them set, Open starts the embedded fake.
var EnvVars = []string{"ZENDESK_SUBDOMAIN", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN"}

// Open returns a connected client: to real Zendesk when the three ZENDESK_*
// variables are set, to the embedded fake when none is. Some but not all of
// them set is an error naming the missing ones (a typo would otherwise run
// the example against the fake without a word).
func Open(o Options) (*Conn, error) {
	var set, missing []string
	for _, v := range EnvVars {
		if strings.TrimSpace(os.Getenv(v)) != "" {
			set = append(set, v)
		} else {
			missing = append(missing, v)
		}
	}
	switch {
	case len(missing) == 0:
		return openReal()
	case len(set) > 0:
		return nil, fmt.Errorf("%s set but %s not: set all three to use your Zendesk, or none to use the embedded fake",
			list(set, "is", "are"), list(missing, "is", "are"))
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

func openReal() (*Conn, error) {
	sub, err := Subdomain(os.Getenv("ZENDESK_SUBDOMAIN"))
	if err != nil {
		return nil, err
	}
	email := strings.TrimSpace(os.Getenv("ZENDESK_EMAIL"))
	c, err := zendesk.NewClient(sub, zendesk.WithAPIToken(email, strings.TrimSpace(os.Getenv("ZENDESK_API_TOKEN"))))
	if err != nil {
		return nil, fmt.Errorf("ZENDESK_* variables: %w", err)
	}
	return &Conn{Client: c, Where: fmt.Sprintf("using real Zendesk at %s as %s", c.BaseURL(), email), close: func() {}}, nil
}

// Subdomain reads ZENDESK_SUBDOMAIN's value as people write it: "acme",
// "acme.zendesk.com" or "https://acme.zendesk.com" (with or without a
// trailing slash) are all the subdomain acme.
func Subdomain(v string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	s = strings.TrimSuffix(s, "/")
	if rest, ok := strings.CutPrefix(s, "https://"); ok {
		s = rest
	} else if strings.Contains(s, "://") {
		return "", fmt.Errorf("ZENDESK_SUBDOMAIN %q: Zendesk is reached over https only", v)
	}
	s = strings.TrimSuffix(s, ".zendesk.com")
	if s == "" || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || strings.HasPrefix(s, "-") {
		return "", fmt.Errorf("ZENDESK_SUBDOMAIN %q is not a Zendesk subdomain: write acme, acme.zendesk.com or https://acme.zendesk.com", v)
	}
	return s, nil
}

// list names variables for a sentence: "A is", "A and B are", "A, B and C are".
func list(names []string, one, many string) string {
	switch len(names) {
	case 1:
		return names[0] + " " + one
	default:
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " " + many
	}
}
