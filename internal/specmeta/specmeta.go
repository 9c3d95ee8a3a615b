// Package specmeta decodes the x-zendesk-* annotations of spec/zendesk.yaml:
// the one place the spec records, per operation, how it paginates, whether it
// answers with a background job, its own rate limit, its sideloads, whether it
// is safe to repeat and where it knowingly departs from the connector doc.
package specmeta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Extension names.
const (
	ExtDocTitle    = "x-zendesk-doc-title"
	ExtPagination  = "x-zendesk-pagination"
	ExtJob         = "x-zendesk-job"
	ExtSideloads   = "x-zendesk-sideloads"
	ExtRateLimit   = "x-zendesk-rate-limit"
	ExtIdempotency = "x-zendesk-idempotency"
	ExtRetryUnsafe = "x-zendesk-retry-unsafe"
	ExtErrata      = "x-zendesk-doc-errata"
	ExtFreeForm    = "x-zendesk-free-form"
	ExtTodo        = "x-zendesk-todo"
)

// Pagination styles.
const (
	StyleCursor            = "cursor"
	StyleOffset            = "offset"
	StyleCursorOffset      = "cursor+offset"
	StyleIncrementalTime   = "incremental-time"
	StyleIncrementalCursor = "incremental-cursor"
)

// Styles lists the valid pagination styles.
var Styles = []string{StyleCursor, StyleOffset, StyleCursorOffset, StyleIncrementalTime, StyleIncrementalCursor}

// Pagination is x-zendesk-pagination.
type Pagination struct {
	// Style is one of Styles.
	Style string `json:"style"`
	// Items is the response property holding the page's records.
	Items string `json:"items"`
	// ItemsAlternatives are the properties that hold the records instead of
	// Items for some requests (an endpoint whose records' type depends on a
	// parameter); the iterator then yields raw JSON records.
	ItemsAlternatives []string `json:"items-alternatives,omitempty"`
	// MaxPageSize is the most records a page holds, where Zendesk states it.
	MaxPageSize int `json:"max-page-size,omitempty"`
	// SizeParam names the page-size query parameter when it is not the
	// style's usual one (page[size] for cursor, per_page otherwise).
	SizeParam string `json:"size-param,omitempty"`
	// CursorParam names the cursor query parameter when it is not the
	// style's usual one (page[after] for cursor, cursor for incremental).
	CursorParam string `json:"cursor-param,omitempty"`
	// Source says where the fact comes from when the connector doc does not
	// state it (the doc is silent on some endpoints Zendesk paginates).
	Source string `json:"source,omitempty"`
}

// Sideload is one entry of x-zendesk-sideloads.
type Sideload struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Always is true when Zendesk sends the sideload with every response,
	// with no include parameter to ask for it.
	Always bool `json:"always,omitempty"`
	// Property names the response property the sideload fills when it is
	// not its name (comment_events fills each event's child_events).
	Property string `json:"property,omitempty"`
}

// RateLimit is x-zendesk-rate-limit: the operation's own limit.
type RateLimit struct {
	// Requests are allowed per Seconds.
	Requests int `json:"requests"`
	Seconds  int `json:"seconds"`
	// Per is what the limit counts per, as documented ("view", "agent").
	Per []string `json:"per,omitempty"`
	// Key lists the path parameters whose values key separate budgets
	// (view_id for "per view"); empty means one budget for the operation.
	Key []string `json:"key,omitempty"`
	// AppliesTo names the only callers it binds ("anonymous users"), if any.
	AppliesTo string `json:"applies-to,omitempty"`
	// Unpaced, when set, says why clients do not pace the operation: its
	// budget is counted per something they cannot key on (a value of the
	// request body, such as the end user a call creates or updates). Every
	// Per that is neither the account, the calling agent nor named by Key
	// needs it.
	Unpaced string `json:"unpaced,omitempty"`
	// Doc is the documented sentence, or the rule it follows from.
	Doc string `json:"doc,omitempty"`
}

