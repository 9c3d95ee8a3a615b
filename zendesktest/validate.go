package zendesktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// apiError is an error answer in Zendesk's shape.
type apiError struct {
	status  int
	code    string
	desc    string
	details map[string][]map[string]string
	header  map[string]string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.desc) }

func (e *apiError) body() rec {
	b := rec{"error": e.code}
	if e.desc != "" {
		b["description"] = e.desc
	}
	if len(e.details) > 0 {
		d := rec{}
		for k, v := range e.details {
			items := make([]any, len(v))
			for i, m := range v {
				items[i] = m
			}
			d[k] = items
		}
		b["details"] = d
	}
	return b
}

func errNotFound(what string) *apiError {
	return &apiError{status: http.StatusNotFound, code: "RecordNotFound", desc: "Not found: " + what}
}

func errInvalidParam(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidParameter", desc: fmt.Sprintf(format, args...)}
}

// validationOptions are the options of every request validation: the
// server checks credentials itself, before validation, and leaves the
// request as the client sent it.
var validationOptions = &openapi3filter.Options{
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	MultiError:          true,
	SkipSettingDefaults: true,
}

// validateRequest checks a request against its operation in the spec. body
// is the request's body, already read; the request's Body is replaced.
func validateRequest(ctx context.Context, o *operation, r *http.Request, params map[string]string, body []byte) *apiError {
	r.Body = io.NopCloser(bytes.NewReader(body))
	// A request body the operation does not take is refused.
	if o.op.RequestBody == nil && len(bytes.TrimSpace(body)) > 0 && r.Method != http.MethodGet {
		return errInvalidParam("%s takes no request body", o.ID)
	}
	// A JSON body that does not parse gets a plain answer, not the
	// validator's.
	if o.op.RequestBody != nil && isJSON(r.Header.Get("Content-Type")) && len(body) > 0 && !json.Valid(body) {
		var v any
		err := json.Unmarshal(body, &v)
		return errInvalidParam("the request body is not valid JSON: %v", err)
	}
	input := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: o.route, Options: validationOptions}
	err := openapi3filter.ValidateRequest(ctx, input)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err == nil {
		return nil
	}
	return describeValidation(err)
}

