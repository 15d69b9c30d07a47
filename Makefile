# Tremplin: a plain Makefile (STYLE.md). The two commands a city needs:
#   make run    install what is missing, build, migrate, load the demo, serve :8080
#   make test   build and run every test (unit, black-box, browser)

CC ?= cc
PKGS = libmicrohttpd sqlite3 libpq jansson libsodium libcmark libcurl
WARN = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
       -Wwrite-strings -Wvla
OPT ?= -O2 -g
CFLAGS_ALL = -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) -Isrc -Ibuild/gen \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(EXTRA_CFLAGS)
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread $(EXTRA_LDFLAGS)

B ?= build
LIB_SRC = $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
LIB_OBJ = $(LIB_SRC:%.c=$(B)/obj/%.o) $(B)/obj/gen/migrations.o $(B)/obj/gen/demo.o
MIGRATIONS = $(sort $(wildcard db/migrations/*.sql))
DEMO = $(sort $(wildcard db/demo/*.json))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
PO = $(wildcard po/*.po)
MO = $(PO:po/%.po=$(B)/locale/%.mo)

DB ?= sqlite:var/tremplin.db
PORT ?= 8080

.PHONY: all run test unit e2e browser check-layers asan deps npm-deps clean fuzz fuzz-build bench security

all: $(B)/tremplin $(MO)

$(B)/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -std=c17 -O1 -o $@ $<

$(B)/gen/migrations.c: $(B)/embed $(MIGRATIONS)
	@mkdir -p $(@D)
	$(B)/embed $@ embedded_migrations $(MIGRATIONS)

$(B)/gen/demo.c: $(B)/embed $(DEMO)
	@mkdir -p $(@D)
	$(B)/embed $@ embedded_demo $(DEMO)

$(B)/obj/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(@D)
	$(CC) -std=c17 $(OPT) -c -o $@ $<

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/libtremplin.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/tremplin: $(B)/obj/src/main.o $(B)/libtremplin.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(B)/locale/%.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

$(B)/tests/%: tests/unit/%.c $(B)/libtremplin.a tests/unit/testutil.h tests/unit/spec.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(B)/libtremplin.a $(LDLIBS_ALL) -lcmocka

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# Install the Debian packages that are missing (as root), or say how.
deps:
	@sh tools/install-deps.sh

npm-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

var:
	@mkdir -p var

run: deps all | var
	$(B)/tremplin migrate --db $(DB)
	@$(B)/tremplin demo --db $(DB) --if-empty
	$(B)/tremplin serve --db $(DB) --port $(PORT)

check-layers:
	@sh tools/check-layers.sh

unit: $(UNIT_BIN) $(MO)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

e2e: all npm-deps
	node --test --test-reporter=spec tests/e2e/
	@if [ -n "$$TREMPLIN_TEST_PG" ]; then \
		echo "== black-box tests on PostgreSQL"; \
		TREMPLIN_TEST_DB=pg node --test --test-reporter=spec tests/e2e/; fi

browser: all npm-deps
	node --test --test-reporter=spec tests/browser/

test: deps check-layers all unit e2e browser

# Unit and black-box tests under AddressSanitizer and UBSan, in their own build dir.
asan:
	$(MAKE) B=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" unit
	$(MAKE) B=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" all
	TREMPLIN_BIN=build-asan/tremplin ASAN_OPTIONS=detect_leaks=1 node --test --test-reporter=spec tests/e2e/

# libFuzzer targets (tests/fuzz/README.md), built by clang with ASan and UBSan
# from the core, http and view sources, in their own directory. `make fuzz`
# runs each for FUZZ_SECONDS (CI: FUZZ_SECONDS=30); FUZZ_TARGETS picks some.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= router urlencoded multipart cookies template markdown mo
FB = build-fuzz
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = -std=c17 -D_GNU_SOURCE -O1 -g $(FUZZ_SAN) -Isrc \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# The layers the parsers live in, as an archive: each target pulls only the
# objects it uses, so a helper moving between files needs no edit here.
FUZZ_LIB_SRC = $(sort $(wildcard src/core/*.c src/http/*.c src/view/*.c))
FUZZ_LIB_OBJ = $(FUZZ_LIB_SRC:%.c=$(FB)/obj/%.o)

$(FB)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FB)/libfuzz.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FB)/libfuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) -fsanitize=fuzzer -o $@ $< $(FB)/libfuzz.a \
		$(shell pkg-config --libs jansson libcmark 2>/dev/null) -lm

-include $(shell find $(FB)/obj -name '*.d' 2>/dev/null)

fuzz-build: $(FUZZ_TARGETS:%=$(FB)/fuzz_%)

fuzz: fuzz-build
	@set -e; mkdir -p $(FB)/artifacts; for t in $(FUZZ_TARGETS); do \
		echo "== fuzz_$$t for $(FUZZ_SECONDS) s (log: $(FB)/fuzz_$$t.log)"; \
		mkdir -p $(FB)/corpus/$$t; \
		dict=; if [ -f tests/fuzz/$$t.dict ]; then dict=-dict=tests/fuzz/$$t.dict; fi; \
		if ! $(FB)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=1 -rss_limit_mb=2048 \
			-close_fd_mask=2 -print_final_stats=1 $$dict -artifact_prefix=$(FB)/artifacts/$$t- \
			$(FB)/corpus/$$t tests/fuzz/corpus/$$t >$(FB)/fuzz_$$t.log 2>&1; then \
			tail -n 60 $(FB)/fuzz_$$t.log; \
			echo "fuzz_$$t FAILED: the input is in $(FB)/artifacts/ (replay: $(FB)/fuzz_$$t FILE)"; \
			exit 1; \
		fi; \
		grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|peak_rss_mb)' $(FB)/fuzz_$$t.log; \
	done

# The benchmark (bench/README.md): seed var/bench/, serve it pinned, drive it with wrk, compare to nginx.
bench: all
	@command -v node >/dev/null 2>&1 || { echo "make bench needs Node.js: apt-get install nodejs (or make deps)"; exit 1; }
	node bench/run.mjs

# Attack scans (tests/security/README.md): sqlmap and wapiti against a demo server; reports in tests/security/reports/.
security: all
	@sh tools/install-deps.sh security
	node tests/security/run.mjs

clean:
	rm -rf build build-asan $(FB)
