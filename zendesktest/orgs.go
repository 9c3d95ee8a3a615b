package zendesktest

import (
	"net/http"
	"strconv"
	"strings"
)

func (st *state) registerOrganizations() {
	h := st.handlers
	h["ListOrganizations"] = func(c *call) (*reply, *apiError) { return c.list("organizations", tableSource(st.orgs, nil)) }
	h["CountOrganizations"] = func(c *call) (*reply, *apiError) { return c.ok(countBody(st.orgs.count(), c.now)) }
	h["ShowOrganization"] = st.showOrganization
	h["ShowManyOrganizations"] = st.showManyOrganizations
	h["CreateOrganization"] = st.createOrganization
	h["UpdateOrganization"] = st.updateOrganization
	h["DeleteOrganization"] = st.deleteOrganization
	h["CreateOrUpdateOrganization"] = st.createOrUpdateOrganization
	h["CreateManyOrganizations"] = st.createManyOrganizations
	h["UpdateManyOrganizations"] = func(c *call) (*reply, *apiError) { return st.updateMany(c, st.organizationsBulk()) }
	h["DeleteManyOrganizations"] = func(c *call) (*reply, *apiError) { return st.deleteMany(c, st.organizationsBulk()) }
	h["IncrementalOrganizationExport"] = func(c *call) (*reply, *apiError) {
		return c.timeExport("organizations", tableStream(st.orgs, nil))
	}
	h["AutocompleteOrganizations"] = st.autocompleteOrganizations
}

// autocompleteOrganizations lists the organizations whose name starts
// with the name parameter (in any case), with offset pagination only, as on
// Zendesk: a long list meets the depth limit.
func (st *state) autocompleteOrganizations(c *call) (*reply, *apiError) {
	prefix := lower(c.r.URL.Query().Get("name"))
	return c.list("organizations", tableSource(st.orgs, func(id int64) bool {
		o, _ := st.orgs.get(id)
		name, _ := str(o, "name")
		return strings.HasPrefix(lower(name), prefix)
	}))
}

func (st *state) org(c *call) (int64, rec, *apiError) {
	id, apiErr := c.pathID("organization_id")
	if apiErr != nil {
		return 0, nil, apiErr
	}
	o, ok := st.orgs.get(id)
	if !ok {
		return 0, nil, errNotFound(describe("organization", id))
	}
	return id, o, nil
}

// orgByName finds a live organization by name (case-insensitive).
func (st *state) orgByName(name string) (int64, bool) {
	name = lower(name)
	if name == "" {
		return 0, false
	}
	if id, ok := st.orgNames[name]; ok {
		if o, live := st.orgs.get(id); live && lower(asString(o["name"])) == name {
			return id, true
		}
	}
	// Generated names end with the index plus one.
	if sp := strings.LastIndexByte(name, ' '); sp >= 0 {
		if n, err := strconv.Atoi(name[sp+1:]); err == nil && n >= 1 && n <= st.d.orgs {
			if o, live := st.orgs.get(orgID(n - 1)); live && lower(asString(o["name"])) == name {
				return orgID(n - 1), true
			}
		}
	}
	return 0, false
}

func (st *state) orgByExternalID(ext string) (int64, bool) {
	if ext == "" {
		return 0, false
	}
	if id, ok := st.orgExtIDs[ext]; ok {
		if o, live := st.orgs.get(id); live && asString(o["external_id"]) == ext {
			return id, true
		}
	}
	if n, ok := strings.CutPrefix(ext, "org-"); ok {
		if i, err := strconv.Atoi(n); err == nil && i >= 1 && i <= st.d.orgs {
			if o, live := st.orgs.get(orgID(i - 1)); live && asString(o["external_id"]) == ext {
				return orgID(i - 1), true
			}
		}
	}
	return 0, false
}

func (st *state) showOrganization(c *call) (*reply, *apiError) {
	_, o, apiErr := st.org(c)
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(rec{"organization": o})
}