// undeclaredQuery refuses the query parameters the operation does not
// declare: the validator lets them through, and a client that misspells a
// parameter would otherwise never learn that Zendesk ignores it.
func undeclaredQuery(o *operation, q url.Values) *apiError {
	var unknown []string
	for name := range q {
		if !o.query[name] {
			unknown = append(unknown, strconv.Quote(name))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	if len(unknown) == 1 {
		return errInvalidParam("parameter %s in query is not a parameter of %s", unknown[0], o.ID)
	}
	return errInvalidParam("parameters %s in query are not parameters of %s", strings.Join(unknown, ", "), o.ID)
}

func isJSON(ct string) bool {
	ct = strings.ToLower(ct)
	return strings.HasPrefix(ct, "application/json") || strings.Contains(ct, "+json")
}

// describeValidation turns the validator's errors into a Zendesk error:
// InvalidParameter for parameters, RecordInvalid (with details by field)
// for bodies. The description names every violation.
func describeValidation(err error) *apiError {
	var errs []error
	var me openapi3.MultiError
	if errors.As(err, &me) {
		errs = flatten(me)
	} else {
		errs = []error{err}
	}
	var params, fields []string
	details := map[string][]map[string]string{}
	for _, e := range errs {
		var re *openapi3filter.RequestError
		if !errors.As(e, &re) {
			params = append(params, clipText(e.Error(), 300))
			continue
		}
		switch {
		case re.Parameter != nil:
			params = append(params, fmt.Sprintf("parameter %q in %s: %s", re.Parameter.Name, re.Parameter.In, reasonOf(re)))
		default:
			schemaErrs := schemaErrors(re.Err)
			if len(schemaErrs) == 0 {
				// Not a field's value: the body itself (missing, of
				// another media type).
				params = append(params, "request body: "+reasonOf(re))
				continue
			}
			for _, se := range schemaErrs {
				field := strings.Join(se.JSONPointer(), ".")
				if field == "" {
					field = "(body)"
				}
				reason := se.Reason
				if reason == "" {
					reason = "does not match the schema's " + se.SchemaField
				}
				if len(se.Schema.Enum) > 0 && se.SchemaField == "enum" {
					reason = fmt.Sprintf("value %s is not one of the allowed values %s", clipText(jsonText(se.Value), 60), clipText(jsonText(se.Schema.Enum), 200))
				}
				fields = append(fields, field+": "+reason)
				details[field] = append(details[field], map[string]string{"description": reason, "error": "InvalidValue"})
			}
		}
	}
	if len(params) > 0 {
		all := append(params, fields...)
		return &apiError{status: http.StatusBadRequest, code: "InvalidParameter", desc: strings.Join(dedupe(all), "; ")}
	}
	return &apiError{status: http.StatusBadRequest, code: "RecordInvalid", desc: "Record validation errors: " + strings.Join(dedupe(fields), "; "), details: details}
}

func flatten(me openapi3.MultiError) []error {
	var out []error
	for _, e := range me {
		var inner openapi3.MultiError
		if errors.As(e, &inner) && len(inner) > 0 {
			var re *openapi3filter.RequestError
			if errors.As(e, &re) && (re.Parameter != nil || re.RequestBody != nil) {
				out = append(out, e)
				continue
			}
			out = append(out, flatten(inner)...)
			continue
		}
		out = append(out, e)
	}
	return out
}

// schemaErrors digs the schema errors out of a body validation error.
func schemaErrors(err error) []*openapi3.SchemaError {
	var out []*openapi3.SchemaError
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			out = append(out, se)
		}
	}
	walk(err)
	return out
}

// reasonOf is a parameter or body error's reason without the schema dump
// the validator appends.
func reasonOf(re *openapi3filter.RequestError) string {
	if ses := schemaErrors(re.Err); len(ses) > 0 {
		var parts []string
		for _, se := range ses {
			r := se.Reason
			if len(se.Schema.Enum) > 0 && se.SchemaField == "enum" {
				r = fmt.Sprintf("value %s is not one of the allowed values %s", clipText(jsonText(se.Value), 60), clipText(jsonText(se.Schema.Enum), 200))
			}
			if p := strings.Join(se.JSONPointer(), "."); p != "" {
				r = p + ": " + r
			}
			parts = append(parts, r)
		}
		return strings.Join(parts, "; ")
	}
	reason := re.Reason
	if re.Err != nil {
		var pe *openapi3filter.ParseError
		if errors.As(re.Err, &pe) {
			reason = strings.TrimSpace(reason + " " + pe.Error())
		} else if reason == "" {
			reason = re.Err.Error()
		} else if !strings.Contains(reason, re.Err.Error()) {
			reason += ": " + re.Err.Error()
		}
	}
	return clipText(strings.Join(strings.Fields(reason), " "), 300)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// validateResponse checks an answer against the spec: its status is
// documented and its body matches the status's schema.
func validateResponse(ctx context.Context, o *operation, r *http.Request, params map[string]string, status int, header http.Header, body []byte) error {
	if status >= 400 {
		return nil // error answers are Zendesk's shape, not the spec's
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: o.route, Options: validationOptions},
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		var msgs []string
		for _, se := range schemaErrors(err) {
			msgs = append(msgs, strings.Join(se.JSONPointer(), ".")+": "+se.Reason)
		}
		sort.Strings(msgs)
		if len(msgs) == 0 {
			msgs = []string{clipText(err.Error(), 500)}
		}
		return fmt.Errorf("%s: the %d answer does not match the spec: %s", o.ID, status, strings.Join(dedupe(msgs), "; "))
	}
	return nil
}
