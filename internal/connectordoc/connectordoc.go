// Package connectordoc reads the Zendesk Support connector documentation
// (spec/connector-docs/zendesk-support-v1r1.txt) into an inventory of
// endpoints: method, title, description, parameter descriptions with their
// required flags, and the facts the spec annotates — pagination style, page
// size, sideloads, background jobs and stated rate limits.
//
// The documentation lists titles and descriptions but neither paths nor
// parameter names; paths come from the endpoint index (endpoints.tsv), read by
// ReadIndex.
package connectordoc

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Methods are the HTTP methods an endpoint block can start with.
var Methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// Endpoint is one documented endpoint.
type Endpoint struct {
	// Line is the 1-based line of the method line that opens the block.
	Line int
	// Method is the HTTP method, upper case.
	Method string
	// Title is the exact documented title, e.g. "Count: Count Tickets".
	Title string
	// Resource is the part of the title before ": " ("Count").
	Resource string
	// Summary is the part of the title after ": ", without the stray "1" some
	// repeated titles carry ("Bulk Delete Memberships1" gives
	// "Bulk Delete Memberships").
	Summary string
	// Text is the block's prose between the title and the parameter table,
	// one entry per line, bullet markers removed.
	Text []string
	// AllowedFor lists who may call the endpoint, as documented.
	AllowedFor []string
	// Params are the parameter table's rows that describe something (the
	// connector's own rows, "N/A", are dropped), in documented order.
	Params []Param
	// NamedParams are query parameters the prose documents by name in a
	// markdown table (Available Parameters, Optional, Filters, Request
	// Parameters).
	NamedParams []NamedParam
	// BodyFields are request body properties the prose documents by name in a
	// markdown table (Request Parameters of a write, Additional properties,
	// Request Body Properties).
	BodyFields []NamedParam
	// Pagination is what the block says about pagination; its Style is empty
	// when the endpoint is not documented as paginated.
	Pagination Pagination
	// Sideloads are the documented sideload names, in order.
	Sideloads []Sideload
	// Job is true when the endpoint is documented to answer with a job_status
	// and do its work in a background job.
	Job bool
	// RateLimits are the endpoint's own documented rate limits. An
	// incremental export that states none gets the limit the doc states for
	// incremental exports in general (Incremental Sample Export: "instead of
	// 10 requests per minute"), marked Derived.
	RateLimits []RateLimit
}

// IsIncrementalExport reports whether the title names an incremental export.
func (ep Endpoint) IsIncrementalExport() bool {
	return strings.Contains(ep.Title, "Incremental") && strings.Contains(ep.Title, "Export")
}

// Param is one described row of an endpoint's parameter table.
type Param struct {
	// Line is the 1-based line where the description starts.
	Line int
	// Description is the row's text with "(Required)" removed.
	Description string
	// Required is true when the row starts with "(Required)".
	Required bool
}

// NamedParam is a parameter or body field documented with its name in a
// markdown table of the prose.
type NamedParam struct {
	Line        int
	Name        string
	Type        string
	Description string
	// Required is true when the table's Mandatory or Required column says so.
	Required bool
}

// Pagination styles, as used by the spec's x-zendesk-pagination annotation.
const (
	StyleCursor            = "cursor"
	StyleOffset            = "offset"
	StyleCursorOffset      = "cursor+offset"
	StyleIncrementalTime   = "incremental-time"
	StyleIncrementalCursor = "incremental-cursor"
)

// Pagination is what an endpoint block says about paging.
type Pagination struct {
	// Style is one of the Style constants, or "" when not paginated.
	Style string
	// MaxPageSize is the documented maximum number of records per page, or 0
	// when the block states none.
	MaxPageSize int
	// Evidence is the documented sentence the style was derived from.
	Evidence string
}

// Sideload is a documented sideload.
type Sideload struct {
	Name        string
	Description string
	// Always is true when the doc says the endpoint sideloads it with every
	// response ("Also sideloads the following"), with no include parameter.
	Always bool
}

