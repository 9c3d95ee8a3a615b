// Package spec holds the OpenAPI description of the Zendesk Support API,
// spec/zendesk.yaml, the source of truth every other package is generated
// from or checked against. It embeds the file itself, so programs and tests
// read the very spec in the repository, from any working directory, and can
// never drift from it.
package spec

import _ "embed"

// YAML is the content of spec/zendesk.yaml (OpenAPI 3.0.3).
//
//go:embed zendesk.yaml
var YAML []byte
