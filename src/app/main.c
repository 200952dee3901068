/*
 * main.c - the hongyan command line: serve, user add, apikey add, demo.
 *
 * Every command takes --db (or HONGYAN_DB) and applies pending migrations
 * before it does anything else, so a fresh path becomes a database.
 */
#include "app/demo.h"
#include "app/demo_customers.h"
#include "app/demo_enterprises.h"
#include "app/demo_pricing.h"
#include "app/demo_rollups.h"
#include "app/demo_tickets.h"
#include "app/openapi.h"
#include "app/simulate.h"
#include "auth/actor.h"
#include "auth/api_keys.h"
#include "approval/approval_module.h"
#include "auth/auth_module.h"
#include "billing/billing_module.h"
#include "auth/branches.h"
#include "auth/gate.h"
#include "auth/perm.h"
#include "auth/session.h"
#include "auth/users.h"
#include "base/config.h"
#include "base/datakey.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "core/audit.h"
#include "core/core_module.h"
#include "core/files.h"
#include "core/jobs.h"
#include "core/scheduler.h"
#include "crm/crm_module.h"
#include "crm/customer_ids.h"
#include "db/backup.h"
#include "db/db.h"
#include "db/migrate_copy.h"
#include "logistics/logistics_module.h"
#include "mail/mail_module.h"
#include "notify/notify_module.h"
#include "notify/robot.h"
#include "notify/webhook.h"
#include "service/service_module.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static.h"
#include "record/record_module.h"
#include "report/report_module.h"
#include "rules/rules_module.h"
#include "vip/vip_module.h"

