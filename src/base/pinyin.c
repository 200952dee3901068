/*
 * pinyin.c - pinyin of Chinese names via ICU transliteration (see pinyin.h).
 *
 * Why per character and not one transliteration of the whole name: ICU
 * does not reliably separate syllables ("曾小明" comes out "zengxiao ming"),
 * so initials could not be recovered, and per-character readings can be
 * cached. Why a shared cache and not one transliterator per thread: opening
 * the transliterator costs ~120 ms and each call ~7 us, while the set of
 * characters is bounded (~28k in the BMP CJK blocks), so after warm-up a
 * bulk import of a million names never touches ICU or the mutex.
 */
#include "base/pinyin.h"

#include "base/xmalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <unicode/utrans.h>

#define MAX_INPUT (64 * 1024)

/* Longest syllable we handle; ICU's longest single-character reading is shorter. */
#define MAX_SYLLABLE 15

/*
 * Transliteration rules: Han to pinyin with tones, then ü to v (after NFD
 * the umlaut is a combining mark, U+0308), strip the remaining tone marks,
 * fold to ASCII, lower-case.
 */
#define RULES_TAIL                                                                                 \
    "::NFD; u \\u0308 > v; U \\u0308 > V; ::[:Nonspacing Mark:] Remove; ::NFC; ::Latin-ASCII; "    \
    "::Lower;"
static const char given_rules[] = "::Han-Latin; " RULES_TAIL;
static const char surname_rules[] = "::Han-Latin/Names; " RULES_TAIL;

enum reading { GIVEN = 0, SURNAME = 1 };

static UTransliterator *translit[2];
static pthread_once_t translit_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t translit_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Cache of readings for U+3400..U+9FFF (CJK Extension A and the Unified
 * Ideographs block), per reading kind. An entry packs the syllable's length
 * in the low byte and up to 7 characters in the others; 0 means "not yet
 * known", length 0xFF "known to have no reading". Two threads that miss the
 * same entry compute and store the same value, so relaxed atomics suffice.
 */
#define CACHE_FIRST 0x3400
#define CACHE_LAST  0x9FFF
#define NO_READING  0xFF
static _Atomic uint64_t cache[2][CACHE_LAST - CACHE_FIRST + 1];

/* Single surnames whose reading differs from the character's usual one and
 * that ICU's Han-Latin/Names gets wrong (or that we pin for stability). */
static const struct {
    UChar32 c;
    const char *syllable;
} surname_overrides[] = {
    {0x4EC7, "qiu"},   /* 仇 */
    {0x4EFB, "ren"},   /* 任 */
    {0x4F74, "nai"},   /* 佴 */
    {0x5355, "shan"},  /* 单 */
    {0x533A, "ou"},    /* 区 */
    {0x53E5, "gou"},   /* 句 */
    {0x4E50, "yue"},   /* 乐 */
    {0x5B93, "fu"},    /* 宓 */
    {0x5C09, "wei"},   /* 尉 (as a single surname; 尉迟 is yu chi) */
    {0x66FE, "zeng"},  /* 曾 */
    {0x6734, "piao"},  /* 朴 */
    {0x67E5, "zha"},   /* 查 */
    {0x6D17, "xian"},  /* 洗 */
    {0x725F, "mou"},   /* 牟 */
    {0x76D6, "ge"},    /* 盖 */
    {0x796D, "zhai"},  /* 祭 */
    {0x79CD, "chong"}, /* 种 */
    {0x79D8, "bi"},    /* 秘 */
    {0x7F2A, "miao"},  /* 缪 */
    {0x80FD, "nai"},   /* 能 */
    {0x8584, "bo"},    /* 薄 */
    {0x85CF, "zang"},  /* 藏 */
    {0x89E3, "xie"},   /* 解 */
    {0x8983, "qin"},   /* 覃 */
    {0x90FD, "du"},    /* 都 */
    {0x961A, "kan"},   /* 阚 */
    {0x7FDF, "zhai"},  /* 翟 */
    {0x9ED1, "he"},    /* 黑 */
};

/*
 * Compound surnames, read as a unit only at the start of a name. 单于
 * (chan yu) is left out on purpose: a modern name starting 单于 is far more
 * likely the surname 单 (shan) followed by a given name starting 于 (yu).
 */
