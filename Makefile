# The user's verbs; each is one app/stack.sh command (see app/stack.sh help).
STACK := ./app/stack.sh
BUILD ?= release

.PHONY: run start stop status test lint bench build deps clean

run:
	$(STACK) run

start:
	$(STACK) start

stop:
	$(STACK) stop

status:
	$(STACK) status

# The tool gates (tests/lint.sh) first: a finding fails the run before the suites start.
test: lint
	$(STACK) test

lint:
	$(STACK) deps
	tests/lint.sh

bench:
	$(STACK) bench

build:
	$(STACK) build $(BUILD)

deps:
	$(STACK) deps

# Build trees only; the state directory (.run: database, certificate) is kept.
clean:
	rm -rf build
