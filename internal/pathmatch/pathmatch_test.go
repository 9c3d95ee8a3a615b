package pathmatch

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatch(t *testing.T) {
	tb := New[string]()
	for _, r := range [][2]string{
		{"GET", "/api/v2/tickets/{ticket_id}"}, {"GET", "/api/v2/tickets/count"}, {"DELETE", "/api/v2/tickets/{ticket_id}"},
		{"GET", "/api/v2/{target_type}/{target_id}/relationship_fields/{field_id}/{source_type}"},
		{"GET", "/api/v2/custom_objects/{custom_object_key}/records/{custom_object_record_id}"},
	} {
		tb.Add(r[0], r[1], r[0]+" "+r[1])
	}
	cases := []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/api/v2/tickets/123", "GET /api/v2/tickets/{ticket_id}", map[string]string{"ticket_id": "123"}},
		{"GET", "/api/v2/tickets/123.json", "GET /api/v2/tickets/{ticket_id}", map[string]string{"ticket_id": "123"}},
		{"GET", "/api/v2/tickets/count", "GET /api/v2/tickets/count", map[string]string{}},
		{"DELETE", "/api/v2/tickets/9", "DELETE /api/v2/tickets/{ticket_id}", map[string]string{"ticket_id": "9"}},
		{"GET", "/api/v2/zen:user/7/relationship_fields/3/zen:ticket", "GET /api/v2/{target_type}/{target_id}/relationship_fields/{field_id}/{source_type}",
			map[string]string{"target_type": "zen:user", "target_id": "7", "field_id": "3", "source_type": "zen:ticket"}},
		{"GET", "/api/v2/custom_objects/car/records/01GC%2FX", "GET /api/v2/custom_objects/{custom_object_key}/records/{custom_object_record_id}",
			map[string]string{"custom_object_key": "car", "custom_object_record_id": "01GC/X"}},
		{"GET", "/api/v2/custom_objects/car/records/a%2541", "GET /api/v2/custom_objects/{custom_object_key}/records/{custom_object_record_id}",
			map[string]string{"custom_object_key": "car", "custom_object_record_id": "a%41"}},
		{"GET", "/api/v2/tick%65ts/5", "GET /api/v2/tickets/{ticket_id}", map[string]string{"ticket_id": "5"}},
		{"GET", "/api/v2/tickets/", "", nil},
		{"GET", "/api/v2/tickets/5/", "", nil},
		{"GET", "/api/v2/tickets/5.json/", "", nil},
		{"GET", "api/v2/tickets/5", "", nil},
		{"PUT", "/api/v2/tickets/1", "", nil},
		{"GET", "/api/v2/tickets/1/extra", "", nil},
	}
	for _, c := range cases {
		got, params, ok := tb.Match(c.method, c.path)
		assert.Equal(t, c.want != "", ok, c.path)
		assert.Equal(t, c.want, got, c.path)
		if ok {
			assert.Equal(t, c.params, params, c.path)
		}
	}
}
