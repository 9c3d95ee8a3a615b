package zendesktest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// rec is a record as the fake keeps and serves it: a JSON object.
type rec = map[string]any

// Id ranges. Each kind of record has its own range, so that an id of one
// kind used for another is a 404, as it would be on Zendesk. Generated
// records take the first ids of their range, records created through the
// API the ones after.
const (
	ticketBase  int64 = 1
	userBase    int64 = 10_000_000_001
	orgBase     int64 = 20_000_000_001
	groupBase   int64 = 30_000_000_001
	memberBase  int64 = 40_000_000_001
	auditBase   int64 = 50_000_000_000 // + ticket id for generated tickets' creation audits
	commentBase int64 = 60_000_000_000 // + ticket id for generated tickets' first comments
	childBase   int64 = 70_000_000_000 // + 8*ticket id + k for generated audits' events
	eventBase   int64 = 80_000_000_000 // + position in the ticket event stream
	// apiOffset separates, within the audit, comment and child event
	// ranges, the ids of records made through the API from generated ones.
	apiOffset int64 = 5_000_000_000

	// maxRecords bounds each generated data set (ids stay in range).
	maxRecords = 100_000_000
)

// Generated records are spread evenly over 2024: the record of index i of
// a data set of n was created at created(i, n) and last updated half a step
// later, so the generated history is in the order of the indexes, and
// every change made through the API comes after it.
var genStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

const genSpan = 366 * 24 * 3600

// created is when generated record i of n was created.
func created(i, n int) int64 { return genStart + int64(i)*genSpan/int64(max(n, 1)) }

// updated is when generated record i of n was last updated.
func updated(i, n int) int64 { return created(i, n) + genSpan/int64(max(n, 1))/2 }

func rfc3339(unix int64) string { return time.Unix(unix, 0).UTC().Format(time.RFC3339) }

// rnd gives the deterministic pseudo-random numbers of generated records:
// the same seed, kind and index always give the same values.
type rnd struct{ state uint64 }

func newRnd(seed int64, kind string, i int) *rnd {
	h := uint64(seed) ^ 0x9e3779b97f4a7c15
	for _, c := range kind {
		h = (h ^ uint64(c)) * 0x100000001b3
	}
	return &rnd{state: h ^ uint64(i)*0xbf58476d1ce4e5b9}
}

// next is splitmix64.
func (r *rnd) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rnd) intn(n int) int { return int(r.next() % uint64(n)) }

func pick[T any](r *rnd, xs []T) T { return xs[r.intn(len(xs))] }

