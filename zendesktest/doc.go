// Package zendesktest is a fake Zendesk Support API for tests and local
// programs, built on the same spec as the client (spec/zendesk.yaml, which
// the package embeds through package spec, so it works from any directory
// and can never drift from the repository's spec).
//
// A Server serves every operation of the spec over real HTTP on the
// loopback interface:
//
//   - Every request is checked against the spec with kin-openapi: method,
//     path, query and header parameters, body. A request the spec forbids
//     gets a 400 in Zendesk's error shape naming the violation:
//     {"error":"InvalidParameter","description":"parameter \"page[size]\" in
//     query: number must be at most 100"}, or "RecordInvalid" with details
//     by field for bodies. Malformed JSON is a 400 too, and so is a query
//     parameter the operation does not declare (a misspelled one would
//     silently change nothing on Zendesk; WithUndeclaredQueryParameters
//     accepts them). Rules Zendesk enforces beyond the schema are kept: a
//     new ticket needs a comment (422 RecordInvalid), a cursor-based export
//     needs start_time or a cursor (400).
//   - Credentials are checked: API token basic auth ("{email}/token:{token}")
//     or the bearer token; anything else is a 401
//     {"error":"Couldn't authenticate you"}. Operations with `security: []`
//     need none.
//   - Tickets (with their comments, tags and audits), users, organizations,
//     groups, group memberships and job statuses are kept in memory and
//     change as the API changes them. Bulk endpoints (create, update,
//     destroy many) queue a job that goes from queued through working to
//     completed over a few polls (WithJobPolls) or with time, unpolled
//     (WithJobDuration), does its work then, and lists per-item results;
//     scripted jobs fail or are killed instead (WithJobScript,
//     Server.ScriptJobs). Create Ticket, the operation the spec marks
//     x-zendesk-idempotency, honours Idempotency-Key (a repeated key gets
//     the first answer again, with x-idempotency-lookup: hit); other POSTs
//     ignore the header, as on Zendesk. Users' emails and external ids and organizations' names must be
//     unique (422, as on Zendesk); safe updates of stale tickets conflict
//     (409).
//   - Data sets of any size are generated from a seed (WithTickets,
//     WithUsers, WithOrganizations, WithGroups, WithSeed) and page like
//     Zendesk's: cursor pagination (page[size], page[after], meta, links),
//     offset pagination with Zendesk's depth limit (400 beyond page 100 or
//     10,000 records), time-based incremental exports (start_time, end_time,
//     next_page, end_of_stream; records changed at or after start_time, in
//     time order, the last second of a page repeated at the start of the
//     next) and cursor-based ones (start_time then cursor, after_cursor,
//     after_url, end_of_stream), for tickets, users, organizations and
//     ticket events. As on Zendesk, exports hold back the changes of the
//     last minute (WithRecentChangesInExports shows them at once). Records are computed from their index when asked for,
//     and only the ones the API changed are kept: a million tickets cost no
//     memory. Generated history spans 2024; changes made through the API
//     come after it.
//   - Every other operation answers with its spec example and documented
//     status (204 with no body where documented); the example's URLs point
//     at the server. Bulk operations answered from examples still queue a
//     real job, so that polling it works.
//   - Faults can be injected, at seeded random rates (WithFaultRates) or
//     scripted per operation (WithFaultScript, Server.InjectFaults): 429 with
//     Retry-After, 500, 503 with Retry-After, slow answers, truncated bodies,
//     connection resets, HTML error pages. The spec's per-endpoint rate
//     limits (x-zendesk-rate-limit) are enforced with sliding windows and
//     reported in ratelimit-limit, ratelimit-remaining, ratelimit-reset and
//     zendesk-ratelimit-<operation> headers; an account-wide one on demand
//     (WithAccountRateLimit), reported in X-Rate-Limit and
//     X-Rate-Limit-Remaining; WithTimeScale runs their clocks faster for
//     tests.
//   - Time is the server's clock (WithClock, Server.Now): a test that moves
//     it (Server.AdvanceClock) sees jobs complete, exports catch up and
//     rate-limit windows pass, deterministically.
//   - Stats counts requests per operation, answers per status, injected
//     faults and refusals, for tests to assert on. WithResponseValidation
//     checks every answer against the spec before it is sent.
//   - Sideloads (include=...) are added to the answers built from the
//     state, shows, lists and iterator pages alike: users, groups,
//     organizations and tickets are the live records the answer's records
//     refer to (on a group, its agents; on a user, an agent's groups), each
//     once, ordered by id; comment_count and dates are set on each ticket,
//     last_audits holds each ticket's latest audit, open_ticket_count counts
//     the users' unsolved tickets. Sideloads of records the fake does not
//     keep (brands, ticket forms, metric sets, identities, abilities) are
//     empty. Search takes them per result type: tickets(users).
//   - Stored lists are sorted as asked wherever the spec declares the
//     parameters: `sort` with cursor pagination ("updated_at", "-updated_at",
//     any property of the records), `sort_by` and `sort_order` with offset
//     pagination (sort_order alone orders by id); ties go by id. Cursors of
//     a sorted listing carry the last record's sort value and id, and are
//     refused with another sort.
//   - Uploads are kept: UploadFile stores the bytes and answers with a
//     token and an attachment whose content_url is on the server; a comment
//     (on a ticket's creation or update) naming the token in its uploads gets
//     the upload's attachments and consumes the token (unknown or used tokens
//     are ignored, as on Zendesk); the content_url serves the bytes, with
//     the upload's Content-Type, and ShowAttachment shows the attachment
//     (other ids get its example).
//   - Search (ListSearchResults, CountSearchResults, ExportSearchResults,
//     SearchUsers) evaluates a subset of Zendesk's query syntax over the
//     records it keeps: see Search below.
//
// In a test:
//
//	srv := zendesktest.NewServer(t, zendesktest.WithTickets(10_000))
//	client, err := srv.Client() // a *zendesk.Client for srv
//	for ticket, err := range client.ListTicketsAll(ctx, &zendesk.ListTicketsParams{}) {
//		...
//	}
//
// In a program, Start and Close.
//
// # Search
//
// The query evaluator (query.go) reads a query as terms separated by
// spaces, all of which a record must match (several terms of one keyword
// too: AND; several type: terms: any of those types):
//
//	word, word*     a whole word, or a word prefix, of the record's text, in any case:
//	                a ticket's subject and description, a user's name and email,
//	                an organization's name, details and notes, a group's name and description
//	"a phrase"      those words, in that order, next to each other
//	type:X          ticket, user, organization or group; without it, every type
//	status:X        ticket status; status<X, >X, <=X, >=X compare in Zendesk's order
//	                new < open < pending < hold < solved < closed
//	priority:X      low < normal < high < urgent, compared likewise; priority:none
//	tags:X, tag:X   a tag of the record
//	assignee:ID     the ticket's assignee; requester:, submitter:, group:, organization:
//	                likewise (organization: on users too); none: the record names none
//	created>D       created after D; created<D, created>=D, created<=D, created:D (during D);
//	updated...      updated likewise. D is a UTC day (YYYY-MM-DD), an RFC 3339 time, or a
//	                time before the server's clock: 30minutes, 4hours, 2days, 1weeks,
//	                3months, 1years (created>4hours: in the last four hours)
//	-term           the records that do not match term
//
// Results are listed tickets, users, organizations, groups, each by id,
// unless sort_by (created_at, updated_at, priority, status, ticket_type;
// sort_order desc by default) orders them, in offset pages of at most 100.
// As on Zendesk, a page reaching past the first 1000 results is refused
// with 422 {"error":"invalid","description":"Invalid search: Requested
// response size was greater than Search Response Limits ..."}, although
// count tells how many match and the page before links to it. The export
// (filter[type] required; type: in its query refused) pages by cursor in
// creation order, without count. A query the evaluator cannot read — an
// unknown keyword (flavour:vanilla), an operator its keyword does not take,
// a value it cannot parse, an unclosed quote — gets the same 422 "invalid"
// answer, naming what is wrong: the fake does not guess at what it does
// not model, so a test cannot pass on an empty page. Relevance ranking,
// facets and the other keywords of Zendesk's syntax are not modelled.
//
// What the fake does not do: references between records (a ticket's
// requester_id, a membership's group_id) are not checked; views, triggers
// and the other operations outside the kept resources do not change state,
// and answers from examples get no sideloads.
package zendesktest