#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DB     "sqlite:data/hongyan.db"
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_ASSETS "web/dist"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: hongyan <command> [options]\n"
        "\n"
        "Hongyan (鸿雁) customer management for postal services.\n"
        "\n"
        "commands:\n"
        "  serve                 serve the API and web UI\n"
        "  user add LOGIN        create a staff account (must change password at first "
        "sign-in)\n"
        "  apikey add LOGIN      create an API key for integrations (printed once)\n"
        "  demo                  fill the database with demo data\n"
        "  simulate --key KEY    post waybills and tracking events of the demo enterprises\n"
        "                        to a server (--url, default http://%s; --rate N events a\n"
        "                        second, default 20; --seconds N, default until stopped)\n"
        "  backup --to FILE      copy the SQLite database (--db) while the server runs,\n"
        "                        consistent at one commit, integrity-checked\n"
        "  restore --from FILE   replace the SQLite database (--db) with a backup; stop the\n"
        "                        server first\n"
        "  rotate-key --new-key-file FILE\n"
        "                        re-seal every ID number under a new data key (server\n"
        "                        stopped; resumable); then start with the new key\n"
        "  migrate-db --from sqlite:PATH --to postgres://...\n"
        "                        copy a SQLite database into an empty PostgreSQL one,\n"
        "                        verified by row counts and checksums\n"
        "\n"
        "options (every command):\n"
        "  --db URL              database: sqlite:PATH (default %s)         env "
        "HONGYAN_DB\n"
        "                        or postgres://USER@HOST/NAME (libpq URL; several servers\n"
        "                        may share one PostgreSQL database)\n"
        "\n"
        "common options:\n"
        "  --config FILE         settings file of HONGYAN_*=value lines; the\n"
        "                        environment wins over it          env HONGYAN_CONFIG\n"
        "\n"
        "serve options:\n"
        "  --listen HOST:PORT    address to listen on (default %s)        env "
        "HONGYAN_LISTEN\n"
        "  --assets DIR          built web UI (default: the copy in the binary,\n"
        "                        else %s)                                 env "
        "HONGYAN_ASSETS\n"
        "  --threads N           worker threads (default: 4 per core, at least 8)  env "
        "HONGYAN_THREADS\n"
        "  --max-body BYTES      JSON body limit (default 1048576)               env "
        "HONGYAN_MAX_BODY\n"
        "  --max-upload BYTES    import file limit (default 209715200)           env "
        "HONGYAN_MAX_UPLOAD\n"
        "  --files DIR           uploads, reports, exports (default: files/ beside a SQLite "
        "database)  env HONGYAN_FILES\n"
        "  --test-mode           enable /api/v1/_test/* (movable clock); never in "
        "production\n"
        "  --simulate N          post N events a second of demo waybills to this server\n"
        "                        (make run; a key named 演示数据模拟器 is made at start)\n"
        "                                                                  env "
        "HONGYAN_SIMULATE\n"
        "\n"
        "demo options:\n"
        "  --customers N         demo customers with records and tasks (default 300)\n"
        "  --enterprises N       demo VIP enterprises with contacts and departments\n"
        "                        (default 200)\n"
        "\n"
        "user add options:\n"
        "  --name NAME --role admin|supervisor|manager|clerk [--branch CODE]\n"
        "  [--phone MOBILE] [--email ADDRESS] --password-stdin\n"
        "\n"
        "apikey add options:\n"
        "  --name NAME           what the key is for\n"
        "\n"
        "PostgreSQL connection pool (per process):\n"
        "  HONGYAN_DB_POOL       most connections (default 32)\n"
        "  HONGYAN_DB_WAIT_MS    longest wait for a free one before 503 (default 5000)\n"
        "SQLite durability and reads:\n"
        "  HONGYAN_SQLITE_SYNC   group (default: commits share fsyncs, durable before the\n"
        "                        reply) or full (one fsync per commit)\n"
        "  HONGYAN_SQLITE_MMAP_MIB  read the database through a memory map of up to this\n"
        "                        many MiB (most 2047): faster searches, slower writes\n"
        "                        (default 0: read() into each connection's cache)\n"
        "Quick search:\n"
        "  HONGYAN_QUICK_COUNT_CAP  count at most this many matches, then answer\n"
        "                        total_capped (default 10000)\n"
        "Imports (SQLite):\n"
        "  HONGYAN_IMPORT_BULK_ROWS  files of at least this many lines, and at least a quarter\n"
        "                        of the stored customers, load in bulk: one transaction,\n"
        "                        indexes rebuilt at the end (default 20000; 0 = never)\n",
        DEFAULT_LISTEN, DEFAULT_DB, DEFAULT_LISTEN, DEFAULT_ASSETS);
    /* In parts: one literal may not pass 4095 characters. */
    fputs("\n"
          "outgoing messages (without these they land in the dev mailbox):\n"
          "  HONGYAN_SMTP_URL, HONGYAN_SMTP_USER, HONGYAN_SMTP_PASSWORD, HONGYAN_SMTP_FROM\n"
          "  HONGYAN_SMS_URL, HONGYAN_SMS_TOKEN\n"
          "\n"
          "connections:\n"
          "  HONGYAN_MAX_CONN_PER_IP  connections one client address may hold (default 64)\n"
          "  HONGYAN_HEADER_TIMEOUT   seconds a client has to send a request's headers, however\n"
          "                        slowly it trickles them (default 15)\n"
          "  HONGYAN_TRUSTED_PROXIES  comma-separated addresses of reverse proxies (nginx) whose\n"
          "                        X-Forwarded-For gives the client's address (default: none)\n"
          "\n"
          "costly work:\n"
          "  HONGYAN_STATEMENT_TIMEOUT_MS  a request's database statement is cut after this\n"
          "                        long and answered 503 query_timeout (default 5000; 0 = none)\n"
          "  HONGYAN_JOB_STATEMENT_TIMEOUT_MS  the same for imports, exports and the scheduler\n"
          "                        (default 600000)\n"
          "  HONGYAN_HEAVY_PER_USER  filtered lists, exports and bulk changes one user may have\n"
          "                        running at once; more answer 429 (default 2; 0 = no limit)\n",
          out);
    fputs("\ndata key (serve, demo, rotate-key; docs/deploy.md):\n"
          "  --key-file FILE       the key that seals ID numbers (default: hongyan.key beside\n"
          "                        a SQLite database, made on first use)  env "
          "HONGYAN_DATA_KEY_FILE\n"
          "  HONGYAN_DATA_KEY      the key itself: 64 hex digits or base64 of 32 bytes\n"
          "  --new-key-file FILE   rotate-key: the key to move to\n",
          out);
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* The application: every module, in start-up order (lower layers first).
 * A new domain is one more line here (see docs/architecture.md). */
