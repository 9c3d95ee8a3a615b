package zendesk

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUploadNamesTheType: Upload sends the file under its name, with the
// content type its extension gives, application/binary when it gives none.
func TestUploadNamesTheType(t *testing.T) {
	var mu sync.Mutex
	var types []string
	capture := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		types = append(types, r.Header.Get("Content-Type"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"upload":{"token":"6bk3gql82em5nmf"}}`))
	}
	client, rec, _ := newTestClient(t, []answer{{handler: capture}})
	for _, c := range []struct{ name, want string }{
		{"notes.txt", "text/plain"},
		{"scan.PDF", "application/pdf"},
		{"printer photo.png", "image/png"},
		{"README", "application/binary"},
		{"archive.zzunknown", "application/binary"},
	} {
		up, err := client.Upload(context.Background(), c.name, strings.NewReader("content of "+c.name))
		require.NoError(t, err, c.name)
		assert.Equal(t, "6bk3gql82em5nmf", up.Upload.GetToken())
		mu.Lock()
		got := types[len(types)-1]
		mu.Unlock()
		assert.True(t, strings.HasPrefix(got, c.want), "%s sent as %q, want %s", c.name, got, c.want)
		r := rec.got()[len(rec.got())-1]
		assert.Equal(t, "POST /api/v2/uploads", r.method+" "+r.path)
		assert.Equal(t, "filename="+strings.ReplaceAll(c.name, " ", "+"), r.query)
		assert.Equal(t, "content of "+c.name, r.body)
	}
}
