# Everyday targets. CI runs .ci/run, which runs these and the spec gates.
GO ?= go

.PHONY: all generate build test lint verify bench fuzz spec-gates

all: verify test

## generate: check the spec against the doc and regenerate everything from it
generate:
	$(GO) generate ./...

## build: compile every package
build:
	$(GO) build ./...

## test: the whole test suite (what the README tells you to run)
test:
	$(GO) test ./...

## lint: formatting and vet
lint:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## verify: lint, doc/spec agreement, and no drift between the spec and the generated code
verify: lint
	$(GO) run ./cmd/specgen check
	$(GO) generate ./...
	@if [ -n "$$(git status --porcelain -- api overlay 'zz_*.gen.go')" ]; then \
		echo "regenerating changed committed files:"; git status --porcelain -- api overlay 'zz_*.gen.go'; exit 1; fi

## bench: the decode benchmarks as go test prints them, then the report's tables, every figure a
## ratio to its baseline measured in the same round (go run ./bench/report: decode with jsonv2
## rows, iteration, a CPU profile, memory, build and its ratio to go-github); about 15 minutes on 2 cores
bench:
	$(GO) test -run='^$$' -bench=Decode -benchmem -count=1 ./bench/
	$(GO) run ./bench/report

## fuzz: each fuzz target for FUZZTIME (default 20s)
FUZZTIME ?= 20s
fuzz:
	./.ci/fuzz $(FUZZTIME)

## spec-gates: lint the spec and generate clients in other languages from it
spec-gates:
	./tools/spec-gates/run