// RateLimit is an endpoint's own documented limit: Requests per Seconds.
type RateLimit struct {
	Requests int
	Seconds  int
	// Per lists what the limit is counted per, as documented ("view",
	// "agent", "account", "end user profile"); empty when not stated.
	Per []string
	// AppliesTo names the only callers the limit binds, when documented
	// ("anonymous users"); empty when it binds every caller.
	AppliesTo string
	// Sentence is the documented sentence.
	Sentence string
	// Line is where the sentence is.
	Line int
	// Derived is true when the limit is the doc's general limit for
	// incremental exports rather than a sentence of the endpoint's own block.
	Derived bool
}

// Doc is a parsed connector document.
type Doc struct {
	// Declared is the endpoint count the document announces in its overview.
	Declared  int
	Endpoints []Endpoint
}

// ParseError is a problem with the document itself, at a line.
type ParseError struct {
	Line int
	Msg  string
}

// Error gives the line and the problem.
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

var (
	titleRe    = regexp.MustCompile(`^([^:\s][^:]*): (\S.*)$`)
	declaredRe = regexp.MustCompile(`documents all (\d+) endpoints`)
)

// Parse reads a connector document. It fails, never panics, on a document
// that is empty, foreign (no endpoint blocks), truncated (fewer endpoints than
// it declares, or a block without its parameter table) or malformed.
func Parse(src []byte) (*Doc, error) {
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	if strings.TrimSpace(text) == "" {
		return nil, &ParseError{Msg: "connector doc is empty"}
	}
	lines := strings.Split(text, "\n")
	doc := &Doc{}
	for i, l := range lines {
		if i > 10 {
			break
		}
		if m := declaredRe.FindStringSubmatch(l); m != nil {
			doc.Declared, _ = strconv.Atoi(m[1])
		}
	}
	if doc.Declared == 0 {
		return nil, &ParseError{Line: 1, Msg: `not a connector doc: no "documents all N endpoints" overview in its first lines`}
	}
	var starts []int
	for i := 0; i+1 < len(lines); i++ {
		if isMethod(lines[i]) && titleRe.MatchString(lines[i+1]) {
			starts = append(starts, i)
		}
	}
	if len(starts) == 0 {
		return nil, &ParseError{Msg: "not a connector doc: no endpoint block (a method line followed by a \"Resource: Title\" line)"}
	}
	for k, s := range starts {
		end := len(lines)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		ep, err := parseBlock(lines, s, end)
		if err != nil {
			return nil, err
		}
		doc.Endpoints = append(doc.Endpoints, ep)
	}
	applyIncrementalLimit(doc, lines)
	if len(doc.Endpoints) != doc.Declared {
		return nil, &ParseError{Line: len(lines), Msg: fmt.Sprintf("connector doc declares %d endpoints but has %d (truncated?)", doc.Declared, len(doc.Endpoints))}
	}
	return doc, nil
}

func isMethod(s string) bool {
	for _, m := range Methods {
		if s == m {
			return true
		}
	}
	return false
}

// parseBlock parses lines[start:end], the block of one endpoint.
func parseBlock(lines []string, start, end int) (Endpoint, error) {
	ep := Endpoint{Line: start + 1, Method: lines[start], Title: lines[start+1]}
	m := titleRe.FindStringSubmatch(ep.Title)
	ep.Resource, ep.Summary = m[1], strayOne.ReplaceAllString(m[2], "$1")

	// The parameter table is the block's last "Parameters" heading followed by
	// the "| Parameter Name | Description |" header.
	table := -1
	for i := end - 5; i > start+1; i-- {
		if lines[i] == "Parameters" && lines[i+1] == "|" && lines[i+2] == "Parameter Name |" &&
			lines[i+3] == "Description |" && lines[i+4] == "|---|---|" {
			table = i
			break
		}
	}
	if table < 0 {
		return ep, &ParseError{Line: ep.Line, Msg: fmt.Sprintf("%s %q has no parameter table (truncated block?)", ep.Method, ep.Title)}
	}
	rows, err := parseRows(lines, table+5, end)
	if err != nil {
		return ep, err
	}
	// Every table opens with the connector's three own rows and closes with
	// one more; all four read "N/A". Rows between them describe parameters,
	// or read "N/A" where the connector passes a request body.
	if len(rows) < 4 {
		return ep, &ParseError{Line: table + 1, Msg: fmt.Sprintf("%s %q: parameter table has %d rows, want at least 4", ep.Method, ep.Title, len(rows))}
	}
	for _, r := range rows[3 : len(rows)-1] {
		if r.Description == "N/A" {
			continue
		}
		ep.Params = append(ep.Params, r)
	}

	ep.Text = proseLines(lines[start+2 : table])
	ep.AllowedFor = sectionItems(ep.Text, isAllowedHeading)
	ep.NamedParams, ep.BodyFields = tableParams(ep.Method, lines, start+2, table)
	ep.Sideloads = paramSideloads(sideloads(ep.Text), ep.Params)
	ep.Job = isJob(ep)
	ep.RateLimits = rateLimits(lines, start+2, table)
	ep.Pagination = pagination(ep)
	return ep, nil
}