// Errata is x-zendesk-doc-errata: facts the connector doc states for this
// endpoint that the spec knowingly does not follow, each with the reason.
// Each entry excuses one fact and nothing else.
type Errata struct {
	// Pagination excuses documented pagination facts, by fact: "style" (the
	// doc says it paginates, or in another style) and "max-page-size".
	Pagination map[string]string `json:"pagination,omitempty"`
	Job        string            `json:"job,omitempty"`
	Sideloads  string            `json:"sideloads,omitempty"`
	RateLimit  string            `json:"rate-limit,omitempty"`
	// Parameters excuses documented "(Required)" flags the spec does not
	// follow, by parameter name (for example two parameters of which Zendesk
	// needs only one).
	Parameters map[string]string `json:"parameters,omitempty"`
	// Reference excuses what the spec knowingly declares otherwise than
	// Zendesk's published OpenAPI reference (spec/reference).
	Reference *ReferenceErrata `json:"reference,omitempty"`
}

// Doc reports whether any entry excuses a fact of the connector doc.
func (e *Errata) Doc() bool {
	return e != nil && (len(e.Pagination) > 0 || e.Job != "" || e.Sideloads != "" || e.RateLimit != "" || len(e.Parameters) > 0)
}

// ReferenceErrata are the departures from the reference, each with its
// reason. On an operation: Parameters by parameter name (as the spec
// names it: page[size]), StatusCodes (its 2xx codes) and RequestBody (the
// spec takes no JSON body). On a schema: Properties, by property name, for
// a property the spec lacks or types otherwise.
type ReferenceErrata struct {
	Parameters  map[string]string `json:"parameters,omitempty"`
	StatusCodes *string           `json:"status-codes,omitempty"`
	RequestBody *string           `json:"request-body,omitempty"`
	Properties  map[string]string `json:"properties,omitempty"`
}

// SchemaErrata is x-zendesk-doc-errata on a schema: only reference errata
// about its own properties.
type SchemaErrata struct {
	Reference *ReferenceErrata `json:"reference"`
}

// DecodeSchemaErrata reads a schema's x-zendesk-doc-errata value, which
// may only hold reference.properties.
func DecodeSchemaErrata(v any) (ReferenceErrata, error) {
	var e SchemaErrata
	if err := strictRemarshal(v, &e); err != nil {
		return ReferenceErrata{}, err
	}
	if e.Reference == nil {
		return ReferenceErrata{}, fmt.Errorf("a schema's errata are reference errata: reference.properties")
	}
	r := *e.Reference
	if len(r.Parameters) > 0 || r.StatusCodes != nil || r.RequestBody != nil {
		return ReferenceErrata{}, fmt.Errorf("a schema's reference errata name properties only")
	}
	return r, nil
}

// Errata facts of pagination.
const (
	ErratumStyle       = "style"
	ErratumMaxPageSize = "max-page-size"
)

// Operation holds an operation's decoded annotations.
type Operation struct {
	DocTitle    string
	Pagination  *Pagination
	Job         bool
	Sideloads   []Sideload
	RateLimit   *RateLimit
	Idempotency bool
	// RetryUnsafe, when set, says why repeating the operation adds
	// something (a comment, an email) although its method is one that is
	// retried: clients then retry it only when Zendesk surely did not
	// process it.
	RetryUnsafe string
	Errata      *Errata
	FreeForm    string
	Todo        []string
}