static const struct module *const modules[] = {
    &app_module,     &core_module,      &auth_module,     &record_module, &crm_module,
    &vip_module,     &logistics_module, &notify_module,   &mail_module,   &service_module,
    &billing_module, &report_module,    &approval_module, &rules_module,  NULL,
};

static int open_db(const char *url)
{
    if (db_global_init(url)) {
        fprintf(stderr, "hongyan: cannot open database '%s'\n", url);
        return -1;
    }
    return 0;
}

enum {
    OPT_DB = 1000,
    OPT_LISTEN,
    OPT_ASSETS,
    OPT_THREADS,
    OPT_MAX_BODY,
    OPT_MAX_UPLOAD,
    OPT_FILES,
    OPT_TEST_MODE,
    OPT_NAME,
    OPT_ROLE,
    OPT_BRANCH,
    OPT_PHONE,
    OPT_EMAIL,
    OPT_PASSWORD_STDIN,
    OPT_FROM,
    OPT_TO,
    OPT_CUSTOMERS,
    OPT_ENTERPRISES,
    OPT_CONFIG,
    OPT_KEY_FILE,
    OPT_NEW_KEY_FILE,
    OPT_URL,
    OPT_KEY,
    OPT_RATE,
    OPT_SECONDS,
    OPT_SIMULATE,
    OPT_HELP,
};