var strayOne = regexp.MustCompile(`([a-z])1$`)

// parseRows reads table rows from lines[i:end]. A row is two "|" lines and a
// description that ends with " |", or, in the quirk where a description lost
// its ending, runs until a lone "|".
func parseRows(lines []string, i, end int) ([]Param, error) {
	var rows []Param
	for i < end {
		if lines[i] == "" {
			i++
			continue
		}
		if lines[i] == "|" && (i+1 >= end || (lines[i+1] == "|" && i+2 >= end)) {
			return nil, &ParseError{Line: i + 1, Msg: "parameter table: row without a description (truncated?)"}
		}
		if lines[i] != "|" || i+1 >= end || lines[i+1] != "|" {
			return nil, &ParseError{Line: i + 1, Msg: fmt.Sprintf("parameter table: want a row opening with two \"|\" lines, got %q", lines[i])}
		}
		i += 2
		first := i + 1
		var parts []string
		closed := false
		for i < end {
			l := lines[i]
			if l == "|" {
				// A lone "|" closes a description that lost its " |", unless it
				// opens the next row (then the next line is "|" too and the one
				// after is text).
				if !(i+2 < end && lines[i+1] == "|" && lines[i+2] != "|") || len(parts) == 0 {
					i++
				}
				closed = true
				break
			}
			i++
			if strings.HasSuffix(l, " |") {
				parts = append(parts, strings.TrimSuffix(l, " |"))
				closed = true
				break
			}
			parts = append(parts, l)
		}
		if !closed || len(parts) == 0 {
			return nil, &ParseError{Line: first, Msg: "parameter table: row without a description (truncated?)"}
		}
		d := strings.TrimSpace(strings.Join(parts, " "))
		p := Param{Line: first, Description: d}
		if rest, ok := strings.CutPrefix(d, "(Required)"); ok {
			p.Required = true
			p.Description = strings.TrimSpace(rest)
		}
		rows = append(rows, p)
	}
	return rows, nil
}

// proseLines drops the bullet markers ("-" lines) and trims a trailing " -"
// that the doc leaves on list items.
func proseLines(ls []string) []string {
	var out []string
	for _, l := range ls {
		t := strings.TrimSpace(l)
		if t == "-" || t == "" {
			continue
		}
		out = append(out, strings.TrimSuffix(t, " -"))
	}
	return out
}

func isAllowedHeading(l string) bool {
	l = strings.TrimLeft(l, "# ")
	l = strings.TrimSuffix(l, ":")
	return strings.EqualFold(l, "Allowed For")
}

// headings that close a section of prose.
var headings = map[string]bool{
	"Pagination": true, "Sideloads": true, "Sideloading": true, "Rate Limit": true, "Rate limits": true,
	"Availability": true, "Stability": true, "Response": true, "Parameters": true, "Available Parameters": true,
	"Optional": true, "Filters": true, "Request Parameters": true, "Limits": true, "Response Format": true,
	"Sorting": true, "Example": true, "Examples:": true, "Example request": true, "Example Request": true,
	"Example Request Body": true, "Example Response": true, "Note": true, "JSON Format": true,
	"Errors JSON Format": true, "Authenticity Token": true, "Additional properties": true, "Filter": true,
	"Results limit": true, "Request Body Properties": true, "Creating tickets": true, "Field limits": true,
}

