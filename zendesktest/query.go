package zendesktest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The search query evaluator: the subset of Zendesk's search syntax the
// package doc lists (# Search), evaluated over the records the fake keeps.
// A query the evaluator cannot read is a queryError, which search answers
// as Zendesk answers invalid searches: 422 {"error":"invalid",
// "description":"Invalid search: ..."}.

// queryError is a query the evaluator refuses.
type queryError struct{ msg string }

func (e *queryError) Error() string { return "Invalid search: " + e.msg }

// term is one term of a query.
type term struct {
	neg   bool
	match func(kind string, r rec) bool
}

// query is a parsed query: the record types it may match (from type:) and
// its terms.
type query struct {
	types map[string]bool // nil: every type
	terms []term
}

// searchTypes are the record types search finds, in the order results of
// several types are listed.
var searchTypes = []string{"ticket", "user", "organization", "group"}

// matches reports whether record r of type kind matches every term.
func (q *query) matches(kind string, r rec) bool {
	if q.types != nil && !q.types[kind] {
		return false
	}
	for _, t := range q.terms {
		if t.match(kind, r) == t.neg {
			return false
		}
	}
	return true
}

// termRE splits a term into keyword, operator and value.
var termRE = regexp.MustCompile(`^([a-z_]+)(:<=|:>=|:<|:>|<=|>=|:|<|>)(.*)$`)

// parseQuery parses a query; now is the time relative dates count from.
func parseQuery(s string, now time.Time) (*query, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	q := &query{}
	for _, tok := range toks {
		neg := tok.neg
		if tok.quoted {
			words := textWords(tok.text)
			q.terms = append(q.terms, term{neg: neg, match: func(kind string, r rec) bool { return hasPhrase(recordText(kind, r), words) }})
			continue
		}
		m := termRE.FindStringSubmatch(strings.ToLower(tok.text))
		if m == nil {
			if tok.value != nil {
				return nil, &queryError{fmt.Sprintf("%q is not a keyword term", tok.text)}
			}
			words := textWords(tok.text)
			if len(words) == 0 {
				continue
			}
			q.terms = append(q.terms, term{neg: neg, match: func(kind string, r rec) bool { return hasPhrase(recordText(kind, r), words) }})
			continue
		}
		if tok.value != nil {
			if m[3] != "" {
				return nil, &queryError{fmt.Sprintf("%q is not a keyword term", tok.text)}
			}
			m[3] = strings.ToLower(*tok.value)
		}
		key, op, val := m[1], strings.TrimPrefix(m[2], ":"), m[3]
		if op == "" {
			op = ":"
		}
		if key == "type" {
			if op != ":" || neg {
				return nil, &queryError{fmt.Sprintf("type takes one record type with ':', not %q", tok.text)}
			}
			if !oneOf(val, searchTypes) {
				return nil, &queryError{fmt.Sprintf("unknown record type %q (ticket, user, organization or group)", val)}
			}
			if q.types == nil {
				q.types = map[string]bool{}
			}
			q.types[val] = true
			continue
		}
		match, err := keywordTerm(key, op, val, now)
		if err != nil {
			return nil, err
		}
		q.terms = append(q.terms, term{neg: neg, match: match})
	}
	return q, nil
}

// token is a term of the query text: a word, a keyword term or a quoted
// phrase (quoted), with its sign; value is the quoted value of
// keyword:"...".
type token struct {
	neg    bool
	text   string
	quoted bool
	value  *string
}

func tokenize(s string) ([]token, error) {
	var out []token
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		var tok token
		if rs[i] == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
			tok.neg = true
			i++
		}
		if rs[i] == '"' {
			end := indexRune(rs, i+1, '"')
			if end < 0 {
				return nil, &queryError{"a quoted phrase is not closed"}
			}
			tok.text, tok.quoted = string(rs[i+1:end]), true
			out = append(out, tok)
			i = end + 1
			continue
		}
		start := i
		for i < len(rs) && !unicode.IsSpace(rs[i]) && rs[i] != '"' {
			i++
		}
		tok.text = string(rs[start:i])
		if i < len(rs) && rs[i] == '"' {
			end := indexRune(rs, i+1, '"')
			if end < 0 {
				return nil, &queryError{"a quoted phrase is not closed"}
			}
			v := string(rs[i+1 : end])
			tok.value = &v
			i = end + 1
		}
		out = append(out, tok)
	}
	return out, nil
}

func indexRune(rs []rune, from int, r rune) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// Zendesk's orders of ticket statuses and priorities.
var (
	statusOrder   = map[string]int{"new": 0, "open": 1, "pending": 2, "hold": 3, "solved": 4, "closed": 5}
	priorityOrder = map[string]int{"low": 0, "normal": 1, "high": 2, "urgent": 3}
)

// refProps are the keywords that name a record by id, and the property
// they look at.
var refProps = map[string]string{
	"assignee": "assignee_id", "requester": "requester_id", "submitter": "submitter_id",
	"group": "group_id", "organization": "organization_id",
}

