/*
 * test_wakeup.c - the background threads' sleep (base/wakeup.h): it lasts
 * its time when nothing happens, a wake cuts it short, a wake that came
 * while the thread was busy is not lost, and a stop ends it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/wakeup.h"

#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_sleeps_its_time(void **state)
{
    (void)state;
    struct wakeup w = WAKEUP_INIT;
    double t0 = now_s();
    assert_true(wakeup_wait(&w, wakeup_seen(&w), 1));
    assert_true(now_s() - t0 >= 0.9);
}

static void test_wake_during_work_is_kept(void **state)
{
    (void)state;
    struct wakeup w = WAKEUP_INIT;
    uint64_t seen = wakeup_seen(&w);
    wakeup_wake(&w); /* while the thread was busy with a round */
    double t0 = now_s();
    assert_true(wakeup_wait(&w, seen, 5));
    assert_true(now_s() - t0 < 1.0);
}

static void *waker(void *arg)
{
    usleep(100 * 1000);
    wakeup_wake(arg);
    return NULL;
}

static void *stopper(void *arg)
{
    usleep(100 * 1000);
    wakeup_stop(arg);
    return NULL;
}

static void test_wake_and_stop_cut_short(void **state)
{
    (void)state;
    struct wakeup w = WAKEUP_INIT;
    pthread_t th;
    double t0 = now_s();
    pthread_create(&th, NULL, waker, &w);
    assert_true(wakeup_wait(&w, wakeup_seen(&w), 5));
    pthread_join(th, NULL);
    assert_true(now_s() - t0 < 2.0);

    t0 = now_s();
    pthread_create(&th, NULL, stopper, &w);
    assert_false(wakeup_wait(&w, wakeup_seen(&w), 5));
    pthread_join(th, NULL);
    assert_true(now_s() - t0 < 2.0);
    assert_true(wakeup_stopping(&w));
    /* Stopped: no more sleeping until restarted. */
    assert_false(wakeup_wait(&w, wakeup_seen(&w), 5));
    wakeup_restart(&w);
    assert_false(wakeup_stopping(&w));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sleeps_its_time),
        cmocka_unit_test(test_wake_during_work_is_kept),
        cmocka_unit_test(test_wake_and_stop_cut_short),
    };
    return cmocka_run_group_tests_name("wakeup", tests, NULL, NULL);
}
