# Hongyan build. `make run` installs what is missing, builds and serves with
# demo data; `make test` runs every test. See README.md.

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium libcurl icu-uc icu-i18n xlsxwriter libical
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
UNIT    := $(sort $(wildcard tests/unit/test_*.c))

OBJ      := $(LIB_SRC:%.c=build/obj/%.o) $(GEN:build/gen/%.c=build/obj/gen/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=build/asan/obj/%.o) $(GEN:build/gen/%.c=build/asan/obj/gen/%.o)
UNIT_BIN := $(UNIT:tests/unit/%.c=build/asan/tests/%)

WEB_SRC  := $(shell find web/src web/index.html web/vite.config.js -type f 2>/dev/null)

.PHONY: bench-backends all server web deps run cluster-demo test test-unit test-api test-api-pg test-browser lint format bench clean
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

# ---- release build ----
build/obj/gen/%.o: build/gen/%.c src/db/db_int.h
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_COMMON) $(GEN_CFLAGS) $(OPT) -c $< -o $@

build/obj/%.o: %.c $(HDR)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_COMMON) $(OPT) -c $< -o $@

build/hongyan: build/obj/src/app/main.o $(OBJ)
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

build/asan/hongyan: build/asan/obj/src/app/main.o $(ASAN_OBJ)
	@echo "  CC      $@"
	$(Q)$(CC) $(SAN) -o $@ $^ $(LIBS)

build/asan/tests/%: tests/unit/%.c $(ASAN_OBJ)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS_COMMON) $(SAN) $(shell pkg-config --cflags cmocka) -o $@ $^ $(LIBS) $(shell pkg-config --libs cmocka)

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
	./build/hongyan serve --listen 127.0.0.1:8080 --db sqlite:data/hongyan.db --assets web/dist

# ---- tests ----
test: deps lint test-unit test-api test-api-pg test-browser

# Formatting, the layering rule, banned functions, and the tests that show
# the two checks fail on what they forbid (docs/architecture.md).
lint:
	@clang-format --dry-run --Werror $(SRC) $(HDR) $(UNIT) && echo "lint: formatting ok"
	@node scripts/lint/check-layers.mjs src
	@node scripts/lint/check-banned.mjs src tests/unit
	@node --test tests/lint/ > build/lint-tests.log 2>&1 || { cat build/lint-tests.log; exit 1; }
	@echo "lint: the checks' own tests pass"

test-unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

test-api: build/asan/hongyan
	HONGYAN_BIN=$(CURDIR)/build/asan/hongyan HONGYAN_EXPORT_PAGE=3 node --test tests/api/

# The same API suite on PostgreSQL, in a cluster made for the run and
# removed after it (no system service; see scripts/pg-temp.sh).
test-api-pg: build/asan/hongyan
	sh scripts/with-pg.sh env HONGYAN_BIN=$(CURDIR)/build/asan/hongyan HONGYAN_EXPORT_PAGE=3 node --test tests/api/

test-browser: build/asan/hongyan web node_modules/.package-lock.json
	HONGYAN_BIN=$(CURDIR)/build/asan/hongyan node --test tests/browser/

format:
	clang-format -i $(SRC) $(HDR) $(UNIT)

bench: build/hongyan
	@bash bench/run.sh

bench-backends: build/hongyan
	@bash bench/backends.sh

clean:
	rm -rf build web/dist