func (st *state) showManyOrganizations(c *call) (*reply, *apiError) {
	ids, apiErr := c.idsOrExternalIDs(st.orgByExternalID)
	if apiErr != nil {
		return nil, apiErr
	}
	out := []any{}
	for _, id := range ids {
		if o, ok := st.orgs.get(id); ok {
			out = append(out, o)
		}
	}
	return c.ok(rec{"organizations": out, "count": len(out), "next_page": nil, "previous_page": nil})
}

func applyOrgInput(o, in rec) {
	for _, f := range []string{"name", "external_id", "details", "notes", "group_id", "shared_tickets", "shared_comments"} {
		if v, ok := in[f]; ok {
			o[f] = v
		}
	}
	if v, ok := in["domain_names"]; ok {
		o["domain_names"] = strList(v)
	}
	if v, ok := in["tags"]; ok {
		o["tags"] = strList(v)
	}
	if v, ok := in["organization_fields"].(rec); ok {
		fields, _ := o["organization_fields"].(rec)
		if fields == nil {
			fields = rec{}
		}
		for k, x := range v {
			fields[k] = x
		}
		o["organization_fields"] = fields
	}
}

func (st *state) checkOrg(id int64, o rec) *apiError {
	name := asString(o["name"])
	if strings.TrimSpace(name) == "" {
		return &apiError{status: http.StatusUnprocessableEntity, code: "RecordInvalid", desc: "Record validation errors",
			details: map[string][]map[string]string{"name": {{"description": "Name: cannot be blank", "error": "BlankValue"}}}}
	}
	if other, ok := st.orgByName(name); ok && other != id {
		return &apiError{status: http.StatusUnprocessableEntity, code: "RecordInvalid", desc: "Record validation errors",
			details: map[string][]map[string]string{"name": {{"description": "Name: " + name + " has already been taken", "error": "DuplicateValue"}}}}
	}
	if ext := asString(o["external_id"]); ext != "" {
		if other, ok := st.orgByExternalID(ext); ok && other != id {
			return &apiError{status: http.StatusUnprocessableEntity, code: "RecordInvalid", desc: "Record validation errors",
				details: map[string][]map[string]string{"external_id": {{"description": "External: " + ext + " has already been taken", "error": "DuplicateValue"}}}}
		}
	}
	return nil
}

func (st *state) indexOrg(id int64, o rec) {
	st.orgNames[lower(asString(o["name"]))] = id
	if ext := asString(o["external_id"]); ext != "" {
		st.orgExtIDs[ext] = id
	}
}

func (st *state) newOrg(c *call, in rec) (rec, *apiError) {
	if in == nil {
		in = rec{}
	}
	ts := st.orgs.stamp(c.nowTS())
	o := rec{
		"name": "", "shared_tickets": false, "shared_comments": false, "external_id": nil,
		"created_at": rfc3339(ts), "updated_at": rfc3339(ts), "deleted_at": nil, "domain_names": []any{},
		"details": nil, "notes": nil, "group_id": nil, "tags": []any{}, "organization_fields": rec{},
	}
	applyOrgInput(o, in)
	if _, named := in["name"]; !named {
		o["name"] = "Organization " + strconv.FormatInt(st.orgs.next, 10)
	}
	if apiErr := st.checkOrg(-1, o); apiErr != nil {
		return nil, apiErr
	}
	id := st.orgs.create(o, ts)
	o["url"] = st.d.url("organizations", id)
	st.indexOrg(id, o)
	return o, nil
}

func (st *state) changeOrg(c *call, id int64, cur, in rec) (rec, *apiError) {
	o := clone(cur)
	applyOrgInput(o, in)
	if apiErr := st.checkOrg(id, o); apiErr != nil {
		return nil, apiErr
	}
	ts := st.orgs.stamp(c.nowTS())
	o["updated_at"] = rfc3339(ts)
	st.orgs.put(id, o, ts)
	st.indexOrg(id, o)
	return o, nil
}

func (st *state) createOrganization(c *call) (*reply, *apiError) {
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	o, apiErr := st.newOrg(c, obj(in, "organization"))
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(rec{"organization": o})
}

