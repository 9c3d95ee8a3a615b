package zendesktest

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

func (st *state) registerUsers() {
	h := st.handlers
	h["ListUsers"] = st.listUsers
	h["CountUsers"] = st.countUsers
	h["ShowUser"] = st.showUser
	h["ShowSelf"] = st.showSelf
	h["ShowManyUsers"] = st.showManyUsers
	h["CreateUser"] = st.createUser
	h["UpdateUser"] = st.updateUser
	h["DeleteUser"] = st.deleteUser
	h["CreateOrUpdateUser"] = st.createOrUpdateUser
	h["CreateManyUsers"] = func(c *call) (*reply, *apiError) { return st.bulkUsers(c, "create") }
	h["CreateOrUpdateManyUsers"] = func(c *call) (*reply, *apiError) { return st.bulkUsers(c, "create_or_update") }
	h["UpdateManyUsers"] = func(c *call) (*reply, *apiError) { return st.updateMany(c, st.usersBulk()) }
	h["DeleteManyUsers"] = func(c *call) (*reply, *apiError) { return st.deleteMany(c, st.usersBulk()) }
	h["IncrementalUserExport"] = st.userExport
	h["IncrementalUserCursorExport"] = st.userExport
}

// userByEmail finds a live user by email.
func (st *state) userByEmail(email string) (int64, bool) {
	email = lower(email)
	if email == "" {
		return 0, false
	}
	if id, ok := st.userEmails[email]; ok {
		if u, live := st.users.get(id); live && lower(asString(u["email"])) == email {
			return id, true
		}
	}
	if i := st.d.genUserIndexByEmail(email); i >= 0 {
		id := userID(i)
		if u, live := st.users.get(id); live && lower(asString(u["email"])) == email {
			return id, true
		}
	}
	return 0, false
}

