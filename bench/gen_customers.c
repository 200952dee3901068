/*
 * gen_customers.c - seeded, deterministic generator of customer CSV files for
 * the Hongyan benchmarks (and for trying imports by hand).
 *
 *   bench/gen_customers N SEED [--samples DIR] > customers.csv
 *
 * Writes a UTF-8 CSV (no BOM, LF line ends) with the header
 *   姓名,手机号,身份证号,性别,生日,详细地址,所在区域,职业,客户等级,标签,协议到期日,理财产品到期日
 * and N rows:
 *   - names: common surnames weighted by frequency (incl. the polyphonic
 *     曾/单/仇 and compound 欧阳/司徒), one or two given-name characters;
 *   - mobiles: 11 digits from real carrier prefixes (second digit 3-9), all
 *     distinct (row index through a keyed Feistel permutation);
 *   - ID numbers (GB 11643-1999): Guangdong district codes, birth dates
 *     1940-01-01..2005-12-31, order code, MOD 11-2 check character; all
 *     distinct (same trick); 性别 and 生日 agree with the ID;
 *   - address and region (广东省/广州市/天河区), occupation, level
 *     (高价值/潜力/普通) and 0-3 tags of the seeded list joined by '|';
 *   - the seeded custom date fields 协议到期日 (~30% of rows) and
 *     理财产品到期日 (~10%), uniform over 2026-01-01..2028-12-31, for the
 *     date-offset reminder rules.
 *
 * Same N and SEED -> byte-identical output. With --samples DIR, also writes
 * up to 5000 values each (spread over the file) for the wrk scripts:
 *   DIR/phones.txt  full mobile numbers      DIR/ids.txt       ID numbers
 *   DIR/frags.txt   2-character name fragments (not the name's prefix when
 *                   the name has 3+ characters)
 *   DIR/initials.txt pinyin initials of the whole name (zs for 张三)
 *   DIR/last4.txt   last 4 digits of a mobile
 *
 * No dependencies beyond libc: cc -O2 -o bench/gen_customers bench/gen_customers.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- PRNG: splitmix64 seeding a xoshiro256** ---- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t rs[4];

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(void)
{
    uint64_t r = rotl(rs[1] * 5, 7) * 9;
    uint64_t t = rs[1] << 17;
    rs[2] ^= rs[0];
    rs[3] ^= rs[1];
    rs[1] ^= rs[2];
    rs[0] ^= rs[3];
    rs[2] ^= t;
    rs[3] = rotl(rs[3], 45);
    return r;
}

/* uniform in [0, n) (n small; the modulo bias is negligible here) */
static uint32_t below(uint32_t n)
{
    return (uint32_t)((rnd() >> 11) % n);
}

/* ---- a keyed permutation of [0, m): 4-round Feistel network on the
 * smallest even number of bits that covers m, with cycle walking. Rows get
 * distinct phones / IDs in no visible order. ---- */

struct perm {
    uint64_t m;
    int half;
    uint64_t keys[4];
};

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void perm_init(struct perm *p, uint64_t m, uint64_t *seedstate)
{
    int bits = 1;
    while (bits < 64 && (1ULL << bits) < m)
        bits++;
    p->m = m;
    p->half = (bits + 1) / 2;
    for (int i = 0; i < 4; i++)
        p->keys[i] = splitmix64(seedstate);
}

static uint64_t perm_apply(const struct perm *p, uint64_t x)
{
    const uint64_t mask = (1ULL << p->half) - 1;
    do {
        uint64_t l = x >> p->half, r = x & mask;
        for (int i = 0; i < 4; i++) {
            uint64_t f = mix64(r ^ p->keys[i]) & mask;
            uint64_t nl = r;
            r = l ^ f;
            l = nl;
        }
        x = (l << p->half) | r;
    } while (x >= p->m);
    return x;
}

/* ---- tables ---- */

struct syl {
    const char *s;  /* UTF-8 */
    const char *py; /* toneless pinyin, as the server computes it */
    int w;          /* weight (surnames) */
};