func isHeading(l string) bool {
	t := strings.TrimLeft(l, "# ")
	return headings[t] || isAllowedHeading(l) || strings.HasSuffix(t, "rate limit")
}

// sectionItems returns the lines under the first heading isStart accepts, up
// to the next heading.
func sectionItems(text []string, isStart func(string) bool) []string {
	var out []string
	in := false
	for _, l := range text {
		if in {
			if isHeading(l) {
				break
			}
			out = append(out, l)
			continue
		}
		in = isStart(l)
	}
	return out
}

// tableParams reads the markdown tables of named parameters that some blocks
// carry in their prose. Tables under "Available Parameters", "Optional" and
// "Filters", and under "Request Parameters" of a GET or DELETE, name query
// parameters; tables under "Request Parameters" of a POST, PUT or PATCH,
// "Additional properties" and "Request Body Properties" name request body
// fields, with a Mandatory or Required column when the doc gives one.
func tableParams(method string, lines []string, start, end int) (query, body []NamedParam) {
	section := ""
	var header []string
	for i := start; i < end; i++ {
		l := strings.TrimSpace(lines[i])
		switch l {
		case "Available Parameters", "Optional", "Filters", "Request Parameters", "Additional properties", "Request Body Properties":
			section, header = l, nil
			continue
		}
		if section == "" {
			continue
		}
		if !strings.HasPrefix(l, "|") {
			if isHeading(l) {
				section = ""
			}
			continue
		}
		cells := splitCells(l)
		if header == nil {
			header = cells
			continue
		}
		if len(cells) < 2 || strings.HasPrefix(cells[0], "--") {
			continue
		}
		name := strings.ReplaceAll(cells[0], `\_`, "_")
		if !paramName.MatchString(name) {
			continue
		}
		np := NamedParam{Line: i + 1, Name: name}
		for c, h := range header {
			if c >= len(cells) {
				break
			}
			v := cells[c]
			switch strings.ToLower(h) {
			case "type":
				np.Type = v
			case "mandatory", "required":
				np.Required = strings.EqualFold(v, "yes") || strings.EqualFold(v, "true")
			case "comment", "description", "value":
				np.Description = v
			}
		}
		isBody := section == "Additional properties" || section == "Request Body Properties" ||
			(section == "Request Parameters" && method != "GET" && method != "DELETE")
		if isBody {
			body = append(body, np)
		} else {
			query = append(query, np)
		}
	}
	return query, body
}

var paramName = regexp.MustCompile(`^[a-z][a-z0-9_\[\]]*$`)

func splitCells(l string) []string {
	l = strings.TrimPrefix(strings.TrimSpace(l), "|")
	l = strings.TrimSuffix(l, "|")
	var cells []string
	for _, c := range strings.Split(l, "|") {
		cells = append(cells, strings.TrimSpace(c))
	}
	return cells
}

var (
	sideloadSentence = regexp.MustCompile(`supports the (\w+) sideload`)
	alsoSideloads    = regexp.MustCompile(`^Also sideloads the following`)
	sideloadItem     = regexp.MustCompile(`^(\w+) - (.+)$`)
)

// sideloads reads the "| Name | Will sideload" tables, the "Also sideloads the
// following" lists (sideloads sent with every response: Always) and "supports
// the X sideload" sentences.
func sideloads(text []string) []Sideload {
	var out []Sideload
	seen := map[string]bool{}
	add := func(name, desc string, always bool) {
		if !seen[name] {
			seen[name] = true
			out = append(out, Sideload{Name: name, Description: desc, Always: always})
		}
	}
	inTable, inList := false, false
	for _, l := range text {
		switch {
		case strings.HasPrefix(l, "| Name | Will sideload"):
			inTable = true
			continue
		case alsoSideloads.MatchString(l):
			inList = true
			continue
		}
		if inTable {
			if !strings.HasPrefix(l, "|") {
				inTable = false
			} else if c := splitCells(l); len(c) >= 2 && !strings.HasPrefix(c[0], "--") {
				add(c[0], c[1], false)
				continue
			} else {
				continue
			}
		}
		if inList {
			if m := sideloadItem.FindStringSubmatch(l); m != nil {
				add(m[1], m[2], true)
				continue
			}
			inList = false
		}
		if m := sideloadSentence.FindStringSubmatch(l); m != nil {
			add(m[1], l, false)
		}
	}
	return out
}

