# spdm-fleet: `make run` starts the daemon on the embedded default config; `make test` builds from
# nothing and runs every test. Both install the C libraries they need when missing.

SWIFT ?= swift
PREFIX ?= /usr/local
BUILD_FLAGS ?=
APT_PACKAGES := libssl-dev libsystemd-dev pkg-config curl

.PHONY: all deps test-deps build release run test test-sanitize bench certs clean help fuzz fuzz-build fuzz-smoke fuzz-seeds

all: build

help:
	@echo "make run    - build and start spdm-fleetd on the embedded default config (loopback only)"
	@echo "make test   - install missing libraries, build from nothing, run every test"
	@echo "make test-sanitize - the whole suite under thread sanitizer, then address sanitizer (daemon included)"
	@echo "make bench  - release build and benchmarks (ratios against the crypto bound)"
	@echo "make fuzz   - build the libFuzzer targets and run each FUZZ_SECONDS (default 60) on its seed corpus"
	@echo "make certs  - generate SPDM certificate chains for every algorithm into certs/out"

# Installs the -dev packages the build links against (OpenSSL 3, libsystemd) if any is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# What the tests use beyond the build: kubernetes-validate (PyPI) checks config/kubernetes/;
# cryptography >= 48 (PyPI, with OpenSSL 3.5+ inside) cross-checks ML-DSA / ML-KEM (PQCCrossCheckTests).
test-deps: deps
	@python3 -m kubernetes_validate --version >/dev/null 2>&1 || { echo "installing: kubernetes-validate (pip)"; \
	  python3 -m pip install --quiet --disable-pip-version-check kubernetes-validate; }
	@python3 -c 'from cryptography.hazmat.primitives.asymmetric import mldsa, mlkem' >/dev/null 2>&1 || { \
	  echo "installing: cryptography>=48 (pip)"; python3 -m pip install --quiet --disable-pip-version-check 'cryptography>=48'; }

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

run: build
	$(SWIFT) run $(BUILD_FLAGS) spdm-fleetd

test: test-deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build $(BUILD_FLAGS)
	$(MAKE) fuzz-smoke

# Fuzzing (Tests/Fuzz): libFuzzer + AddressSanitizer builds of the fuzz targets, which Package.swift
# declares only when SPDM_FUZZ=1, in their own scratch path so the normal build never sees them.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TARGETS ?= FuzzPlatformFrame FuzzTransportBinding FuzzWirePDU FuzzSecuredRecord FuzzResponder FuzzRequester FuzzFaultRule FuzzStateFile FuzzPQCKeys FuzzFleetTemplate
FUZZ_SCRATCH := .build-fuzz
FUZZ_SWIFT_BUILD := SPDM_FUZZ=1 $(SWIFT) build -c release --scratch-path $(FUZZ_SCRATCH) $(BUILD_FLAGS)
FUZZ_SANITIZE := -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library

fuzz-build: deps
	@mkdir -p $(FUZZ_SCRATCH); for target in $(FUZZ_TARGETS); do \
	  echo "building $$target"; log=$(FUZZ_SCRATCH)/build-$$target.log; \
	  if ! $(FUZZ_SWIFT_BUILD) $(FUZZ_SANITIZE) --product $$target >$$log 2>&1; then \
	    grep -v "Cannot export local symbol" $$log; exit 1; \
	  fi; \
	done

fuzz: fuzz-build
	bash Tests/Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_SCRATCH)/release $(FUZZ_TARGETS)

# What `make test` runs: every seed, then a few seconds of fuzzing per target.
fuzz-smoke: fuzz-build
	bash Tests/Fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_SCRATCH)/release $(FUZZ_TARGETS)

# Rewrites Tests/Fuzz/Corpus from a back-to-back run of our requester and responder (not run by CI).
fuzz-seeds: deps
	SPDM_FUZZ=1 $(SWIFT) build -c release --scratch-path $(FUZZ_SCRATCH)-seeds $(BUILD_FLAGS) --product FuzzSeedGenerator
	$(FUZZ_SCRATCH)-seeds/release/FuzzSeedGenerator Tests/Fuzz/Corpus

