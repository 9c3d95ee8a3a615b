package overlay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/http"
	"reflect"
	"slices"
)

// PageState is a page as the pager reads it: everything but the records'
// type, which only Items knows. The pager is not generic, so that each
// record type adds only the few lines of its sink and of the root
// package's typed wrappers to a build, not a copy of the whole pager.
type PageState struct {
	// Items are the page's records, in the order Zendesk sent them (minus
	// those skipped when resuming in the middle of the page, and
	// duplicates dropped by WithDedup).
	Items Sink
	// Position is where the page was fetched from.
	Position Position
	// Next is where the listing goes on after this page.
	Next Position
	// More reports whether Zendesk has another page now.
	More bool
	// EndOfStream is true when an incremental export reached the present.
	EndOfStream bool
	// Count is the response's count, when it has one.
	Count *int64
	// Extra holds the response's other properties (sideloads), as raw
	// JSON by property name.
	Extra map[string]json.RawMessage
	// Header is the response's HTTP header.
	Header http.Header

	// index[i] is the i-th kept record's index among the records Zendesk
	// sent in this page, which positions (Skip) count.
	index []int
	// hashes[i] is the i-th kept record's recordHash, when the position is
	// tracked.
	hashes []uint64
	// sent is the number of records Zendesk sent in this page, lastSent
	// the recordHash of the last of them (when hashes are computed).
	sent     int
	lastSent uint64
}

// Sink holds a page's records, decoded into their type: a *Records,
// made by RecordsOf.
type Sink interface {
	// grow makes room for n records.
	grow(n int)
	// decode decodes the next value of dec into a new last record; on
	// error nothing is added.
	decode(dec *json.Decoder) error
	// pop removes the last record.
	pop()
	// dropFront removes the first n records.
	dropFront(n int)
}

// Records is the Sink of records of one type: a slice of it, grown by
// reflection, so that no code is compiled per record type.
type Records struct {
	v    reflect.Value // the slice
	elem reflect.Type
}

// RecordsOf is the pager's Sink maker for records of type t.
func RecordsOf(t reflect.Type) func() Sink {
	st := reflect.SliceOf(t)
	return func() Sink { return &Records{v: reflect.MakeSlice(st, 0, 0), elem: t} }
}

// Slice is the page's records, a []T.
func (s *Records) Slice() any { return s.v.Interface() }

func (s *Records) grow(n int) {
	if s.v.Cap()-s.v.Len() < n {
		nv := reflect.MakeSlice(s.v.Type(), s.v.Len(), s.v.Len()+n)
		reflect.Copy(nv, s.v)
		s.v = nv
	}
}

func (s *Records) decode(dec *json.Decoder) error {
	n := s.v.Len()
	if n == s.v.Cap() {
		s.v = reflect.Append(s.v, reflect.Zero(s.elem))
	} else {
		s.v = s.v.Slice(0, n+1)
	}
	if err := dec.Decode(s.v.Index(n).Addr().Interface()); err != nil {
		s.pop()
		return err
	}
	return nil
}

func (s *Records) pop() {
	n := s.v.Len()
	s.v.Index(n - 1).SetZero()
	s.v = s.v.Slice(0, n-1)
}

func (s *Records) dropFront(n int) {
	l := s.v.Len()
	kept := reflect.Copy(s.v, s.v.Slice(n, l))
	for i := kept; i < l; i++ {
		s.v.Index(i).SetZero()
	}
	s.v = s.v.Slice(0, kept)
}

// pageFields are the pagination properties of every style.
type pageFields struct {
	meta *struct {
		HasMore      *bool   `json:"has_more"`
		AfterCursor  *string `json:"after_cursor"`
		BeforeCursor *string `json:"before_cursor"`
	}
	nextPage     *string
	endTime      *int64
	endOfStream  *bool
	afterCursor  *string
	afterURL     *string
	count        *int64
	sawItemsProp bool
}