/* Surname frequencies (per 10 000, rounded; Guangdong-leaning: 林 陈 黄 梁). */
static const struct syl surnames[] = {
    {"王", "wang", 650}, {"李", "li", 640},    {"张", "zhang", 600}, {"刘", "liu", 500},
    {"陈", "chen", 600}, {"杨", "yang", 300},  {"黄", "huang", 300}, {"赵", "zhao", 190},
    {"吴", "wu", 190},   {"周", "zhou", 180},  {"徐", "xu", 130},    {"孙", "sun", 120},
    {"马", "ma", 110},   {"朱", "zhu", 110},   {"胡", "hu", 110},    {"郭", "guo", 110},
    {"何", "he", 110},   {"林", "lin", 180},   {"高", "gao", 100},   {"罗", "luo", 100},
    {"郑", "zheng", 90}, {"梁", "liang", 120}, {"谢", "xie", 80},    {"宋", "song", 60},
    {"唐", "tang", 60},  {"许", "xu", 60},     {"韩", "han", 60},    {"冯", "feng", 60},
    {"邓", "deng", 60},  {"曹", "cao", 50},    {"彭", "peng", 50},   {"曾", "zeng", 60},
    {"肖", "xiao", 50},  {"田", "tian", 45},   {"董", "dong", 45},   {"潘", "pan", 40},
    {"袁", "yuan", 40},  {"蔡", "cai", 40},    {"蒋", "jiang", 40},  {"余", "yu", 40},
    {"于", "yu", 40},    {"杜", "du", 40},     {"叶", "ye", 45},     {"程", "cheng", 38},
    {"魏", "wei", 35},   {"苏", "su", 35},     {"吕", "lv", 33},     {"丁", "ding", 33},
    {"任", "ren", 32},   {"卢", "lu", 32},     {"姚", "yao", 30},    {"沈", "shen", 30},
    {"钟", "zhong", 35}, {"姜", "jiang", 28},  {"崔", "cui", 28},    {"谭", "tan", 30},
    {"陆", "lu", 27},    {"范", "fan", 24},    {"汪", "wang", 24},   {"廖", "liao", 25},
    {"石", "shi", 24},   {"金", "jin", 22},    {"韦", "wei", 22},    {"贾", "jia", 21},
    {"夏", "xia", 20},   {"方", "fang", 20},   {"邹", "zou", 20},    {"熊", "xiong", 20},
    {"白", "bai", 19},   {"孟", "meng", 19},   {"秦", "qin", 18},    {"邱", "qiu", 18},
    {"侯", "hou", 17},   {"江", "jiang", 17},  {"单", "shan", 8},    {"仇", "qiu", 5},
    {"欧阳", "ouyang", 6}, {"司徒", "situ", 4}, {"上官", "shangguan", 1},
};