static const struct option options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"assets", required_argument, NULL, OPT_ASSETS},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"max-body", required_argument, NULL, OPT_MAX_BODY},
    {"max-upload", required_argument, NULL, OPT_MAX_UPLOAD},
    {"files", required_argument, NULL, OPT_FILES},
    {"test-mode", no_argument, NULL, OPT_TEST_MODE},
    {"name", required_argument, NULL, OPT_NAME},
    {"role", required_argument, NULL, OPT_ROLE},
    {"branch", required_argument, NULL, OPT_BRANCH},
    {"phone", required_argument, NULL, OPT_PHONE},
    {"email", required_argument, NULL, OPT_EMAIL},
    {"password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"customers", required_argument, NULL, OPT_CUSTOMERS},
    {"enterprises", required_argument, NULL, OPT_ENTERPRISES},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"key-file", required_argument, NULL, OPT_KEY_FILE},
    {"new-key-file", required_argument, NULL, OPT_NEW_KEY_FILE},
    {"url", required_argument, NULL, OPT_URL},
    {"key", required_argument, NULL, OPT_KEY},
    {"rate", required_argument, NULL, OPT_RATE},
    {"seconds", required_argument, NULL, OPT_SECONDS},
    {"simulate", required_argument, NULL, OPT_SIMULATE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

struct args {
    const char *db, *listen, *assets, *name, *role, *branch, *phone, *email, *files, *from, *to;
    const char *key_file, *new_key_file, *url, *key;
    long rate, seconds, simulate;
    long threads, max_body, max_upload, customers, enterprises;
    bool test_mode, password_stdin, assets_given;
};

/* The configuration file named by --config FILE (or HONGYAN_CONFIG) fills
 * in the environment before anything reads it (base/config.h). */
static int load_config(int argc, char **argv)
{
    const char *path = getenv("HONGYAN_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            path = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            path = argv[i] + 9;
    }
    char err[512];
    if (path && config_load_env(path, err, sizeof(err))) {
        fprintf(stderr, "hongyan: %s\n", err);
        return -1;
    }
    return 0;
}

/* The number of demo records option name asks for, 0 to 100000; -1
 * having said so on stderr. */
static int demo_count(const char *name, long *out)
{
    *out = strtol(optarg, NULL, 10);
    if (*out >= 0 && *out <= 100000)
        return 0;
    fprintf(stderr, "hongyan: %s takes 0 to 100000\n", name);
    return -1;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    if (load_config(argc, argv))
        return -1;
    log_set_json(strcmp(env_or("HONGYAN_LOG_FORMAT", "text"), "json") == 0);
    a->db = env_or("HONGYAN_DB", DEFAULT_DB);
    a->listen = env_or("HONGYAN_LISTEN", DEFAULT_LISTEN);
    a->assets = env_or("HONGYAN_ASSETS", DEFAULT_ASSETS);
    a->assets_given = getenv("HONGYAN_ASSETS") != NULL;
    a->threads = strtol(env_or("HONGYAN_THREADS", "0"), NULL, 10);
    a->max_body = strtol(env_or("HONGYAN_MAX_BODY", "1048576"), NULL, 10);
    a->max_upload = strtol(env_or("HONGYAN_MAX_UPLOAD", "209715200"), NULL, 10);
    a->customers = 300;
    a->enterprises = 200;
    a->files = env_or("HONGYAN_FILES", NULL);
    a->key_file = env_or("HONGYAN_DATA_KEY_FILE", NULL);
    a->simulate = strtol(env_or("HONGYAN_SIMULATE", "0"), NULL, 10);
    a->rate = 20;
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            a->db = optarg;
            break;
        case OPT_LISTEN:
            a->listen = optarg;
            break;
        case OPT_ASSETS:
            a->assets = optarg;
            a->assets_given = true;
            break;
        case OPT_THREADS:
            a->threads = strtol(optarg, NULL, 10);
            break;
        case OPT_MAX_BODY:
            a->max_body = strtol(optarg, NULL, 10);
            break;
        case OPT_MAX_UPLOAD:
            a->max_upload = strtol(optarg, NULL, 10);
            break;
        case OPT_FILES:
            a->files = optarg;
            break;
        case OPT_TEST_MODE:
            a->test_mode = true;
            break;
        case OPT_NAME:
            a->name = optarg;
            break;
        case OPT_ROLE:
            a->role = optarg;
            break;
        case OPT_BRANCH:
            a->branch = optarg;
            break;
        case OPT_PHONE:
            a->phone = optarg;
            break;
        case OPT_EMAIL:
            a->email = optarg;
            break;
        case OPT_PASSWORD_STDIN:
            a->password_stdin = true;
            break;
        case OPT_FROM:
            a->from = optarg;
            break;
        case OPT_TO:
            a->to = optarg;
            break;
        case OPT_CONFIG: /* read before the others by load_config() */
            break;
        case OPT_KEY_FILE:
            a->key_file = optarg;
            break;
        case OPT_NEW_KEY_FILE:
            a->new_key_file = optarg;
            break;
        case OPT_URL:
            a->url = optarg;
            break;
        case OPT_KEY:
            a->key = optarg;
            break;
        case OPT_RATE:
        case OPT_SIMULATE:
        case OPT_SECONDS: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 1000000) {
                fprintf(stderr, "hongyan: --rate, --seconds and --simulate take 0 to 1000000\n");
                return -1;
            }
            *(c == OPT_RATE ? &a->rate : c == OPT_SECONDS ? &a->seconds : &a->simulate) = v;
            break;
        }
        case OPT_CUSTOMERS:
            if (demo_count("--customers", &a->customers))
                return -1;
            break;
        case OPT_ENTERPRISES:
            if (demo_count("--enterprises", &a->enterprises))
                return -1;
            break;
        case 'h':
        case OPT_HELP:
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    return 0;
}

/* given, else name in the folder of a SQLite database, else data/name
 * (PostgreSQL): where files and the data key live by default. Caller frees. */
static char *beside_db(const char *db, const char *given, const char *name)
{
    if (given)
        return xstrdup(given);
    if (strncmp(db, "sqlite:", 7) != 0)
        return xasprintf("data/%s", name);
    char *copy = xstrdup(db + 7);
    char *path = xasprintf("%s/%s", dirname(copy), name);
    free(copy);
    return path;
}

/* The data key (base/datakey.h) into k: HONGYAN_DATA_KEY, else --key-file /
 * HONGYAN_DATA_KEY_FILE, else hongyan.key beside a SQLite database (or in
 * data/ for PostgreSQL), made with a new random key when missing so that a
 * first `make run` needs nothing. The key is never printed; a malformed one
 * stops the command. */
