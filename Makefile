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

.PHONY: all run test unit e2e browser check-layers asan deps npm-deps clean fuzz bench

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

$(B)/tests/%: tests/unit/%.c $(B)/libtremplin.a tests/unit/testutil.h
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

clean:
	rm -rf build build-asan