static const struct syl given[] = {
    {"伟", "wei", 1},   {"芳", "fang", 1},  {"娜", "na", 1},    {"敏", "min", 1},   {"静", "jing", 1},
    {"丽", "li", 1},    {"强", "qiang", 1}, {"磊", "lei", 1},   {"军", "jun", 1},   {"洋", "yang", 1},
    {"勇", "yong", 1},  {"艳", "yan", 1},   {"杰", "jie", 1},   {"娟", "juan", 1},  {"涛", "tao", 1},
    {"明", "ming", 1},  {"超", "chao", 1},  {"秀", "xiu", 1},   {"霞", "xia", 1},   {"平", "ping", 1},
    {"刚", "gang", 1},  {"桂", "gui", 1},   {"英", "ying", 1},  {"华", "hua", 1},   {"玉", "yu", 1},
    {"萍", "ping", 1},  {"红", "hong", 1},  {"鹏", "peng", 1},  {"辉", "hui", 1},   {"建", "jian", 1},
    {"国", "guo", 1},   {"文", "wen", 1},   {"志", "zhi", 1},   {"海", "hai", 1},   {"林", "lin", 1},
    {"波", "bo", 1},    {"宇", "yu", 1},    {"浩", "hao", 1},   {"凯", "kai", 1},   {"健", "jian", 1},
    {"俊", "jun", 1},   {"帆", "fan", 1},   {"帅", "shuai", 1}, {"旭", "xu", 1},    {"宁", "ning", 1},
    {"龙", "long", 1},  {"欣", "xin", 1},   {"婷", "ting", 1},  {"雪", "xue", 1},   {"琳", "lin", 1},
    {"晨", "chen", 1},  {"梅", "mei", 1},   {"莉", "li", 1},    {"兰", "lan", 1},   {"凤", "feng", 1},
    {"洁", "jie", 1},   {"琴", "qin", 1},   {"云", "yun", 1},   {"燕", "yan", 1},   {"春", "chun", 1},
    {"玲", "ling", 1},  {"慧", "hui", 1},   {"倩", "qian", 1},  {"颖", "ying", 1},  {"佳", "jia", 1},
    {"嘉", "jia", 1},   {"怡", "yi", 1},    {"思", "si", 1},    {"雨", "yu", 1},    {"晓", "xiao", 1},
    {"子", "zi", 1},    {"梓", "zi", 1},    {"涵", "han", 1},   {"轩", "xuan", 1},  {"博", "bo", 1},
    {"睿", "rui", 1},   {"泽", "ze", 1},    {"宏", "hong", 1},  {"斌", "bin", 1},   {"峰", "feng", 1},
    {"亮", "liang", 1}, {"成", "cheng", 1}, {"飞", "fei", 1},   {"鑫", "xin", 1},   {"毅", "yi", 1},
    {"鸿", "hong", 1},  {"彬", "bin", 1},   {"荣", "rong", 1},  {"新", "xin", 1},   {"振", "zhen", 1},
    {"家", "jia", 1},   {"德", "de", 1},    {"福", "fu", 1},    {"生", "sheng", 1}, {"东", "dong", 1},
    {"永", "yong", 1},  {"金", "jin", 1},   {"清", "qing", 1},  {"秋", "qiu", 1},   {"月", "yue", 1},
    {"珍", "zhen", 1},  {"淑", "shu", 1},   {"惠", "hui", 1},   {"琪", "qi", 1},    {"诗", "shi", 1},
    {"雅", "ya", 1},    {"婉", "wan", 1},   {"瑶", "yao", 1},   {"楠", "nan", 1},   {"庆", "qing", 1},
    {"安", "an", 1},    {"坤", "kun", 1},   {"炜", "wei", 1},   {"锦", "jin", 1},   {"昊", "hao", 1},
    {"天", "tian", 1},  {"达", "da", 1},    {"伦", "lun", 1},   {"铭", "ming", 1},  {"立", "li", 1},
};

struct district {
    const char *code;   /* 6-digit administrative code */
    const char *region; /* 所在区域 */
    const char *addr;   /* address prefix */
    int w;
};

static const struct district districts[] = {
    {"440103", "广东省/广州市/荔湾区", "广州市荔湾区", 5},  {"440104", "广东省/广州市/越秀区", "广州市越秀区", 6},
    {"440105", "广东省/广州市/海珠区", "广州市海珠区", 7},  {"440106", "广东省/广州市/天河区", "广州市天河区", 9},
    {"440111", "广东省/广州市/白云区", "广州市白云区", 9},  {"440112", "广东省/广州市/黄埔区", "广州市黄埔区", 5},
    {"440113", "广东省/广州市/番禺区", "广州市番禺区", 8},  {"440114", "广东省/广州市/花都区", "广州市花都区", 5},
    {"440115", "广东省/广州市/南沙区", "广州市南沙区", 3},  {"440117", "广东省/广州市/从化区", "广州市从化区", 2},
    {"440118", "广东省/广州市/增城区", "广州市增城区", 4},  {"440303", "广东省/深圳市/罗湖区", "深圳市罗湖区", 4},
    {"440304", "广东省/深圳市/福田区", "深圳市福田区", 6},  {"440305", "广东省/深圳市/南山区", "深圳市南山区", 7},
    {"440306", "广东省/深圳市/宝安区", "深圳市宝安区", 9},  {"440307", "广东省/深圳市/龙岗区", "深圳市龙岗区", 8},
    {"440308", "广东省/深圳市/盐田区", "深圳市盐田区", 1},  {"440309", "广东省/深圳市/龙华区", "深圳市龙华区", 5},
    {"440310", "广东省/深圳市/坪山区", "深圳市坪山区", 2},  {"440311", "广东省/深圳市/光明区", "深圳市光明区", 2},
    {"440402", "广东省/珠海市/香洲区", "珠海市香洲区", 3},  {"440604", "广东省/佛山市/禅城区", "佛山市禅城区", 3},
    {"440605", "广东省/佛山市/南海区", "佛山市南海区", 4},  {"440606", "广东省/佛山市/顺德区", "佛山市顺德区", 4},
    {"441900", "广东省/东莞市", "东莞市", 6},              {"442000", "广东省/中山市", "中山市", 3},
};