// paramSideload is a parameter row that names the one sideload it accepts:
// `Accepts "users". Use this parameter to list email CCs by side-loading
// users.`
var paramSideload = regexp.MustCompile(`^Accepts "(\w+)"\. .*\bside-?loading\b`)

// paramSideloads adds to the prose's sideloads those that parameter rows
// name.
func paramSideloads(out []Sideload, params []Param) []Sideload {
	for _, p := range params {
		m := paramSideload.FindStringSubmatch(p.Description)
		if m == nil || slices.ContainsFunc(out, func(s Sideload) bool { return s.Name == m[1] }) {
			continue
		}
		out = append(out, Sideload{Name: m[1], Description: p.Description})
	}
	return out
}

var (
	jobRe   = regexp.MustCompile(`(?i)returns a job_status|\[job\s*$|job\s+status\]|queues a background job|creates a job that performs`)
	noJobRe = regexp.MustCompile(`(?i)does not queue an asynchronous job`)
)

// isJob reports whether the block documents a job_status answer. The job
// status endpoints themselves are not jobs.
func isJob(ep Endpoint) bool {
	if strings.Contains(ep.Title, "Job Status") {
		return false
	}
	for _, l := range ep.Text {
		if noJobRe.MatchString(l) {
			return false
		}
	}
	for _, l := range ep.Text {
		if jobRe.MatchString(l) {
			return true
		}
	}
	return false
}

var (
	numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10}
	// "rate limited to 5 requests per minute, per view, per agent"
	// "rate limited to 6 requests every 5 minutes"
	// "rate-limited to 100 requests per minute per account"
	// "The rate limit is 5 requests per minute for each unique end user profile"
	// "You can make 10 requests every 1 minute using this endpoint"
	// "Limited to one request per minute"
	// "at 10 requests per 20 minutes instead of 10 requests per minute"
	// "You can delete 400 tickets every 1 minute using this endpoint"
	// "You can permanently delete 700 users every 10 minutes"
	// "(rate limit of 5 requests per hour for trial accounts)"
	rateRe = regexp.MustCompile(`(?i)(?:rate[ -]limited to|rate limit is|rate limit of|you can make|limited to|you can (?:permanently )?delete|^.*?\bat)\s+(\d+|one|two|three|four|five|six|ten)\s+(requests?|tickets|users)\s+(?:per|every)\s+(\d+\s+)?(second|minute|hour)s?((?:,?\s*(?:per|for each unique)\s+[a-z ]+?)*)(?:\s+using this endpoint|\s+for trial accounts|\s+instead of|\s+and up to|\.|\)|$)`)
	// A conditional sentence ("When making requests beyond page 100, ...")
	// narrows a limit already stated; it is not the endpoint's limit.
	conditional = regexp.MustCompile(`^(When|If) `)
	perRe       = regexp.MustCompile(`(?:per|for each unique)\s+([a-z ]+?)\s*(?:,|$)`)
)

// rateLimits reads the limit sentences of lines[start:end]. Only the first
// limit of a sentence counts: "at 10 requests per 20 minutes instead of 10
// requests per minute" states 10 per 20 minutes.
func rateLimits(lines []string, start, end int) []RateLimit {
	var out []RateLimit
	for i := start; i < end; i++ {
		l := lines[i]
		m := rateRe.FindStringSubmatch(l)
		if m == nil || conditional.MatchString(l) {
			continue
		}
		n, ok := numberWords[strings.ToLower(m[1])]
		if !ok {
			n, _ = strconv.Atoi(m[1])
		}
		mult := 1
		if s := strings.TrimSpace(m[3]); s != "" {
			mult, _ = strconv.Atoi(s)
		}
		unit := map[string]int{"second": 1, "minute": 60, "hour": 3600}[strings.ToLower(m[4])]
		rl := RateLimit{Requests: n, Seconds: mult * unit, Sentence: strings.TrimSpace(l), Line: i + 1}
		for _, p := range perRe.FindAllStringSubmatch(m[5]+",", -1) {
			rl.Per = append(rl.Per, strings.TrimSpace(p[1]))
		}
		if strings.Contains(strings.ToLower(l), "anonymous users") {
			rl.AppliesTo = "anonymous users"
		}
		out = append(out, rl)
	}
	return out
}

