/*
 * simulate.c - a feed of waybills and tracking events for the demo
 * enterprises, as another company's system would send them: `hongyan
 * simulate --rate N` posts through the HTTP batch endpoints with an API
 * key (libcurl), and `hongyan demo` writes a few months of history through
 * the ingest function those endpoints call.
 *
 * A waybill travels origin outlet → processing centre → transit hub →
 * destination processing centre → delivery leg and is signed; about one
 * in thirty of the live ones stalls at a processing centre with its last
 * event dated three hours back, so that the next alert pass raises an
 * alert for the enterprise's manager within seconds.
 */
#include "app/simulate.h"

#include "auth/actor.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"
#include "db/db.h"
#include "logistics/waybill.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const products[] = {"standard",   "standard", "standard",
                                       "economy",    "economy",  "heavy",
                                       "cold_chain", "medical",  "international"};
#define MEDICAL 7 /* products[7] */
static const char *const channels[] = {"api", "api", "pc", "miniapp", "counter"};
static const struct place {
    const char *region, *code, *name;
} places[] = {
    {"北京市/北京市/朝阳区", "BJ", "北京"}, {"上海市/上海市/浦东新区", "SH", "上海"},
    {"广东省/广州市/天河区", "GZ", "广州"}, {"广东省/深圳市/福田区", "SZ", "深圳"},
    {"浙江省/杭州市/西湖区", "HZ", "杭州"}, {"江苏省/南京市/鼓楼区", "NJ", "南京"},
    {"四川省/成都市/武侯区", "CD", "成都"}, {"湖北省/武汉市/江汉区", "WH", "武汉"},
    {"陕西省/西安市/雁塔区", "XA", "西安"}, {"山东省/济南市/历下区", "JN", "济南"},
    {"福建省/厦门市/思明区", "XM", "厦门"}, {"河南省/郑州市/金水区", "ZZ", "郑州"},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* One waybill's journey: the stops of its events, hours after collection. */
static const struct step {
    const char *type, *node_type, *suffix, *label;
    int at_origin; /* 1 origin, 0 hub, -1 destination */
    double hours;
} steps[] = {
    {"collected", "outlet", "-01", "网点", 1, 0},
    {"arrived", "processing", "-PC", "处理中心", 1, 2},
    {"departed", "processing", "-PC", "处理中心", 1, 3},
    {"arrived", "transit", "-TR", "转运中心", 0, 9},
    {"departed", "transit", "-TR", "转运中心", 0, 10},
    {"arrived", "processing", "-PC", "处理中心", -1, 18},
    {"delivering", "delivery", "-DL", "派送段", -1, 22},
    {"signed", "delivery", "-DL", "派送段", -1, 25},
};

struct ent {
    int64_t id, depts[4];
    int ndepts, volume; /* waybills a day */
    unsigned origin;
};

struct sim {
    unsigned long long seed;
    struct ent *ents;
    size_t nents;
};

static unsigned rnd(struct sim *s, unsigned n)
{
    s->seed = s->seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return n ? (unsigned)((s->seed >> 33) % n) : 0;
}

static int load_enterprises(struct db *db, struct sim *s, size_t max)
{
    struct db_stmt *st =
        db_query(db, "SELECT id FROM enterprises WHERE deleted_at IS NULL ORDER BY id LIMIT ?",
                 DB_ARGS(DB_INT((int64_t)max)));
    if (!st)
        return DB_ERROR;
    s->ents = xcalloc(max ? max : 1, sizeof(*s->ents));
    while (db_step(st) == 1 && s->nents < max) {
        struct ent *e = &s->ents[s->nents++];
        e->id = db_col_int(st, 0);
        e->volume = 2 + (int)rnd(s, 8);
        e->origin = rnd(s, COUNT(places));
    }
    db_finish(st);
    for (size_t i = 0; i < s->nents; i++) {
        st = db_query(db, "SELECT id FROM enterprise_departments WHERE enterprise_id = ? LIMIT 4",
                      DB_ARGS(DB_INT(s->ents[i].id)));
        while (st && db_step(st) == 1)
            s->ents[i].depts[s->ents[i].ndepts++] = db_col_int(st, 0);
        db_finish(st);
    }
    return s->nents ? 0 : DB_ERROR;
}

/* A UPU S10 number: E, a letter, eight random digits, check digit, CN. */
static void number(struct sim *s, char out[14])
{
    char d[16];
    snprintf(d, sizeof(d), "%08u", rnd(s, 100000000));
    snprintf(out, 14, "E%c%.8s%dCN", 'A' + (char)rnd(s, 26), d, waybill_s10_check_digit(d));
}

struct wb {
    char no[14];
    unsigned origin, dest, product;
    int64_t collected;
    int step;
};

/* A new waybill of e collected at collected, of product (an index of
 * products, or -1 for any), as one NDJSON line. */
static void new_waybill(struct sim *s, const struct ent *e, int64_t collected, int product,
                        struct wb *w, struct strbuf *out)
{
    number(s, w->no);
    w->origin = e->origin;
    do
        w->dest = rnd(s, COUNT(places));
    while (w->dest == w->origin && COUNT(places) > 1);
    w->product = product >= 0 ? (unsigned)product : rnd(s, COUNT(products));
    w->collected = collected;
    w->step = 0;
    double kg =
        strcmp(products[w->product], "heavy") == 0 ? 20 + rnd(s, 300) : 0.2 + rnd(s, 50) / 10.0;
    char when[32], promised[32];
    clock_format_iso(collected, when, sizeof(when));
    clock_format_iso(collected + 48 * 3600, promised, sizeof(promised));
    json_t *o =
        json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:s,s:s,s:s}", "waybill_no", w->no,
                  "enterprise_id", (json_int_t)e->id, "product", products[w->product], "channel",
                  channels[rnd(s, COUNT(channels))], "origin", places[w->origin].region,
                  "destination", places[w->dest].region, "weight", kg, "collected_at", when,
                  "promised_at", promised, "recipient_name", "收件人", "recipient_phone",
                  "13800000000", "recipient_address", places[w->dest].region);
    char fee[32];
    snprintf(fee, sizeof(fee), "%u.%02u", 8 + (unsigned)(kg * 2) + rnd(s, 20), rnd(s, 100));
    json_object_set_new(o, "fee", json_string(fee));
    if (e->ndepts && rnd(s, 2))
        json_object_set_new(o, "department_id",
                            json_integer(e->depts[rnd(s, (unsigned)e->ndepts)]));
    char *line = json_dumps(o, JSON_COMPACT);
    strbuf_add(out, line, strlen(line));
    strbuf_add(out, "\n", 1);
    free(line);
    json_decref(o);
}

