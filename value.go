package zendesk

import "github.com/zdapi/zendesk/internal/jsonvalue"

// Value is the AnyValue of x, as encoding/json encodes it: Value("gold"),
// Value(42), Value(true), Value([]string{"vip", "beta"}), Value(nil) for
// null. A value encoding/json cannot encode (a channel, a function) makes
// an AnyValue whose encoding fails, so the call that carries it fails
// before anything is sent.
func Value(x any) AnyValue { return jsonvalue.Of(x) }
