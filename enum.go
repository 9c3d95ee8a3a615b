package zendesk

import "strings"

// oneOf reports whether v is one of values, a list of strings each ended
// by a NUL byte ("closed\x00open\x00"): the Valid method of every string
// enum of the models is one call of it, with a constant list of the enum's
// values (api/templates/constants.tmpl).
func oneOf(v, values string) bool {
	for values != "" {
		x, rest, _ := strings.Cut(values, "\x00")
		if x == v {
			return true
		}
		values = rest
	}
	return false
}
