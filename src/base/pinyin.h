/*
 * pinyin.h - toneless pinyin of Chinese personal names, for search keys
 * ("zhangsan", "zs") stored beside a customer's name.
 *
 * Readings come from ICU's Han-Latin transliterator; the first character of
 * a name is read as a surname (曾 zeng, 单 shan, 仇 qiu, 朴 piao ...), using
 * ICU's Han-Latin/Names plus an override table where ICU's surname reading
 * is wrong, and common compound surnames (欧阳, 尉迟, 万俟 ...) are
 * recognised. ü is written "v" (吕 -> "lv"), as typed with a Chinese input
 * method, since these keys are matched against what clerks type.
 *
 * All functions are thread-safe and cheap after warm-up: readings are cached
 * per code point in a process-wide lock-free table, so the ICU
 * transliterator (slow to open, not thread-safe) is only used, under a
 * mutex, the first time a character is seen.
 */
#ifndef HY_PINYIN_H
#define HY_PINYIN_H

/*
 * Full pinyin: lower case, no tones, no separators. Han characters become
 * their syllables; ASCII letters and digits are kept (letters lower-cased);
 * everything else (spaces, punctuation, other scripts, invalid UTF-8) is
 * dropped. "张三" -> "zhangsan", "Anna李" -> "annali", NULL -> "".
 * Only the first 64 KiB of input is read. Caller frees; never NULL.
 */
char *pinyin_full(const char *utf8);

/*
 * Initials: the first letter of each Han character's syllable, and the
 * first character of each run of ASCII letters/digits. "张三" -> "zs",
 * "欧阳修" -> "oyx", "Anna李" -> "al", "Anna Li" -> "al". Caller frees;
 * never NULL.
 */
char *pinyin_initials(const char *utf8);

/*
 * Both at once, in one pass (bulk import). Either out pointer may be NULL.
 * The strings returned are the caller's to free.
 */
void pinyin_name(const char *utf8, char **full, char **initials);

#endif