static int load_key(const struct args *a, struct datakey *k)
{
    char err[512];
    const char *text = getenv("HONGYAN_DATA_KEY");
    if (text && *text) {
        unsigned char raw[DATAKEY_BYTES];
        if (datakey_parse(text, raw)) {
            fprintf(stderr, "hongyan: malformed HONGYAN_DATA_KEY: expected 32 bytes as 64 hex "
                            "digits or base64\n");
            return -1;
        }
        datakey_init(k, raw);
        sodium_memzero(raw, sizeof(raw));
        return 0;
    }
    char *path = beside_db(a->db, a->key_file, "hongyan.key");
    bool made = !a->key_file;
    bool existed = access(path, F_OK) == 0;
    int rc = datakey_load_file(k, path, made, err, sizeof(err));
    if (rc)
        fprintf(stderr, "hongyan: %s\n", err);
    else if (made && !existed)
        log_warn("made a new data key in %s (mode 0600): keep it with the backups, the ID "
                 "numbers cannot be read without it",
                 path);
    free(path);
    return rc;
}

/* Load the key and seal what an earlier version stored in clear. */
static int prepare_ids(const struct args *a)
{
    struct datakey k;
    if (load_key(a, &k))
        return -1;
    datakey_use(&k);
    sodium_memzero(&k, sizeof(k));
    char err[512];
    if (customer_ids_prepare(db_get(), err, sizeof(err))) {
        fprintf(stderr, "hongyan: %s\n", err);
        return -1;
    }
    return 0;
}

/* rotate-key: the current key as for serve, the new one from its file. */
static int cmd_rotate_key(struct args *a)
{
    if (!a->new_key_file) {
        fprintf(stderr, "hongyan: rotate-key needs --new-key-file FILE (make one with\n"
                        "  openssl rand -hex 32 > FILE; chmod 600 FILE)\n");
        return 2;
    }
    struct datakey from, to;
    char err[512];
    if (load_key(a, &from))
        return 1;
    if (datakey_load_file(&to, a->new_key_file, false, err, sizeof(err))) {
        fprintf(stderr, "hongyan: %s\n", err);
        return 1;
    }
    if (open_db(a->db))
        return 1;
    int64_t done = 0;
    int rc = customer_ids_rotate(db_get(), &from, &to, &done, err, sizeof(err));
    int64_t robots = 0;
    if (!rc && robot_rotate(db_get(), &from, &to, &robots) != 0) {
        snprintf(err, sizeof(err), "the notification robots' secrets could not be re-sealed");
        rc = -1;
    }
    int64_t hooks = 0;
    if (!rc && webhook_rotate(db_get(), &from, &to, &hooks) != 0) {
        snprintf(err, sizeof(err), "the webhooks' secrets could not be re-sealed");
        rc = -1;
    }
    sodium_memzero(&from, sizeof(from));
    sodium_memzero(&to, sizeof(to));
    db_global_shutdown();
    if (rc) {
        fprintf(stderr, "hongyan: rotate-key: %s (%lld re-sealed so far)\n", err, (long long)done);
        return 1;
    }
    printf("rotate-key: %lld ID numbers and %lld robot secrets re-sealed, %lld webhook secrets "
           "re-sealed; start the server with the new key\n",
           (long long)done, (long long)robots, (long long)hooks);
    return 0;
}

/* ---- the demo feed (serve --simulate RATE) ---- */

/* `serve --simulate N` (make run): a thread of the server posts N events a
 * second of the demo enterprises' waybills to the server itself, through
 * the HTTP batch endpoints and a key made for it at start, so a new user
 * sees figures move and alerts appear. */
struct feed {
    long rate;
    pthread_t thread;
    volatile int stop;
    bool started;
    char url[160], key[80];
};

static void *feed_main(void *arg)
{
    struct feed *f = arg;
    simulate_run(db_get(), f->url, f->key, f->rate, 0, &f->stop);
    db_release_thread();
    return NULL;
}

static int feed_start(struct feed *f, const char *listen)
{
    /* The key is recorded as made by the first admin (api_keys.user_id). */
    struct actor cli = {.login = "cli"};
    if (db_query_int(db_get(), "SELECT MIN(id) FROM users WHERE role = 'admin'", DB_NOARGS,
                     &cli.id) != 1 ||
        !cli.id) {
        fprintf(stderr, "hongyan: --simulate needs demo data (hongyan demo)\n");
        return -1;
    }
    json_t *scopes = json_pack("[s]", "waybills.write");
    int64_t id;
    int rc = api_key_create(db_get(), &cli, "演示数据模拟器", scopes, 0, NULL, f->key,
                            sizeof(f->key), &id);
    json_decref(scopes);
    snprintf(f->url, sizeof(f->url), "http://%s", listen);
    if (rc || pthread_create(&f->thread, NULL, feed_main, f)) {
        fprintf(stderr, "hongyan: cannot start the demo feed\n");
        return -1;
    }
    f->started = true;
    log_info("demo feed: about %ld events a second to %s", f->rate, f->url);
    return 0;
}

