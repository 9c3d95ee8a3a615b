package zendesktest

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

func (st *state) registerTickets() {
	h := st.handlers
	h["ListTickets"] = st.listTickets
	h["CountTickets"] = func(c *call) (*reply, *apiError) { return c.ok(countBody(st.tickets.count(), c.now)) }
	h["ShowTicket"] = st.showTicket
	h["ShowManyTickets"] = st.showManyTickets
	h["CreateTicket"] = st.createTicket
	h["UpdateTicket"] = st.updateTicket
	h["DeleteTicket"] = st.deleteTicket
	h["CreateManyTickets"] = st.createManyTickets
	h["UpdateManyTickets"] = func(c *call) (*reply, *apiError) { return st.updateMany(c, st.ticketsBulk()) }
	h["DeleteManyTickets"] = func(c *call) (*reply, *apiError) { return st.deleteMany(c, st.ticketsBulk()) }
	h["ListTicketComments"] = st.listTicketComments
	h["CountTicketComments"] = st.countTicketComments
	h["ListTicketAudits"] = st.listTicketAudits
	h["CountTicketAudits"] = st.countTicketAudits
	h["ShowTicketAudit"] = st.showTicketAudit
	h["ListTicketTags"] = st.listTicketTags
	h["SetTicketTags"] = func(c *call) (*reply, *apiError) { return st.changeTags(c, "set") }
	h["AddTicketTags"] = func(c *call) (*reply, *apiError) { return st.changeTags(c, "add") }
	h["RemoveTicketTags"] = func(c *call) (*reply, *apiError) { return st.changeTags(c, "remove") }
	h["IncrementalTicketExport"] = st.ticketExport
	h["IncrementalTicketCursorExport"] = st.ticketExport
	h["IncrementalTicketEventExport"] = st.ticketEventExport
}

func (st *state) ticket(c *call) (int64, rec, *apiError) {
	id, apiErr := c.pathID("ticket_id")
	if apiErr != nil {
		return 0, nil, apiErr
	}
	t, ok := st.tickets.get(id)
	if !ok {
		return 0, nil, errNotFound(describe("ticket", id))
	}
	return id, t, nil
}

// listTickets lists the tickets, or those with the external id of the
// external_id parameter.
func (st *state) listTickets(c *call) (*reply, *apiError) {
	keep := st.ticketsWithExternalID(c.r.URL.Query().Get("external_id"))
	return c.list("tickets", tableSource(st.tickets, keep))
}

// ticketsWithExternalID keeps the live tickets whose external id is ext
// (all tickets when ext is empty). Generated tickets have none: only the
// tickets the API created or changed are looked at.
func (st *state) ticketsWithExternalID(ext string) func(int64) bool {
	if ext == "" {
		return nil
	}
	return func(id int64) bool {
		t, ok := st.tickets.over[id]
		if !ok || st.tickets.gone[id] {
			return false
		}
		e, _ := str(t, "external_id")
		return e == ext
	}
}

