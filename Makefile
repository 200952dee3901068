# Hongyan build. `make run` installs what is missing, builds and serves with
# demo data; `make test` runs every test. See README.md.

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium libcurl icu-uc icu-i18n xlsxwriter libical pangocairo gmime-3.0
WARN    := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS_COMMON = -std=c11 -D_GNU_SOURCE -g $(WARN) -Isrc -Ibuild/gen $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread -lm
# Embedded files (migrations, the password list) are long string literals.
GEN_CFLAGS := -Wno-overlength-strings
# The release server allocates through jemalloc (docs/decisions/0005): the
# sanitizer build keeps the allocator ASan provides.
RELEASE_LIBS = $(LIBS) -ljemalloc
OPT     := -O2
# `make V=1` shows the full compiler command lines.
Q       := $(if $(V),,@)
SAN     := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

SRC     := $(shell find src -name '*.c' | sort)
LIB_SRC := $(filter-out src/app/main.c,$(SRC))
GEN     := build/gen/migrations_sqlite.c build/gen/migrations_postgres.c build/gen/common_passwords.c
HDR     := $(shell find src -name '*.h')
# Route tables are data (docs/architecture.md): src/DIR/NAME.routes becomes
# build/gen/DIR/NAME.routes.h, which src/DIR/NAME.c includes at its end.
ROUTES   := $(shell find src -name '*.routes' | sort)
ROUTES_H := $(ROUTES:src/%.routes=build/gen/%.routes.h)
UNIT    := $(sort $(wildcard tests/unit/test_*.c))

OBJ      := $(LIB_SRC:%.c=build/obj/%.o) $(GEN:build/gen/%.c=build/obj/gen/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=build/asan/obj/%.o) $(GEN:build/gen/%.c=build/asan/obj/gen/%.o)
UNIT_BIN := $(UNIT:tests/unit/%.c=build/asan/tests/%)

WEB_SRC  := $(shell find web/src web/index.html web/vite.config.js -type f 2>/dev/null)

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang: the library in
# build/fuzz/obj with -fsanitize=fuzzer-no-link, each target linked with the
# fuzzer's main. `make fuzz-smoke` runs each for FUZZ_SECONDS on its seeds.
FUZZ_CC      ?= clang
FUZZ_SAN     := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_HDR     := tests/fuzz/fuzz_db.h tests/unit/testdb.h
FUZZ_OBJ     := $(LIB_SRC:%.c=build/fuzz/obj/%.o) $(GEN:build/gen/%.c=build/fuzz/obj/gen/%.o)
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 10

.PHONY: install uninstall bench-backends all server web deps run cluster-demo test test-unit test-api test-api-pg test-browser fuzz fuzz-smoke lint format bench clean
.DEFAULT_GOAL := all

all: server web

server: build/hongyan

