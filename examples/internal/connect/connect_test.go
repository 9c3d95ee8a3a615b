package connect_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zdapi/zendesk/examples/internal/connect"
)

const secret = "s3cr3t-api-token"

func setEnv(t *testing.T, sub, email, token string) {
	t.Setenv("ZENDESK_SUBDOMAIN", sub)
	t.Setenv("ZENDESK_EMAIL", email)
	t.Setenv("ZENDESK_API_TOKEN", token)
}

// TestOpenRefusesPartialConfiguration: with some but not all of the
// ZENDESK_* variables set, Open fails naming what is missing, instead of
// quietly using the fake.
func TestOpenRefusesPartialConfiguration(t *testing.T) {
	cases := []struct {
		sub, email, token, want string
	}{
		{"acme", "", "", "ZENDESK_SUBDOMAIN is set but ZENDESK_EMAIL and ZENDESK_API_TOKEN are not"},
		{"", "agent@example.com", "", "ZENDESK_EMAIL is set but ZENDESK_SUBDOMAIN and ZENDESK_API_TOKEN are not"},
		{"", "", secret, "ZENDESK_API_TOKEN is set but ZENDESK_SUBDOMAIN and ZENDESK_EMAIL are not"},
		{"acme", "agent@example.com", " ", "ZENDESK_SUBDOMAIN and ZENDESK_EMAIL are set but ZENDESK_API_TOKEN is not"},
		{"acme", "", secret, "ZENDESK_SUBDOMAIN and ZENDESK_API_TOKEN are set but ZENDESK_EMAIL is not"},
	}
	for _, c := range cases {
		setEnv(t, c.sub, c.email, c.token)
		conn, err := connect.Open(connect.Options{})
		require.Error(t, err, c.want)
		assert.Nil(t, conn)
		assert.Contains(t, err.Error(), c.want)
		assert.Contains(t, err.Error(), "set all three to use your Zendesk, or none to use the embedded fake")
		assert.NotContains(t, err.Error(), secret)
	}
}

// TestOpenReadsTheSubdomainAsPeopleWriteIt: acme, acme.zendesk.com and
// https://acme.zendesk.com all mean acme; anything else is refused.
func TestOpenReadsTheSubdomainAsPeopleWriteIt(t *testing.T) {
	for _, sub := range []string{"acme", "acme.zendesk.com", "https://acme.zendesk.com", "https://acme.zendesk.com/", " ACME.Zendesk.com "} {
		setEnv(t, sub, "agent@example.com", secret)
		conn, err := connect.Open(connect.Options{})
		require.NoError(t, err, sub)
		assert.False(t, conn.Fake, sub)
		assert.Equal(t, "https://acme.zendesk.com", conn.Client.BaseURL(), sub)
		assert.Equal(t, "using real Zendesk at https://acme.zendesk.com as agent@example.com", conn.Where)
		conn.Close()
	}
	for _, sub := range []string{"http://acme.zendesk.com", "acme.example.com", "https://acme.zendesk.com/agent", "ac me", "-acme", "https://"} {
		setEnv(t, sub, "agent@example.com", secret)
		_, err := connect.Open(connect.Options{})
		require.Error(t, err, sub)
		assert.Contains(t, err.Error(), "ZENDESK_SUBDOMAIN", sub)
		assert.NotContains(t, err.Error(), secret)
	}
}

// TestOpenWithNothingSetUsesTheFake: with no ZENDESK_* variable set, Open
// starts the embedded fake.
func TestOpenWithNothingSetUsesTheFake(t *testing.T) {
	setEnv(t, "", "", "")
	conn, err := connect.Open(connect.Options{})
	require.NoError(t, err)
	defer conn.Close()
	assert.True(t, conn.Fake)
	assert.Contains(t, conn.Where, "using the embedded fake Zendesk")
}