// Decode reads an operation's annotations from its extensions (as decoded
// from JSON or YAML into generic values). Unknown fields, wrong types and
// invalid values are errors naming the extension.
func Decode(ext map[string]any) (Operation, error) {
	var op Operation
	var errs []string
	get := func(name string, into any) bool {
		v, ok := ext[name]
		if !ok {
			return false
		}
		if err := strictRemarshal(v, into); err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", name, err))
			return false
		}
		return true
	}
	get(ExtDocTitle, &op.DocTitle)
	var p Pagination
	if get(ExtPagination, &p) {
		if !slices.Contains(Styles, p.Style) {
			errs = append(errs, fmt.Sprintf("%s: style %q is not one of %s", ExtPagination, p.Style, strings.Join(Styles, ", ")))
		}
		if p.Items == "" {
			errs = append(errs, fmt.Sprintf("%s: items is required", ExtPagination))
		}
		op.Pagination = &p
	}
	get(ExtJob, &op.Job)
	get(ExtSideloads, &op.Sideloads)
	var rl RateLimit
	if get(ExtRateLimit, &rl) {
		if rl.Requests <= 0 || rl.Seconds <= 0 {
			errs = append(errs, fmt.Sprintf("%s: requests and seconds must be positive", ExtRateLimit))
		}
		errs = append(errs, rl.check()...)
		op.RateLimit = &rl
	}
	get(ExtIdempotency, &op.Idempotency)
	if get(ExtRetryUnsafe, &op.RetryUnsafe) && strings.TrimSpace(op.RetryUnsafe) == "" {
		errs = append(errs, fmt.Sprintf("%s: give the reason, not an empty string", ExtRetryUnsafe))
	}
	var e Errata
	if get(ExtErrata, &e) {
		op.Errata = &e
	}
	get(ExtFreeForm, &op.FreeForm)
	if v, ok := ext[ExtTodo]; ok {
		switch t := v.(type) {
		case string:
			op.Todo = []string{t}
		default:
			get(ExtTodo, &op.Todo)
		}
	}
	for name := range ext {
		if strings.HasPrefix(name, "x-zendesk-") && !slices.Contains(known, name) {
			errs = append(errs, fmt.Sprintf("%s: unknown extension (known: %s)", name, strings.Join(known, ", ")))
		}
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return op, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return op, nil
}

// known lists the operation extensions Decode reads.
var known = []string{ExtDocTitle, ExtPagination, ExtJob, ExtSideloads, ExtRateLimit, ExtIdempotency, ExtRetryUnsafe, ExtErrata, ExtFreeForm, ExtTodo}

// callerWide are the documented "per" values a client covers without a key:
// it calls as one agent of one account.
var callerWide = []string{"account", "agent"}

// check reports a budget counted per something neither keyed nor declared
// unpaced (a client would pace calls that do not share a budget as if they
// did), and an unpaced limit that also names keys.
func (rl RateLimit) check() []string {
	var errs []string
	if rl.Unpaced != "" {
		if strings.TrimSpace(rl.Unpaced) == "" {
			errs = append(errs, fmt.Sprintf("%s: unpaced: give the reason, not an empty string", ExtRateLimit))
		}
		if len(rl.Key) > 0 {
			errs = append(errs, fmt.Sprintf("%s: unpaced and key exclude each other: an unpaced limit has no keyed budgets", ExtRateLimit))
		}
		return errs
	}
	for _, per := range rl.Per {
		param := strings.ReplaceAll(per, " ", "_") + "_id"
		if slices.Contains(callerWide, per) || slices.Contains(rl.Key, param) {
			continue
		}
		errs = append(errs, fmt.Sprintf("%s: counted per %q, which is neither the account, the agent nor a key (%s): name its path parameter in key, or say in unpaced why a client cannot",
			ExtRateLimit, per, param))
	}
	return errs
}

func strictRemarshal(v any, into any) error {
	if raw, ok := v.(json.RawMessage); ok {
		v = raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(into)
}

// DefaultSizeParam is the page-size parameter a style uses unless the
// annotation names another.
func (p Pagination) DefaultSizeParam() string {
	if p.SizeParam != "" {
		return p.SizeParam
	}
	switch p.Style {
	case StyleCursor, StyleCursorOffset:
		return "page[size]"
	default:
		return "per_page"
	}
}

// DefaultCursorParam is the cursor parameter a style uses unless the
// annotation names another ("" for offset and time-based styles).
func (p Pagination) DefaultCursorParam() string {
	if p.CursorParam != "" {
		return p.CursorParam
	}
	switch p.Style {
	case StyleCursor, StyleCursorOffset:
		return "page[after]"
	case StyleIncrementalCursor:
		return "cursor"
	default:
		return ""
	}
}