// itemFilter says which records of a page to keep and what to learn of
// them. Records already consumed before a resume are left out: those up to
// and including the first whose hash is after when after is set, else the
// first skip. When track is set, each kept record's FNV-64a hash is kept in
// the page (for TrackPosition). When hashes is not nil, each record's
// maphash is appended to it and records whose hash is in drop are left out
// (de-duplication).
type itemFilter struct {
	// size is the page size asked for: room for that many records is made
	// up front, so a full page does not grow its slices several times.
	size int
	// limit is the most records the page may hold (0: no limit).
	limit int
	skip  int
	after uint64
	track bool
	// last asks for the recordHash of the page's last record alone
	// (Page.lastSent).
	last   bool
	seed   maphash.Seed
	hashes *[]uint64
	drop   map[uint64]bool
}

// raw reports whether the records' JSON must be kept (to be hashed) as
// they are decoded.
func (f itemFilter) raw() bool { return f.track || f.last || f.after != 0 || f.hashes != nil }

// recorder keeps what a json.Decoder reads from r, so that the JSON of a
// value just decoded can be hashed without reading it twice: the bytes of
// the stream from offset base on are buf.
type recorder struct {
	r    io.Reader
	buf  []byte
	base int64
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf = append(r.buf, p[:n]...)
	return n, err
}

// span is the JSON of the value between two decoder offsets: without the
// comma and white space before it.
func (r *recorder) span(start, end int64) []byte {
	b := r.buf[start-r.base : end-r.base]
	return bytes.TrimSpace(bytes.TrimLeft(bytes.TrimSpace(b), ","))
}

// discard lets go of the bytes before off, once they are many.
func (r *recorder) discard(off int64) {
	if n := int(off - r.base); n > 32<<10 && n > len(r.buf)/2 {
		r.buf = r.buf[:copy(r.buf, r.buf[n:])]
		r.base = off
	}
}

// maxPrealloc bounds the records a page makes room for before it reads
// them (Zendesk's largest pages hold 1000).
const maxPrealloc = 1000

// recordHash is the persistable hash of a record's JSON (Position.LastHash):
// FNV-64a, written out here so that no program pays for building hash/fnv
// for one loop.
func recordHash(raw []byte) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, c := range raw {
		h ^= uint64(c)
		h *= prime
	}
	return h
}

