package zendesktest

// bulkKind describes the update-many and delete-many endpoints of a
// resource: where its records are in a request, how they are found,
// changed and deleted.
type bulkKind struct {
	one, many string // the body's keys: "user" (ids given) or "users" (each with its id)
	title     string // for the job's type: "Users"
	notFound  string // the per-item error: "UserNotFound"
	// byExternalID finds a record by external id; nil when the resource
	// takes ids only.
	byExternalID func(string) (int64, bool)
	get          func(int64) (rec, bool)
	change       func(c *call, id int64, cur, in rec) *apiError
	remove       func(c *call, id int64) bool
}

// ids are the records a bulk call names in its query: ids, and external
// ids where the resource has them (at most 100).
func (k bulkKind) ids(c *call) ([]int64, *apiError) {
	if k.byExternalID != nil {
		return c.idsOrExternalIDs(k.byExternalID)
	}
	ids, apiErr := c.queryIDs("ids")
	if apiErr == nil && len(ids) > 100 {
		apiErr = errInvalidParam("at most 100 ids at once, not %d", len(ids))
	}
	return ids, apiErr
}

// updateMany queues a job that applies one change to the records the query
// names, or each record's own change from the body's list.
func (st *state) updateMany(c *call, k bulkKind) (*reply, *apiError) {
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	ids, apiErr := k.ids(c)
	if apiErr != nil {
		return nil, apiErr
	}
	type upd struct {
		id int64
		in rec
	}
	var todo []upd
	for _, id := range ids {
		todo = append(todo, upd{id, obj(in, k.one)})
	}
	if len(ids) == 0 {
		for _, r := range objs(in, k.many) {
			id, ok := num(r, "id")
			if !ok && k.byExternalID != nil {
				id, _ = k.byExternalID(asString(r["external_id"]))
			}
			todo = append(todo, upd{id, r})
		}
	}
	if len(todo) > 100 {
		return nil, errInvalidParam("at most 100 %s at once, not %d", k.many, len(todo))
	}
	return st.queueJob(c, "Bulk Update "+k.title, len(todo), func(c *call) []any {
		out := []any{}
		for _, u := range todo {
			cur, ok := k.get(u.id)
			if !ok {
				out = append(out, rec{"id": u.id, "action": "update", "success": false, "status": "Failed", "error": k.notFound})
				continue
			}
			if apiErr := k.change(c, u.id, cur, u.in); apiErr != nil {
				out = append(out, rec{"id": u.id, "action": "update", "success": false, "status": "Failed", "error": apiErr.code, "details": errDetails(apiErr)})
				continue
			}
			out = append(out, rec{"id": u.id, "action": "update", "success": true, "status": "Updated"})
		}
		return out
	})
}

// deleteMany queues a job that deletes the records the query names.
func (st *state) deleteMany(c *call, k bulkKind) (*reply, *apiError) {
	ids, apiErr := k.ids(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return st.queueJob(c, "Bulk Delete "+k.title, len(ids), func(c *call) []any {
		out := []any{}
		for _, id := range ids {
			if k.remove(c, id) {
				out = append(out, rec{"id": id, "action": "delete", "success": true, "status": "Deleted"})
			} else {
				out = append(out, rec{"id": id, "action": "delete", "success": false, "status": "Failed", "error": k.notFound})
			}
		}
		return out
	})
}

func (st *state) ticketsBulk() bulkKind {
	return bulkKind{one: "ticket", many: "tickets", title: "Tickets", notFound: "TicketNotFound",
		get: st.tickets.get,
		change: func(c *call, id int64, cur, in rec) *apiError {
			_, _, apiErr := st.changeTicket(c, id, cur, in)
			return apiErr
		},
		remove: st.deleteTicketID}
}

func (st *state) usersBulk() bulkKind {
	return bulkKind{one: "user", many: "users", title: "Users", notFound: "UserNotFound",
		byExternalID: st.userByExternalID, get: st.users.get,
		change: func(c *call, id int64, cur, in rec) *apiError {
			_, apiErr := st.changeUser(c, id, cur, in)
			return apiErr
		},
		remove: func(c *call, id int64) bool {
			_, ok := st.deleteUserID(c, id)
			return ok
		}}
}

func (st *state) organizationsBulk() bulkKind {
	return bulkKind{one: "organization", many: "organizations", title: "Organizations", notFound: "OrganizationNotFound",
		byExternalID: st.orgByExternalID, get: st.orgs.get,
		change: func(c *call, id int64, cur, in rec) *apiError {
			_, apiErr := st.changeOrg(c, id, cur, in)
			return apiErr
		},
		remove: st.deleteOrgID}
}