// keywordTerm is the matcher of keyword key with operator op and value val.
func keywordTerm(key, op, val string, now time.Time) (func(string, rec) bool, error) {
	if val == "" {
		return nil, &queryError{fmt.Sprintf("%s%s has no value", key, op)}
	}
	switch key {
	case "status", "priority":
		order := statusOrder
		if key == "priority" {
			order = priorityOrder
		}
		if key == "priority" && val == "none" {
			if op != ":" {
				return nil, &queryError{"priority:none takes no comparison"}
			}
			return func(kind string, r rec) bool { return kind == "ticket" && r["priority"] == nil }, nil
		}
		want, ok := order[val]
		if !ok {
			return nil, &queryError{fmt.Sprintf("unknown %s %q", key, val)}
		}
		return func(kind string, r rec) bool {
			if kind != "ticket" {
				return false
			}
			s, _ := str(r, key)
			got, ok := order[s]
			return ok && compare(got-want, op)
		}, nil
	case "tags", "tag":
		if op != ":" {
			return nil, &queryError{fmt.Sprintf("%s takes ':', not %q", key, op)}
		}
		return func(_ string, r rec) bool {
			for _, t := range toList(r["tags"]) {
				if s, ok := t.(string); ok && strings.EqualFold(s, val) {
					return true
				}
			}
			return false
		}, nil
	case "assignee", "requester", "submitter", "group", "organization":
		if op != ":" {
			return nil, &queryError{fmt.Sprintf("%s takes ':', not %q", key, op)}
		}
		prop := refProps[key]
		if val == "none" {
			return func(_ string, r rec) bool {
				v, has := r[prop]
				return has && (v == nil || v == int64(0))
			}, nil
		}
		id, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return nil, &queryError{fmt.Sprintf("%s:%s: the fake takes ids and none", key, val)}
		}
		return func(_ string, r rec) bool { v, ok := num(r, prop); return ok && v == id }, nil
	case "created", "updated":
		from, to, err := timeRange(val, now)
		if err != nil {
			return nil, err
		}
		prop := key + "_at"
		return func(_ string, r rec) bool {
			s, _ := str(r, prop)
			at, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return false
			}
			switch op {
			case ":":
				return !at.Before(from) && at.Before(to)
			case "<":
				return at.Before(from)
			case "<=":
				return at.Before(to)
			case ">":
				return !at.Before(to)
			default: // >=
				return !at.Before(from)
			}
		}, nil
	}
	return nil, &queryError{fmt.Sprintf("unsupported keyword %q", key)}
}

// compare applies op to the sign of d.
func compare(d int, op string) bool {
	switch op {
	case "<":
		return d < 0
	case ">":
		return d > 0
	case "<=":
		return d <= 0
	case ">=":
		return d >= 0
	}
	return d == 0
}

// relRE is a time before now: 4hours, 2days...
var relRE = regexp.MustCompile(`^(\d+)(minute|hour|day|week|month|year)s?$`)

// timeRange is the span a date value stands for: a UTC day for
// YYYY-MM-DD, an instant for an RFC 3339 time or a relative time.
func timeRange(val string, now time.Time) (time.Time, time.Time, error) {
	if d, err := time.Parse("2006-01-02", val); err == nil {
		return d, d.AddDate(0, 0, 1), nil
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(val)); err == nil {
		return t, t.Add(time.Second), nil
	}
	if m := relRE.FindStringSubmatch(val); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			return time.Time{}, time.Time{}, &queryError{fmt.Sprintf("%q is not a number", m[1])}
		}
		var at time.Time
		switch m[2] {
		case "minute":
			at = now.Add(-time.Duration(n) * time.Minute)
		case "hour":
			at = now.Add(-time.Duration(n) * time.Hour)
		case "day":
			at = now.AddDate(0, 0, -n)
		case "week":
			at = now.AddDate(0, 0, -7*n)
		case "month":
			at = now.AddDate(0, -n, 0)
		default:
			at = now.AddDate(-n, 0, 0)
		}
		at = at.Truncate(time.Second)
		return at, at.Add(time.Second), nil
	}
	return time.Time{}, time.Time{}, &queryError{fmt.Sprintf("%q is not a date (YYYY-MM-DD), a time or a relative time (4hours)", val)}
}

// recordText is the text plain words and phrases are looked for in.
func recordText(kind string, r rec) []string {
	var props []string
	switch kind {
	case "ticket":
		props = []string{"subject", "description"}
	case "user":
		props = []string{"name", "email"}
	case "organization":
		props = []string{"name", "details", "notes"}
	case "group":
		props = []string{"name", "description"}
	}
	var words []string
	for _, p := range props {
		s, _ := str(r, p)
		words = append(words, textWords(s)...)
	}
	return words
}

// textWords are the lower-cased words of s: its runs of letters and
// digits (a trailing * is kept, for prefix words).
func textWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '*'
	})
}

// hasPhrase reports whether words appear in text in order, next to each
// other; a word ending in * matches the words it starts.
func hasPhrase(text, words []string) bool {
	if len(words) == 0 {
		return true
	}
	for i := 0; i+len(words) <= len(text); i++ {
		ok := true
		for j, w := range words {
			if !wordMatch(text[i+j], w) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func wordMatch(word, pattern string) bool {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(word, p)
	}
	return word == strings.TrimRight(pattern, "*")
}