/* The event of step i of w at time at, as one NDJSON line. */
static void event(const struct wb *w, int i, int64_t at, struct strbuf *out)
{
    const struct step *st = &steps[i];
    const struct place *p = &places[st->at_origin > 0   ? w->origin
                                    : st->at_origin < 0 ? w->dest
                                                        : (w->origin + w->dest) % COUNT(places)];
    char code[32], name[96], when[32];
    snprintf(code, sizeof(code), "%s%s", p->code, st->suffix);
    snprintf(name, sizeof(name), "%s%s", p->name, st->label);
    clock_format_iso(at, when, sizeof(when));
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "waybill_no", w->no, "at", when, "event_type",
                  st->type, "node_code", code, "node_name", name, "node_type", st->node_type);
    char *line = json_dumps(o, JSON_COMPACT);
    strbuf_add(out, line, strlen(line));
    strbuf_add(out, "\n", 1);
    free(line);
    json_decref(o);
}

/* ---- history for `hongyan demo` ---- */

static int ingest(struct db *db, struct strbuf *b, bool events)
{
    struct ingest_result res;
    int rc = b->len ? waybill_ingest(db, &actor_system, b->buf, b->len, events, &res) : 0;
    if (b->len) {
        if (res.refused)
            log_warn("demo shipping: %d of %d lines refused: %s", res.refused, res.lines,
                     json_string_value(json_object_get(
                         json_object_get(json_array_get(res.errors, 0), "fields"), "line")));
        json_decref(res.errors);
    }
    strbuf_reset(b);
    return rc;
}