# ---- generated sources ----
build/gen/migrations_sqlite.c: scripts/embed-migrations.sh $(wildcard src/db/migrations/sqlite/*.sql)
	@mkdir -p $(@D)
	sh scripts/embed-migrations.sh sqlite src/db/migrations/sqlite > $@.tmp && mv $@.tmp $@

build/gen/migrations_postgres.c: scripts/embed-migrations.sh scripts/sqlite-to-postgres.sed scripts/postgres-identity-sync.sql $(wildcard src/db/migrations/sqlite/*.sql src/db/migrations/postgres/*.sql)
	@mkdir -p $(@D)
	sh scripts/embed-migrations.sh postgres src/db/migrations/sqlite > $@.tmp && mv $@.tmp $@

build/gen/common_passwords.c: scripts/gen-embed.sh data/common-passwords.txt
	@mkdir -p $(@D)
	sh scripts/gen-embed.sh data/common-passwords.txt common_passwords > $@.tmp && mv $@.tmp $@

build/gen/%.routes.h: src/%.routes scripts/gen-routes.sh
	@mkdir -p $(@D)
	sh scripts/gen-routes.sh $< > $@.tmp && mv $@.tmp $@

# The object of a C file with a route table needs its generated header, in
# every build (release, sanitizer, fuzzing).
$(ROUTES:src/%.routes=build/obj/src/%.o): build/obj/src/%.o: build/gen/%.routes.h
$(ROUTES:src/%.routes=build/asan/obj/src/%.o): build/asan/obj/src/%.o: build/gen/%.routes.h
$(ROUTES:src/%.routes=build/fuzz/obj/src/%.o): build/fuzz/obj/src/%.o: build/gen/%.routes.h

# ---- release build ----
build/obj/gen/%.o: build/gen/%.c src/db/db_int.h
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_COMMON) $(GEN_CFLAGS) $(OPT) -c $< -o $@

build/obj/%.o: %.c $(HDR)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_COMMON) $(OPT) -c $< -o $@

# The web UI compiled into the server binaries (docs/architecture.md): a
# copied binary serves the whole app. Built from web/dist, so the server
# binaries need `make web` first; the unit tests link without it. Every
# build of the UI rewrites index.html (it names the hashed files), so it
# stands for the whole directory; the hashed names change from build to
# build and cannot be prerequisites.
build/gen/assets_embedded.c: scripts/embed-assets.mjs web/dist/index.html
	@mkdir -p $(@D)
	$(Q)node scripts/embed-assets.mjs web/dist $@

build/obj/gen/assets_embedded.o build/asan/obj/gen/assets_embedded.o: src/http/embedded.h

build/hongyan: build/obj/src/app/main.o $(OBJ) build/obj/gen/assets_embedded.o
	@echo "  CC      $@"
	$(Q)$(CC) $(OPT) -o $@ $^ $(RELEASE_LIBS)

# ---- sanitizer build (tests) ----
build/asan/obj/gen/%.o: build/gen/%.c src/db/db_int.h
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_COMMON) $(GEN_CFLAGS) $(SAN) -c $< -o $@

build/asan/obj/%.o: %.c $(HDR)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_COMMON) $(SAN) -c $< -o $@

build/asan/hongyan: build/asan/obj/src/app/main.o $(ASAN_OBJ) build/asan/obj/gen/assets_embedded.o
	@echo "  CC      $@"
	$(Q)$(CC) $(SAN) -o $@ $^ $(LIBS)

build/asan/tests/%: tests/unit/%.c $(ASAN_OBJ)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_COMMON) $(SAN) $(shell pkg-config --cflags cmocka) -o $@ $^ $(LIBS) $(shell pkg-config --libs cmocka)

# ---- fuzzing ----
build/fuzz/obj/gen/%.o: build/gen/%.c src/db/db_int.h
	@mkdir -p $(@D)
	@echo "  CLANG   $@"
	$(Q)$(FUZZ_CC) $(CFLAGS_COMMON) $(GEN_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzz/obj/%.o: %.c $(HDR)
	@mkdir -p $(@D)
	@echo "  CLANG   $@"
	$(Q)$(FUZZ_CC) $(CFLAGS_COMMON) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzz/%: tests/fuzz/%.c $(FUZZ_HDR) $(FUZZ_OBJ)
	@echo "  CLANG   $@"
	$(Q)$(FUZZ_CC) $(CFLAGS_COMMON) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LIBS)

# The objects are named here so that make keeps them (not intermediate).
fuzz: $(FUZZ_OBJ) $(FUZZ_BIN)

# Each target for FUZZ_SECONDS from its committed seeds (new inputs go to
# build/fuzz/corpus, never into tests/). A crash, leak, sanitizer report or
# failed check stops the run with the fuzzer's non-zero status and leaves
# the input in build/fuzz/crash-*; replay it with `build/fuzz/<target> FILE`.
fuzz-smoke: fuzz
	@set -e; for t in $(FUZZ_BIN); do \
	  n=$$(basename $$t); mkdir -p build/fuzz/corpus/$$n; echo "== $$n ($(FUZZ_SECONDS) s)"; \
	  d=tests/fuzz/$$n.dict; [ -f $$d ] && d=-dict=$$d || d=; \
	  $$t $$d -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
	    -print_final_stats=1 -artifact_prefix=build/fuzz/ \
	    build/fuzz/corpus/$$n tests/fuzz/corpus/$$n 2>build/fuzz/$$n.log \
	    || { tail -n 60 build/fuzz/$$n.log; echo "fuzz-smoke: $$n failed (log build/fuzz/$$n.log)"; exit 1; }; \
	  grep -E '^stat::(number_of_executed_units|new_units_added)' build/fuzz/$$n.log | tr '\n' ' '; echo; \
	done

# ---- web UI ----
web: web/dist/index.html

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# ---- install what is missing (Debian packages, npm packages) ----
deps:
	@sh scripts/install-deps.sh

# ---- several servers over PostgreSQL behind nginx (docs/deploy.md) ----
cluster-demo: deps all
	sh scripts/cluster-demo.sh

# ---- run ----
run: deps all
	@mkdir -p data
	@test -f data/hongyan.db || ./build/hongyan demo --db sqlite:data/hongyan.db
	@echo ""
	@echo "  鸿雁 Hongyan is at  http://127.0.0.1:8080"
	@echo "  initial admin login: admin / hongyan2026 (you will be asked to change it)"
	@echo "  other demo staff: S0001 (supervisor), M0001 (manager), C0001, C0002 (clerks), same initial password"
	@echo ""
	@echo "  a demo feed posts about 5 waybill events a second (serve --simulate 5; some stall)"
	./build/hongyan serve --listen 127.0.0.1:8080 --db sqlite:data/hongyan.db --assets web/dist --simulate 5

# ---- install (FHS paths; docs/deploy.md) ----
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system

# The binary carries the web UI; the settings file is installed once and
# never overwritten (it is the operator's); the unit runs it as a user of
# its own with its data in /var/lib/hongyan.
INSTALL_BIN ?= build/hongyan

install: $(INSTALL_BIN)
	install -D -m 0755 $(INSTALL_BIN) $(DESTDIR)$(PREFIX)/bin/hongyan
	install -D -m 0644 deploy/hongyan.service $(DESTDIR)$(UNITDIR)/hongyan.service
	sed -i 's|/usr/local/|$(PREFIX)/|g; s|/etc/hongyan/|$(SYSCONFDIR)/hongyan/|g' $(DESTDIR)$(UNITDIR)/hongyan.service
	install -D -m 0644 docs/deploy.md $(DESTDIR)$(PREFIX)/share/doc/hongyan/deploy.md
	test -e $(DESTDIR)$(SYSCONFDIR)/hongyan/hongyan.conf || \
	  install -D -m 0640 deploy/hongyan.conf $(DESTDIR)$(SYSCONFDIR)/hongyan/hongyan.conf
	@echo "installed; start it with: systemctl daemon-reload && systemctl enable --now hongyan"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/hongyan $(DESTDIR)$(UNITDIR)/hongyan.service
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/hongyan
	@echo "kept $(SYSCONFDIR)/hongyan and /var/lib/hongyan (settings and data)"

# ---- tests ----
# Test files run TEST_JOBS at a time (node's runner defaults to one fewer
# than the cores: one at a time on a 2-core machine, which leaves a core
# idle while a test waits on its server or browser). Every file starts its
# own servers on free ports with databases of their own, so files do not
# share state. Node.js older than 20.10 lacks the option and runs them
# one at a time.
TEST_JOBS ?= 2
NODE_TEST := node --test $(shell node --help 2>/dev/null | grep -q -- --test-concurrency && echo --test-concurrency=$(TEST_JOBS))
test: deps lint test-unit fuzz-smoke test-api test-api-pg test-browser

# Formatting, the layering rule, banned functions, and the tests that show
# the two checks fail on what they forbid (docs/architecture.md).
lint:
	@clang-format --dry-run --Werror $(SRC) $(HDR) $(UNIT) $(FUZZ_SRC) $(FUZZ_HDR) && echo "lint: formatting ok"
	@node scripts/lint/check-layers.mjs src
	@node scripts/lint/check-banned.mjs src tests/unit tests/fuzz
	@mkdir -p build && node --test tests/lint/ > build/lint-tests.log 2>&1 || { cat build/lint-tests.log; exit 1; }
	@echo "lint: the checks' own tests pass"

test-unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

test-api: build/asan/hongyan
	HONGYAN_BIN=$(CURDIR)/build/asan/hongyan HONGYAN_EXPORT_PAGE=3 $(NODE_TEST) tests/api/

# The same API suite on PostgreSQL, in a cluster made for the run and
# removed after it (no system service; see scripts/pg-temp.sh).
test-api-pg: build/asan/hongyan
	sh scripts/with-pg.sh env HONGYAN_BIN=$(CURDIR)/build/asan/hongyan HONGYAN_EXPORT_PAGE=3 $(NODE_TEST) tests/api/

test-browser: build/asan/hongyan web node_modules/.package-lock.json
	HONGYAN_BIN=$(CURDIR)/build/asan/hongyan $(NODE_TEST) tests/browser/

format:
	clang-format -i $(SRC) $(HDR) $(UNIT) $(FUZZ_SRC) $(FUZZ_HDR)

bench: build/hongyan
	@bash bench/run.sh

bench-backends: build/hongyan
	@bash bench/backends.sh

# The business calendar's micro-bench (bench/workcal.sh) on the release objects.
build/bench/workcal: bench/workcal.c $(OBJ)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_COMMON) $(OPT) -Itests/unit -o $@ $^ $(RELEASE_LIBS)

clean:
	rm -rf build web/dist