var (
	firstNames = []string{"Ada", "Bob", "Chloé", "Dmitri", "Eun-ji", "Farah", "Gustavo", "Hana", "Ibrahim", "Jonas", "Kalani", "Lucía", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tomoko", "Uma", "Viktor", "Wen", "Yusuf", "Zoë"}
	lastNames  = []string{"Anders", "Brown", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito", "Jensen", "Kowalski", "Li", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rossi", "Schmidt", "Tanaka", "Usman", "Vargas", "Weber", "Yilmaz", "Zhang"}
	companies  = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Wonka", "Aperture", "Vandelay", "Oceanic", "Massive Dynamic"}
	suffixes   = []string{"Inc", "Ltd", "GmbH", "SA", "Co", "Group", "Labs", "Corp"}
	things     = []string{"printer", "invoice", "password", "laptop", "VPN", "mobile app", "dashboard", "export", "shipment", "subscription", "login page", "API key", "report", "refund", "webhook"}
	troubles   = []string{"is on fire", "does not work", "is very slow", "shows an error", "was charged twice", "disappeared", "cannot be found", "keeps crashing", "is stuck", "needs an update"}
	groupNames = []string{"Tier 1 Support", "Tier 2 Support", "Billing", "Engineering", "Onboarding", "VIP", "Returns", "Security", "Partners", "Escalations"}
	tagWords   = []string{"vip", "billing", "bug", "feature_request", "urgent", "hardware", "software", "refund", "onboarding", "churn_risk"}
	statuses   = []string{"new", "open", "open", "pending", "hold", "solved", "closed"}
	priorities = []any{"low", "normal", "normal", "high", "urgent", nil}
	types      = []any{"question", "incident", "problem", "task", nil}
	channels   = []string{"web", "email", "api", "mobile"}
	timezones  = [][2]string{{"Copenhagen", "Europe/Copenhagen"}, {"Pacific Time (US & Canada)", "America/Los_Angeles"}, {"Tokyo", "Asia/Tokyo"}, {"UTC", "Etc/UTC"}, {"Brasilia", "America/Sao_Paulo"}}
)

// dataset describes the generated records: how many of each kind, from
// which seed. Every generated record is computed from its index when it is
// asked for; none is kept in memory unless it is changed.
type dataset struct {
	seed                         int64
	tickets, users, orgs, groups int
	agents                       int // users 0..agents-1 are staff (user 0 the admin)
	adminEmail                   string
	baseURL                      func() string
}

func newDataset(seed int64, tickets, users, orgs, groups int, adminEmail string, baseURL func() string) *dataset {
	d := &dataset{seed: seed, tickets: tickets, users: users, orgs: orgs, groups: groups, adminEmail: adminEmail, baseURL: baseURL}
	d.agents = max(1, users/10)
	if users == 0 {
		d.agents = 0
	}
	return d
}

func (d *dataset) url(kind string, id any) string {
	return fmt.Sprintf("%s/api/v2/%s/%v.json", d.baseURL(), kind, id)
}

// memberships is the number of generated group memberships: one per agent
// when there are groups.
func (d *dataset) memberships() int {
	if d.groups == 0 {
		return 0
	}
	return d.agents
}

func userID(i int) int64  { return userBase + int64(i) }
func orgID(i int) int64   { return orgBase + int64(i) }
func groupID(i int) int64 { return groupBase + int64(i) }

// userOrg is the organization of generated user u, -1 for none (staff and
// every fifth end user have none).
func (d *dataset) userOrg(u int) int {
	if d.orgs == 0 || u < d.agents || u%5 == 4 {
		return -1
	}
	return u % d.orgs
}

func (d *dataset) userRole(u int) string {
	switch {
	case u == 0:
		return "admin"
	case u < d.agents:
		return "agent"
	default:
		return "end-user"
	}
}

func (d *dataset) userName(u int) string {
	r := newRnd(d.seed, "user", u)
	return pick(r, firstNames) + " " + pick(r, lastNames)
}

// userEmail is generated user u's email: the server's credentials' email
// for the admin, name-based for the others. The index is recoverable from
// it (see genUserIndexByEmail).
func (d *dataset) userEmail(u int) string {
	if u == 0 && d.adminEmail != "" {
		return strings.ToLower(d.adminEmail)
	}
	r := newRnd(d.seed, "user", u)
	first, last := pick(r, firstNames), pick(r, lastNames)
	return strings.ToLower(asciiOnly(first)+"."+asciiOnly(last)) + "." + strconv.Itoa(u) + "@example.com"
}

func asciiOnly(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == 'é':
			b.WriteRune('e')
		case c == 'í':
			b.WriteRune('i')
		case c == 'ë':
			b.WriteRune('e')
		case c == '-':
			b.WriteRune('-')
		}
	}
	return b.String()
}

// genUserIndexByEmail finds the generated user an email belongs to, -1 if
// none.
func (d *dataset) genUserIndexByEmail(email string) int {
	email = strings.ToLower(strings.TrimSpace(email))
	if d.users > 0 && email == d.userEmail(0) {
		return 0
	}
	local, ok := strings.CutSuffix(email, "@example.com")
	if !ok {
		return -1
	}
	dot := strings.LastIndexByte(local, '.')
	if dot < 0 {
		return -1
	}
	u, err := strconv.Atoi(local[dot+1:])
	if err != nil || u < 0 || u >= d.users || d.userEmail(u) != email {
		return -1
	}
	return u
}

