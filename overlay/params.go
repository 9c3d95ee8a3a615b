package overlay

import (
	"encoding"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The parameters of Zendesk's operations are strings, integers, booleans,
// enums (named strings), times, lists of those and one map: what the
// OpenAPI styles below say for them is all the client needs to write.

// queryParam is the query fragment of one parameter, form style: name=v,
// a list as name=a,b (or name=a&name=b when explode), a map as k=v&k2=v2
// in key order. Names and values are escaped as query components.
func queryParam(name string, v reflect.Value, explode bool) (string, error) {
	key := url.QueryEscape(name)
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		parts, err := listStrings(v, url.QueryEscape)
		if err != nil {
			return "", err
		}
		if explode {
			return key + "=" + strings.Join(parts, "&"+key+"="), nil
		}
		return key + "=" + strings.Join(parts, ","), nil
	case reflect.Map:
		keys := make([]string, 0, v.Len())
		values := map[string]string{}
		for it := v.MapRange(); it.Next(); {
			k, err := paramString(it.Key())
			if err != nil {
				return "", err
			}
			s, err := paramString(it.Value())
			if err != nil {
				return "", err
			}
			keys = append(keys, k)
			values[k] = s
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = url.QueryEscape(k) + "=" + url.QueryEscape(values[k])
		}
		return strings.Join(parts, "&"), nil
	}
	s, err := paramString(v)
	if err != nil {
		return "", err
	}
	return key + "=" + url.QueryEscape(s), nil
}

// simpleParam is a path segment or header value, simple style: the value,
// a list comma separated. A path segment is escaped as one.
func simpleParam(v reflect.Value, path bool) (string, error) {
	esc := func(s string) string {
		if path {
			return url.PathEscape(s)
		}
		return s
	}
	if v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
		parts, err := listStrings(v, esc)
		if err != nil {
			return "", err
		}
		return strings.Join(parts, ","), nil
	}
	s, err := paramString(v)
	if err != nil {
		return "", err
	}
	return esc(s), nil
}

// listStrings is the text of each item of the list v, escaped by esc.
func listStrings(v reflect.Value, esc func(string) string) ([]string, error) {
	parts := make([]string, v.Len())
	for i := range parts {
		s, err := paramString(v.Index(i))
		if err != nil {
			return nil, err
		}
		parts[i] = esc(s)
	}
	return parts, nil
}

var timeType = reflect.TypeFor[time.Time]()

// paramString is the text of one value: a time in RFC 3339, a number in
// decimal, a boolean as true or false, a string (or an enum) as itself,
// anything else by its encoding.TextMarshaler.
func paramString(v reflect.Value) (string, error) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "", fmt.Errorf("a nil %s", v.Type())
		}
		v = v.Elem()
	}
	if v.Type().ConvertibleTo(timeType) && v.Kind() == reflect.Struct {
		return v.Convert(timeType).Interface().(time.Time).Format(time.RFC3339Nano), nil
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10), nil
	case reflect.Float32:
		return strconv.FormatFloat(v.Float(), 'f', -1, 32), nil
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64), nil
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), nil
	}
	if v.CanInterface() {
		if m, ok := v.Interface().(encoding.TextMarshaler); ok {
			b, err := m.MarshalText()
			return string(b), err
		}
	}
	return "", fmt.Errorf("a %s cannot be a parameter", v.Type())
}