static void feed_stop(struct feed *f)
{
    if (!f->started)
        return;
    f->stop = 1;
    pthread_join(f->thread, NULL);
}

static int cmd_serve(struct args *a)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = a->threads > 0 ? (unsigned)a->threads : (unsigned)(ncpu > 0 ? ncpu * 4 : 8);
    if (threads < 8 && a->threads <= 0)
        threads = 8;
    if (a->max_body < 1024) {
        fprintf(stderr, "hongyan: --max-body must be at least 1024\n");
        return 2;
    }
    /* Block the shutdown signals in every thread; server_run waits for them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (open_db(a->db) || prepare_ids(a))
        return 1;
    /* Files live beside a SQLite database unless told otherwise. */
    char *files = beside_db(a->db, a->files, "files");
    if (files_init(files)) {
        free(files);
        return 1;
    }
    free(files);
    gate_install();
    modules_register(modules);
    /* Consumers read from here on: an event published before the first
     * pass must not be skipped as history. */
    if (events_prepare(db_get())) {
        fprintf(stderr, "hongyan: cannot prepare the event consumers\n");
        return 1;
    }
    /* Before the workers start: their connections take these limits. */
    db_set_limits((int)strtol(env_or("HONGYAN_STATEMENT_TIMEOUT_MS", "5000"), NULL, 10),
                  (int)strtol(env_or("HONGYAN_JOB_STATEMENT_TIMEOUT_MS", "600000"), NULL, 10));
    if (scheduler_start() || jobs_start(2)) {
        fprintf(stderr, "hongyan: cannot start the background workers\n");
        return 1;
    }
    struct server_config cfg = {
        .listen = a->listen,
        /* A directory named on purpose wins (a developer's fresh build);
         * otherwise the UI compiled into the binary, so a copied binary
         * serves the whole app; otherwise ./web/dist if it is there. */
        .assets = (a->assets_given || !static_embedded_available()) && access(a->assets, R_OK) == 0
                      ? a->assets
                      : NULL,
        .embedded_assets = !a->assets_given && static_embedded_available(),
        .test_mode = a->test_mode,
        .threads = threads,
        .max_body = (size_t)a->max_body,
        .max_connections = 4096,
        .timeout_seconds = 60,
        .max_upload = (size_t)a->max_upload,
        .upload_dir = files_dir(),
        .max_per_ip = (unsigned)strtoul(env_or("HONGYAN_MAX_CONN_PER_IP", "64"), NULL, 10),
        .header_seconds = (unsigned)strtoul(env_or("HONGYAN_HEADER_TIMEOUT", "15"), NULL, 10),
        .trusted_proxies = env_or("HONGYAN_TRUSTED_PROXIES", NULL),
        .heavy_per_user = (unsigned)strtoul(env_or("HONGYAN_HEAVY_PER_USER", "2"), NULL, 10),
    };
    if (!cfg.assets && !cfg.embedded_assets)
        log_warn("web UI not found at %s: serving the API only (run `make web`)", a->assets);
    struct feed feed = {.rate = a->simulate};
    if (a->simulate > 0 && feed_start(&feed, a->listen))
        return 1;
    int rc = server_run(&cfg);
    feed_stop(&feed);
    jobs_stop();
    scheduler_stop();
    db_global_shutdown();
    log_info("stopped");
    return rc ? 1 : 0;
}

static int cmd_simulate(struct args *a)
{
    if (open_db(a->db))
        return 1;
    const char *url = a->url ? a->url : "http://" DEFAULT_LISTEN;
    if (!a->key) {
        fprintf(stderr, "hongyan: simulate needs --key (hongyan apikey add LOGIN --name NAME)\n");
        return 2;
    }
    int rc = simulate_run(db_get(), url, a->key, a->rate > 0 ? a->rate : 20, a->seconds, NULL);
    db_global_shutdown();
    return rc ? 1 : 0;
}