func (d *dataset) user(u int) rec {
	r := newRnd(d.seed, "user-fields", u)
	tz := pick(r, timezones)
	var org any
	if o := d.userOrg(u); o >= 0 {
		org = orgID(o)
	}
	role := d.userRole(u)
	var restriction any
	var defaultGroup any
	if role == "end-user" {
		restriction = "requested"
	} else if d.groups > 0 {
		defaultGroup = groupID(u % d.groups)
	}
	var externalID any
	if u%3 == 0 {
		externalID = "crm-" + strconv.Itoa(u)
	}
	tags := []any{}
	if r.intn(3) == 0 {
		tags = append(tags, pick(r, tagWords))
	}
	return rec{
		"id":                      userID(u),
		"url":                     d.url("users", userID(u)),
		"name":                    d.userName(u),
		"email":                   d.userEmail(u),
		"created_at":              rfc3339(created(u, d.users)),
		"updated_at":              rfc3339(updated(u, d.users)),
		"time_zone":               tz[0],
		"iana_time_zone":          tz[1],
		"phone":                   nil,
		"shared_phone_number":     nil,
		"photo":                   nil,
		"locale_id":               1,
		"locale":                  "en-US",
		"organization_id":         org,
		"role":                    role,
		"verified":                true,
		"external_id":             externalID,
		"tags":                    tags,
		"alias":                   "",
		"active":                  true,
		"shared":                  false,
		"shared_agent":            false,
		"last_login_at":           nil,
		"two_factor_auth_enabled": false,
		"signature":               "",
		"details":                 "",
		"notes":                   "",
		"role_type":               nil,
		"custom_role_id":          nil,
		"moderator":               role != "end-user",
		"ticket_restriction":      restriction,
		"only_private_comments":   false,
		"restricted_agent":        false,
		"suspended":               false,
		"chat_only":               false,
		"default_group_id":        defaultGroup,
		"report_csv":              role == "admin",
		"user_fields":             rec{},
	}
}

func (d *dataset) userTime(u int) int64 { return updated(u, d.users) }

func (d *dataset) org(o int) rec {
	r := newRnd(d.seed, "org", o)
	name := pick(r, companies) + " " + pick(r, suffixes) + " " + strconv.Itoa(o+1)
	domain := strings.ToLower(asciiOnly(strings.ReplaceAll(name, " ", "-"))) + ".example.com"
	var group any
	if d.groups > 0 && o%2 == 0 {
		group = groupID(o % d.groups)
	}
	return rec{
		"id":                  orgID(o),
		"url":                 d.url("organizations", orgID(o)),
		"name":                name,
		"shared_tickets":      false,
		"shared_comments":     false,
		"external_id":         "org-" + strconv.Itoa(o+1),
		"created_at":          rfc3339(created(o, d.orgs)),
		"updated_at":          rfc3339(updated(o, d.orgs)),
		"deleted_at":          nil,
		"domain_names":        []any{domain},
		"details":             "",
		"notes":               "",
		"group_id":            group,
		"tags":                []any{pick(r, tagWords)},
		"organization_fields": rec{},
	}
}

func (d *dataset) orgTime(o int) int64 { return updated(o, d.orgs) }

func (d *dataset) group(g int) rec {
	at := created(g, d.groups)
	name := groupNames[g%len(groupNames)]
	if g >= len(groupNames) {
		name += " " + strconv.Itoa(g/len(groupNames)+1)
	}
	return rec{
		"id":          groupID(g),
		"url":         d.url("groups", groupID(g)),
		"name":        name,
		"description": "The " + name + " team",
		"default":     g == 0,
		"deleted":     false,
		"is_public":   true,
		"created_at":  rfc3339(at),
		"updated_at":  rfc3339(at),
	}
}

func (d *dataset) groupTime(g int) int64 { return created(g, d.groups) }

// membership j puts agent j in group j%groups.
func (d *dataset) membership(j int) rec {
	at := d.groupTime(j%d.groups) + 60
	return rec{
		"id":         memberBase + int64(j),
		"url":        d.url("group_memberships", memberBase+int64(j)),
		"user_id":    userID(j),
		"group_id":   groupID(j % d.groups),
		"default":    true,
		"created_at": rfc3339(at),
		"updated_at": rfc3339(at),
	}
}

func (d *dataset) membershipTime(j int) int64 { return d.groupTime(j%d.groups) + 60 }

