package connectordoc

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// IndexEntry is one row of the endpoint index (endpoints.tsv): where a
// documented endpoint lives.
type IndexEntry struct {
	Method string
	Path   string
	Title  string
	// DocLine is the line of the endpoint's block in the connector doc.
	DocLine int
	// Line is the row's own line in the index file.
	Line int
}

var pathRe = regexp.MustCompile(`^/api/v2(/[A-Za-z0-9_.\-]+|/\{[a-z_]+\})+$`)

// ParseIndex reads the tab-separated endpoint index with its header row
// "method, path, doc_title, doc_line".
func ParseIndex(src []byte) ([]IndexEntry, error) {
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n"), "\n")
	if len(lines) == 0 || lines[0] != "method\tpath\tdoc_title\tdoc_line" {
		return nil, &ParseError{Line: 1, Msg: `endpoint index: want the header "method<TAB>path<TAB>doc_title<TAB>doc_line"`}
	}
	var out []IndexEntry
	seen := map[string]int{}
	for i, l := range lines[1:] {
		n := i + 2
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			return nil, &ParseError{Line: n, Msg: fmt.Sprintf("endpoint index: want 4 tab-separated fields, got %d", len(f))}
		}
		if !isMethod(f[0]) {
			return nil, &ParseError{Line: n, Msg: fmt.Sprintf("endpoint index: unknown method %q", f[0])}
		}
		if !pathRe.MatchString(f[1]) {
			return nil, &ParseError{Line: n, Msg: fmt.Sprintf("endpoint index: malformed path %q", f[1])}
		}
		dl, err := strconv.Atoi(f[3])
		if err != nil || dl < 1 {
			return nil, &ParseError{Line: n, Msg: fmt.Sprintf("endpoint index: malformed doc line %q", f[3])}
		}
		key := f[0] + " " + f[1]
		if prev, dup := seen[key]; dup {
			return nil, &ParseError{Line: n, Msg: fmt.Sprintf("endpoint index: %s listed twice (also line %d)", key, prev)}
		}
		seen[key] = n
		out = append(out, IndexEntry{Method: f[0], Path: f[1], Title: f[2], DocLine: dl, Line: n})
	}
	return out, nil
}

// Documented pairs each documented endpoint with its index entry.
type Documented struct {
	Endpoint
	Path string
	// IndexLine is the entry's line in the index file.
	IndexLine int
}

// Join matches the index to the document by doc line, and checks that both
// agree on method and title and that each side covers the other.
func Join(doc *Doc, index []IndexEntry) ([]Documented, error) {
	byLine := map[int]IndexEntry{}
	for _, e := range index {
		byLine[e.DocLine] = e
	}
	var out []Documented
	for _, ep := range doc.Endpoints {
		e, ok := byLine[ep.Line]
		if !ok {
			return nil, &ParseError{Line: ep.Line, Msg: fmt.Sprintf("%s %q has no row in the endpoint index", ep.Method, ep.Title)}
		}
		if e.Method != ep.Method || e.Title != ep.Title {
			return nil, &ParseError{Line: ep.Line, Msg: fmt.Sprintf("endpoint index line %d says %s %q, doc says %s %q", e.Line, e.Method, e.Title, ep.Method, ep.Title)}
		}
		delete(byLine, ep.Line)
		out = append(out, Documented{Endpoint: ep, Path: e.Path, IndexLine: e.Line})
	}
	for _, e := range byLine {
		return nil, &ParseError{Line: e.DocLine, Msg: fmt.Sprintf("endpoint index line %d (%s %s) points at no endpoint block", e.Line, e.Method, e.Path)}
	}
	return out, nil
}

// PathParams returns the names of a path's template parameters, in order.
func PathParams(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, seg[1:len(seg)-1])
		}
	}
	return out
}
