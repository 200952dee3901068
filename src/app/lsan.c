/*
 * lsan.c - what LeakSanitizer is told to ignore in the sanitizer build.
 *
 * Fontconfig and cairo keep per-process caches of fonts and glyphs (filled
 * on the first PDF a worker thread draws, core/pdf.c) that they never free
 * at exit; those are the libraries' own, not ours. Only these two
 * libraries are named, so a leak in our code still fails the tests. The
 * release build never calls this.
 */
const char *__lsan_default_suppressions(void);

const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libcairo.so\n";
}

/* The suppressed leaks are expected: no list of them at every exit. */
const char *__lsan_default_options(void);

const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}
