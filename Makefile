# spdm-fleet: `make run` starts the daemon on the embedded default config; `make test` builds from
# nothing and runs every test. Both install the C libraries they need when missing.

SWIFT ?= swift
PREFIX ?= /usr/local
BUILD_FLAGS ?=
APT_PACKAGES := libssl-dev libsystemd-dev pkg-config

.PHONY: all deps build release run test bench certs clean help

all: build

help:
	@echo "make run    - build and start spdm-fleetd on the embedded default config (loopback only)"
	@echo "make test   - install missing libraries, build from nothing, run every test"
	@echo "make bench  - release build and benchmarks (ratios against the crypto bound)"
	@echo "make certs  - generate SPDM certificate chains for every algorithm into certs/out"

# Installs the -dev packages the build links against (OpenSSL 3, libsystemd) if any is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

run: build
	$(SWIFT) run $(BUILD_FLAGS) spdm-fleetd

test: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build $(BUILD_FLAGS)

bench: release
	bash Tests/Benchmarks/bench.sh

certs:
	bash certs/generate.sh certs/out

clean:
	rm -rf .build certs/out
