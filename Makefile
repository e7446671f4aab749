# The user's verbs; each is one app/stack.sh command (see app/stack.sh help).
STACK := ./app/stack.sh
BUILD ?= release

.PHONY: run start stop status test bench build deps clean

run:
	$(STACK) run

start:
	$(STACK) start

stop:
	$(STACK) stop

status:
	$(STACK) status

test:
	$(STACK) test

bench:
	$(STACK) bench

build:
	$(STACK) build $(BUILD)

deps:
	$(STACK) deps

# Build trees only; the state directory (.run: database, certificate) is kept.
clean:
	rm -rf build