static const struct {
    UChar32 c1, c2;
    const char *s1, *s2;
} compound_surnames[] = {
    {0x6B27, 0x9633, "ou", "yang"},    /* 欧阳 */
    {0x53F8, 0x9A6C, "si", "ma"},      /* 司马 */
    {0x8BF8, 0x845B, "zhu", "ge"},     /* 诸葛 */
    {0x4E0A, 0x5B98, "shang", "guan"}, /* 上官 */
    {0x5C09, 0x8FDF, "yu", "chi"},     /* 尉迟 */
    {0x4E07, 0x4FDF, "mo", "qi"},      /* 万俟 */
    {0x6FB9, 0x53F0, "tan", "tai"},    /* 澹台 */
    {0x957F, 0x5B59, "zhang", "sun"},  /* 长孙 */
    {0x4EE4, 0x72D0, "ling", "hu"},    /* 令狐 */
    {0x7687, 0x752B, "huang", "fu"},   /* 皇甫 */
    {0x516C, 0x5B59, "gong", "sun"},   /* 公孙 */
    {0x6155, 0x5BB9, "mu", "rong"},    /* 慕容 */
    {0x4E1C, 0x65B9, "dong", "fang"},  /* 东方 */
    {0x590F, 0x4FAF, "xia", "hou"},    /* 夏侯 */
    {0x53F8, 0x5F92, "si", "tu"},      /* 司徒 */
    {0x53F8, 0x7A7A, "si", "kong"},    /* 司空 */
    {0x8F69, 0x8F95, "xuan", "yuan"},  /* 轩辕 */
    {0x5B87, 0x6587, "yu", "wen"},     /* 宇文 */
    {0x9C9C, 0x4E8E, "xian", "yu"},    /* 鲜于 */
    {0x95FB, 0x4EBA, "wen", "ren"},    /* 闻人 */
    {0x8D6B, 0x8FDE, "he", "lian"},    /* 赫连 */
    {0x547C, 0x5EF6, "hu", "yan"},     /* 呼延 */
    {0x7AEF, 0x6728, "duan", "mu"},    /* 端木 */
    {0x897F, 0x95E8, "xi", "men"},     /* 西门 */
    {0x5357, 0x5BAB, "nan", "gong"},   /* 南宫 */
    {0x6DF3, 0x4E8E, "chun", "yu"},    /* 淳于 */
    {0x949F, 0x79BB, "zhong", "li"},   /* 钟离 */
    {0x5B97, 0x653F, "zong", "zheng"}, /* 宗政 */
    {0x6FEE, 0x9633, "pu", "yang"},    /* 濮阳 */
    {0x592A, 0x53F2, "tai", "shi"},    /* 太史 */
    {0x7533, 0x5C60, "shen", "tu"},    /* 申屠 */
    {0x516C, 0x51B6, "gong", "ye"},    /* 公冶 */
    {0x62D3, 0x8DCB, "tuo", "ba"},     /* 拓跋 */
    {0x72EC, 0x5B64, "du", "gu"},      /* 独孤 */
};

static void translit_open(void)
{
    const char *rules[2] = {given_rules, surname_rules};
    for (int k = 0; k < 2; k++) {
        UChar urules[256];
        UErrorCode status = U_ZERO_ERROR;
        UParseError perr;
        u_uastrncpy(urules, rules[k], (int32_t)(sizeof(urules) / sizeof(urules[0])));
        translit[k] = utrans_openU(k == GIVEN ? u"hy-pinyin-given" : u"hy-pinyin-surname", -1,
                                   UTRANS_FORWARD, urules, -1, &perr, &status);
        if (U_FAILURE(status)) {
            /* Without ICU data Han characters simply contribute nothing. */
            fprintf(stderr, "hongyan: pinyin: cannot open transliterator: %s\n",
                    u_errorName(status));
            translit[k] = NULL;
        }
    }
}

/*
 * Reading of c through ICU, as [a-z] only, into out[MAX_SYLLABLE + 1];
 * returns its length (0: no reading). Takes the mutex.
 */
static size_t icu_reading(UChar32 c, enum reading kind, char *out)
{
    UChar text[64];
    int32_t len = 0, limit;
    UErrorCode status = U_ZERO_ERROR;
    size_t n = 0;

    pthread_once(&translit_once, translit_open);
    if (!translit[kind])
        return 0;
    U16_APPEND_UNSAFE(text, len, c);
    limit = len;
    pthread_mutex_lock(&translit_lock);
    utrans_transUChars(translit[kind], text, &len, (int32_t)(sizeof(text) / sizeof(text[0])), 0,
                       &limit, &status);
    pthread_mutex_unlock(&translit_lock);
    if (U_FAILURE(status))
        return 0;
    for (int32_t i = 0; i < len && n < MAX_SYLLABLE; i++) {
        if (text[i] >= 'a' && text[i] <= 'z')
            out[n++] = (char)text[i];
    }
    out[n] = '\0';
    return n;
}

