package zendesk

// Regeneration, in order: prove the spec agrees with the connector doc;
// generate the models and the client from the spec (configuration in api/);
// write the per-operation glue (iterators, wait helpers, operation table,
// type aliases) from the spec's annotations and the generated client; write
// the spec's JSON form. Running it twice changes nothing.

//go:generate go run ./cmd/specgen check
//go:generate go tool oapi-codegen -config api/models.yaml spec/zendesk.yaml
//go:generate go tool oapi-codegen -config api/client.yaml spec/zendesk.yaml
//go:generate go run ./cmd/gluegen
//go:generate go run ./cmd/specgen bundle -o api/zendesk.json