static char *read_password_stdin(void)
{
    char buf[1100];
    if (!fgets(buf, sizeof(buf), stdin))
        return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    return strdup(buf);
}

static int cmd_user_add(struct args *a, const char *login)
{
    if (!login || !a->name || !a->role || !a->password_stdin) {
        fprintf(stderr, "hongyan: user add LOGIN --name NAME --role ROLE --password-stdin "
                        "is required\n");
        return 2;
    }
    if (!users_login_valid(login)) {
        fprintf(stderr,
                "hongyan: staff number '%s' must be 2-32 letters, digits, '.', '-' or "
                "'_'\n",
                login);
        return 2;
    }
    if (!perm_role_valid(a->role)) {
        fprintf(stderr, "hongyan: unknown role '%s' (admin, supervisor, manager, clerk)\n",
                a->role);
        return 2;
    }
    char *password = read_password_stdin();
    if (!password || strlen(password) < 6) {
        fprintf(stderr, "hongyan: the initial password on standard input must have at least 6 "
                        "characters\n");
        free(password);
        return 2;
    }
    if (open_db(a->db)) {
        free(password);
        return 1;
    }
    struct db *db = db_get();
    int64_t branch = 0, id = 0;
    if (a->branch && branches_find_code(db, a->branch, &branch) != 1) {
        fprintf(stderr, "hongyan: no branch with code '%s'\n", a->branch);
        free(password);
        return 1;
    }
    int rc = db_begin(db);
    if (!rc)
        rc = users_create(db, login, a->name, a->role, branch, a->phone, a->email, password, &id);
    if (!rc)
        rc = audit_write(db, NULL, "cli", "user.create", "user", id,
                         json_pack("{s:s,s:s}", "login", login, "role", a->role));
    rc = db_end(db, rc);
    sodium_memzero(password, strlen(password));
    free(password);
    if (rc) {
        fprintf(stderr, "hongyan: cannot create '%s'%s\n", login,
                rc == DB_CONSTRAINT ? ": the staff number is taken" : "");
        db_global_shutdown();
        return 1;
    }
    printf("created %s (%s), id %lld; the password must be changed at first sign-in\n", login,
           a->role, (long long)id);
    db_global_shutdown();
    return 0;
}

static int cmd_apikey_add(struct args *a, const char *login)
{
    if (!login || !a->name) {
        fprintf(stderr, "hongyan: apikey add LOGIN --name NAME is required\n");
        return 2;
    }
    if (open_db(a->db))
        return 1;
    struct db *db = db_get();
    int64_t user_id;
    if (db_query_int(db, "SELECT id FROM users WHERE login = ?", DB_ARGS(DB_TEXT(login)),
                     &user_id) != 1) {
        fprintf(stderr, "hongyan: no staff member '%s'\n", login);
        return 1;
    }
    /* Keys made here feed waybills (the one scope there is today). */
    struct actor cli = {.id = user_id, .login = "cli"};
    json_t *scopes = json_pack("[s]", "waybills.write");
    char key[128];
    int64_t id;
    int rc = api_key_create(db, &cli, a->name, scopes, 0, NULL, key, sizeof(key), &id);
    json_decref(scopes);
    if (rc)
        return 1;
    printf("%s\n", key);
    db_global_shutdown();
    return 0;
}