// userByExternalID finds a live user by external id.
func (st *state) userByExternalID(ext string) (int64, bool) {
	if ext == "" {
		return 0, false
	}
	if id, ok := st.userExtIDs[ext]; ok {
		if u, live := st.users.get(id); live && asString(u["external_id"]) == ext {
			return id, true
		}
	}
	if n, ok := strings.CutPrefix(ext, "crm-"); ok {
		if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < st.d.users {
			if u, live := st.users.get(userID(i)); live && asString(u["external_id"]) == ext {
				return userID(i), true
			}
		}
	}
	return 0, false
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

func (st *state) user(c *call) (int64, rec, *apiError) {
	id, apiErr := c.pathID("user_id")
	if apiErr != nil {
		return 0, nil, apiErr
	}
	u, ok := st.users.get(id)
	if !ok {
		return 0, nil, errNotFound(describe("user", id))
	}
	return id, u, nil
}

// roleFilter keeps the users with the roles of the request's role and
// role[] parameters, and its external_id.
func (st *state) roleFilter(c *call) func(int64) bool {
	q := c.r.URL.Query()
	roles := append(c.queryList("role"), q["role[]"]...)
	ext := q.Get("external_id")
	if len(roles) == 0 && ext == "" {
		return nil
	}
	return func(id int64) bool {
		if _, changed := st.users.over[id]; !changed && st.users.isGen(id) && ext == "" {
			return slices.Contains(roles, st.d.userRole(int(id-userBase)))
		}
		u, _ := st.users.get(id)
		if len(roles) > 0 && !slices.Contains(roles, asString(u["role"])) {
			return false
		}
		return ext == "" || asString(u["external_id"]) == ext
	}
}

func (st *state) listUsers(c *call) (*reply, *apiError) {
	return c.list("users", tableSource(st.users, st.roleFilter(c)))
}

func (st *state) countUsers(c *call) (*reply, *apiError) {
	keep := st.roleFilter(c)
	if keep == nil {
		return c.ok(countBody(st.users.count(), c.now))
	}
	n := 0
	st.users.ascend(-1<<62, func(id int64) bool {
		if keep(id) {
			n++
		}
		return true
	})
	return c.ok(countBody(n, c.now))
}

func (st *state) showUser(c *call) (*reply, *apiError) {
	_, u, apiErr := st.user(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(rec{"user": u})
}

func (st *state) showSelf(c *call) (*reply, *apiError) {
	u, ok := st.users.get(st.callerUser(c))
	if !ok {
		return nil, errNotFound("the authenticated user")
	}
	return c.ok(rec{"user": u})
}

func (st *state) showManyUsers(c *call) (*reply, *apiError) {
	ids, apiErr := c.queryIDs("ids")
	if apiErr != nil {
		return nil, apiErr
	}
	for _, ext := range c.queryList("external_ids") {
		if id, ok := st.userByExternalID(ext); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) > 100 {
		return nil, errInvalidParam("at most 100 ids at once, not %d", len(ids))
	}
	out := []any{}
	for _, id := range ids {
		if u, ok := st.users.get(id); ok {
			out = append(out, u)
		}
	}
	return c.ok(rec{"users": out})
}

// applyUserInput copies the fields of a UserInput onto a user.
func applyUserInput(u, in rec) {
	for _, f := range []string{"name", "email", "role", "custom_role_id", "external_id", "alias", "details", "notes", "phone",
		"shared_phone_number", "locale_id", "time_zone", "organization_id", "default_group_id", "moderator",
		"only_private_comments", "restricted_agent", "signature", "suspended", "ticket_restriction", "verified"} {
		if v, ok := in[f]; ok {
			u[f] = v
		}
	}
	if v, ok := in["email"].(string); ok {
		u["email"] = lower(v)
	}
	if v, ok := in["tags"]; ok {
		u["tags"] = strList(v)
	}
	if v, ok := in["user_fields"].(rec); ok {
		fields, _ := u["user_fields"].(rec)
		if fields == nil {
			fields = rec{}
		}
		for k, x := range v {
			fields[k] = x
		}
		u["user_fields"] = fields
	}
	if v, ok := in["locale"].(string); ok {
		u["locale"] = v
	}
	if r, _ := u["role"].(string); r == "end-user" && u["ticket_restriction"] == nil {
		u["ticket_restriction"] = "requested"
	}
}

// checkUser refuses an email or external id another user has.
func (st *state) checkUser(id int64, u rec) *apiError {
	if email := asString(u["email"]); email != "" {
		if other, ok := st.userByEmail(email); ok && other != id {
			return &apiError{status: http.StatusUnprocessableEntity, code: "RecordInvalid", desc: "Record validation errors",
				details: map[string][]map[string]string{"email": {{"description": "Email: " + email + " is already being used by another user", "error": "DuplicateValue"}}}}
		}
	}
	if ext := asString(u["external_id"]); ext != "" {
		if other, ok := st.userByExternalID(ext); ok && other != id {
			return &apiError{status: http.StatusUnprocessableEntity, code: "RecordInvalid", desc: "Record validation errors",
				details: map[string][]map[string]string{"external_id": {{"description": "External: " + ext + " has already been taken", "error": "DuplicateValue"}}}}
		}
	}
	return nil
}

func (st *state) index(id int64, u rec) {
	if email := asString(u["email"]); email != "" {
		st.userEmails[lower(email)] = id
	}
	if ext := asString(u["external_id"]); ext != "" {
		st.userExtIDs[ext] = id
	}
}

// newUser creates a user from a UserInput.
func (st *state) newUser(c *call, in rec) (rec, *apiError) {
	if in == nil {
		in = rec{}
	}
	ts := st.users.stamp(c.nowTS())
	u := st.d.user(0)
	for _, f := range []string{"organization_id", "external_id", "default_group_id", "custom_role_id", "role_type", "phone"} {
		u[f] = nil
	}
	u["name"], u["email"], u["role"], u["tags"], u["user_fields"] = "New User", nil, "end-user", []any{}, rec{}
	u["moderator"], u["report_csv"], u["ticket_restriction"] = false, false, "requested"
	u["created_at"], u["updated_at"] = rfc3339(ts), rfc3339(ts)
	applyUserInput(u, in)
	if asString(u["name"]) == "" {
		u["name"] = "New User"
		if email := asString(u["email"]); email != "" {
			u["name"] = strings.SplitN(email, "@", 2)[0]
		}
	}
	if apiErr := st.checkUser(-1, u); apiErr != nil {
		return nil, apiErr
	}
	id := st.users.create(u, ts)
	u["url"] = st.d.url("users", id)
	st.index(id, u)
	return u, nil
}

func (st *state) changeUser(c *call, id int64, cur, in rec) (rec, *apiError) {
	u := clone(cur)
	applyUserInput(u, in)
	if apiErr := st.checkUser(id, u); apiErr != nil {
		return nil, apiErr
	}
	ts := st.users.stamp(c.nowTS())
	u["updated_at"] = rfc3339(ts)
	st.users.put(id, u, ts)
	st.index(id, u)
	return u, nil
}

// findOrCreateRequester is the user a ticket's requester object names, by
// email, created when there is none.
func (st *state) findOrCreateRequester(c *call, rq rec) (int64, *apiError) {
	if email, _ := str(rq, "email"); email != "" {
		if id, ok := st.userByEmail(email); ok {
			return id, nil
		}
	}
	in := rec{}
	for _, f := range []string{"name", "email", "locale_id"} {
		if v, ok := rq[f]; ok && v != nil {
			in[f] = v
		}
	}
	u, apiErr := st.newUser(c, in)
	if apiErr != nil {
		return 0, apiErr
	}
	id, _ := num(u, "id")
	return id, nil
}

func (st *state) createUser(c *call) (*reply, *apiError) {
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	u, apiErr := st.newUser(c, obj(in, "user"))
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(rec{"user": u})
}

func (st *state) updateUser(c *call) (*reply, *apiError) {
	id, cur, apiErr := st.user(c)
	if apiErr != nil {
		return nil, apiErr
	}
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	u, apiErr := st.changeUser(c, id, cur, obj(in, "user"))
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(rec{"user": u})
}

func (st *state) deleteUserID(c *call, id int64) (rec, bool) {
	u, ok := st.users.get(id)
	if !ok {
		return nil, false
	}
	tomb := clone(u)
	ts := st.users.stamp(c.nowTS())
	tomb["active"] = false
	tomb["updated_at"] = rfc3339(ts)
	st.users.remove(id, tomb, ts)
	return tomb, true
}

func (st *state) deleteUser(c *call) (*reply, *apiError) {
	id, _, apiErr := st.user(c)
	if apiErr != nil {
		return nil, apiErr
	}
	tomb, _ := st.deleteUserID(c, id)
	return c.ok(rec{"user": tomb})
}

// matchUser finds the user a UserInput names: by id, external id or email.
func (st *state) matchUser(in rec) (int64, bool) {
	if id, ok := num(in, "id"); ok {
		if _, live := st.users.get(id); live {
			return id, true
		}
	}
	if id, ok := st.userByExternalID(asString(in["external_id"])); ok {
		return id, true
	}
	return st.userByEmail(asString(in["email"]))
}

func (st *state) createOrUpdateUser(c *call) (*reply, *apiError) {
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	ui := obj(in, "user")
	if id, ok := st.matchUser(ui); ok {
		cur, _ := st.users.get(id)
		u, apiErr := st.changeUser(c, id, cur, ui)
		if apiErr != nil {
			return nil, apiErr
		}
		return &reply{status: http.StatusOK, body: rec{"user": u}}, nil
	}
	u, apiErr := st.newUser(c, ui)
	if apiErr != nil {
		return nil, apiErr
	}
	return &reply{status: http.StatusCreated, body: rec{"user": u}}, nil
}

func errDetails(e *apiError) string {
	for _, f := range slices.Sorted(maps.Keys(e.details)) {
		for _, d := range e.details[f] {
			return d["description"]
		}
	}
	return e.desc
}

func (st *state) bulkUsers(c *call, how string) (*reply, *apiError) {
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	items := objs(in, "users")
	name := "Bulk Create Users"
	if how == "create_or_update" {
		name = "Bulk Create or Update Users"
	}
	return st.queueJob(c, name, len(items), func(c *call) []any {
		out := []any{}
		for i, it := range items {
			if how == "create_or_update" {
				if id, ok := st.matchUser(it); ok {
					cur, _ := st.users.get(id)
					if _, apiErr := st.changeUser(c, id, cur, it); apiErr != nil {
						out = append(out, rec{"index": i, "error": apiErr.code, "details": errDetails(apiErr)})
						continue
					}
					out = append(out, rec{"index": i, "id": id, "action": "update", "status": "Updated", "success": true})
					continue
				}
			}
			u, apiErr := st.newUser(c, it)
			if apiErr != nil {
				out = append(out, rec{"index": i, "error": apiErr.code, "details": errDetails(apiErr)})
				continue
			}
			r := rec{"index": i, "id": u["id"]}
			if how == "create_or_update" {
				r["action"], r["status"], r["success"] = "create", "Created", true
			}
			if ext := asString(u["external_id"]); ext != "" {
				r["external_id"] = ext
			}
			out = append(out, r)
		}
		return out
	})
}

// idsOrExternalIDs reads the ids and external_ids parameters of a bulk
// operation, resolving external ids with find.
func (c *call) idsOrExternalIDs(find func(string) (int64, bool)) ([]int64, *apiError) {
	ids, apiErr := c.queryIDs("ids")
	if apiErr != nil {
		return nil, apiErr
	}
	exts := c.queryList("external_ids")
	for _, ext := range exts {
		if id, ok := find(ext); ok {
			ids = append(ids, id)
		} else {
			ids = append(ids, -1)
		}
	}
	if len(ids) > 100 {
		return nil, errInvalidParam("at most 100 ids at once, not %d", len(ids))
	}
	return ids, nil
}

func (st *state) userExport(c *call) (*reply, *apiError) {
	src := tableStream(st.users, nil)
	if c.op.meta.Pagination != nil && c.op.meta.Pagination.Style == "incremental-cursor" {
		return c.cursorExport("users", src)
	}
	return c.timeExport("users", src)
}