// ticket i has id i+1.
type genTicket struct {
	id                              int64
	subject, description, status    string
	priority, typ                   any
	requester, assignee, group, org any
	created, updated                int64
	tags                            []any
	channel                         string
}

func (d *dataset) ticketParts(i int) genTicket {
	r := newRnd(d.seed, "ticket", i)
	t := genTicket{id: ticketBase + int64(i)}
	thing, trouble := pick(r, things), pick(r, troubles)
	t.subject = "My " + thing + " " + trouble
	t.description = fmt.Sprintf("Hello, since this morning my %s %s. Ticket %d of the generated data set.", thing, trouble, t.id)
	t.status = pick(r, statuses)
	t.priority = pick(r, priorities)
	t.typ = pick(r, types)
	t.channel = pick(r, channels)
	t.requester, t.assignee, t.group, t.org = nil, nil, nil, nil
	if d.users > 0 {
		u := 0
		if endUsers := d.users - d.agents; endUsers > 0 {
			u = d.agents + i%endUsers
		}
		t.requester = userID(u)
		if o := d.userOrg(u); o >= 0 {
			t.org = orgID(o)
		}
		if t.status != "new" {
			t.assignee = userID(i % d.agents)
		}
	}
	if d.groups > 0 && t.status != "new" {
		t.group = groupID(i % d.groups)
	}
	t.tags = []any{thing2tag(thing)}
	if r.intn(2) == 0 {
		t.tags = append(t.tags, pick(r, tagWords))
	}
	t.created, t.updated = created(i, d.tickets), updated(i, d.tickets)
	return t
}

func thing2tag(s string) string { return strings.ReplaceAll(strings.ToLower(s), " ", "_") }

func (d *dataset) ticketTime(i int) int64 { return updated(i, d.tickets) }

func (d *dataset) ticket(i int) rec {
	t := d.ticketParts(i)
	requester := t.requester
	if requester == nil {
		requester = int64(0)
	}
	return d.ticketRecord(t.id, rec{
		"subject": t.subject, "raw_subject": t.subject, "description": t.description,
		"status": t.status, "priority": t.priority, "type": t.typ,
		"requester_id": requester, "submitter_id": requester, "assignee_id": t.assignee,
		"organization_id": t.org, "group_id": t.group, "tags": t.tags,
		"via": via(t.channel),
	}, t.created, t.updated)
}

// ticketRecord completes a ticket's fields with the defaults of a ticket
// that has none of the optional features.
func (d *dataset) ticketRecord(id int64, fields rec, created, updated int64) rec {
	t := rec{
		"id":                     id,
		"url":                    d.url("tickets", id),
		"external_id":            nil,
		"type":                   nil,
		"subject":                "",
		"raw_subject":            "",
		"description":            "",
		"priority":               nil,
		"status":                 "new",
		"custom_status_id":       nil,
		"recipient":              nil,
		"requester_id":           int64(0),
		"submitter_id":           int64(0),
		"assignee_id":            nil,
		"organization_id":        nil,
		"group_id":               nil,
		"collaborator_ids":       []any{},
		"follower_ids":           []any{},
		"email_cc_ids":           []any{},
		"forum_topic_id":         nil,
		"problem_id":             nil,
		"has_incidents":          false,
		"is_public":              true,
		"due_at":                 nil,
		"tags":                   []any{},
		"custom_fields":          []any{},
		"fields":                 []any{},
		"sharing_agreement_ids":  []any{},
		"followup_ids":           []any{},
		"ticket_form_id":         nil,
		"brand_id":               nil,
		"allow_channelback":      false,
		"allow_attachments":      true,
		"from_messaging_channel": false,
		"generated_timestamp":    updated,
		"via":                    via("api"),
		"created_at":             rfc3339(created),
		"updated_at":             rfc3339(updated),
	}
	for k, v := range fields {
		t[k] = v
	}
	return t
}

func via(channel string) rec {
	return rec{"channel": channel, "source": rec{"from": rec{}, "to": rec{}, "rel": nil}}
}

