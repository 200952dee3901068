/*
 * test_pinyin.c - unit tests for src/base/pinyin.c: common names, the
 * polyphonic surnames that must be read as surnames, compound surnames,
 * mixed scripts, hostile input, concurrent use, and repeated (cached) names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/pinyin.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect(const char *name, const char *full, const char *initials)
{
    char *f = pinyin_full(name);
    char *i = pinyin_initials(name);
    if (strcmp(f, full) != 0 || (initials && strcmp(i, initials) != 0))
        print_error("%s: got %s/%s, want %s/%s\n", name, f, i, full, initials ? initials : "-");
    assert_string_equal(f, full);
    if (initials)
        assert_string_equal(i, initials);
    free(f);
    free(i);
}

static void test_common_names(void **state)
{
    (void)state;
    expect("张三", "zhangsan", "zs");
    expect("李", "li", "l");
    expect("王小明", "wangxiaoming", "wxm");
    expect("刘德华", "liudehua", "ldh");
    expect("李 四", "lisi", "ls");
    expect("吕布", "lvbu", "lb"); /* ü as v, as typed with an IME */
    expect("女娲", "nvwa", "nw");
}

static void test_polyphonic_surnames(void **state)
{
    (void)state;
    expect("曾小明", "zengxiaoming", "zxm");
    expect("单田芳", "shantianfang", "stf");
    expect("仇英", "qiuying", "qy");
    expect("解缙", "xiejin", "xj");
    expect("区华", "ouhua", "oh");
    expect("朴树", "piaoshu", "ps");
    expect("查良镛", "zhaliangyong", "zly");
    expect("盖聂", "genie", "gn");
    expect("任我行", "renwoxing", "rwx");
    expect("乐嘉", "yuejia", "yj");
    expect("覃明", "qinming", "qm");
    expect("缪海", "miaohai", "mh");
    expect("翟志刚", "zhaizhigang", "zzg");
    expect("尉缭", "weiliao", "wl");
    expect("牟其中", "mouqizhong", "mqz");
    expect("藏天朔", "zangtianshuo", "zts");
}

static void test_surname_reading_only_first(void **state)
{
    (void)state;
    /* 曾 inside a given name takes its ordinary reading. */
    expect("王曾", "wangceng", "wc");
    /* 单 as a given name character: dan. */
    expect("李单", "lidan", "ld");
    /* 乐 later in the name: the ordinary reading. */
    expect("张乐", "zhangle", "zl");
}

static void test_compound_surnames(void **state)
{
    (void)state;
    expect("尉迟恭", "yuchigong", "ycg");
    expect("欧阳修", "ouyangxiu", "oyx");
    expect("司马光", "simaguang", "smg");
    expect("诸葛亮", "zhugeliang", "zgl");
    expect("万俟卨", "moqixie", "mqx");
    expect("长孙无忌", "zhangsunwuji", "zswj");
    expect("澹台灭明", "tantaimieming", "ttmm");
    /* A compound surname on its own. */
    expect("上官", "shangguan", "sg");
}

static void test_mixed_and_ascii(void **state)
{
    (void)state;
    expect("Anna李", "annali", "al");
    expect("Anna Li", "annali", "al");
    expect("ZHANG San", "zhangsan", "zs");
    expect("王2号", "wang2hao", "w2h");
    expect("李明（小）", "limingxiao", "lmx");
    /* An ASCII word first: the Han character after it is not a surname. */
    expect("Dr.曾", "drceng", "dc");
    /* Other scripts and punctuation are dropped. */
    expect("迪丽热巴·迪力木拉提", "dilirebadilimulati", "dlrbdlmlt");
    expect("Zoë", "zo", "z");
    expect("Владимир", "", "");
    expect("  张三  ", "zhangsan", "zs");
}

static void test_edge_input(void **state)
{
    (void)state;
    expect(NULL, "", "");
    expect("", "", "");
    expect("!!!", "", "");
    /* Invalid UTF-8 is skipped, the valid characters around it still count. */
    expect("张\xff\xfe三", "zhangsan", "zs");
    expect("\xe5\xbc", "", "");         /* truncated 张 */
    expect("\xc0\xaf张", "zhang", "z"); /* overlong '/' */
    /* Non-BMP Han (U+20BB7 𠮷) has no ICU reading: dropped, no crash. */
    char *f = pinyin_full("\xf0\xa0\xae\xb7张");
    assert_non_null(f);
    free(f);

    /* Very long input is bounded. */
    size_t n = 300000;
    char *big = malloc(n + 1);
    for (size_t i = 0; i + 3 <= n; i += 3)
        memcpy(big + i, "张", 3);
    big[n] = '\0';
    char *full = pinyin_full(big);
    /* 64 KiB read, 3 bytes per 张, 5 letters per syllable. */
    assert_int_equal(strlen(full), (64 * 1024 / 3) * 5);
    free(full);
    free(big);
}

static void test_name_both(void **state)
{
    (void)state;
    char *full = NULL, *initials = NULL;
    pinyin_name("曾小明", &full, &initials);
    assert_string_equal(full, "zengxiaoming");
    assert_string_equal(initials, "zxm");
    free(full);
    free(initials);
    pinyin_name("曾小明", NULL, &initials);
    assert_string_equal(initials, "zxm");
    free(initials);
    pinyin_name("曾小明", NULL, NULL);
}

static const char *const thread_names[] = {"张三", "曾小明", "单田芳", "欧阳修",
                                           "覃明", "吕布",   "解缙",   "Anna李"};
static const char *const thread_full[] = {"zhangsan", "zengxiaoming", "shantianfang", "ouyangxiu",
                                          "qinming",  "lvbu",         "xiejin",       "annali"};

static void *worker(void *arg)
{
    size_t off = (size_t)(uintptr_t)arg;
    for (int r = 0; r < 300; r++) {
        size_t k = (off + (size_t)r) % 8;
        char *f = pinyin_full(thread_names[k]);
        int bad = strcmp(f, thread_full[k]) != 0;
        free(f);
        if (bad)
            return (void *)1;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[6];
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i), 0);
    for (size_t i = 0; i < 6; i++) {
        void *ret;
        assert_int_equal(pthread_join(t[i], &ret), 0);
        assert_null(ret);
    }
}

/* A name asked for again (the cache answers after the first time) reads
 * the same as the first time. How fast that is belongs in bench/, not here. */
static void test_repeat_is_stable(void **state)
{
    (void)state;
    static const struct {
        const char *name, *full, *initials;
    } names[] = {{"张伟", "zhangwei", "zw"}, {"王芳", "wangfang", "wf"}, {"李娜", "lina", "ln"},
                 {"刘洋", "liuyang", "ly"},  {"陈静", "chenjing", "cj"}, {"杨磊", "yanglei", "yl"}};
    for (int i = 0; i < 600; i++) {
        char *full, *ini;
        pinyin_name(names[i % 6].name, &full, &ini);
        assert_string_equal(full, names[i % 6].full);
        assert_string_equal(ini, names[i % 6].initials);
        free(full);
        free(ini);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads), /* first: races the lazy ICU open */
        cmocka_unit_test(test_common_names),
        cmocka_unit_test(test_polyphonic_surnames),
        cmocka_unit_test(test_surname_reading_only_first),
        cmocka_unit_test(test_compound_surnames),
        cmocka_unit_test(test_mixed_and_ascii),
        cmocka_unit_test(test_edge_input),
        cmocka_unit_test(test_name_both),
        cmocka_unit_test(test_repeat_is_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