// decodePage streams a page's JSON object: the records under items are
// decoded one by one into the page's sink, the pagination properties into f, and every
// other property is kept raw in the page's Extra.
func decodePage(body io.Reader, items string, alternatives []string, page *PageState, f *pageFields, filter itemFilter) error {
	var rec *recorder
	if filter.raw() {
		rec = &recorder{r: body}
		body = rec
	}
	dec := json.NewDecoder(body)
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("read page: %w", noEOF(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("page is not a JSON object (starts with %v)", tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("read page: %w", noEOF(err))
		}
		key, _ := tok.(string)
		if !f.sawItemsProp && slices.Contains(alternatives, key) {
			items = key
		}
		switch key {
		case items:
			if f.sawItemsProp {
				// Which of the two is the page? Neither is taken.
				return fmt.Errorf("page has %q twice", items)
			}
			f.sawItemsProp = true
			if err := decodeItems(dec, rec, items, page, filter); err != nil {
				return err
			}
		case "meta":
			err = dec.Decode(&f.meta)
		case "next_page":
			err = dec.Decode(&f.nextPage)
		case "end_time":
			err = dec.Decode(&f.endTime)
		case "end_of_stream":
			err = dec.Decode(&f.endOfStream)
		case "after_cursor":
			err = dec.Decode(&f.afterCursor)
		case "after_url":
			err = dec.Decode(&f.afterURL)
		case "count":
			err = dec.Decode(&f.count)
		default:
			var raw json.RawMessage
			err = dec.Decode(&raw)
			if err == nil {
				if page.Extra == nil {
					page.Extra = map[string]json.RawMessage{}
				}
				page.Extra[key] = raw
			}
		}
		if err != nil {
			return fmt.Errorf("decode page property %q: %w", key, noEOF(err))
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("read page: %w", noEOF(err))
	}
	if err := expectEnd(dec); err != nil {
		return fmt.Errorf("read page: %w", err)
	}
	if !f.sawItemsProp {
		if len(alternatives) > 0 {
			return fmt.Errorf("page has none of the properties %q", append([]string{items}, alternatives...))
		}
		return fmt.Errorf("page has no %q property", items)
	}
	return nil
}

func decodeItems(dec *json.Decoder, rec *recorder, items string, page *PageState, filter itemFilter) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("read %q: %w", items, noEOF(err))
	}
	if tok == nil {
		return nil // "items": null — an empty page
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("%q is not an array (got %v)", items, tok)
	}
	// With a record to resume after, every record is decoded and hashed
	// first; those up to that record are dropped once the page is read
	// (the record is not found, nothing is).
	match := -1
	var lastRaw []byte // the last record's JSON, when its hash is wanted
	if n := min(filter.size, maxPrealloc); n > 0 && page.index == nil {
		page.Items.grow(n)
		page.index = make([]int, 0, n)
	}
	for i := 0; dec.More(); i++ {
		if filter.limit > 0 && i >= filter.limit {
			return fmt.Errorf("%q holds more than %d records, far more than the page size %d asked for", items, filter.limit, filter.size)
		}
		page.sent = i + 1
		if !filter.raw() {
			if i < filter.skip {
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return fmt.Errorf("decode %s[%d]: %w", items, i, noEOF(err))
				}
				continue
			}
			if err := page.Items.decode(dec); err != nil {
				return fmt.Errorf("decode %s[%d]: %w", items, i, noEOF(err))
			}
			page.index = append(page.index, i)
			continue
		}
		// Each record is decoded once, straight into its type; the recorder
		// gives its JSON, to hash.
		rec.discard(dec.InputOffset())
		start := dec.InputOffset()
		if err := page.Items.decode(dec); err != nil {
			return fmt.Errorf("decode %s[%d]: %w", items, i, noEOF(err))
		}
		raw := rec.span(start, dec.InputOffset())
		if filter.last || filter.after != 0 {
			lastRaw = append(lastRaw[:0], raw...)
		}
		var fh uint64
		if filter.track || filter.after != 0 {
			fh = recordHash(raw)
			if match < 0 && filter.after != 0 && fh == filter.after {
				match = i
			}
		}
		drop := false
		if filter.hashes != nil {
			h := maphash.Bytes(filter.seed, raw)
			*filter.hashes = append(*filter.hashes, h)
			drop = filter.drop[h]
		}
		if drop || (filter.after == 0 && i < filter.skip) {
			page.Items.pop()
			continue
		}
		page.index = append(page.index, i)
		if filter.track {
			page.hashes = append(page.hashes, fh)
		}
	}
	if len(lastRaw) > 0 {
		page.lastSent = recordHash(lastRaw)
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("read %q: %w", items, noEOF(err))
	}
	if match >= 0 {
		keep := 0
		for keep < len(page.index) && page.index[keep] <= match {
			keep++
		}
		page.Items.dropFront(keep)
		page.index = slices.Delete(page.index, 0, keep)
		if filter.track {
			page.hashes = slices.Delete(page.hashes, 0, keep)
		}
	}
	return nil
}

// expectEnd reads what follows a JSON document: nothing but white space
// may (a body with more after its object is not the answer it seems).
func expectEnd(dec *json.Decoder) error {
	tok, err := dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return fmt.Errorf("after the JSON object: %w", err)
	}
	return fmt.Errorf("more data after the JSON object (%v)", tok)
}

// noEOF turns a bare io.EOF in the middle of a document into
// io.ErrUnexpectedEOF, so a truncated body never reads as a clean end.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