var incrementalLimitRe = regexp.MustCompile(`instead of (\d+) requests per minute`)

// applyIncrementalLimit gives incremental exports without a limit of their
// own the general incremental export limit the doc states.
func applyIncrementalLimit(doc *Doc, lines []string) {
	var general *RateLimit
	for i, l := range lines {
		if m := incrementalLimitRe.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			general = &RateLimit{Requests: n, Seconds: 60, Per: []string{"account"}, Line: i + 1, Derived: true,
				Sentence: fmt.Sprintf("Incremental exports are limited to %d requests per minute (line %d: %q).", n, i+1, strings.TrimSpace(l))}
			break
		}
	}
	if general == nil {
		return
	}
	for i := range doc.Endpoints {
		ep := &doc.Endpoints[i]
		if ep.IsIncrementalExport() && len(ep.RateLimits) == 0 {
			ep.RateLimits = []RateLimit{*general}
		}
	}
}

var (
	maxPageRe    = regexp.MustCompile(`(?i)(?:returns a maximum of|request a maximum of) ([\d,]+) (?:records|results)`)
	cursorOnlyRe = regexp.MustCompile(`(?i)^(cursor pagination( only\.?)?|this endpoint uses cursor-based pagination\..*)$`)
)

// pagination derives the documented style:
//   - a "Pagination" section listing "Cursor pagination" and "Offset
//     pagination" is cursor+offset; one of them alone is that style ("No
//     pagination" beside cursor is cursor);
//   - "This endpoint uses cursor-based pagination" is cursor;
//   - an "Incremental ... Export" title is an incremental export: cursor-based
//     when the title says "Cursor Based" or the block documents a cursor
//     parameter and no start time, time-based otherwise.
func pagination(ep Endpoint) Pagination {
	var p Pagination
	for _, l := range ep.Text {
		if m := maxPageRe.FindStringSubmatch(l); m != nil && p.MaxPageSize == 0 {
			p.MaxPageSize, _ = strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		}
	}
	if ep.IsIncrementalExport() {
		hasStart := false
		for _, q := range ep.Params {
			if strings.HasPrefix(q.Description, "The time to start the incremental export from") {
				hasStart = true
			}
		}
		hasCursor := false
		for _, np := range ep.NamedParams {
			if np.Name == "cursor" {
				hasCursor = true
			}
		}
		switch {
		case strings.Contains(ep.Title, "Cursor Based"):
			p.Style, p.Evidence = StyleIncrementalCursor, ep.Title
		case hasCursor && !hasStart:
			p.Style, p.Evidence = StyleIncrementalCursor, "cursor parameter documented, no start time"
		default:
			p.Style, p.Evidence = StyleIncrementalTime, ep.Title
		}
		return p
	}
	cursor, offset := false, false
	var evidence []string
	in := false
	for _, l := range ep.Text {
		if strings.TrimLeft(l, "# ") == "Pagination" {
			in = true
			continue
		}
		if !in {
			continue
		}
		if isHeading(l) {
			in = false
			continue
		}
		switch {
		case strings.HasPrefix(l, "Cursor pagination (recommended") || cursorOnlyRe.MatchString(l):
			cursor = true
			evidence = append(evidence, l)
		case strings.HasPrefix(l, "Offset pagination"):
			offset = true
			evidence = append(evidence, l)
		}
	}
	switch {
	case cursor && offset:
		p.Style = StyleCursorOffset
	case cursor:
		p.Style = StyleCursor
	case offset:
		p.Style = StyleOffset
	default:
		p.MaxPageSize = 0
		return p
	}
	p.Evidence = strings.Join(evidence, "; ")
	return p
}
