package zendesk

// Regeneration, in order: prove the spec agrees with the connector doc;
// generate the models from the spec (configuration in api/); write what is
// ours per operation (the operation table, Client's methods, iterators,
// wait helpers, type aliases) from the spec's annotations and the models;
// write the spec's JSON form. Running it twice changes nothing.

//go:generate go run ./cmd/specgen check
//go:generate go tool oapi-codegen -config api/models.yaml spec/zendesk.yaml
//go:generate go run ./cmd/gluegen
//go:generate go run ./cmd/specgen bundle -o api/zendesk.json