# The whole suite twice, each in its own build folder: under ThreadSanitizer (a data race anywhere,
# the daemon the integration tests start included, stops it at once and fails its test), then under
# AddressSanitizer with LeakSanitizer (Tests/Sanitizers/lsan.supp and asan.supp name the third-party
# leaks and reads they ignore). The children inherit the sanitizer options from the test process.
SANITIZERS ?= thread address
test-sanitize: deps
	@set -e; for sanitizer in $(SANITIZERS); do \
	  echo "== $$sanitizer sanitizer: build"; \
	  $(SWIFT) build --build-tests --scratch-path .build-$$sanitizer --sanitize=$$sanitizer $(BUILD_FLAGS); \
	  echo "== $$sanitizer sanitizer: tests"; \
	  TSAN_OPTIONS="halt_on_error=1 $$TSAN_OPTIONS" ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 suppressions=$(CURDIR)/Tests/Sanitizers/asan.supp $$ASAN_OPTIONS" \
	  LSAN_OPTIONS="suppressions=$(CURDIR)/Tests/Sanitizers/lsan.supp print_suppressions=0 $$LSAN_OPTIONS" \
	    $(SWIFT) test --skip-build --scratch-path .build-$$sanitizer --sanitize=$$sanitizer $(BUILD_FLAGS); \
	done

bench: release
	bash Tests/Benchmarks/bench.sh

certs:
	bash certs/generate.sh certs/out

clean:
	rm -rf .build .build-thread .build-address .build-fuzz .build-fuzz-seeds certs/out

# `make install`: release binaries, the systemd units, the default config (an existing one is kept)
# and man pages generated from --help. PREFIX and DESTDIR are honoured (packagers:
# `make install DESTDIR=/tmp/pkg PREFIX=/usr UNITDIR=/usr/lib/systemd/system`).
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= /etc/systemd/system
MANUALS := .build/plugins/GenerateManual/outputs

.PHONY: install
install: release
	@bin="$$($(SWIFT) build -c release $(BUILD_FLAGS) --show-bin-path)"; set -e; \
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/spdm-fleetd; \
	install -m 0755 "$$bin/spdm-fleetd" "$$bin/spdmctl" $(DESTDIR)$(BINDIR)/; \
	sed -e 's|/usr/local/bin/spdm-fleetd|$(BINDIR)/spdm-fleetd|' -e 's|/etc/spdm-fleetd/|$(SYSCONFDIR)/spdm-fleetd/|' \
	    systemd/spdm-fleetd.service > $(DESTDIR)$(UNITDIR)/spdm-fleetd.service; \
	sed -e 's|/usr/local/bin/spdm-fleetd|$(BINDIR)/spdm-fleetd|' -e 's|/etc/spdm-fleetd/|$(SYSCONFDIR)/spdm-fleetd/|' \
	    systemd/spdm-fleetd@.service > $(DESTDIR)$(UNITDIR)/spdm-fleetd@.service; \
	chmod 0644 $(DESTDIR)$(UNITDIR)/spdm-fleetd.service $(DESTDIR)$(UNITDIR)/spdm-fleetd@.service; \
	install -m 0644 systemd/spdm-fleetd.socket $(DESTDIR)$(UNITDIR)/; \
	config=$(DESTDIR)$(SYSCONFDIR)/spdm-fleetd/spdm-fleetd.toml; \
	if [ -e "$$config" ]; then echo "keeping the existing $$config"; \
	else "$$bin/spdm-fleetd" --print-default-config > "$$config.new" && chmod 0644 "$$config.new" && mv "$$config.new" "$$config"; fi; \
	if $(SWIFT) package plugin generate-manual --section 8 >/dev/null 2>&1 \
	   && [ -f $(MANUALS)/spdm-fleetd/spdm-fleetd.8 ] && [ -f $(MANUALS)/spdmctl/spdmctl.8 ]; then \
	  install -m 0644 $(MANUALS)/spdm-fleetd/spdm-fleetd.8 $(MANUALS)/spdmctl/spdmctl.8 $(DESTDIR)$(MANDIR)/man8/; \
	else \
	  for tool in spdm-fleetd spdmctl; do \
	    { printf '.TH %s 8\n.SH NAME\n%s\n.SH DESCRIPTION\n.nf\n' "$$tool" "$$tool"; \
	      "$$bin/$$tool" --help | sed -e 's/\\/\\\\/g' -e 's/^[.'"'"']/\\\&&/'; } > $(DESTDIR)$(MANDIR)/man8/$$tool.8; \
	    chmod 0644 $(DESTDIR)$(MANDIR)/man8/$$tool.8; \
	  done; \
	fi; \
	echo "installed into $(DESTDIR)$(PREFIX) and $(DESTDIR)$(UNITDIR); then: systemctl daemon-reload && systemctl enable --now spdm-fleetd"
