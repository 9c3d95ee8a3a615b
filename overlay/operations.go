package overlay

// OperationInfo is what the spec's annotations say about one operation. The
// table Operations (generated from spec/zendesk.yaml) holds one per
// operation; the root package's transport reads it to pace operations with
// their own rate limits and to know which POSTs are safe to retry.
type OperationInfo struct {
	// ID is the operationId.
	ID string
	// Method and Path are the HTTP method and the path template
	// ("/api/v2/tickets/{ticket_id}").
	Method, Path string
	// Listing says how the operation pages, nil when it does not.
	Listing *Listing
	// Job is true when the operation answers with a job_status.
	Job bool
	// RateLimit is the operation's own limit, nil when it has none.
	RateLimit *RateLimit
	// Idempotent is true when Zendesk honours an Idempotency-Key header on
	// the operation.
	Idempotent bool
	// RetryUnsafe is true when repeating the operation adds something (a
	// comment, an email) although its method (PUT) is one that is retried
	// (x-zendesk-retry-unsafe): the transport then retries it only when
	// Zendesk surely did not process it (a 429).
	RetryUnsafe bool
	// JSONStatuses are the success statuses whose body is JSON.
	JSONStatuses []int
	// PathParams are the names of the path template's parameters, in order.
	PathParams []string
	// Exploded are the list query parameters sent once per value
	// (role[]=a&role[]=b); other lists are comma separated.
	Exploded []string
	// Headers are the parameters sent as headers (Idempotency-Key).
	Headers []string
	// Envelope are, by success status, the properties the JSON body must
	// have, not null ({"ticket": {...}}): a body without them is an error.
	// EnvelopeOf reads it.
	Envelope []Envelope
	// Split are the lists of a bulk operation that have a documented
	// largest size (maxItems): SplitRequest cuts a longer one into calls
	// Zendesk accepts.
	Split []Split
}

// Envelope is the properties the JSON body of one success status must
// have, not null.
type Envelope struct {
	// Status is the success status (200, 201).
	Status int
	// Properties are the top-level properties of its body ("ticket").
	Properties []string
}

// EnvelopeOf is the properties the JSON body of status must have: none
// when the operation's annotations name none for it.
func (op *OperationInfo) EnvelopeOf(status int) []string {
	for _, e := range op.Envelope {
		if e.Status == status {
			return e.Properties
		}
	}
	return nil
}

// Split is a list parameter or body property of a bulk operation and the
// most items one call takes.
type Split struct {
	// In is "query" (a parameter of the params struct) or "body" (a
	// property of the JSON body).
	In string
	// Name is the parameter's or property's name.
	Name string
	// Max is the most items one call takes.
	Max int
}

// RateLimit is an operation's own limit: Requests per Seconds, counted per
// distinct values of the Key path parameters (all requests share one budget
// when Key is empty). AppliesTo names the only callers it binds, if any.
// Unpaced is true when the budget is counted per something a client cannot
// key on (a value of the request body, such as the end user of
// CreateOrUpdateUser): the transport then does not pace the operation, and
// waits out its 429s.
type RateLimit struct {
	Requests, Seconds int
	Key               []string
	AppliesTo         string
	Unpaced           bool
}
