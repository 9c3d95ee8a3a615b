package zendesktest

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Sideloads. An answer the fake builds from its state gets the sideloads
// the request's include parameter asks for (validation has checked them
// against the operation's enum), computed from the records of the answer:
//
//   - users, groups, organizations, tickets: the live records the answer's
//     records refer to (requester_id, submitter_id, assignee_id, author_id,
//     user_id, collaborator_ids, follower_ids, email_cc_ids; group_id;
//     organization_id; ticket_id), each once, by id; on groups, users are
//     the groups' agents (by membership); on users, groups are the agents'
//     groups;
//   - comment_count and dates: properties of each ticket; last_audits: each
//     ticket's latest audit; open_ticket_count: the users' tickets that are
//     not solved or closed, keyed by user id;
//   - sideloads of what the fake does not keep (brands, ticket forms, metric
//     sets, identities, abilities) are empty.
//
// Search sideloads name the result type they apply to: tickets(users) adds
// the users that ticket results refer to.

// userRefs are the properties of a record that name users.
var userRefs = []string{"requester_id", "submitter_id", "assignee_id", "author_id", "user_id", "updater_id", "collaborator_ids", "follower_ids", "email_cc_ids"}

// kindOf is the kind of the records of an answer's property.
func kindOf(prop string) string {
	switch prop {
	case "ticket", "tickets":
		return "ticket"
	case "user", "users":
		return "user"
	case "group", "groups":
		return "group"
	case "organization", "organizations":
		return "organization"
	case "audit", "audits":
		return "audit"
	case "group_membership", "group_memberships":
		return "group_membership"
	case "results":
		return "result"
	}
	return ""
}

// sideloaded is a record of an answer, with its kind.
type sideloaded struct {
	kind string
	r    rec
	set  func(rec) // replaces the record in the answer
}

// addSideloads adds the sideloads of the include parameter to an answer
// built from the state. Records that get properties are copied first: the
// answer holds the state's own.
func (st *state) addSideloads(c *call, rep *reply) {
	body, ok := rep.body.(rec)
	if !ok || len(c.op.meta.Sideloads) == 0 {
		return
	}
	include := c.queryList("include")
	if len(include) == 0 {
		return
	}
	var recs []sideloaded
	for _, prop := range slices.Sorted(maps.Keys(body)) {
		kind := kindOf(prop)
		if kind == "" {
			continue
		}
		switch v := body[prop].(type) {
		case rec:
			recs = append(recs, sideloaded{kind: kind, r: v, set: func(r rec) { body[prop] = r }})
		case []any:
			for i, x := range v {
				if r, ok := x.(rec); ok {
					recs = append(recs, sideloaded{kind: kind, r: r, set: func(r rec) { v[i] = r }})
				}
			}
		}
	}
	for i := range recs {
		if recs[i].kind == "result" {
			recs[i].kind, _ = str(recs[i].r, "result_type")
		}
	}
	out := rec{}
	for _, name := range include {
		target, what := "", name
		if open := strings.IndexByte(name, '('); open > 0 && strings.HasSuffix(name, ")") {
			target, what = strings.TrimSuffix(name[:open], "s"), name[open+1:len(name)-1]
		}
		var from []sideloaded
		for _, r := range recs {
			if target == "" || r.kind == target {
				from = append(from, r)
			}
		}
		st.sideload(what, from, out)
	}
	for k, v := range out {
		if _, taken := body[k]; !taken {
			body[k] = v
		}
	}
}