func (st *state) updateOrganization(c *call) (*reply, *apiError) {
	id, cur, apiErr := st.org(c)
	if apiErr != nil {
		return nil, apiErr
	}
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	o, apiErr := st.changeOrg(c, id, cur, obj(in, "organization"))
	if apiErr != nil {
		return nil, apiErr
	}
	return c.ok(rec{"organization": o})
}

func (st *state) deleteOrgID(c *call, id int64) bool {
	o, ok := st.orgs.get(id)
	if !ok {
		return false
	}
	tomb := clone(o)
	ts := st.orgs.stamp(c.nowTS())
	tomb["deleted_at"], tomb["updated_at"] = rfc3339(ts), rfc3339(ts)
	st.orgs.remove(id, tomb, ts)
	return true
}

func (st *state) deleteOrganization(c *call) (*reply, *apiError) {
	id, _, apiErr := st.org(c)
	if apiErr != nil {
		return nil, apiErr
	}
	st.deleteOrgID(c, id)
	return c.noContent()
}

func (st *state) matchOrg(in rec) (int64, bool) {
	if id, ok := num(in, "id"); ok {
		if _, live := st.orgs.get(id); live {
			return id, true
		}
	}
	if id, ok := st.orgByExternalID(asString(in["external_id"])); ok {
		return id, true
	}
	return st.orgByName(asString(in["name"]))
}

func (st *state) createOrUpdateOrganization(c *call) (*reply, *apiError) {
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	oi := obj(in, "organization")
	if id, ok := st.matchOrg(oi); ok {
		cur, _ := st.orgs.get(id)
		o, apiErr := st.changeOrg(c, id, cur, oi)
		if apiErr != nil {
			return nil, apiErr
		}
		return &reply{status: http.StatusOK, body: rec{"organization": o}}, nil
	}
	o, apiErr := st.newOrg(c, oi)
	if apiErr != nil {
		return nil, apiErr
	}
	return &reply{status: http.StatusCreated, body: rec{"organization": o}}, nil
}

func (st *state) createManyOrganizations(c *call) (*reply, *apiError) {
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	items := objs(in, "organizations")
	return st.queueJob(c, "Bulk Create Organizations", len(items), func(c *call) []any {
		out := []any{}
		for i, it := range items {
			o, apiErr := st.newOrg(c, it)
			if apiErr != nil {
				out = append(out, rec{"index": i, "error": apiErr.code, "details": errDetails(apiErr)})
				continue
			}
			out = append(out, rec{"index": i, "id": o["id"]})
		}
		return out
	})
}