func (st *state) showTicket(c *call) (*reply, *apiError) {
	_, t, apiErr := st.ticket(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(rec{"ticket": t})
}

func (st *state) showManyTickets(c *call) (*reply, *apiError) {
	ids, apiErr := c.queryIDs("ids")
	if apiErr != nil {
		return nil, apiErr
	}
	out := []any{}
	for _, id := range ids {
		if t, ok := st.tickets.get(id); ok {
			out = append(out, t)
		}
	}
	return c.ok(rec{"tickets": out})
}

// createTicket creates a ticket (its Idempotency-Key is handled by
// Server.dispatch, from the spec's x-zendesk-idempotency).
func (st *state) createTicket(c *call) (*reply, *apiError) {
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	t, audit, apiErr := st.newTicket(c, obj(in, "ticket"))
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(rec{"ticket": t, "audit": audit})
}

// commentBody is the text of a comment input: its body, else its
// html_body without the markup.
func commentBody(cm rec) string {
	body, _ := str(cm, "body")
	if body == "" {
		h, _ := str(cm, "html_body")
		body = stripHTML(h)
	}
	return body
}

// addComment adds a comment input (public unless it says otherwise, by its
// author_id or else by the caller me) to a ticket, in the audit auditID.
func (st *state) addComment(ticketID, auditID, me int64, cm rec, ts int64) rec {
	public := true
	if p, ok := cm["public"].(bool); ok {
		public = p
	}
	author := me
	if a, ok := num(cm, "author_id"); ok {
		author = a
	}
	com := comment(st.newID(commentBase), auditID, author, commentBody(cm), public, ts, "api")
	com["attachments"] = st.takeUploads(cm, time.Unix(ts, 0))
	st.comments[ticketID] = append(st.comments[ticketID], com)
	return com
}

// newTicket creates a ticket from a TicketInput, with its first comment
// and its creation audit.
func (st *state) newTicket(c *call, in rec) (rec, rec, *apiError) {
	if in == nil {
		in = rec{}
	}
	// A ticket needs a comment, its description: checked before the
	// requester is created on the fly.
	cm := obj(in, "comment")
	desc := commentBody(cm)
	if strings.TrimSpace(desc) == "" {
		return nil, nil, &apiError{status: http.StatusUnprocessableEntity, code: "RecordInvalid", desc: "Record validation errors",
			details: map[string][]map[string]string{"base": {{"description": "Description: cannot be blank", "error": "BlankValue"}}}}
	}
	me := st.callerUser(c)
	ts := c.nowTS()
	fields := rec{"via": via("api")}
	requester := me
	if r, ok := num(in, "requester_id"); ok {
		requester = r
	} else if rq := obj(in, "requester"); rq != nil {
		id, apiErr := st.findOrCreateRequester(c, rq)
		if apiErr != nil {
			return nil, nil, apiErr
		}
		requester = id
	}
	fields["requester_id"] = requester
	fields["submitter_id"] = me
	if s, ok := num(in, "submitter_id"); ok {
		fields["submitter_id"] = s
	}
	if u, ok := st.users.get(requester); ok && u["organization_id"] != nil {
		fields["organization_id"] = u["organization_id"]
	}
	status := "new"
	if in["assignee_id"] != nil || in["group_id"] != nil {
		status = "open"
	}
	fields["status"] = status
	fields["description"] = desc
	if s, ok := str(in, "subject"); ok {
		fields["subject"], fields["raw_subject"] = s, s
	} else {
		subj := clipText(strings.SplitN(desc, "\n", 2)[0], 80)
		fields["subject"], fields["raw_subject"] = subj, subj
	}
	t := st.d.ticketRecord(0, fields, ts, ts)
	applyTicketInput(t, in)
	if t["status"] == "new" && t["assignee_id"] != nil {
		t["status"] = "open"
	}
	id := st.tickets.create(t, ts)
	t["url"] = st.d.url("tickets", id)

	auditID := st.newID(auditBase)
	com := st.addComment(id, auditID, me, cm, ts)
	events := []any{auditEventFromComment(st.newID(childBase), com)}
	for _, f := range []string{"subject", "status", "priority", "type", "assignee_id", "group_id", "tags"} {
		if t[f] != nil {
			events = append(events, rec{"id": st.newID(childBase), "type": "Create", "field_name": f, "value": t[f]})
		}
	}
	audit := st.addAudit(c, auditID, id, me, events)
	return t, audit, nil
}

// applyTicketInput copies the fields of a TicketInput onto a ticket.
func applyTicketInput(t rec, in rec) {
	for _, f := range []string{"subject", "raw_subject", "priority", "type", "status", "assignee_id", "group_id", "organization_id",
		"external_id", "due_at", "problem_id", "ticket_form_id", "brand_id", "recipient", "custom_status_id", "requester_id", "submitter_id"} {
		if v, ok := in[f]; ok {
			t[f] = v
		}
	}
	if s, ok := in["subject"].(string); ok {
		if _, raw := in["raw_subject"]; !raw {
			t["raw_subject"] = s
		}
	}
	for _, f := range []string{"collaborator_ids", "follower_ids", "email_cc_ids", "sharing_agreement_ids"} {
		if v, ok := in[f].([]any); ok {
			t[f] = v
		}
	}
	if v, ok := in["custom_fields"].([]any); ok {
		t["custom_fields"], t["fields"] = v, v
	}
	if v, ok := in["tags"]; ok {
		t["tags"] = strList(v)
	}
	if v, ok := in["additional_tags"]; ok {
		t["tags"] = strList(append(toList(t["tags"]), toList(v)...))
	}
	if v, ok := in["remove_tags"]; ok {
		t["tags"] = removeAll(toList(t["tags"]), toList(v))
	}
}

func toList(v any) []any {
	l, _ := v.([]any)
	return append([]any(nil), l...)
}

func removeAll(from, drop []any) []any {
	out := []any{}
	for _, x := range from {
		if !slices.Contains(drop, x) {
			out = append(out, x)
		}
	}
	return out
}

func stripHTML(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// addAudit records audit auditID of ticket ticketID and its event in the
// ticket event stream.
func (st *state) addAudit(c *call, auditID, ticketID, author int64, events []any) rec {
	ts := c.nowTS()
	if ts < st.lastEvTS {
		ts = st.lastEvTS
	}
	st.lastEvTS = ts
	a := rec{"id": auditID, "ticket_id": ticketID, "author_id": author, "created_at": rfc3339(ts),
		"metadata": metadata(), "via": via("api"), "events": events}
	st.audits[ticketID] = append(st.audits[ticketID], a)

	var children []any
	for _, e := range events {
		ev, _ := e.(rec)
		child := rec{"id": ev["id"], "via": "Web service", "via_reference_id": nil}
		switch ev["type"] {
		case "Comment":
			child["comment_present"], child["comment_public"], child["event_type"] = true, ev["public"], "Comment"
		default:
			field, _ := ev["field_name"].(string)
			child[field] = ev["value"]
			if _, ok := ev["previous_value"]; ok {
				child["previous_value"] = ev["previous_value"]
			}
			if field == "tags" {
				child["added_tags"], child["removed_tags"] = diffTags(ev["value"], ev["previous_value"])
			}
			child["event_type"] = ev["type"]
		}
		children = append(children, child)
	}
	if children == nil {
		children = []any{}
	}
	// The event's id is its position in the event stream: after the two
	// events of each generated ticket.
	k := int64(2*st.d.tickets + len(st.events))
	st.events = append(st.events, apiEvent{ts: ts, ev: rec{
		"id": eventBase + k, "ticket_id": ticketID, "timestamp": ts, "created_at": rfc3339(ts), "updater_id": author,
		"via": "Web service", "system": rec{"client": "zendesktest", "ip_address": "127.0.0.1"},
		"event_type": "Audit", "child_events": children,
	}})
	return a
}

func diffTags(now, before any) ([]any, []any) {
	n, b := toList(now), toList(before)
	return removeAll(n, b), removeAll(b, n)
}

// changeTicket applies a TicketInput to ticket id: fields, tags, and a
// comment; it records an audit with the changes.
func (st *state) changeTicket(c *call, id int64, cur rec, in rec) (rec, rec, *apiError) {
	if safe, _ := in["safe_update"].(bool); safe {
		if stamp, ok := str(in, "updated_stamp"); ok && stamp != cur["updated_at"] {
			return nil, nil, &apiError{status: http.StatusConflict, code: "UpdateConflict",
				desc: "Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again."}
		}
	}
	me := st.callerUser(c)
	ts := st.tickets.stamp(c.nowTS())
	before := clone(cur)
	t := clone(cur)
	applyTicketInput(t, in)
	t["updated_at"] = rfc3339(ts)
	t["generated_timestamp"] = ts
	if t["status"] == "new" && t["assignee_id"] != nil && in["status"] == nil {
		t["status"] = "open"
	}
	auditID := st.newID(auditBase)
	var events []any
	if cm := obj(in, "comment"); cm != nil {
		com := st.addComment(id, auditID, me, cm, ts)
		events = append(events, auditEventFromComment(st.newID(childBase), com))
	}
	for _, f := range slices.Sorted(maps.Keys(t)) {
		if f == "updated_at" || f == "generated_timestamp" {
			continue
		}
		if jsonText(t[f]) != jsonText(before[f]) {
			events = append(events, rec{"id": st.newID(childBase), "type": "Change", "field_name": f, "value": t[f], "previous_value": before[f]})
		}
	}
	st.tickets.put(id, t, ts)
	if events == nil {
		events = []any{}
	}
	return t, st.addAudit(c, auditID, id, me, events), nil
}

func (st *state) updateTicket(c *call) (*reply, *apiError) {
	id, cur, apiErr := st.ticket(c)
	if apiErr != nil {
		return nil, apiErr
	}
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	t, audit, apiErr := st.changeTicket(c, id, cur, obj(in, "ticket"))
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(rec{"ticket": t, "audit": audit})
}

func (st *state) deleteTicketID(c *call, id int64) bool {
	t, ok := st.tickets.get(id)
	if !ok {
		return false
	}
	tomb := clone(t)
	ts := st.tickets.stamp(c.nowTS())
	tomb["status"] = "deleted"
	tomb["updated_at"] = rfc3339(ts)
	tomb["generated_timestamp"] = ts
	st.tickets.remove(id, tomb, ts)
	return true
}

func (st *state) deleteTicket(c *call) (*reply, *apiError) {
	id, _, apiErr := st.ticket(c)
	if apiErr != nil {
		return nil, apiErr
	}
	st.deleteTicketID(c, id)
	return c.noContent()
}

func (st *state) createManyTickets(c *call) (*reply, *apiError) {
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	items := objs(in, "tickets")
	return st.queueJob(c, "Bulk Create Tickets", len(items), func(c *call) []any {
		out := []any{}
		for i, it := range items {
			t, _, apiErr := st.newTicket(c, it)
			if apiErr != nil {
				out = append(out, rec{"index": i, "error": apiErr.code, "details": errDetails(apiErr)})
				continue
			}
			out = append(out, rec{"index": i, "id": t["id"]})
		}
		return out
	})
}

// ticketComments are ticket id's comments, oldest first.
func (st *state) ticketComments(id int64) []rec {
	var out []rec
	if st.tickets.isGen(id) {
		out = append(out, st.d.genComment(int(id-ticketBase)))
	}
	return append(out, st.comments[id]...)
}

func (st *state) ticketAudits(id int64) []rec {
	var out []rec
	if st.tickets.isGen(id) {
		out = append(out, st.d.genAudit(int(id-ticketBase)))
	}
	return append(out, st.audits[id]...)
}

func (st *state) listTicketComments(c *call) (*reply, *apiError) {
	id, _, apiErr := st.ticket(c)
	if apiErr != nil {
		return nil, apiErr
	}
	src := sliceSource(st.ticketComments(id))
	return c.list("comments", src)
}

func (st *state) countTicketComments(c *call) (*reply, *apiError) {
	id, _, apiErr := st.ticket(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(countBody(len(st.ticketComments(id)), c.now))
}

func (st *state) listTicketAudits(c *call) (*reply, *apiError) {
	id, _, apiErr := st.ticket(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return c.list("audits", sliceSource(st.ticketAudits(id)))
}

func (st *state) countTicketAudits(c *call) (*reply, *apiError) {
	id, _, apiErr := st.ticket(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(countBody(len(st.ticketAudits(id)), c.now))
}

func (st *state) showTicketAudit(c *call) (*reply, *apiError) {
	id, _, apiErr := st.ticket(c)
	if apiErr != nil {
		return nil, apiErr
	}
	auditID, apiErr := c.pathID("ticket_audit_id")
	if apiErr != nil {
		return nil, apiErr
	}
	for _, a := range st.ticketAudits(id) {
		if a["id"] == auditID {
			return c.ok(rec{"audit": a})
		}
	}
	return nil, errNotFound(describe("audit", auditID) + " of " + describe("ticket", id))
}

func (st *state) listTicketTags(c *call) (*reply, *apiError) {
	_, t, apiErr := st.ticket(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(rec{"tags": toList(t["tags"])})
}

func (st *state) changeTags(c *call, how string) (*reply, *apiError) {
	id, cur, apiErr := st.ticket(c)
	if apiErr != nil {
		return nil, apiErr
	}
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	change := rec{"safe_update": in["safe_update"], "updated_stamp": in["updated_stamp"]}
	switch how {
	case "set":
		change["tags"] = in["tags"]
	case "add":
		change["additional_tags"] = in["tags"]
	case "remove":
		change["remove_tags"] = in["tags"]
	}
	t, _, apiErr := st.changeTicket(c, id, cur, change)
	if apiErr != nil {
		return nil, apiErr
	}
	if how == "remove" && c.op.status == http.StatusNoContent {
		return c.noContent()
	}
	return c.ok(rec{"tags": toList(t["tags"])})
}

func (st *state) ticketExport(c *call) (*reply, *apiError) {
	var keep func(int64) bool
	if c.r.URL.Query().Get("exclude_deleted") == "true" {
		keep = func(id int64) bool { return !st.tickets.gone[id] }
	}
	src := tableStream(st.tickets, keep)
	if c.op.meta.Pagination != nil && c.op.meta.Pagination.Style == "incremental-cursor" {
		return c.cursorExport("tickets", src)
	}
	return c.timeExport("tickets", src)
}

// ticketEventExport exports the ticket events: two per generated ticket,
// then one per audit made through the API.
func (st *state) ticketEventExport(c *call) (*reply, *apiError) {
	genN := int64(2 * st.d.tickets)
	src := streamSource{
		end: func() int64 { return genN + int64(len(st.events)) },
		firstKeyAt: func(ts int64) int64 {
			lo, hi := int64(0), genN
			for lo < hi {
				m := (lo + hi) / 2
				if st.d.genEventTime(int(m)) >= ts {
					hi = m
				} else {
					lo = m + 1
				}
			}
			if lo < genN {
				return lo
			}
			j := sort.Search(len(st.events), func(j int) bool { return st.events[j].ts >= ts })
			return genN + int64(j)
		},
		stream: func(from int64, f func(k, id, ts int64) bool) {
			for k := max(from, 0); k < genN+int64(len(st.events)); k++ {
				var ts int64
				if k < genN {
					ts = st.d.genEventTime(int(k))
				} else {
					ts = st.events[k-genN].ts
				}
				if !f(k, k, ts) {
					return
				}
			}
		},
		get: func(k, _ int64) rec {
			if k < genN {
				return st.d.genEvent(int(k))
			}
			return st.events[k-genN].ev
		},
	}
	return c.timeExport("ticket_events", src)
}

func jsonBytes(v any) ([]byte, error) { return json.Marshal(v) }