static const char *roads[] = {
    "中山路",   "解放路",   "人民路",   "建设路",   "天河路",   "体育西路", "黄埔大道", "环市东路",
    "东风路",   "北京路",   "江南大道", "广州大道", "深南大道", "滨海大道", "华强北路", "科技园路",
    "南海大道", "宝安大道", "龙岗大道", "新华路",   "沿江路",   "工业大道", "花城大道", "前进路",
    "文明路",   "德政路",   "滨江路",   "东湖路",   "五羊路",   "岗顶路",
};

static const char *occupations[] = {
    "教师", "医生",   "工程师", "会计",   "司机",   "个体户", "公务员", "退休",
    "学生", "销售",   "厨师",   "护士",   "律师",   "农民",   "工人",   "程序员",
    "快递员", "商人", "自由职业", "设计师", "保安",   "文员",   "经理",   "家庭主妇",
};

static const char *tags[] = {
    "高价值客户", "潜力客户", "普通客户", "集邮爱好者", "理财需求",
    "国际寄递",   "电商卖家", "需重点跟进", "投诉历史",   "生日关怀",
};

/* Carrier prefixes: second digit 3-9. */
static const char *prefixes[] = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145",
    "147", "150", "151", "152", "153", "155", "156", "157", "158", "159", "166",
    "170", "171", "173", "175", "176", "177", "178", "180", "181", "182", "183",
    "184", "185", "186", "187", "188", "189", "191", "198", "199",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- weighted choice ---- */

static int surname_total, district_total;

static const struct syl *pick_surname(void)
{
    uint32_t r = below((uint32_t)surname_total);
    for (size_t i = 0; i < NELEM(surnames); i++) {
        if (r < (uint32_t)surnames[i].w)
            return &surnames[i];
        r -= (uint32_t)surnames[i].w;
    }
    return &surnames[0];
}

static const struct district *pick_district(void)
{
    uint32_t r = below((uint32_t)district_total);
    for (size_t i = 0; i < NELEM(districts); i++) {
        if (r < (uint32_t)districts[i].w)
            return &districts[i];
        r -= (uint32_t)districts[i].w;
    }
    return &districts[0];
}

/* ---- dates ---- */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

/* ---- ID check character (GB 11643-1999, MOD 11-2) ---- */

static char id_check(const char *first17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * w[i];
    return map[sum % 11];
}

/* ---- output buffer ---- */

static char obuf[1 << 20];
static size_t olen;

static void oflush(void)
{
    if (olen && fwrite(obuf, 1, olen, stdout) != olen) {
        fprintf(stderr, "gen_customers: write: %s\n", strerror(errno));
        exit(1);
    }
    olen = 0;
}

static void out(const char *s)
{
    size_t n = strlen(s);
    if (olen + n > sizeof(obuf))
        oflush();
    memcpy(obuf + olen, s, n);
    olen += n;
}

static void outc(char c)
{
    if (olen + 1 > sizeof(obuf))
        oflush();
    obuf[olen++] = c;
}

static void outu(unsigned v)
{
    char t[16];
    snprintf(t, sizeof(t), "%u", v);
    out(t);
}

/* ---- main ---- */

