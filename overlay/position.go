package overlay

import (
	"fmt"
	"net/url"
	"strconv"
)

// Position is where a listing stands: what to request to go on. The zero
// Position is the start. A Position is small and meant to be persisted — the
// checkpoint of an incremental export — and given back with WithStart to
// resume; MarshalText gives it a compact text form.
type Position struct {
	// Cursor is the cursor to send next: page[after] for cursor pagination,
	// cursor for cursor-based incremental exports.
	Cursor string `json:"cursor,omitempty"`
	// Page is the next page number, for offset pagination (0 means 1).
	Page int `json:"page,omitempty"`
	// StartTime is the next start_time, in Unix seconds, for time-based
	// incremental exports.
	StartTime int64 `json:"start_time,omitempty"`
	// Skip is how many records of the page at this position were already
	// consumed, so a listing stopped in the middle of a page goes on with
	// the next record, not the page's first.
	Skip int `json:"skip,omitempty"`
	// LastHash identifies the last record consumed in the page at this
	// position: the FNV-64a hash of its JSON as Zendesk sent it. Resuming
	// skips the page's records up to and including the first one with this
	// hash, wherever it now is: records consumed before may have moved out
	// of the page (updated, deleted) since. When no record has the hash (the
	// record itself changed or went), nothing is skipped: records may come
	// again, none is lost. Without a hash (positions saved by older
	// versions), the first Skip records are skipped.
	LastHash uint64 `json:"last_hash,omitempty"`
}

// IsZero reports whether p is the start of a listing.
func (p Position) IsZero() bool { return p == Position{} }

// String is the text form, as MarshalText gives it.
func (p Position) String() string {
	b, _ := p.MarshalText()
	return string(b)
}

// MarshalText encodes the position as URL query text, for example
// "cursor=MTU3NjYxMzUzOS4wfHw0Njd8&last=9d3f0c2a61b6e0f4&skip=12" or
// "start_time=1700000000".
func (p Position) MarshalText() ([]byte, error) {
	v := url.Values{}
	if p.Cursor != "" {
		v.Set("cursor", p.Cursor)
	}
	if p.Page != 0 {
		v.Set("page", strconv.Itoa(p.Page))
	}
	if p.StartTime != 0 {
		v.Set("start_time", strconv.FormatInt(p.StartTime, 10))
	}
	if p.Skip != 0 {
		v.Set("skip", strconv.Itoa(p.Skip))
	}
	if p.LastHash != 0 {
		v.Set("last", fmt.Sprintf("%016x", p.LastHash))
	}
	return []byte(v.Encode()), nil
}

// UnmarshalText decodes MarshalText's form. Unknown keys and malformed
// numbers are errors: a corrupt checkpoint must not silently restart an
// export from the beginning.
func (p *Position) UnmarshalText(b []byte) error {
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return fmt.Errorf("position %q: %w", b, err)
	}
	var out Position
	for k, vals := range v {
		if len(vals) != 1 {
			return fmt.Errorf("position %q: %s given %d times", b, k, len(vals))
		}
		s := vals[0]
		switch k {
		case "cursor":
			out.Cursor = s
		case "page":
			if out.Page, err = strconv.Atoi(s); err != nil || out.Page < 0 {
				return fmt.Errorf("position %q: bad page %q", b, s)
			}
		case "start_time":
			if out.StartTime, err = strconv.ParseInt(s, 10, 64); err != nil || out.StartTime < 0 {
				return fmt.Errorf("position %q: bad start_time %q", b, s)
			}
		case "skip":
			if out.Skip, err = strconv.Atoi(s); err != nil || out.Skip < 0 {
				return fmt.Errorf("position %q: bad skip %q", b, s)
			}
		case "last":
			if out.LastHash, err = strconv.ParseUint(s, 16, 64); err != nil || len(s) != 16 {
				return fmt.Errorf("position %q: bad last %q", b, s)
			}
		default:
			return fmt.Errorf("position %q: unknown key %q", b, k)
		}
	}
	*p = out
	return nil
}