static int cmd_demo(struct args *a)
{
    if (open_db(a->db) || prepare_ids(a))
        return 1;
    int rc = demo_fill(db_get());
    if (rc == 0 && a->customers > 0)
        rc = demo_customers(db_get(), (int)a->customers);
    if (rc == 0 && a->enterprises > 0)
        rc = demo_enterprises(db_get(), (int)a->enterprises);
    /* Three months of shipping for the first enterprises: their 360 pages
     * show figures from the start. */
    if (rc == 0 && a->enterprises > 0)
        rc = simulate_history(db_get(), a->enterprises < 3 ? (int)a->enterprises : 3, 90);
    if (rc == 0 && a->enterprises > 0)
        rc = demo_pricing(db_get(), a->enterprises < 5 ? (int)a->enterprises : 5);
    /* A year of figures behind them for every enterprise: 统计分析 shows
     * months of health and contribution from the start. */
    if (rc == 0 && a->enterprises > 0)
        rc = demo_rollups(db_get(), 395, 3, 90);
    /* Half a year of service tickets: the service desk and its figures. */
    if (rc == 0 && a->enterprises > 0)
        rc = demo_tickets(db_get(), 120);
    db_global_shutdown();
    if (rc < 0) {
        fprintf(stderr, "hongyan: cannot create demo data\n");
        return 1;
    }
    if (rc == 1)
        printf("demo data already present\n");
    else
        printf("demo data created; sign in as admin / %s (change it at first sign-in)\n",
               DEMO_PASSWORD);
    return 0;
}

/* Read by jemalloc, which the release build links (docs/decisions/0005):
 * freed pages go back to the system within a second, also from the arena
 * of a worker thread that has gone idle (jemalloc's own background thread
 * purges them), so the memory the server holds follows what it uses.
 * Unused without jemalloc. */
const char *malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";

/* backup: --db (the live database) --to FILE; restore: --from FILE --db. */
static int cmd_backup_restore(bool backup, const struct args *a)
{
    char err[512];
    if (backup ? !a->to : !a->from) {
        fprintf(stderr, backup ? "hongyan: backup needs --to FILE\n"
                               : "hongyan: restore needs --from FILE (and the server stopped)\n");
        return 2;
    }
    int rc = backup ? db_backup(a->db, a->to, err, sizeof(err))
                    : db_restore(a->from, a->db, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "hongyan: %s: %s\n", backup ? "backup" : "restore", err);
        return 1;
    }
    printf("%s: %s\n", backup ? "backed up to" : "restored from", backup ? a->to : a->from);
    return 0;
}

int main(int argc, char **argv)
{
    /* Before any JSON: jansson allocates through xmalloc, so out of memory
     * aborts here instead of a NULL flowing on as "no value". */
    json_set_alloc_funcs(xmalloc, free);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "hongyan: cannot initialise libraries\n");
        return 1;
    }
    const char *cmd = argv[1];
    struct args a = {0};
    int rc;
    if (strcmp(cmd, "serve") == 0 || strcmp(cmd, "demo") == 0) {
        if (parse_args(argc - 1, argv + 1, &a))
            return 2;
        rc = strcmp(cmd, "serve") == 0 ? cmd_serve(&a) : cmd_demo(&a);
    } else if (strcmp(cmd, "simulate") == 0) {
        if (parse_args(argc - 1, argv + 1, &a))
            return 2;
        rc = cmd_simulate(&a);
    } else if (strcmp(cmd, "rotate-key") == 0) {
        if (parse_args(argc - 1, argv + 1, &a))
            return 2;
        rc = cmd_rotate_key(&a);
    } else if (strcmp(cmd, "migrate-db") == 0) {
        if (parse_args(argc - 1, argv + 1, &a))
            return 2;
        if (!a.from || !a.to) {
            fprintf(stderr, "hongyan: migrate-db needs --from sqlite:PATH --to postgres://...\n");
            return 2;
        }
        rc = db_copy_sqlite_to(a.from, a.to) ? 1 : 0;
    } else if (strcmp(cmd, "backup") == 0 || strcmp(cmd, "restore") == 0) {
        if (parse_args(argc - 1, argv + 1, &a))
            return 2;
        rc = cmd_backup_restore(cmd[0] == 'b', &a);
    } else if ((strcmp(cmd, "user") == 0 || strcmp(cmd, "apikey") == 0) && argc >= 3 &&
               strcmp(argv[2], "add") == 0) {
        const char *login = argc >= 4 && argv[3][0] != '-' ? argv[3] : NULL;
        int skip = login ? 3 : 2;
        if (parse_args(argc - skip, argv + skip, &a))
            return 2;
        rc = cmd[0] == 'u' ? cmd_user_add(&a, login) : cmd_apikey_add(&a, login);
    } else {
        fprintf(stderr, "hongyan: unknown command '%s'\n\n", cmd);
        usage(stderr);
        return 2;
    }
    curl_global_cleanup();
    return rc;
}