/* Reading of a Han character c into out[MAX_SYLLABLE + 1]; returns its length. */
static size_t han_reading(UChar32 c, enum reading kind, char *out)
{
    if (kind == SURNAME) {
        for (size_t i = 0; i < sizeof(surname_overrides) / sizeof(surname_overrides[0]); i++) {
            if (surname_overrides[i].c == c) {
                snprintf(out, MAX_SYLLABLE + 1, "%s", surname_overrides[i].syllable);
                return strlen(out);
            }
        }
    }
    if (c < CACHE_FIRST || c > CACHE_LAST)
        return icu_reading(c, kind, out);

    _Atomic uint64_t *slot = &cache[kind][c - CACHE_FIRST];
    uint64_t v = atomic_load_explicit(slot, memory_order_relaxed);
    if (v == 0) {
        size_t n = icu_reading(c, kind, out);
        if (n > 7)
            return n; /* too long to pack; not cached (does not happen in practice) */
        v = n ? n : NO_READING;
        for (size_t i = 0; i < n; i++)
            v |= (uint64_t)(unsigned char)out[i] << (8 * (i + 1));
        atomic_store_explicit(slot, v, memory_order_relaxed);
        return n;
    }
    size_t n = (v & 0xFF) == NO_READING ? 0 : (size_t)(v & 0xFF);
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(v >> (8 * (i + 1)));
    out[n] = '\0';
    return n;
}

struct buf {
    char *p;
    size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static char *buf_detach(struct buf *b)
{
    if (!b->p)
        return xstrdup("");
    return b->p;
}

static bool is_han(UChar32 c)
{
    UErrorCode status = U_ZERO_ERROR;
    return uscript_getScript(c, &status) == USCRIPT_HAN && U_SUCCESS(status);
}

/* Emit one Han syllable to both outputs. */
static void add_syllable(struct buf *full, struct buf *initials, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (full)
        buf_add(full, s, n);
    if (initials)
        buf_add(initials, s, 1);
}

void pinyin_name(const char *utf8, char **full_out, char **initials_out)
{
    struct buf full = {0}, initials = {0};
    struct buf *f = full_out ? &full : NULL, *in = initials_out ? &initials : NULL;
    const uint8_t *s = (const uint8_t *)(utf8 ? utf8 : "");
    int32_t len = (int32_t)strnlen((const char *)s, MAX_INPUT);
    int32_t i = 0;
    bool started = false;  /* any letter, digit or Han character seen yet */
    bool in_ascii = false; /* inside a run of ASCII letters/digits */
    char syl[MAX_SYLLABLE + 1];

    while (i < len) {
        UChar32 c;
        U8_NEXT(s, i, len, c);
        if (c < 0) {
            in_ascii = false;
            continue; /* invalid UTF-8: dropped */
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            char ch = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
            if (f)
                buf_add(f, &ch, 1);
            if (in && !in_ascii)
                buf_add(in, &ch, 1);
            in_ascii = true;
            started = true;
            continue;
        }
        in_ascii = false;
        if (!is_han(c))
            continue;

        if (!started) {
            /* Surname position: try a compound surname first. */
            started = true;
            int32_t j = i;
            UChar32 c2 = -1;
            if (j < len)
                U8_NEXT(s, j, len, c2);
            bool compound = false;
            for (size_t k = 0; k < sizeof(compound_surnames) / sizeof(compound_surnames[0]); k++) {
                if (compound_surnames[k].c1 == c && compound_surnames[k].c2 == c2) {
                    add_syllable(f, in, compound_surnames[k].s1, strlen(compound_surnames[k].s1));
                    add_syllable(f, in, compound_surnames[k].s2, strlen(compound_surnames[k].s2));
                    i = j;
                    compound = true;
                    break;
                }
            }
            if (!compound)
                add_syllable(f, in, syl, han_reading(c, SURNAME, syl));
            continue;
        }
        add_syllable(f, in, syl, han_reading(c, GIVEN, syl));
    }
    if (full_out)
        *full_out = buf_detach(&full);
    if (initials_out)
        *initials_out = buf_detach(&initials);
}

char *pinyin_full(const char *utf8)
{
    char *full;
    pinyin_name(utf8, &full, NULL);
    return full;
}

char *pinyin_initials(const char *utf8)
{
    char *initials;
    pinyin_name(utf8, NULL, &initials);
    return initials;
}
