package specgen

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The connector doc describes query parameters but leaves their name cells
// blank: a parameter's wire name comes from its description and from what
// Zendesk's API takes. wireRules hold that knowledge, once: scaffold names
// parameters with them, and check requires every documented query
// parameter to be known to a rule and to have the name and the shape (one
// value or a list) the rule gives. A description that names its own
// parameter ("The external_id parameter ...", "Default is sort_by=...",
// "?include=users") is a rule of its own (explicitName).

// wireRule recovers a query parameter's wire name from its description.
type wireRule struct {
	re *regexp.Regexp
	// names are the wire names the description may stand for; the first is
	// the one scaffold gives. Most rules have one.
	names []string
	// list is true for parameters that take several values (a
	// comma-separated list, or the parameter repeated): an array schema.
	list bool
}

func rule(re string, list bool, names ...string) wireRule {
	return wireRule{re: regexp.MustCompile(re), names: names, list: list}
}

// wireRules are tried in order on the description, spaces normalized; the
// first that matches decides.
var wireRules = []wireRule{
	// Pagination.
	rule(`meta\.before_cursor`, false, "page[before]"),
	rule(`meta\.after_cursor`, false, "page[after]"),
	rule(`^The number of records to return per page`, false, "per_page"),
	rule(`^(The number of records to return in the response|Specifies how many records|The number of results shown in a page)`, false, "page[size]"),
	rule(`^Pagination parameters$`, false, "page[size]", "page[after]", "page[before]"),
	rule(`^Maximum number of results returned`, false, "limit"),
	rule(`^The cursor pointer`, false, "cursor"),
	rule(`^The time to start the incremental export from|^The Unix UTC epoch time of the oldest event`, false, "start_time"),
	// Sideloads.
	rule(`^(A sideload to include|Allowed sideloads|Accepts "\w+"\. .*side-?loading)`, true, "include"),
	// Sorting.
	rule(`^Cursor(-based)? pagination only\. (Sort|Possible values)`, false, "sort"),
	rule(`^Offset pagination only\. (Sort|Possible values)`, false, "sort_by"),
	rule(`^Sort parameters$|The - denotes the sort will be descending`, false, "sort"),
	rule(`(?i)^(One of "?asc"? or "?desc"?|Sort order|The direction the tickets are sorted|The order in which to sort)`, false, "sort_order"),
	rule(`^(Possible values are "?alphabetical|Sort by$|The field to sort|The ticket field used for sorting|Sort or group the tickets by|One of updated_at, created_at)`, false, "sort_by"),
	// Ids and external ids. A description that lists ("list of",
	// "comma-separated", "The IDs of ...") stands for a plural list
	// parameter; "by external id" and "The external id of" for one value.
	rule(`^Optional comma-separated list of ids to filter records by`, true, "filter[ids]"),
	rule(`^Optional comma-separated list of external ids to filter records by`, true, "filter[external_ids]"),
	rule(`(?i)^(A list of external ids|Accepts a comma-separated list of up to \d+ external ids|External Id of the \w+ to \w+\. Comma separated)`, true, "external_ids"),
	rule(`(?i)^(Lists? \w+ by external id\b|The external id of (a|an) )`, false, "external_id"),
	rule(`^The ids of the Group SLA policies`, true, "group_sla_policy_ids"),
	rule(`^The IDs of the SLA Policies`, true, "sla_policy_ids"),
	rule(`(?i)^(The IDs of the \w+( \w+)? to \w+$|A list of organization ids|Accepts a comma-separated list of up to \d+ user ids|Comma-separated list of (ticket|job status) ids|A comma separated list of (trigger IDs|ids of)|Id of the [\w ]+ to \w+\. Comma separated|List of view's ids separated by commas|IDs of the ticket forms to be shown)`, true, "ids"),
	rule(`^The ID of the macro to replicate`, false, "macro_id"),
	rule(`^The ID of the ticket from which to build a macro replica`, false, "ticket_id"),
	rule(`^Identifiers for the dynamic contents`, true, "identifiers"),
	// Searching.
	rule(`^(The search query|Query string used to find)`, false, "query"),
	rule(`^(A substring of an? \w+ to search for|Part of a name of the record|The name to search for)`, false, "name"),
	rule(`^The text to search for`, false, "text"),
	rule(`^The id of (a|the) lookup( relationship)? field`, false, "field_id"),
	rule(`^(If a field_id is provided, this specifies the type|One of "zen:user")`, false, "source"),
	rule(`^The object type returned by the export query`, false, "filter[type]"),
	rule(`^Trigger attribute filters for the search`, false, "filter[json][title]", "filter[json][description]", "filter[json][active]"),
	// Filters.
	rule(`^Filter audit logs by the source type`, false, "filter[source_type]"),
	rule(`^Filter audit logs by the source id`, false, "filter[source_id]"),
	rule(`^Filter audit logs by the actor id`, false, "filter[actor_id]"),
	rule(`^Filter audit logs by the ip address`, false, "filter[ip_address]"),
	rule(`^Filter audit logs by the time of creation`, true, "filter[created_at][]"),
	rule(`^Filter audit logs by the action`, false, "filter[action]"),
	rule(`^Filter (macros|views) by access|^Only views with given access`, false, "access"),
	rule(`^Filter (macros|views) by group|^Only views belonging to given group`, false, "group_id"),
	rule(`^Filter triggers by category ID`, false, "category_id"),
	rule(`^Filter macros by category`, false, "category"),
	rule(`^(Filter by active \w+ if true|Only active views if true|If true, show only active|true returns active ticket forms)`, false, "active"),
	rule(`^If true, show only default`, false, "default"),
	rule(`^Filter the list of custom ticket statuses by a comma-separated list of status categories`, true, "status_categories"),
	rule(`^true returns ticket forms where end_user_visible`, false, "end_user_visible"),
	rule(`^true returns the default ticket form`, false, "fallback_to_default"),
	rule(`^true returns the ticket forms of the brand`, false, "associated_to_brand"),
	rule(`^If true, returns only macros that can be applied`, false, "only_viewable"),
	rule(`^Filters the results by role\. Possible values`, false, "role"),
	rule(`^One of "agent", "end_user"`, false, "role"),
	rule(`^For custom roles which is available on the Enterprise plan`, false, "permission_set"),
	rule(`^(A UTC time in ISO 8601 format to return ticket activities since|Filters the comments from the given datetime)`, false, "since"),
	rule(`^Area of compliance`, false, "application"),
	// Other.
	rule(`^(Specify the name of the subdomain|Subdomain for a given)`, false, "subdomain"),
	rule(`^The hostmapping to a brand`, false, "host_mapping"),
	rule(`inline images are also listed as attachments`, false, "include_inline_images"),
	rule(`^Include standard fields if true`, false, "include_standard_fields"),
	rule(`^If true, any ticket created with a closed status bypasses`, false, "archive_immediately"),
	rule(`^Forces the title_in_portal property`, false, "locale"),
	rule(`(?i)^(If true, )?displays the creator_user_id`, false, "creator"),
}

