package zendesktest

import (
	"math"
	"sort"
)

// table holds one kind of record: n generated records, computed from their
// index when asked for, and what the API changed: records changed or
// created (over), deleted (gone), and the log of changes in time order
// that incremental exports read. Memory grows with the changes only, never
// with n. Callers hold the server's state lock.
type table struct {
	kind    string // URL segment: "tickets", "users"...
	base    int64  // id of generated record 0
	n       int
	gen     func(i int) rec
	genTime func(i int) int64 // export time of generated record i, non-decreasing in i

	over    map[int64]rec  // current state of changed, created and deleted records
	gone    map[int64]bool // deleted
	goneGen int            // deleted generated records
	created []int64        // ids created through the API, ascending
	next    int64          // next id to assign
	log     []change       // changes in time order
	cur     map[int64]int  // id -> index in log of its latest change
	lastTS  int64
}

type change struct {
	id int64
	ts int64
}

func newTable(kind string, base int64, n int, gen func(int) rec, genTime func(int) int64) *table {
	return &table{
		kind: kind, base: base, n: n, gen: gen, genTime: genTime,
		over: map[int64]rec{}, gone: map[int64]bool{}, cur: map[int64]int{},
		next: base + int64(n),
	}
}

func (t *table) isGen(id int64) bool { return id >= t.base && id < t.base+int64(t.n) }

// get returns the live record id (nil, false when unknown or deleted). The
// record is the table's own for changed records: copy before changing it.
func (t *table) get(id int64) (rec, bool) {
	if t.gone[id] {
		return nil, false
	}
	return t.getAny(id)
}

// getAny returns the record id even if it was deleted (its last state).
func (t *table) getAny(id int64) (rec, bool) {
	if r, ok := t.over[id]; ok {
		return r, true
	}
	if t.isGen(id) {
		return t.gen(int(id - t.base)), true
	}
	return nil, false
}

// stamp returns a change time: now, but never before the previous change,
// so the log stays in time order.
func (t *table) stamp(now int64) int64 {
	if now < t.lastTS {
		now = t.lastTS
	}
	t.lastTS = now
	return now
}

// put records a new state of record id, changed at ts.
func (t *table) put(id int64, r rec, ts int64) {
	ts = t.stamp(ts)
	t.over[id] = r
	t.log = append(t.log, change{id: id, ts: ts})
	t.cur[id] = len(t.log) - 1
}

// create adds a record and returns its id; r gets its "id".
func (t *table) create(r rec, ts int64) int64 {
	id := t.next
	t.next++
	r["id"] = id
	t.created = append(t.created, id)
	t.put(id, r, ts)
	return id
}

// remove deletes record id; tomb is its last state, which exports show.
func (t *table) remove(id int64, tomb rec, ts int64) {
	if t.gone[id] {
		return
	}
	t.gone[id] = true
	if t.isGen(id) {
		t.goneGen++
	}
	t.put(id, tomb, ts)
}

// count is the number of live records.
func (t *table) count() int {
	return t.n - t.goneGen + len(t.created) - (len(t.gone) - t.goneGen)
}

// ascend calls f with the live ids greater than after, in ascending order,
// until f returns false.
func (t *table) ascend(after int64, f func(id int64) bool) {
	if after == math.MaxInt64 {
		return
	}
	start := max(after+1, t.base)
	for id := start; id < t.base+int64(t.n); id++ {
		if t.gone[id] {
			continue
		}
		if !f(id) {
			return
		}
	}
	i := sort.Search(len(t.created), func(i int) bool { return t.created[i] > after })
	for ; i < len(t.created); i++ {
		id := t.created[i]
		if t.gone[id] {
			continue
		}
		if !f(id) {
			return
		}
	}
}

// descend calls f with the live ids less than before, in descending order,
// until f returns false.
func (t *table) descend(before int64, f func(id int64) bool) {
	if before == math.MinInt64 {
		return
	}
	i := sort.Search(len(t.created), func(i int) bool { return t.created[i] >= before }) - 1
	for ; i >= 0; i-- {
		id := t.created[i]
		if t.gone[id] {
			continue
		}
		if !f(id) {
			return
		}
	}
	for id := min(before-1, t.base+int64(t.n)-1); id >= t.base; id-- {
		if t.gone[id] {
			continue
		}
		if !f(id) {
			return
		}
	}
}

// The export stream orders every record, deleted ones included, by the
// time of its latest change: generated records never changed (key i for
// record i), then the log's entries that are their record's latest change
// (key n+j for log entry j). Keys are positions in that stream; a cursor
// is the key of the last record a page held.

// streamLen is one past the largest key.
func (t *table) streamLen() int64 { return int64(t.n + len(t.log)) }

// entry returns the record at key k, whether it is the record's current
// place in the stream, and its time.
func (t *table) entry(k int64) (id int64, ts int64, ok bool) {
	if k < int64(t.n) {
		id = t.base + k
		if _, changed := t.cur[id]; changed {
			return 0, 0, false
		}
		return id, t.genTime(int(k)), true
	}
	j := int(k - int64(t.n))
	c := t.log[j]
	if t.cur[c.id] != j {
		return 0, 0, false
	}
	return c.id, c.ts, true
}

// firstKeyAt returns the first key whose time is at or after ts.
func (t *table) firstKeyAt(ts int64) int64 {
	if i := sort.Search(t.n, func(i int) bool { return t.genTime(i) >= ts }); i < t.n {
		return int64(i)
	}
	j := sort.Search(len(t.log), func(j int) bool { return t.log[j].ts >= ts })
	return int64(t.n + j)
}

// stream calls f with the stream's entries from key `from` on, until f
// returns false.
func (t *table) stream(from int64, f func(k, id, ts int64) bool) {
	for k := max(from, 0); k < t.streamLen(); k++ {
		id, ts, ok := t.entry(k)
		if !ok {
			continue
		}
		if !f(k, id, ts) {
			return
		}
	}
}