func metadata() rec {
	return rec{"system": rec{"client": "zendesktest", "ip_address": "127.0.0.1"}, "custom": rec{}}
}

// comment builds a ticket comment.
func comment(id, auditID, author int64, body string, public bool, created int64, channel string) rec {
	return rec{
		"id":          id,
		"type":        "Comment",
		"author_id":   author,
		"body":        body,
		"html_body":   "<div class=\"zd-comment\" dir=\"auto\"><p dir=\"auto\">" + htmlEscape(body) + "</p></div>",
		"plain_body":  body,
		"public":      public,
		"attachments": []any{},
		"audit_id":    auditID,
		"via":         via(channel),
		"metadata":    metadata(),
		"created_at":  rfc3339(created),
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// genComment is the first comment (the description) of generated ticket i.
func (d *dataset) genComment(i int) rec {
	t := d.ticketParts(i)
	author, _ := t.requester.(int64)
	return comment(commentBase+t.id, auditBase+t.id, author, t.description, true, t.created, t.channel)
}

// genAudit is the creation audit of generated ticket i.
func (d *dataset) genAudit(i int) rec {
	t := d.ticketParts(i)
	author, _ := t.requester.(int64)
	c := d.genComment(i)
	ev := auditEventFromComment(childBase+8*t.id, c)
	events := []any{ev,
		rec{"id": childBase + 8*t.id + 1, "type": "Create", "field_name": "subject", "value": t.subject},
		rec{"id": childBase + 8*t.id + 2, "type": "Create", "field_name": "status", "value": "new"},
		rec{"id": childBase + 8*t.id + 3, "type": "Create", "field_name": "tags", "value": t.tags},
	}
	return rec{
		"id": auditBase + t.id, "ticket_id": t.id, "author_id": author,
		"created_at": rfc3339(t.created), "metadata": metadata(), "via": via(t.channel), "events": events,
	}
}

func auditEventFromComment(id int64, c rec) rec {
	return rec{
		"id": id, "type": "Comment", "author_id": c["author_id"], "body": c["body"], "html_body": c["html_body"],
		"plain_body": c["plain_body"], "public": c["public"], "attachments": c["attachments"], "audit_id": c["audit_id"],
	}
}

// genEvent is event k of the generated ticket event stream: two per
// generated ticket, its creation (k even) and its last update.
func (d *dataset) genEvent(k int) rec {
	i := k / 2
	t := d.ticketParts(i)
	author, _ := t.requester.(int64)
	if k%2 == 0 {
		return rec{
			"id": eventBase + int64(k), "ticket_id": t.id, "timestamp": t.created, "created_at": rfc3339(t.created),
			"updater_id": author, "via": "Web form", "system": rec{"client": "zendesktest", "ip_address": "127.0.0.1"},
			"event_type": "Audit",
			"child_events": []any{
				rec{"id": childBase + 8*t.id, "via": "Web form", "via_reference_id": nil, "comment_present": true, "comment_public": true, "event_type": "Comment"},
				rec{"id": childBase + 8*t.id + 1, "via": "Web form", "via_reference_id": nil, "subject": t.subject, "event_type": "Create"},
				rec{"id": childBase + 8*t.id + 3, "via": "Web form", "via_reference_id": nil, "tags": t.tags, "added_tags": t.tags, "removed_tags": []any{}, "event_type": "Create"},
			},
		}
	}
	updater := author
	if a, ok := t.assignee.(int64); ok {
		updater = a
	}
	return rec{
		"id": eventBase + int64(k), "ticket_id": t.id, "timestamp": t.updated, "created_at": rfc3339(t.updated),
		"updater_id": updater, "via": "Web form", "system": rec{"client": "zendesktest", "ip_address": "127.0.0.1"},
		"event_type": "Audit",
		"child_events": []any{
			rec{"id": childBase + 8*t.id + 4, "via": "Web form", "via_reference_id": nil, "status": t.status, "previous_value": "new", "event_type": "Change"},
		},
	}
}

func (d *dataset) genEventTime(k int) int64 {
	if k%2 == 0 {
		return created(k/2, d.tickets)
	}
	return updated(k/2, d.tickets)
}