func (st *state) registerGroups() {
	h := st.handlers
	listGroups := func(c *call) (*reply, *apiError) { return c.list("groups", tableSource(st.groups, nil)) }
	h["ListGroups"] = listGroups
	h["ListAssignableGroups"] = listGroups
	h["CountGroups"] = func(c *call) (*reply, *apiError) { return c.ok(countBody(st.groups.count(), c.now)) }
	h["ShowGroup"] = func(c *call) (*reply, *apiError) {
		_, g, apiErr := st.lookup(c, st.groups, "group_id", "group")
		if apiErr != nil {
			return nil, apiErr
		}
		return c.ok(rec{"group": g})
	}
	h["CreateGroup"] = st.createGroup
	h["UpdateGroup"] = st.updateGroup
	h["DeleteGroup"] = func(c *call) (*reply, *apiError) {
		id, g, apiErr := st.lookup(c, st.groups, "group_id", "group")
		if apiErr != nil {
			return nil, apiErr
		}
		tomb := clone(g)
		ts := st.groups.stamp(c.nowTS())
		tomb["deleted"], tomb["updated_at"] = true, rfc3339(ts)
		st.groups.remove(id, tomb, ts)
		return c.noContent()
	}

	listMembers := func(c *call) (*reply, *apiError) {
		return c.list("group_memberships", tableSource(st.members, nil))
	}
	h["ListGroupMemberships"] = listMembers
	h["ListAssignableGroupMemberships"] = listMembers
	h["ShowGroupMembership"] = func(c *call) (*reply, *apiError) {
		_, m, apiErr := st.lookup(c, st.members, "group_membership_id", "group membership")
		if apiErr != nil {
			return nil, apiErr
		}
		return c.ok(rec{"group_membership": m})
	}
	h["CreateGroupMembership"] = func(c *call) (*reply, *apiError) {
		in, apiErr := c.decodeBody()
		if apiErr != nil {
			return nil, apiErr
		}
		return c.ok(rec{"group_membership": st.newMembership(c, obj(in, "group_membership"))})
	}
	h["DeleteGroupMembership"] = func(c *call) (*reply, *apiError) {
		id, m, apiErr := st.lookup(c, st.members, "group_membership_id", "group membership")
		if apiErr != nil {
			return nil, apiErr
		}
		st.members.remove(id, m, c.nowTS())
		return c.noContent()
	}
	h["CreateManyGroupMemberships"] = func(c *call) (*reply, *apiError) {
		in, apiErr := c.decodeBody()
		if apiErr != nil {
			return nil, apiErr
		}
		items := objs(in, "group_memberships")
		return st.queueJob(c, "Bulk Create Group Memberships", len(items), func(c *call) []any {
			out := []any{}
			for i, it := range items {
				m := st.newMembership(c, it)
				out = append(out, rec{"index": i, "id": m["id"]})
			}
			return out
		})
	}
	h["DeleteManyGroupMemberships"] = func(c *call) (*reply, *apiError) {
		ids, apiErr := c.queryIDs("ids")
		if apiErr != nil {
			return nil, apiErr
		}
		return st.queueJob(c, "Bulk Delete Group Memberships", len(ids), func(c *call) []any {
			out := []any{}
			for _, id := range ids {
				m, ok := st.members.get(id)
				if !ok {
					out = append(out, rec{"id": id, "action": "delete", "success": false, "status": "Failed", "error": "GroupMembershipNotFound"})
					continue
				}
				st.members.remove(id, m, c.nowTS())
				out = append(out, rec{"id": id, "action": "delete", "success": true, "status": "Deleted"})
			}
			return out
		})
	}
}

// lookup finds the live record of table t named by path parameter param.
func (st *state) lookup(c *call, t *table, param, kind string) (int64, rec, *apiError) {
	id, apiErr := c.pathID(param)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	r, ok := t.get(id)
	if !ok {
		return 0, nil, errNotFound(describe(kind, id))
	}
	return id, r, nil
}

func (st *state) createGroup(c *call) (*reply, *apiError) {
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	gi := obj(in, "group")
	ts := st.groups.stamp(c.nowTS())
	g := rec{"name": "New group", "description": "", "default": false, "deleted": false, "is_public": true,
		"created_at": rfc3339(ts), "updated_at": rfc3339(ts)}
	for _, f := range []string{"name", "description", "is_public"} {
		if v, ok := gi[f]; ok && v != nil {
			g[f] = v
		}
	}
	id := st.groups.create(g, ts)
	g["url"] = st.d.url("groups", id)
	return c.ok(rec{"group": g})
}

func (st *state) updateGroup(c *call) (*reply, *apiError) {
	id, cur, apiErr := st.lookup(c, st.groups, "group_id", "group")
	if apiErr != nil {
		return nil, apiErr
	}
	in, apiErr := c.decodeBody()
	if apiErr != nil {
		return nil, apiErr
	}
	g := clone(cur)
	for _, f := range []string{"name", "description", "is_public"} {
		if v, ok := obj(in, "group")[f]; ok && v != nil {
			g[f] = v
		}
	}
	ts := st.groups.stamp(c.nowTS())
	g["updated_at"] = rfc3339(ts)
	st.groups.put(id, g, ts)
	return c.ok(rec{"group": g})
}

func (st *state) newMembership(c *call, in rec) rec {
	ts := st.members.stamp(c.nowTS())
	user, _ := num(in, "user_id")
	group, _ := num(in, "group_id")
	m := rec{"user_id": user, "group_id": group, "default": false, "created_at": rfc3339(ts), "updated_at": rfc3339(ts)}
	id := st.members.create(m, ts)
	m["url"] = st.d.url("group_memberships", id)
	return m
}