int simulate_history(struct db *db, int enterprises, int days)
{
    struct sim s = {.seed = 20261203};
    int rc = load_enterprises(db, &s, (size_t)enterprises);
    if (rc)
        return 0; /* no enterprises: no history */
    struct strbuf wbs, evs;
    strbuf_init(&wbs, 64u << 20);
    strbuf_init(&evs, 64u << 20);
    int64_t now = clock_now();
    for (int d = days; !rc && d >= 1; d--) {
        for (size_t i = 0; i < s.nents; i++) {
            /* Weekends ship less; some growth over the months. */
            int n = s.ents[i].volume * (d % 7 < 2 ? 1 : 2) * (days * 2 - d) / (days * 2);
            for (int k = 0; k < n; k++) {
                struct wb w;
                int64_t at = now - (int64_t)d * 86400 + rnd(&s, 10 * 3600);
                new_waybill(&s, &s.ents[i], at, -1, &w, &wbs);
                /* The whole journey in the last week; before it only the
                 * signature, which is what status and figures need. */
                for (int j = d <= 7 ? 0 : (int)COUNT(steps) - 1; j < (int)COUNT(steps); j++)
                    event(&w, j, at + (int64_t)(steps[j].hours * 3600), &evs);
            }
        }
        if (wbs.len > 2 * 1024 * 1024 || d == 1) {
            rc = ingest(db, &wbs, false);
            if (!rc)
                rc = ingest(db, &evs, true);
        }
    }
    strbuf_release(&wbs);
    strbuf_release(&evs);
    free(s.ents);
    return rc;
}

/* ---- the live feed ---- */

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static int post(CURL *curl, const char *url, const char *path, const char *key,
                const struct strbuf *b)
{
    if (!b->len)
        return 0;
    char full[512], auth[256];
    snprintf(full, sizeof(full), "%s/api/v1/%s", url, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/x-ndjson");
    curl_easy_setopt(curl, CURLOPT_URL, full);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, b->buf);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)b->len);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink);
    CURLcode cc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    if (cc != CURLE_OK || status != 200) {
        log_warn("simulate: POST %s: %s (HTTP %ld)", path, curl_easy_strerror(cc), status);
        return -1;
    }
    return 0;
}

#define INFLIGHT_MAX 20000

int simulate_run(struct db *db, const char *url, const char *key, long rate, long seconds,
                 volatile int *stop)
{
    struct sim s = {.seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20)};
    if (load_enterprises(db, &s, 200)) {
        log_error("simulate: no enterprises to ship for (run hongyan demo first)");
        return -1;
    }
    CURL *curl = curl_easy_init();
    struct wb *inflight = xcalloc(INFLIGHT_MAX, sizeof(*inflight));
    size_t n = 0;
    struct strbuf wbs, evs;
    strbuf_init(&wbs, 64u << 20);
    strbuf_init(&evs, 64u << 20);
    long sent = 0;
    int rc = 0;
    for (long tick = 0; !rc && (!seconds || tick < seconds) && !(stop && *stop); tick++) {
        int64_t now = time(NULL);
        long budget = rate;
        /* The waybills in flight move one stop on, as many as the rate allows. */
        for (size_t i = 0; i < n && budget > 0;) {
            struct wb *w = &inflight[i];
            if (rnd(&s, 3) == 0) {
                i++;
                continue;
            }
            event(w, ++w->step, now, &evs);
            budget--;
            if (w->step + 1 >= (int)COUNT(steps))
                *w = inflight[--n];
            else
                i++;
        }
        /* New waybills take what is left: each is collected at once. */
        long fresh = budget > 0 ? budget : 1;
        for (long k = 0; k < fresh && n < INFLIGHT_MAX; k++) {
            struct wb *w = &inflight[n];
            const struct ent *e = &s.ents[rnd(&s, (unsigned)s.nents)];
            if (rnd(&s, 30) == 0) {
                /* A staller: a medical parcel at a processing centre since
                 * three hours ago (its threshold is two), and nothing more. */
                new_waybill(&s, e, now - 4 * 3600, MEDICAL, w, &wbs);
                event(w, 0, now - 4 * 3600, &evs);
                event(w, 1, now - 3 * 3600, &evs);
                continue;
            }
            new_waybill(&s, e, now, -1, w, &wbs);
            event(w, 0, now, &evs);
            n++;
        }
        sent += rate;
        if (post(curl, url, "waybills:batch", key, &wbs) ||
            post(curl, url, "waybill-events:batch", key, &evs))
            rc = seconds ? -1 : 0; /* a long run rides out a restart of the server */
        strbuf_reset(&wbs);
        strbuf_reset(&evs);
        int64_t left = now + 1 - (int64_t)time(NULL);
        if (left > 0)
            sleep((unsigned)left);
    }
    log_info("simulate: about %ld events posted", sent);
    strbuf_release(&wbs);
    strbuf_release(&evs);
    free(inflight);
    free(s.ents);
    curl_easy_cleanup(curl);
    return rc;
}