// sideload adds sideload name, from records recs, to out.
func (st *state) sideload(name string, recs []sideloaded, out rec) {
	switch name {
	case "users":
		ids := map[int64]bool{}
		groups := map[int64]bool{}
		for _, r := range recs {
			if r.kind == "group" {
				refs(r.r, []string{"id"}, groups)
				continue
			}
			refs(r.r, userRefs, ids)
		}
		st.memberships(func(user, group int64) {
			if groups[group] {
				ids[user] = true
			}
		})
		out["users"] = merge(out["users"], st.records(st.users, ids))
	case "groups":
		ids := map[int64]bool{}
		users := map[int64]bool{}
		for _, r := range recs {
			if r.kind == "user" {
				refs(r.r, []string{"id"}, users)
				continue
			}
			refs(r.r, []string{"group_id"}, ids)
		}
		st.memberships(func(user, group int64) {
			if users[user] {
				ids[group] = true
			}
		})
		out["groups"] = merge(out["groups"], st.records(st.groups, ids))
	case "organizations":
		ids := map[int64]bool{}
		for _, r := range recs {
			refs(r.r, []string{"organization_id"}, ids)
		}
		out["organizations"] = merge(out["organizations"], st.records(st.orgs, ids))
	case "tickets":
		ids := map[int64]bool{}
		for _, r := range recs {
			refs(r.r, []string{"ticket_id"}, ids)
		}
		out["tickets"] = merge(out["tickets"], st.records(st.tickets, ids))
	case "comment_count", "dates":
		for _, r := range recs {
			if r.kind != "ticket" {
				continue
			}
			id, _ := num(r.r, "id")
			t := maps.Clone(r.r)
			if name == "comment_count" {
				t["comment_count"] = len(st.ticketComments(id))
			} else {
				t["dates"] = ticketDates(t)
			}
			r.set(t)
		}
	case "last_audits":
		audits := []any{}
		for _, r := range recs {
			id, _ := num(r.r, "id")
			if as := st.ticketAudits(id); r.kind == "ticket" && len(as) > 0 {
				audits = append(audits, as[len(as)-1])
			}
		}
		out["last_audits"] = audits
	case "open_ticket_count":
		counts := rec{}
		want := map[int64]bool{}
		for _, r := range recs {
			if id, ok := num(r.r, "id"); ok && r.kind == "user" {
				want[id] = true
				counts[strconv.FormatInt(id, 10)] = 0
			}
		}
		st.tickets.ascend(-1<<62, func(id int64) bool {
			t, _ := st.tickets.get(id)
			rq, _ := num(t, "requester_id")
			if s, _ := str(t, "status"); want[rq] && s != "solved" && s != "closed" {
				counts[strconv.FormatInt(rq, 10)] = counts[strconv.FormatInt(rq, 10)].(int) + 1
			}
			return true
		})
		out["open_ticket_count"] = counts
	default:
		// brands, ticket_forms, metric_sets, identities, abilities: not kept.
		if _, ok := out[name]; !ok {
			out[name] = []any{}
		}
	}
}

// refs adds the ids of r's properties props (ids or lists of ids) to ids.
func refs(r rec, props []string, ids map[int64]bool) {
	for _, p := range props {
		switch v := r[p].(type) {
		case int64:
			ids[v] = true
		case []any:
			for _, x := range v {
				if id, ok := x.(int64); ok {
					ids[id] = true
				}
			}
		}
	}
}

// records are the live records of t with the ids, by id.
func (st *state) records(t *table, ids map[int64]bool) []any {
	out := []any{}
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		if r, ok := t.get(id); ok {
			out = append(out, r)
		}
	}
	return out
}

// merge adds the records of more not already in have (by id).
func merge(have any, more []any) []any {
	prev, _ := have.([]any)
	seen := map[int64]bool{}
	for _, x := range prev {
		id, _ := num(x.(rec), "id")
		seen[id] = true
	}
	for _, x := range more {
		if id, _ := num(x.(rec), "id"); !seen[id] {
			prev = append(prev, x)
			seen[id] = true
		}
	}
	if prev == nil {
		prev = []any{}
	}
	return prev
}

// memberships calls f with the user and group of each live group
// membership: one pass, however many records an answer holds.
func (st *state) memberships(f func(user, group int64)) {
	if len(st.members.created) == 0 && len(st.members.over) == 0 && st.members.goneGen == 0 {
		// Only generated memberships: membership j puts agent j in group j%groups.
		for j := range st.d.memberships() {
			f(userID(j), groupID(j%st.d.groups))
		}
		return
	}
	st.members.ascend(-1<<62, func(m int64) bool {
		r, _ := st.members.get(m)
		u, _ := num(r, "user_id")
		g, _ := num(r, "group_id")
		f(u, g)
		return true
	})
}

// ticketDates are a ticket's milestone times, from what the fake knows:
// its last update stands for the requester's and the status's.
func ticketDates(t rec) rec {
	upd := t["updated_at"]
	d := rec{"assignee_updated_at": nil, "requester_updated_at": upd, "status_updated_at": upd,
		"initially_assigned_at": nil, "assigned_at": nil, "solved_at": nil, "latest_comment_added_at": upd}
	if t["assignee_id"] != nil {
		d["initially_assigned_at"], d["assigned_at"] = t["created_at"], t["created_at"]
	}
	if s := t["status"]; s == "solved" || s == "closed" {
		d["solved_at"] = upd
	}
	return d
}