// explicitName finds a parameter's name in a description that names it:
// "The external_id parameter ...", "Default is sort_by=created_at",
// "Example: ?include=users", "using the format role[]={role}".
var explicitName = regexp.MustCompile(`^The ([a-z_]+(?:\[[a-z_]*\])*) parameter\b|(?:Default is |\?|the format )([a-z_]+(?:\[[a-z_]*\])*)=`)

// wireName is what the rules say of a documented query parameter's
// description: the names it may have and whether it takes a list. ok is
// false when no rule knows the description.
func wireName(desc string) (names []string, list, ok bool) {
	desc = normalize(desc)
	if m := explicitName.FindStringSubmatch(desc); m != nil {
		name := m[1] + m[2]
		// The rules still say whether it is a list.
		for _, r := range wireRules {
			if r.re.MatchString(desc) {
				return []string{name}, r.list, true
			}
		}
		return []string{name}, strings.HasSuffix(name, "[]"), true
	}
	for _, r := range wireRules {
		if r.re.MatchString(desc) {
			return r.names, r.list, true
		}
	}
	return nil, false, false
}

// checkWireName says what is wrong with a documented query parameter's
// name or shape, or "".
func checkWireName(desc, name string, isArray bool) string {
	names, list, ok := wireName(desc)
	switch {
	case !ok:
		return fmt.Sprintf("no wire-name rule knows the parameter described %q (spec calls it %s): add one to wireRules in internal/specgen/wirenames.go", clip(desc), name)
	case !slices.Contains(names, name):
		return fmt.Sprintf("parameter %s is described %q, which is Zendesk's %s", name, clip(desc), strings.Join(names, " or "))
	case list && !isArray:
		return fmt.Sprintf("parameter %s takes a list (%q) but its schema is not an array", name, clip(desc))
	case !list && isArray:
		return fmt.Sprintf("parameter %s takes one value (%q) but its schema is an array", name, clip(desc))
	}
	return ""
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