static void usage(void)
{
    fprintf(stderr, "usage: gen_customers N SEED [--samples DIR] > customers.csv\n");
    exit(2);
}

static FILE *open_sample(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gen_customers: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return f;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 5)
        usage();
    char *end;
    errno = 0;
    unsigned long long n = strtoull(argv[1], &end, 10);
    if (errno || *end || n == 0)
        usage();
    unsigned long long seed = strtoull(argv[2], &end, 10);
    if (errno || *end)
        usage();
    const char *sample_dir = NULL;
    if (argc == 5) {
        if (strcmp(argv[3], "--samples") != 0)
            usage();
        sample_dir = argv[4];
        mkdir(sample_dir, 0755);
    }

    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        rs[i] = splitmix64(&sm);
    for (size_t i = 0; i < NELEM(surnames); i++)
        surname_total += surnames[i].w;
    for (size_t i = 0; i < NELEM(districts); i++)
        district_total += districts[i].w;

    /* Bijections i -> distinct phone / ID (keyed permutations of the spaces). */
    const uint64_t M_PHONE = (uint64_t)NELEM(prefixes) * 100000000ULL;
    const int64_t day0 = days_from_civil(1940, 1, 1);
    const int64_t day1 = days_from_civil(2005, 12, 31);
    const uint64_t DAYS = (uint64_t)(day1 - day0 + 1);
    const uint64_t M_ID = (uint64_t)NELEM(districts) * DAYS * 1000ULL;
    if (n > M_PHONE || n > M_ID) {
        fprintf(stderr, "gen_customers: at most %llu rows\n",
                (unsigned long long)(M_PHONE < M_ID ? M_PHONE : M_ID));
        return 2;
    }
    const int64_t agr0 = days_from_civil(2026, 1, 1);
    const uint32_t agr_days = (uint32_t)(days_from_civil(2028, 12, 31) - agr0 + 1);
    struct perm perm_phone, perm_id;
    perm_init(&perm_phone, M_PHONE, &sm);
    perm_init(&perm_id, M_ID, &sm);

    FILE *fp = NULL, *fi = NULL, *ff = NULL, *fn = NULL, *f4 = NULL;
    uint64_t step = n / 5000 ? n / 5000 : 1;
    if (sample_dir) {
        fp = open_sample(sample_dir, "phones.txt");
        fi = open_sample(sample_dir, "ids.txt");
        ff = open_sample(sample_dir, "frags.txt");
        fn = open_sample(sample_dir, "initials.txt");
        f4 = open_sample(sample_dir, "last4.txt");
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    out("姓名,手机号,身份证号,性别,生日,详细地址,所在区域,职业,客户等级,标签,协议到期日,理财产品到期日\n");
    for (uint64_t i = 0; i < n; i++) {
        /* name */
        const struct syl *sn = pick_surname();
        int ng = below(100) < 72 ? 2 : 1;
        const struct syl *g1 = &given[below(NELEM(given))];
        const struct syl *g2 = ng == 2 ? &given[below(NELEM(given))] : NULL;
        char name[64], initials[16];
        snprintf(name, sizeof(name), "%s%s%s", sn->s, g1->s, g2 ? g2->s : "");
        /* initials: one letter per Han character; compound surnames give 2 */
        size_t k = 0;
        if (strcmp(sn->s, "欧阳") == 0) {
            initials[k++] = 'o';
            initials[k++] = 'y';
        } else if (strcmp(sn->s, "司徒") == 0) {
            initials[k++] = 's';
            initials[k++] = 't';
        } else if (strcmp(sn->s, "上官") == 0) {
            initials[k++] = 's';
            initials[k++] = 'g';
        } else {
            initials[k++] = sn->py[0];
        }
        initials[k++] = g1->py[0];
        if (g2)
            initials[k++] = g2->py[0];
        initials[k] = 0;

        /* phone */
        uint64_t pi = perm_apply(&perm_phone, i);
        char phone[12];
        snprintf(phone, sizeof(phone), "%s%08llu", prefixes[pi / 100000000ULL],
                 (unsigned long long)(pi % 100000000ULL));

        /* ID number */
        uint64_t ii = perm_apply(&perm_id, i);
        const struct district *born = &districts[ii / (DAYS * 1000ULL)];
        int64_t day = day0 + (int64_t)((ii / 1000ULL) % DAYS);
        unsigned order = (unsigned)(ii % 1000ULL); /* last digit: odd = male */
        int y, m, d;
        civil_from_days(day, &y, &m, &d);
        char id[40];
        snprintf(id, sizeof(id), "%s%04d%02d%02d%03u", born->code, y, m, d, order);
        id[17] = id_check(id);
        id[18] = 0;
        int male = order % 2 == 1;

        /* where they live: mostly where they were born */
        const struct district *home = below(100) < 70 ? born : pick_district();

        out(name);
        outc(',');
        out(phone);
        outc(',');
        out(id);
        outc(',');
        out(male ? "男" : "女");
        outc(',');
        char bd[40];
        snprintf(bd, sizeof(bd), "%04d-%02d-%02d", y, m, d);
        out(bd);
        outc(',');
        out(home->addr);
        out(roads[below(NELEM(roads))]);
        outu(1 + below(399));
        out("号");
        if (below(100) < 60) {
            outu(1 + below(30));
            out("栋");
            outu(101 + below(30) * 100 + below(8));
            out("室");
        }
        outc(',');
        out(home->region);
        outc(',');
        out(occupations[below(NELEM(occupations))]);
        outc(',');
        uint32_t lv = below(100);
        out(lv < 10 ? "高价值" : lv < 40 ? "潜力" : "普通");
        outc(',');
        /* tags: 0-3 distinct, the first one often the value layer */
        uint32_t nt = below(100);
        nt = nt < 40 ? 0 : nt < 75 ? 1 : nt < 93 ? 2 : 3;
        int used[NELEM(tags)] = {0};
        for (uint32_t t = 0; t < nt; t++) {
            uint32_t ti = below(NELEM(tags));
            if (used[ti])
                continue;
            used[ti] = 1;
            if (t)
                outc('|');
            out(tags[ti]);
        }
        /* 协议到期日 (custom.agreement_end) for ~30% of the customers and
         * 理财产品到期日 (custom.product_maturity) for ~10%, spread evenly
         * over 2026-01-01..2028-12-31 (fixed, so the file does not depend on
         * the day it is made): the date-offset rules then find a few hundred
         * customers on any day of that range. */
        outc(',');
        if (below(100) < 30) {
            civil_from_days(agr0 + (int64_t)below(agr_days), &y, &m, &d);
            snprintf(bd, sizeof(bd), "%04d-%02d-%02d", y, m, d);
            out(bd);
        }
        outc(',');
        if (below(100) < 10) {
            civil_from_days(agr0 + (int64_t)below(agr_days), &y, &m, &d);
            snprintf(bd, sizeof(bd), "%04d-%02d-%02d", y, m, d);
            out(bd);
        }
        outc('\n');

        if (sample_dir && i % step == step / 2) {
            fprintf(fp, "%s\n", phone);
            fprintf(fi, "%s\n", id);
            fprintf(f4, "%s\n", phone + 7);
            fprintf(fn, "%s\n", initials);
            /* a 2-character fragment: the given name when it has 2
             * characters (not the prefix of the name), else the name */
            if (g2)
                fprintf(ff, "%s%s\n", g1->s, g2->s);
            else if (strlen(sn->s) > 3) /* compound surname: 欧阳明 -> 阳明 */
                fprintf(ff, "%s%s\n", sn->s + 3, g1->s);
            else
                fprintf(ff, "%s%s\n", sn->s, g1->s);
        }
    }
    oflush();
    if (fflush(stdout) != 0) {
        fprintf(stderr, "gen_customers: write: %s\n", strerror(errno));
        return 1;
    }
    if (sample_dir) {
        fclose(fp);
        fclose(fi);
        fclose(ff);
        fclose(fn);
        fclose(f4);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "gen_customers: %llu rows (seed %llu) in %.2f s\n", n, seed, s);
    return 0;
}
